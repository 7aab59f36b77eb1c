import Bodies
import Foundation
import PlenaryCore
import Postgres
import Sessions
import Storage

/// The decisions and resolutions of every body: drafts, adoption and numbering, decisions entered from the record,
/// and reading them back with their status.
///
/// Rules are held twice. Here, the shape of each field, named by its key, and the session rules in the contract's
/// words before anything is written. In the database (Schema/0007_decisions.sql), everything that must hold whoever
/// connects and however many write at once: numbers come from a counter row locked until commit (gapless, never
/// reused), a number is never given twice, and an adopted decision never changes again. Each change is one
/// transaction with its audit row.
public struct DecisionRegistry: Sendable {
    let database: Database
    let clock: CalendarClock

    /// Creates the registry; `clock` is "today" for adoption without a date and for statuses.
    public init(database: Database, clock: CalendarClock = .system) {
        self.database = database
        self.clock = clock
    }

    /// The columns a ``Decision`` is read from, over `decisions d JOIN bodies b`; the status needs the day as a
    /// parameter, see ``statusColumn(_:)``.
    static let columns = """
        d.id, b.code AS body, d.kind, d.session_number, d.session_part, d.stage, d.serial, d.letter, d.title,
        d.wording, d.agenda_item, d.document, d.adopted_on, d.ends_on, d.recorded, d.withdrawn_reason
        """

    /// The derived status on the day in parameter `$position`, or today in the body's zone when it is NULL.
    static func statusColumn(_ position: Int) -> String {
        "plenary_decision_status(d, coalesce($\(position)::date, (now() AT TIME ZONE b.timezone)::date)) AS status"
    }

    // MARK: - Drafts

    /// Tables a draft at the latest part of session `draft.session` of `body`. 504 names a malformed field (a
    /// document that is not an L document of the body among them), 550 an unknown body or session, 551 a cancelled
    /// session.
    @discardableResult
    public func draft(_ draft: DecisionDraft, body: String, by actor: Actor) async throws(DomainError) -> Decision {
        let draft = try DecisionRules.validate(draft)
        try DecisionRules.document(draft.document, of: body)
        let clock = self.clock
        return try await database.write(explaining: { Self.explain($0, body: body) }) { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            let parts = try Self.sessionParts(connection, body: owner, number: draft.session)
            let row = try connection.queryOne(
                """
                INSERT INTO decisions (body_id, kind, session_number, session_part, title, wording, agenda_item,
                                       document, ends_on)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id
                """,
                [
                    owner.id, draft.kind.rawValue, draft.session, parts.last!.part, draft.title, draft.text,
                    draft.agendaItem, draft.document, draft.endsOn,
                ])
            let drafted = try Self.fetch(
                connection, id: try row!.decode("id"), day: clock.today(in: owner.timeZone))
            try AuditLog.record(
                connection, actor: actor, entity: "decision", id: drafted.auditID, operation: "draft", after: drafted)
            return drafted
        }
    }

    /// Changes a draft's title, text, agenda item, document or end date. 551 once it is adopted (naming the
    /// decision: its text is frozen) or withdrawn.
    @discardableResult
    public func edit(id: Int, change: DraftChange, by actor: Actor) async throws(DomainError) -> Decision {
        let change = try DecisionRules.validate(change)
        let clock = self.clock
        return try await database.write(explaining: { Self.explain($0, body: nil) }) { connection in
            let before = try Self.fetch(connection, id: id, day: nil, lock: true)
            try Self.requireDraft(before, changing: change, withdrawn: "a withdrawn draft does not change")
            try DecisionRules.document(change.document, of: before.body)
            try connection.query(
                """
                UPDATE decisions SET title = coalesce($2, title), wording = coalesce($3, wording),
                       agenda_item = coalesce($4, agenda_item), document = coalesce($5, document),
                       ends_on = coalesce($6, ends_on)
                WHERE id = $1
                """,
                [id, change.title, change.text, change.agendaItem, change.document, change.endsOn])
            let after = try Self.fetch(connection, id: id, day: clock.today(in: try Self.zone(connection, before)))
            try AuditLog.record(
                connection, actor: actor, entity: "decision", id: after.auditID, operation: "edit", before: before,
                after: after)
            return after
        }
    }

    /// Withdraws a draft; it stays on record, withdrawn. 551 for an adopted decision or one already withdrawn.
    @discardableResult
    public func withdraw(id: Int, reason: String? = nil, by actor: Actor) async throws(DomainError) -> Decision {
        try DecisionRules.reason(reason)
        let clock = self.clock
        return try await database.write(explaining: { Self.explain($0, body: nil) }) { connection in
            let before = try Self.fetch(connection, id: id, day: nil, lock: true)
            try Self.requireDraft(before, changing: nil, withdrawn: "a draft is withdrawn once")
            try connection.query(
                "UPDATE decisions SET stage = 'withdrawn', withdrawn_reason = $2 WHERE id = $1", [id, reason])
            let after = try Self.fetch(connection, id: id, day: clock.today(in: try Self.zone(connection, before)))
            try AuditLog.record(
                connection, actor: actor, entity: "decision", id: after.auditID, operation: "withdraw",
                before: before, after: after)
            return after
        }
    }

    // MARK: - Adoption

    /// Adopts a draft. Without `date` its session must be open and today (in the body's zone) one of its days;
    /// with `date`, the adoption is recorded afterwards on that day, which must be a day of the session (open or
    /// closed by now) and not in the future. The next number of the draft's kind at its session is assigned by the
    /// database from a counter locked until commit — gapless and race-free — and title, text and date freeze.
    @discardableResult
    public func adopt(id: Int, on date: CalendarDate? = nil, by actor: Actor) async throws(DomainError) -> Decision {
        let clock = self.clock
        return try await database.write(explaining: { Self.explain($0, body: nil) }) { connection in
            let before = try Self.fetch(connection, id: id, day: nil, lock: true)
            switch before.stage {
            case .draft: break
            case .adopted:
                throw DomainError.conflict(
                    "id: draft \(id) was already adopted, as \(before.label) on \(before.adoptedOn?.description ?? "?")"
                )
            case .withdrawn:
                throw DomainError.conflict("id: \(before.label) was withdrawn; a withdrawn draft is not adopted")
            }
            let owner = try Body.Recorded.find(connection, code: before.body)
            let today = clock.today(in: owner.timeZone)
            let parts = try Self.sessionParts(connection, body: owner, number: before.session)
            let (part, day) = try Self.adoptingPart(parts, body: owner.code, date: date, today: today, key: "date")
            if let ends = before.endsOn, ends < day {
                throw DomainError.conflict(
                    "ends: \(before.label) ends on \(ends), before its adoption on \(day); edit ends= first")
            }
            try connection.query(
                "UPDATE decisions SET stage = 'adopted', adopted_on = $2, session_part = $3 WHERE id = $1",
                [id, day, part.part])
            let after = try Self.fetch(connection, id: id, day: today)
            try AuditLog.record(
                connection, actor: actor, entity: "decision", id: after.auditID, operation: "adopt", before: before,
                after: after)
            return after
        }
    }

    /// Enters a decision adopted before Plenary kept the record, with its known number, at session `session` of
    /// `body` (the number's own session). The adoption date must be a day of that session, which must have met. A
    /// number already taken is 551 naming the decision that holds it; nothing is overwritten.
    @discardableResult
    public func record(
        _ entry: RecordedDecision, body: String, session: Int, by actor: Actor
    ) async throws(DomainError) -> Decision {
        let entry = try DecisionRules.validate(entry, session: session)
        try DecisionRules.document(entry.document, of: body)
        let clock = self.clock
        return try await database.write(explaining: { Self.explain($0, body: body) }) { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            let today = clock.today(in: owner.timeZone)
            let parts = try Self.sessionParts(connection, body: owner, number: session)
            let (part, _) = try Self.adoptingPart(
                parts, body: owner.code, date: entry.adoptedOn, today: today, key: "adopted")
            let row = try connection.queryOne(
                """
                INSERT INTO decisions (body_id, kind, session_number, session_part, stage, serial, letter, title,
                                       wording, agenda_item, document, adopted_on, ends_on, recorded)
                VALUES ($1, $2, $3, $4, 'adopted', $5, $6, $7, $8, $9, $10, $11, $12, true) RETURNING id
                """,
                [
                    owner.id, entry.kind.rawValue, session, part.part, entry.number.serial, entry.number.storedLetter,
                    entry.title, entry.text, entry.agendaItem, entry.document, entry.adoptedOn, entry.endsOn,
                ])
            let recorded = try Self.fetch(connection, id: try row!.decode("id"), day: today)
            try AuditLog.record(
                connection, actor: actor, entity: "decision", id: recorded.auditID, operation: "record",
                after: recorded)
            return recorded
        }
    }

    // MARK: - Reading

    /// The adopted decision or resolution `number` of `body`, with its status on `day` (today when nil). Without
    /// `kind`, 551 when the number names both a decision and a resolution; 550 when it names neither.
    public func get(
        body: String, number: DecisionNumber, kind: DecisionKind? = nil, on day: CalendarDate? = nil
    ) async throws(DomainError) -> Decision {
        let clock = self.clock
        return try await database.read { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            return try Self.resolve(
                connection, body: owner, number: number, kind: kind, day: day ?? clock.today(in: owner.timeZone))
        }
    }

    /// The decision or draft with row id `id`, or 550.
    public func get(id: Int, on day: CalendarDate? = nil) async throws(DomainError) -> Decision {
        try await database.read { connection in try Self.fetch(connection, id: id, day: day) }
    }

    /// The decisions of `body` that pass `filter`, by session, kind and number, drafts after the adopted texts of
    /// their session. Statuses are derived for `filter.on` (today when nil); with `on`, only texts adopted by then.
    public func list(body: String, filter: DecisionFilter = DecisionFilter()) async throws(DomainError) -> [Decision] {
        if let topic = filter.topic, topic.allSatisfy(\.isWhitespace) {
            throw .invalid("topic", "must not be blank")
        }
        if let code = filter.workingGroup, let rule = DecisionRules.workingGroupCodeViolation(code.uppercased()) {
            throw .invalid("wg", rule)
        }
        let clock = self.clock
        return try await database.read { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            if let code = filter.workingGroup { try Self.requireWorkingGroup(connection, body: owner, code: code) }
            let day = filter.on ?? clock.today(in: owner.timeZone)
            return try connection.query(
                """
                SELECT \(Self.columns), \(Self.statusColumn(2))
                FROM decisions d JOIN bodies b ON b.id = d.body_id
                WHERE d.body_id = $1
                  AND CASE WHEN d.stage = 'adopted' THEN d.adopted_on <= $2::date ELSE NOT $8::boolean END
                  AND ($3::int IS NULL OR d.session_number = $3)
                  AND ($4::text IS NULL OR d.kind = $4)
                  AND ($5::text IS NULL OR plenary_decision_status(d, $2::date) = $5)
                  AND ($6::text IS NULL OR d.search @@ websearch_to_tsquery('english', $6))
                  AND ($7::text IS NULL OR EXISTS (
                        SELECT 1 FROM decision_working_group_acts a
                        WHERE a.decision_id = d.id AND a.body_id = d.body_id AND upper(a.wg_code) = upper($7)))
                ORDER BY d.session_number, d.stage <> 'adopted', d.kind, d.serial, d.letter, d.id
                """,
                [
                    owner.id, day, filter.session, filter.kind?.rawValue, filter.status?.rawValue, filter.topic,
                    filter.workingGroup, filter.on != nil,
                ]
            ).rows.map(Self.decision(from:))
        }
    }

    // MARK: - Rows and rules

    /// One part of a session, as adoption needs it.
    struct SessionPart {
        var number: Int
        var part: Int
        var status: String
        var start: CalendarDate
        var end: CalendarDate

        /// `session 4 of CTOC/COP`, `session 4 (part 2) of CTOC/COP`.
        func label(_ body: String) -> String {
            (part > 1 ? "session \(number) (part \(part))" : "session \(number)") + " of \(body)"
        }
    }

    /// Every part of session `number` of `body`, in order; 550 naming `session` when there is none.
    static func sessionParts(_ connection: Connection, body: Body.Recorded, number: Int) throws -> [SessionPart] {
        let parts = try connection.query(
            """
            SELECT number, part, status, start_date, end_date FROM sessions
            WHERE body_id = $1 AND number = $2 ORDER BY part
            """,
            [body.id, number]
        ).rows.map { row in
            SessionPart(
                number: try row.decode("number"), part: try row.decode("part"), status: try row.decode("status"),
                start: try row.decode("start_date"), end: try row.decode("end_date"))
        }
        guard !parts.isEmpty else { throw DomainError.notFound("session: \(body.code) has no session \(number)") }
        return parts
    }

    /// The part that adopts, and the day: the part whose days hold `date`, which must have opened; or, without a
    /// date, the open part, today being one of its days. The same rules as the trigger, in the same words.
    static func adoptingPart(
        _ parts: [SessionPart], body: String, date: CalendarDate?, today: CalendarDate, key: String
    ) throws(DomainError) -> (SessionPart, CalendarDate) {
        let dates = parts.map { "\($0.start) to \($0.end)" }.joined(separator: ", ")
        guard let date else {
            guard let open = parts.first(where: { $0.status == "open" }) else {
                let latest = parts.last!
                throw .conflict(
                    "session: \(latest.label(body)) is \(latest.status); without date= a decision is adopted only "
                        + "while its session is open (give date= to record an adoption afterwards)")
            }
            guard open.start <= today, today <= open.end else {
                throw .conflict(
                    "date: today (\(today)) is not a day of \(open.label(body)) (\(open.start) to \(open.end)); "
                        + "give date=")
            }
            return (open, today)
        }
        if date > today { throw .invalid(key, "must not be after today (\(today)), got \(date)") }
        guard let part = parts.first(where: { $0.start <= date && date <= $0.end }) else {
            throw .conflict("\(key): \(date) is not a day of \(parts[0].label(body)) (\(dates))")
        }
        guard part.status == "open" || part.status == "closed" else {
            throw .conflict(
                "session: \(part.label(body)) is \(part.status); decisions are adopted at an open session, or "
                    + "recorded once it has met")
        }
        return (part, date)
    }

    /// 551 unless `decision` is a draft: an adopted text is frozen (the message names the decision and the first
    /// field the change would touch, as the trigger does); a withdrawn draft is refused with the rule `withdrawn`.
    static func requireDraft(
        _ decision: Decision, changing change: DraftChange?, withdrawn rule: String
    ) throws(DomainError) {
        switch decision.stage {
        case .draft: return
        case .withdrawn:
            throw .conflict("id: \(decision.label) was withdrawn; \(rule)")
        case .adopted:
            let key =
                if change?.title != nil { "title" } else if change?.text != nil { "text" } else { "id" }
            throw .conflict(
                "\(key): \(decision.label) was adopted on \(decision.adoptedOn?.description ?? "?"); an adopted text "
                    + "is frozen; a later decision amends or supersedes it")
        }
    }

    /// The decision with row id `id`, its status on `day` (today in its body's zone when nil), or 550. `lock` holds
    /// the row for the rest of the transaction.
    static func fetch(
        _ connection: Connection, id: Int, day: CalendarDate?, lock: Bool = false
    ) throws -> Decision {
        let row = try connection.queryOne(
            """
            SELECT \(columns), \(statusColumn(2)) FROM decisions d JOIN bodies b ON b.id = d.body_id WHERE d.id = $1
            """ + (lock ? " FOR NO KEY UPDATE OF d" : ""),
            [id, day])
        guard let row else { throw DomainError.notFound("id: there is no draft or decision \(id)") }
        return try decision(from: row)
    }

    /// The adopted decision `number` of `body` (of `kind`, when given). Resolves a number that names both kinds
    /// (551), a whole number that is split into lettered parts (551) and a number no one holds (550), naming `key`.
    static func resolve(
        _ connection: Connection, body: Body.Recorded, number: DecisionNumber, kind: DecisionKind?, day: CalendarDate,
        key: String = "number"
    ) throws -> Decision {
        let found = try connection.query(
            """
            SELECT \(columns), \(statusColumn(2)) FROM decisions d JOIN bodies b ON b.id = d.body_id
            WHERE d.body_id = $1 AND d.stage = 'adopted' AND d.session_number = $3 AND d.serial = $4
              AND ($5::text IS NULL OR d.kind = $5)
            ORDER BY d.kind, d.letter
            """,
            [body.id, day, number.session, number.serial, kind?.rawValue]
        ).rows.map(decision(from:))
        let exact = found.filter { $0.number == number }
        switch exact.count {
        case 1:
            return exact[0]
        case 0 where !found.isEmpty:
            let parts = found.compactMap(\.number?.letter).joined(separator: ", ")
            let named = Set(found.map(\.kind.rawValue)).sorted().joined(separator: " and ")
            let example = found[0].number.map(\.description) ?? number.description
            throw DomainError.conflict(
                "\(key): \(named) \(number) of \(body.code) is split into parts \(parts); give the part, e.g. "
                    + "\"\(example)\"")
        case 0:
            let what = kind?.rawValue ?? "decision or resolution"
            throw DomainError.notFound("\(key): \(body.code) has no \(what) \(number)")
        default:
            throw DomainError.conflict(
                "\(key): \(number) names both \(exact.map { $0.citation!.description }.joined(separator: " and ")) of "
                    + "\(body.code); give kind=decision or kind=resolution")
        }
    }

    /// 550 naming `wg` unless `body` has a working group `code`.
    static func requireWorkingGroup(
        _ connection: Connection, body: Body.Recorded, code: String, key: String = "wg"
    ) throws {
        let found = try connection.queryOne(
            "SELECT 1 AS found FROM working_groups WHERE body_id = $1 AND upper(code) = upper($2)", [body.id, code])
        if found == nil { throw DomainError.notFound("\(key): \(body.code) has no working group \(code)") }
    }

    /// The body's time zone, for today's date there.
    static func zone(_ connection: Connection, _ decision: Decision) throws -> String {
        try Body.Recorded.find(connection, code: decision.body).timeZone
    }

    static func decision(from row: Row) throws -> Decision {
        let kind: String = try row.decode("kind")
        let stage: String = try row.decode("stage")
        let status: String = try row.decode("status")
        guard let kind = DecisionKind(rawValue: kind), let stage = DecisionStage(rawValue: stage),
            let status = DecisionStatus(rawValue: status)
        else {
            throw PostgresError(kind: .decoding, message: "decisions: unknown kind, stage or status in a row")
        }
        let session: Int = try row.decode("session_number")
        let letter: String = try row.decode("letter")
        let number = try row.decode("serial", as: Int?.self).map {
            DecisionNumber(session: session, serial: $0, letter: letter.isEmpty ? nil : letter)
        }
        return Decision(
            id: try row.decode("id"), body: try row.decode("body"), kind: kind, session: session,
            sessionPart: try row.decode("session_part"), stage: stage, number: number, title: try row.decode("title"),
            text: try row.decode("wording", as: String?.self),
            agendaItem: try row.decode("agenda_item", as: String?.self),
            document: try row.decode("document", as: String?.self),
            adoptedOn: try row.decode("adopted_on", as: CalendarDate?.self),
            endsOn: try row.decode("ends_on", as: CalendarDate?.self), recorded: try row.decode("recorded"),
            withdrawnReason: try row.decode("withdrawn_reason", as: String?.self), status: status)
    }

    /// The database's refusals, in the contract's words, naming the key. Trigger refusals (PL551) already carry
    /// the message; constraints are named here.
    static func explain(_ error: PostgresError, body: String?) -> DomainError? {
        let of = body.map { " of \($0)" } ?? ""
        switch error.constraint {
        case "decisions_number_key":
            return .conflict("number: that number\(of) is already taken; a number is never given twice")
        case "decisions_session_fkey": return .notFound("session: no such session\(of)")
        case "decisions_title_not_blank":
            return .invalid("title", "must be 1 to \(DecisionRules.titleLimit) characters")
        case "decisions_text_length":
            return .invalid("text", "must be at most \(DecisionRules.textLimit) characters")
        case "decisions_agenda_item_format": return .invalid("agenda-item", "must be an agenda item such as 4 (a)")
        case "decisions_document_limited":
            return .invalid("document", "must be a limited-distribution document such as CTOC/COP/2008/L.5")
        case "decisions_ends_after_adoption": return .invalid("ends", "must not be before the adoption date")
        case "decisions_reason_not_blank": return .invalid("reason", "must be 1 to 1000 characters")
        case "decisions_serial_range": return .invalid("number", DecisionNumber.rule)
        case "decision_links_decision_key", "decision_links_wg_key", "decision_links_document_key":
            return .conflict("link: that link is already recorded; links are entered once")
        case "decision_links_established_once":
            return .conflict("establishes: that working group was already established by another decision")
        case "decision_links_wg_fkey": return .notFound("wg: no such working group\(of)")
        case "decision_links_document_format": return .invalid("considers", "must be a document symbol")
        default: return nil
        }
    }
}
