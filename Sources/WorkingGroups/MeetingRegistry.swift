import Bodies
import Foundation
import PlenaryCore
import Postgres
import Storage

/// The meetings of working groups. Numbered within each group (the next number when none is given); a group's
/// meetings never share a day (an exclusion constraint) and no meeting shares a day with a session of the body
/// unless it is held in conjunction with that session (a trigger under the body's calendar lock) — Schema/0005.
public struct MeetingRegistry: Sendable {
    let database: Database

    /// Creates the registry over a database.
    public init(database: Database) {
        self.database = database
    }

    static let columns = """
        b.code AS body, g.code AS wg, m.number, m.start_date, m.end_date, m.venue, m.timezone,
        partner.number AS with_session, plenary_meeting_status(m.status, m.end_date) AS status, m.status_reason
        """

    static let joins = """
        JOIN working_groups g ON g.id = m.working_group_id JOIN bodies b ON b.id = m.body_id
        LEFT JOIN sessions partner ON partner.id = m.with_session_id
        """

    /// Schedules a meeting of group `workingGroup` of `body`. 504 names a malformed field; 550 an unknown body, group
    /// or session; 551 a number already taken or dates that break the calendar's rules.
    @discardableResult
    public func schedule(
        _ plan: MeetingPlan, body: String, workingGroup: String, by actor: Actor
    ) async throws(DomainError) -> Meeting {
        try await enter(plan, body: body, workingGroup: workingGroup, recorded: false, by: actor)
    }

    /// Writes a meeting, scheduled or (`recorded`) entered from the record with its days past, and its audit row.
    func enter(
        _ plan: MeetingPlan, body: String, workingGroup: String, recorded: Bool, by actor: Actor
    ) async throws(DomainError) -> Meeting {
        try Self.validate(plan)
        return try await database.write(explaining: {
            Self.explain($0, body: body, workingGroup: workingGroup, number: plan.number)
        }) { connection in
            let owner = try Body.Recorded.lock(connection, code: body)
            let groupID = try Self.groupID(connection, body: owner, code: workingGroup)
            if recorded { try HistoryRules.requirePast(connection, end: plan.end, what: "meeting") }
            let partner = try plan.withSession.map { try Self.sessionID(connection, body: owner, number: $0) }
            // Under the calendar lock, so two writers cannot both take the same next number.
            let number: Int
            if let given = plan.number {
                number = given
            } else {
                let row = try connection.queryOne(
                    """
                    SELECT coalesce(max(number), 0) + 1 AS next FROM working_group_meetings
                    WHERE working_group_id = $1
                    """,
                    [groupID])
                number = try row!.decode("next")
            }
            try connection.query(
                """
                INSERT INTO working_group_meetings (working_group_id, body_id, number, start_date, end_date, venue,
                                                    timezone, with_session_id, recorded)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                """,
                [groupID, owner.id, number, plan.start, plan.end, plan.venue, plan.timeZone, partner, recorded])
            let meeting = try Self.fetch(connection, groupID: groupID, body: body, code: workingGroup, number: number)
            try AuditLog.record(
                connection, actor: actor, entity: "meeting", id: meeting.auditID,
                operation: recorded ? "record" : "schedule", after: meeting)
            return meeting
        }
    }

    /// Meeting `number` of group `workingGroup` of `body`, or 550.
    public func get(body: String, workingGroup: String, number: Int) async throws(DomainError) -> Meeting {
        try await database.read { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            let groupID = try Self.groupID(connection, body: owner, code: workingGroup)
            return try Self.fetch(connection, groupID: groupID, body: body, code: workingGroup, number: number)
        }
    }

    /// The meetings of `body` (or of one of its groups) in date order, optionally only those with a day in
    /// `from…to`.
    public func list(
        body: String, workingGroup: String? = nil, from: CalendarDate? = nil, to: CalendarDate? = nil
    ) async throws(DomainError) -> [Meeting] {
        try await database.read { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            let groupID = try workingGroup.map { try Self.groupID(connection, body: owner, code: $0) }
            return try connection.query(
                """
                SELECT \(Self.columns) FROM working_group_meetings m \(Self.joins)
                WHERE m.body_id = $1 AND ($2::bigint IS NULL OR m.working_group_id = $2)
                  AND ($3::date IS NULL OR m.end_date >= $3) AND ($4::date IS NULL OR m.start_date <= $4)
                ORDER BY m.start_date, g.code, m.number
                """,
                [owner.id, groupID, from, to]
            ).rows.map(Self.meeting(from:))
        }
    }

    /// Moves a meeting to new dates, venue or zone, or holds it in conjunction with another session. Cancelled
    /// meetings cannot be rescheduled.
    @discardableResult
    public func reschedule(
        body: String, workingGroup: String, number: Int, to change: MeetingChange, by actor: Actor
    ) async throws(DomainError) -> Meeting {
        if change.isEmpty {
            throw .invalid("start", "give at least one of start, end, venue, timezone, with-session to change")
        }
        if let venue = change.venue { try FieldRules.text(venue, field: "venue", limit: 200) }
        if let zone = change.timeZone { try FieldRules.timeZone(zone) }
        if let start = change.start, let end = change.end { try FieldRules.dates(start: start, end: end) }
        return try await database.write(explaining: {
            Self.explain($0, body: body, workingGroup: workingGroup, number: number)
        }) { connection in
            let owner = try Body.Recorded.lock(connection, code: body)
            let groupID = try Self.groupID(connection, body: owner, code: workingGroup)
            let before = try Self.fetch(connection, groupID: groupID, body: body, code: workingGroup, number: number)
            if before.status == .cancelled {
                throw DomainError.conflict(
                    "status: meeting \(number) of \(body)/\(workingGroup) is cancelled; cancelled meetings cannot be "
                        + "rescheduled")
            }
            let start = change.start ?? before.start
            let end = change.end ?? before.end
            if end < start { throw DomainError.invalid("end", "must not be before start=\(start)") }
            let partner = try (change.withSession ?? before.withSession).map {
                try Self.sessionID(connection, body: owner, number: $0)
            }
            try connection.query(
                """
                UPDATE working_group_meetings SET start_date = $3, end_date = $4, venue = $5, timezone = $6,
                       with_session_id = $7
                WHERE working_group_id = $1 AND number = $2
                """,
                [
                    groupID, number, start, end, change.venue ?? before.venue, change.timeZone ?? before.timeZone,
                    partner,
                ])
            let after = try Self.fetch(connection, groupID: groupID, body: body, code: workingGroup, number: number)
            try AuditLog.record(
                connection, actor: actor, entity: "meeting", id: after.auditID, operation: "reschedule",
                before: before, after: after)
            return after
        }
    }

    /// Cancels a meeting, keeping the reason; its days are free again and its number stays taken.
    @discardableResult
    public func cancel(
        body: String, workingGroup: String, number: Int, reason: String? = nil, by actor: Actor
    ) async throws(DomainError) -> Meeting {
        try FieldRules.optionalText(reason, field: "reason", limit: 1000)
        return try await database.write(explaining: {
            Self.explain($0, body: body, workingGroup: workingGroup, number: number)
        }) { connection in
            let owner = try Body.Recorded.lock(connection, code: body)
            let groupID = try Self.groupID(connection, body: owner, code: workingGroup)
            let before = try Self.fetch(connection, groupID: groupID, body: body, code: workingGroup, number: number)
            if before.status == .cancelled {
                throw DomainError.conflict(
                    "status: meeting \(number) of \(body)/\(workingGroup) is already cancelled")
            }
            try connection.query(
                """
                UPDATE working_group_meetings SET status = 'cancelled', status_reason = $3
                WHERE working_group_id = $1 AND number = $2
                """,
                [groupID, number, reason])
            let after = try Self.fetch(connection, groupID: groupID, body: body, code: workingGroup, number: number)
            try AuditLog.record(
                connection, actor: actor, entity: "meeting", id: after.auditID, operation: "cancel", before: before,
                after: after)
            return after
        }
    }

    // MARK: - Rules and rows

    /// Checks every field of a plan, naming the first one at fault.
    public static func validate(_ plan: MeetingPlan) throws(DomainError) {
        if let number = plan.number, !(1...9999).contains(number) {
            throw .invalid("number", "must be 1 to 9999")
        }
        if let session = plan.withSession, !(1...9999).contains(session) {
            throw .invalid("with-session", "must be a session number 1 to 9999")
        }
        try FieldRules.text(plan.venue, field: "venue", limit: 200)
        if let zone = plan.timeZone { try FieldRules.timeZone(zone) }
        try FieldRules.dates(start: plan.start, end: plan.end)
    }

    static func groupID(_ connection: Connection, body: Body.Recorded, code: String) throws -> Int {
        let row = try connection.queryOne(
            "SELECT id FROM working_groups WHERE body_id = $1 AND upper(code) = upper($2)", [body.id, code])
        guard let row else { throw DomainError.notFound("wg: \(body.code) has no working group \(code)") }
        return try row.decode("id")
    }

    /// The original part of session `number`: a meeting is held in conjunction with a session, all its parts.
    static func sessionID(_ connection: Connection, body: Body.Recorded, number: Int) throws -> Int {
        let row = try connection.queryOne(
            "SELECT id FROM sessions WHERE body_id = $1 AND number = $2 AND part = 1", [body.id, number])
        guard let row else { throw DomainError.notFound("with-session: \(body.code) has no session \(number)") }
        return try row.decode("id")
    }

    static func fetch(
        _ connection: Connection, groupID: Int, body: String, code: String, number: Int
    ) throws -> Meeting {
        let row = try connection.queryOne(
            "SELECT \(columns) FROM working_group_meetings m \(joins) WHERE m.working_group_id = $1 AND m.number = $2",
            [groupID, number])
        guard let row else { throw DomainError.notFound("number: \(body)/\(code) has no meeting \(number)") }
        return try meeting(from: row)
    }

    static func meeting(from row: Row) throws -> Meeting {
        Meeting(
            body: try row.decode("body"), workingGroup: try row.decode("wg"), number: try row.decode("number"),
            start: try row.decode("start_date"), end: try row.decode("end_date"), venue: try row.decode("venue"),
            timeZone: try row.decode("timezone"), withSession: try row.decode("with_session", as: Int?.self),
            status: MeetingStatus(rawValue: try row.decode("status")) ?? .scheduled,
            statusReason: try row.decode("status_reason", as: String?.self))
    }

    static func explain(_ error: PostgresError, body: String, workingGroup: String, number: Int?) -> DomainError? {
        let group = "\(body)/\(workingGroup)"
        switch error.constraint {
        case "working_group_meetings_number_key":
            return .conflict("number: \(group) already has meeting \(number.map(String.init) ?? "with that number")")
        case "working_group_meetings_no_overlap":
            return .conflict("start: the dates overlap another meeting of \(group) (\(error.detail ?? "exclusion"))")
        case "working_group_meetings_dates_ordered": return .invalid("end", "must not be before start")
        case "working_group_meetings_venue_not_blank": return .invalid("venue", "must be 1 to 200 characters")
        case "working_group_meetings_timezone_valid":
            return .invalid("timezone", "not a time zone PostgreSQL knows")
        case "working_group_meetings_reason_not_blank": return .invalid("reason", "must be 1 to 1000 characters")
        default: return nil
        }
    }
}
