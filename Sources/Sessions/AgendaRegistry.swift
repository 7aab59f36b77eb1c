import Bodies
import Foundation
import PlenaryCore
import Postgres
import Storage

/// The agendas of sessions. An agenda is provisional while items are added; once the body adopts it, it changes
/// only through `amend`, which is audited as an amendment and marks the item. The database refuses any other
/// change to an adopted agenda (Schema/0004, `agenda_items_rules`), so the rule holds for every writer.
public struct AgendaRegistry: Sendable {
    let database: Database
    let clock: CalendarClock

    /// Creates the registry; `clock` supplies the adoption date when none is given.
    public init(database: Database, clock: CalendarClock = .system) {
        self.database = database
        self.clock = clock
    }

    /// What the audit trail keeps of a changed item: the item and why it changed.
    struct AuditedItem: Codable {
        var item: String
        var title: String
        var reason: String?
    }

    /// Adds an item to a provisional agenda. A sub-item needs its item; an adopted agenda refuses (use `amend`).
    @discardableResult
    public func add(
        body: String, session: Int, item number: AgendaItemNumber, title: String, by actor: Actor
    ) async throws(DomainError) -> AgendaItem {
        try FieldRules.text(title, field: "title", limit: 1000)
        return try await database.write(explaining: { Self.explain($0, body: body, session: session, item: number) }) {
            connection in
            let owner = try Body.Recorded.find(connection, code: body)
            let sessionID = try Self.sessionID(connection, body: owner, number: session)
            try connection.query(
                "INSERT INTO agenda_items (session_id, item, sub, title) VALUES ($1, $2, $3, $4)",
                [sessionID, number.item, number.sub ?? "", title])
            let added = AgendaItem(number: number, title: title)
            try AuditLog.record(
                connection, actor: actor, entity: "agenda", id: "\(body)/\(session)", operation: "add-item",
                after: AuditedItem(item: number.description, title: title))
            return added
        }
    }

    /// The agenda of session `session` of `body`, items in order.
    public func agenda(body: String, session: Int) async throws(DomainError) -> Agenda {
        try await database.read { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            let sessionID = try Self.sessionID(connection, body: owner, number: session)
            return try Self.load(connection, body: body, session: session, sessionID: sessionID)
        }
    }

    /// Records that the body adopted the agenda on `date` (today in the body's zone when nil), which must be a day
    /// of the session; the session must be open (or closed, when entering history).
    @discardableResult
    public func adopt(
        body: String, session: Int, on date: CalendarDate? = nil, by actor: Actor
    ) async throws(DomainError) -> Agenda {
        try await database.write(explaining: { Self.explain($0, body: body, session: session, item: nil) }) {
            connection in
            let owner = try Body.Recorded.find(connection, code: body)
            let sessionID = try Self.sessionID(connection, body: owner, number: session)
            let before = try Self.load(connection, body: body, session: session, sessionID: sessionID)
            if let adopted = before.adoptedOn {
                throw DomainError.conflict(
                    "session: the agenda of session \(session) of \(body) was already adopted on \(adopted)")
            }
            let day = date ?? clock.today(in: owner.timeZone)
            try connection.query(
                "INSERT INTO agenda_adoptions (session_id, adopted_on) VALUES ($1, $2)", [sessionID, day])
            let after = try Self.load(connection, body: body, session: session, sessionID: sessionID)
            try AuditLog.record(
                connection, actor: actor, entity: "agenda", id: "\(body)/\(session)", operation: "adopt",
                before: before, after: after)
            return after
        }
    }

    /// Changes the title of an item, or adds an item, by an explicit amendment. On an adopted agenda this is the
    /// only way to change it: audited as `amend` with the reason, the item marked amended. On a provisional agenda
    /// it is a plain revision, audited as `revise`.
    @discardableResult
    public func amend(
        body: String, session: Int, item number: AgendaItemNumber, title: String, reason: String? = nil,
        by actor: Actor
    ) async throws(DomainError) -> AgendaItem {
        try FieldRules.text(title, field: "title", limit: 1000)
        try FieldRules.optionalText(reason, field: "reason", limit: 1000)
        return try await database.write(explaining: { Self.explain($0, body: body, session: session, item: number) }) {
            connection in
            let owner = try Body.Recorded.find(connection, code: body)
            let sessionID = try Self.sessionID(connection, body: owner, number: session)
            // Lock the session row as adoption does, so the agenda cannot be adopted between reading and writing.
            try connection.query("SELECT 1 FROM sessions WHERE id = $1 FOR NO KEY UPDATE", [sessionID])
            let agenda = try Self.load(connection, body: body, session: session, sessionID: sessionID)
            let before = agenda.items.first { $0.number == number }
            if let before, before.title == title {
                throw DomainError.conflict("title: item \(number) of the agenda already reads so; nothing to amend")
            }
            // The agenda_items trigger lets a change to an adopted agenda through only with this marker, which
            // lasts until the end of this transaction.
            try connection.query(
                "SELECT set_config('plenary.agenda_amendment', $1, true)", [String(sessionID)])
            let row = try connection.queryOne(
                """
                INSERT INTO agenda_items (session_id, item, sub, title) VALUES ($1, $2, $3, $4)
                ON CONFLICT ON CONSTRAINT agenda_items_key DO UPDATE SET title = EXCLUDED.title
                RETURNING amended_at IS NOT NULL AS amended
                """,
                [sessionID, number.item, number.sub ?? "", title])
            let after = AgendaItem(number: number, title: title, amended: try row!.decode("amended"))
            try AuditLog.record(
                connection, actor: actor, entity: "agenda", id: "\(body)/\(session)",
                operation: agenda.isAdopted ? "amend" : "revise",
                before: before.map { AuditedItem(item: number.description, title: $0.title) },
                after: AuditedItem(item: number.description, title: title, reason: reason))
            return after
        }
    }

    // MARK: - Rows

    /// The original part of session `number` (the agenda is its), or 550.
    static func sessionID(_ connection: Connection, body: Body.Recorded, number: Int) throws -> Int {
        let row = try connection.queryOne(
            "SELECT id FROM sessions WHERE body_id = $1 AND number = $2 AND part = 1", [body.id, number])
        guard let row else { throw DomainError.notFound("session: \(body.code) has no session \(number)") }
        return try row.decode("id")
    }

    static func load(_ connection: Connection, body: String, session: Int, sessionID: Int) throws -> Agenda {
        let adopted = try connection.queryOne(
            "SELECT adopted_on FROM agenda_adoptions WHERE session_id = $1", [sessionID])
        let items = try connection.query(
            """
            SELECT item, sub, title, amended_at IS NOT NULL AS amended FROM agenda_items
            WHERE session_id = $1 ORDER BY item, sub
            """,
            [sessionID]
        ).rows.map { row in
            let sub: String = try row.decode("sub")
            return AgendaItem(
                number: AgendaItemNumber(item: try row.decode("item"), sub: sub.isEmpty ? nil : sub),
                title: try row.decode("title"), amended: try row.decode("amended"))
        }
        return Agenda(
            body: body, session: session, adoptedOn: try adopted?.decode("adopted_on", as: CalendarDate.self),
            items: items)
    }

    static func explain(
        _ error: PostgresError, body: String, session: Int, item: AgendaItemNumber?
    ) -> DomainError? {
        let agenda = "the agenda of session \(session) of \(body)"
        switch error.constraint {
        case "agenda_items_key":
            return .conflict("item: \(agenda) already has item \(item?.description ?? "")")
        case "agenda_items_parent_fkey":
            return .notFound("parent: \(agenda) has no item \(item?.item ?? 0); add it before its sub-items")
        case "agenda_items_title_not_blank": return .invalid("title", "must be 1 to 1000 characters")
        case "agenda_items_item_range", "agenda_items_sub_format":
            return .invalid("item", "must be an agenda item such as 4 or 4(a)")
        case "agenda_adoptions_pkey": return .conflict("session: \(agenda) was already adopted")
        default: return nil
        }
    }
}
