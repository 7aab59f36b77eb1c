import Bodies
import PlenaryCore

extension DecisionRegistry {
    /// Every link recorded by `body`'s decisions, oldest first: the body's whole lineage in one statement, so a
    /// published site can show each decision's links both ways without a query per decision.
    public func allLinks(body: String) async throws(DomainError) -> [DecisionLink] {
        try await database.read { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            return try Self.links(connection, body: owner.code, where: "l.body_id = $1", [owner.id])
        }
    }
}
