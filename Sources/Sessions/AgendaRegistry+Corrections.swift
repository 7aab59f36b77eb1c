import Bodies
import PlenaryCore
import Postgres
import Storage

extension AgendaRegistry {
    /// Removes a stray item from a provisional agenda, with the reason, as an audited correction. An adopted agenda
    /// keeps its items (it changes only by amendment); an item with sub-items, or one a document or a draft names,
    /// stays (the database holds both: Schema/0004 and 0013).
    @discardableResult
    public func remove(
        body: String, session: Int, item number: AgendaItemNumber, reason: String, by actor: Actor
    ) async throws(DomainError) -> AgendaItem {
        try FieldRules.text(reason, field: "reason", limit: 1000)
        return try await database.write(explaining: { Self.explain($0, body: body, session: session, item: number) }) {
            connection in
            let owner = try Body.Recorded.find(connection, code: body)
            let sessionID = try Self.sessionID(connection, body: owner, number: session)
            try connection.query("SELECT 1 FROM sessions WHERE id = $1 FOR NO KEY UPDATE", [sessionID])
            let agenda = try Self.load(connection, body: body, session: session, sessionID: sessionID)
            if let adopted = agenda.adoptedOn {
                throw DomainError.conflict(
                    "item: the agenda of session \(session) of \(body) was adopted on \(adopted); an adopted agenda "
                        + "keeps its items (retitle one with agenda amend)")
            }
            guard let before = agenda.items.first(where: { $0.number == number }) else {
                throw DomainError.notFound("item: the agenda of session \(session) of \(body) has no item \(number)")
            }
            if number.sub == nil, let child = agenda.items.first(where: { $0.number.parent == number }) {
                throw DomainError.conflict("item: \(number) has sub-item \(child.number); remove that first")
            }
            try connection.query(
                "DELETE FROM agenda_items WHERE session_id = $1 AND item = $2 AND sub = $3",
                [sessionID, number.item, number.sub ?? ""])
            try AuditLog.record(
                connection, actor: actor, entity: "agenda", id: "\(body)/\(session)", operation: "remove",
                before: AuditedItem(item: number.description, title: before.title),
                after: AuditedItem(item: number.description, title: before.title, reason: reason))
            return before
        }
    }
}
