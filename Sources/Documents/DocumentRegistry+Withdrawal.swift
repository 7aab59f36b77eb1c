import Bodies
import PlenaryCore
import Postgres
import Storage

extension DocumentRegistry {
    /// What the audit trail keeps of a withdrawal: the day and why.
    struct Withdrawal: Codable {
        var withdrawnOn: CalendarDate
        var reason: String
    }

    /// Withdraws a document allocated or registered by mistake: the symbol stays taken (UN practice never reuses a
    /// symbol), marked withdrawn with the day and the reason, and the document leaves every report (deadlines,
    /// missing and late listings). A draft that names it keeps the name. Audited; a withdrawal is final.
    @discardableResult
    public func withdraw(
        _ symbol: DocumentSymbol, reason: String, on date: CalendarDate? = nil, by actor: Actor
    ) async throws(DomainError) -> Document {
        try FieldRules.text(reason, field: "reason", limit: 1000)
        let key = DocumentRules.unmarked(symbol)
        let clock = self.clock
        return try await database.write(explaining: Self.explain) { connection in
            guard let row = try Self.row(connection, key, lock: true) else {
                throw DomainError.notFound("symbol: \(key) is not registered")
            }
            let before = try Self.fetch(connection, id: row.id)
            if let withdrawn = before.withdrawnOn {
                throw DomainError.conflict("symbol: \(key) was already withdrawn on \(withdrawn)")
            }
            let zone = try Body.Recorded.find(connection, code: before.body).timeZone
            let day = date ?? clock.today(in: zone)
            try connection.query(
                "UPDATE documents SET withdrawn_on = $2, withdrawn_reason = $3 WHERE id = $1", [row.id, day, reason])
            let after = try Self.fetch(connection, id: row.id)
            try AuditLog.record(
                connection, actor: actor, entity: "document", id: key.description, operation: "withdraw",
                before: before, after: Withdrawal(withdrawnOn: day, reason: reason))
            return after
        }
    }

    /// A corrigendum corrects a text that was issued: each language it covers must have an issued version of the
    /// original (a French-only corrigendum before any French text exists corrects nothing).
    static func requireIssued(_ languages: [Language], of parent: Document) throws(DomainError) {
        for language in languages {
            guard let version = parent.versions.first(where: { $0.language == language }), version.status == .issued
            else {
                throw DomainError.conflict(
                    "languages: the \(language.rawValue) version of \(parent.symbol) is not issued; a corrigendum "
                        + "corrects an issued text")
            }
        }
    }
}
