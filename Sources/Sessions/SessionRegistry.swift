import Bodies
import Foundation
import PlenaryCore
import Postgres
import Storage

/// The sessions of every body: scheduling, rescheduling and the moves of their status.
///
/// Rules are held twice. Here, the shape of each field, named by its key, before any round trip. In the database
/// (Schema/0004_sessions.sql), everything that depends on other rows — numbers follow dates, no two sessions of a
/// body share a day, the status moves only along its transitions — so the rules hold whoever writes and however
/// many write at once. Each change is one transaction with its audit row.
public struct SessionRegistry: Sendable {
    let database: Database

    /// Creates the registry over a database.
    public init(database: Database) {
        self.database = database
    }

    static let columns = """
        b.code AS body, s.number, s.part, s.kind, s.title, s.venue, s.timezone, s.format, s.start_date, s.end_date,
        s.status, s.status_reason
        """

    // MARK: - Scheduling

    /// Schedules a session of `body`. A resumption (`kind: .resumed`) becomes the next part of the session with
    /// that number. 504 names a malformed field, 550 an unknown body or a session to resume that does not exist,
    /// 551 a number already taken or dates that break the calendar's rules.
    @discardableResult
    public func schedule(_ plan: SessionPlan, body: String, by actor: Actor) async throws(DomainError) -> Session {
        try await enter(plan, body: body, recorded: false, by: actor)
    }

    /// Writes a session, scheduled or (`recorded`) entered from the record closed with its days past, and its audit
    /// row.
    func enter(_ plan: SessionPlan, body: String, recorded: Bool, by actor: Actor) async throws(DomainError) -> Session
    {
        try Self.validate(plan)
        return try await database.write(explaining: { Self.explain($0, body: body, number: plan.number) }) {
            connection in
            let owner = try Body.Recorded.lock(connection, code: body)
            if recorded { try HistoryRules.requirePast(connection, end: plan.end, what: "session") }
            var part = 1
            if plan.kind == .resumed {
                let last = try connection.queryOne(
                    "SELECT max(part) AS part FROM sessions WHERE body_id = $1 AND number = $2",
                    [owner.id, plan.number])
                guard let previous = try last?.decode("part", as: Int?.self) else {
                    throw DomainError.notFound("number: \(body) has no session \(plan.number) to resume")
                }
                part = previous + 1
            }
            let row = try connection.queryOne(
                """
                WITH added AS (
                    INSERT INTO sessions (body_id, number, part, kind, title, venue, timezone, format, start_date,
                                          end_date, status, recorded)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *
                )
                SELECT \(Self.columns) FROM added s JOIN bodies b ON b.id = s.body_id
                """,
                [
                    owner.id, plan.number, part, plan.kind.rawValue, plan.title, plan.venue, plan.timeZone,
                    plan.format.rawValue, plan.start, plan.end, recorded ? "closed" : "scheduled", recorded,
                ])
            let session = try Self.session(from: row!)
            try AuditLog.record(
                connection, actor: actor, entity: "session", id: session.auditID,
                operation: recorded ? "record" : "schedule", after: session)
            return session
        }
    }

    // MARK: - Reading

    /// Every part of session `number` of `body`, in order (one for a session never resumed); 550 when there is none.
    public func parts(body: String, number: Int) async throws(DomainError) -> [Session] {
        try await database.read { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            let parts = try connection.query(
                """
                SELECT \(Self.columns) FROM sessions s JOIN bodies b ON b.id = s.body_id
                WHERE s.body_id = $1 AND s.number = $2 ORDER BY s.part
                """,
                [owner.id, number]
            ).rows.map(Self.session(from:))
            guard !parts.isEmpty else { throw Self.noSuchSession(body: body, number: number, part: nil) }
            return parts
        }
    }

    /// Session `number` of `body`: the given part, or without one the latest part (the one still in play).
    public func get(body: String, number: Int, part: Int? = nil) async throws(DomainError) -> Session {
        try await database.read { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            return try Self.fetch(connection, body: owner, number: number, part: part, lock: false)
        }
    }

    /// The sessions of `body` in date order, optionally only those with a day in `from…to` and in one status.
    public func list(
        body: String, from: CalendarDate? = nil, to: CalendarDate? = nil, status: SessionStatus? = nil
    ) async throws(DomainError) -> [Session] {
        try await database.read { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            return try connection.query(
                """
                SELECT \(Self.columns) FROM sessions s JOIN bodies b ON b.id = s.body_id
                WHERE s.body_id = $1 AND ($2::date IS NULL OR s.end_date >= $2)
                  AND ($3::date IS NULL OR s.start_date <= $3) AND ($4::text IS NULL OR s.status = $4)
                ORDER BY s.start_date, s.number, s.part
                """,
                [owner.id, from, to, status?.rawValue]
            ).rows.map(Self.session(from:))
        }
    }

    // MARK: - Changing

    /// Moves a session to new dates, venue, zone or format. A postponed session given new dates is scheduled again
    /// (its postponement stays in the audit trail); closed and cancelled sessions cannot be rescheduled, and an
    /// open one can only have its end moved.
    @discardableResult
    public func reschedule(
        body: String, number: Int, part: Int? = nil, to change: SessionChange, by actor: Actor
    ) async throws(DomainError) -> Session {
        if change.isEmpty {
            throw .invalid("start", "give at least one of start, end, venue, timezone, format to change")
        }
        if let venue = change.venue { try FieldRules.text(venue, field: "venue", limit: 200) }
        if let zone = change.timeZone { try FieldRules.timeZone(zone) }
        if let start = change.start, let end = change.end { try FieldRules.dates(start: start, end: end) }
        return try await database.write(explaining: { Self.explain($0, body: body, number: number) }) { connection in
            let owner = try Body.Recorded.lock(connection, code: body)
            let before = try Self.fetch(connection, body: owner, number: number, part: part, lock: true)
            guard before.status.canBeRescheduled else {
                throw DomainError.conflict(
                    "status: \(before.label) of \(body) is \(before.status.rawValue); closed and cancelled sessions "
                        + "cannot be rescheduled")
            }
            let start = change.start ?? before.start
            let end = change.end ?? before.end
            if end < start {
                throw DomainError.invalid("end", "must not be before start=\(start)")
            }
            let movesDates = start != before.start || end != before.end
            // Dates given to a postponed session are a request to hold it: the same dates again would leave it
            // postponed while the reply looked like success. The database holds the same rule (Schema/0004).
            if before.status == .postponed, change.start != nil || change.end != nil, !movesDates {
                throw DomainError.conflict(
                    "start: \(before.label) of \(body) is postponed from \(before.start) to \(before.end); it is "
                        + "scheduled again only on new dates (give start= and end= that differ)")
            }
            let status = before.status == .postponed && movesDates ? SessionStatus.scheduled : before.status
            let row = try connection.queryOne(
                """
                WITH changed AS (
                    UPDATE sessions SET start_date = $4, end_date = $5, venue = $6, timezone = $7, format = $8,
                           status = $9, status_reason = CASE WHEN status = $9 THEN status_reason END
                    WHERE body_id = $1 AND number = $2 AND part = $3 RETURNING *
                )
                SELECT \(Self.columns) FROM changed s JOIN bodies b ON b.id = s.body_id
                """,
                [
                    owner.id, number, before.part, start, end, change.venue ?? before.venue,
                    change.timeZone ?? before.timeZone, (change.format ?? before.format).rawValue, status.rawValue,
                ])
            let after = try Self.session(from: row!)
            try AuditLog.record(
                connection, actor: actor, entity: "session", id: after.auditID, operation: "reschedule",
                before: before, after: after)
            return after
        }
    }

    /// Opens a scheduled session.
    @discardableResult
    public func open(
        body: String, number: Int, part: Int? = nil, reason: String? = nil, by actor: Actor
    ) async throws(DomainError) -> Session {
        try await move(body: body, number: number, part: part, to: .open, reason: reason, by: actor)
    }

    /// Closes an open session.
    @discardableResult
    public func close(
        body: String, number: Int, part: Int? = nil, reason: String? = nil, by actor: Actor
    ) async throws(DomainError) -> Session {
        try await move(body: body, number: number, part: part, to: .closed, reason: reason, by: actor)
    }

    /// Postpones a scheduled session; it keeps its dates until it is rescheduled.
    @discardableResult
    public func postpone(
        body: String, number: Int, part: Int? = nil, reason: String? = nil, by actor: Actor
    ) async throws(DomainError) -> Session {
        try await move(body: body, number: number, part: part, to: .postponed, reason: reason, by: actor)
    }

    /// Cancels a scheduled or postponed session; its days are free again and its number stays taken.
    @discardableResult
    public func cancel(
        body: String, number: Int, part: Int? = nil, reason: String? = nil, by actor: Actor
    ) async throws(DomainError) -> Session {
        try await move(body: body, number: number, part: part, to: .cancelled, reason: reason, by: actor)
    }

    /// Moves a session's status, keeping the reason; 551 names the current status when the move is not allowed.
    @discardableResult
    public func move(
        body: String, number: Int, part: Int? = nil, to status: SessionStatus, reason: String? = nil,
        by actor: Actor
    ) async throws(DomainError) -> Session {
        try FieldRules.optionalText(reason, field: "reason", limit: 1000)
        return try await database.write(explaining: { Self.explain($0, body: body, number: number) }) { connection in
            let owner = try Body.Recorded.lock(connection, code: body)
            let before = try Self.fetch(connection, body: owner, number: number, part: part, lock: true)
            if let rule = before.status.refusal(movingTo: status) {
                throw DomainError.conflict(
                    "status: \(before.label) of \(body) is \(before.status.rawValue); \(rule)")
            }
            let row = try connection.queryOne(
                """
                WITH changed AS (
                    UPDATE sessions SET status = $4, status_reason = $5
                    WHERE body_id = $1 AND number = $2 AND part = $3 RETURNING *
                )
                SELECT \(Self.columns) FROM changed s JOIN bodies b ON b.id = s.body_id
                """,
                [owner.id, number, before.part, status.rawValue, reason])
            let after = try Self.session(from: row!)
            let operation: String =
                switch status {
                case .open: "open"
                case .closed: "close"
                case .postponed: "postpone"
                case .cancelled: "cancel"
                case .scheduled: "reschedule"
                }
            try AuditLog.record(
                connection, actor: actor, entity: "session", id: after.auditID, operation: operation, before: before,
                after: after)
            return after
        }
    }

    // MARK: - Rules

    /// Checks every field of a plan, naming the first one at fault.
    public static func validate(_ plan: SessionPlan) throws(DomainError) {
        guard (1...9999).contains(plan.number) else { throw .invalid("number", "must be 1 to 9999") }
        try FieldRules.optionalText(plan.title, field: "title", limit: 500)
        try FieldRules.text(plan.venue, field: "venue", limit: 200)
        if let zone = plan.timeZone { try FieldRules.timeZone(zone) }
        try FieldRules.dates(start: plan.start, end: plan.end)
    }

    /// The session, or 550 naming what is missing. `lock` takes the row for the rest of the transaction.
    static func fetch(
        _ connection: Connection, body: Body.Recorded, number: Int, part: Int?, lock: Bool
    ) throws -> Session {
        let row = try connection.queryOne(
            """
            SELECT \(columns) FROM sessions s JOIN bodies b ON b.id = s.body_id
            WHERE s.body_id = $1 AND s.number = $2 AND ($3::int IS NULL OR s.part = $3)
            ORDER BY s.part DESC LIMIT 1
            """ + (lock ? " FOR NO KEY UPDATE OF s" : ""),
            [body.id, number, part])
        guard let row else { throw noSuchSession(body: body.code, number: number, part: part) }
        return try session(from: row)
    }

    static func noSuchSession(body: String, number: Int, part: Int?) -> DomainError {
        if let part { return .notFound("part: session \(number) of \(body) has no part \(part)") }
        return .notFound("number: \(body) has no session \(number)")
    }

    static func session(from row: Row) throws -> Session {
        let kind: String = try row.decode("kind")
        let format: String = try row.decode("format")
        let status: String = try row.decode("status")
        guard let kind = SessionKind(rawValue: kind), let format = SessionFormat(rawValue: format),
            let status = SessionStatus(rawValue: status)
        else {
            throw PostgresError(kind: .decoding, message: "sessions: unknown kind, format or status in a row")
        }
        return Session(
            body: try row.decode("body"), number: try row.decode("number"), part: try row.decode("part"), kind: kind,
            title: try row.decode("title", as: String?.self), venue: try row.decode("venue"),
            timeZone: try row.decode("timezone"), format: format, start: try row.decode("start_date"),
            end: try row.decode("end_date"), status: status,
            statusReason: try row.decode("status_reason", as: String?.self))
    }

    /// The database's refusals, in the contract's words, naming the key.
    static func explain(_ error: PostgresError, body: String, number: Int) -> DomainError? {
        switch error.constraint {
        case "sessions_number_key":
            return .conflict(
                "number: \(body) already has session \(number); a resumption is scheduled with kind=resumed")
        case "sessions_resumes_fkey": return .notFound("number: \(body) has no session \(number) to resume")
        case "sessions_no_overlap":
            return .conflict("start: the dates overlap another session of \(body) (\(error.detail ?? "exclusion"))")
        case "sessions_dates_ordered": return .invalid("end", "must not be before start")
        case "sessions_number_range": return .invalid("number", "must be 1 to 9999")
        case "sessions_title_not_blank": return .invalid("title", "must be 1 to 500 characters")
        case "sessions_venue_not_blank": return .invalid("venue", "must be 1 to 200 characters")
        case "sessions_timezone_valid": return .invalid("timezone", "not a time zone PostgreSQL knows")
        case "sessions_reason_not_blank": return .invalid("reason", "must be 1 to 1000 characters")
        default: return nil
        }
    }
}
