import Bodies
import PlenaryCore
import Postgres
import Sessions
import Storage

extension DecisionRegistry {
    /// What the audit trail keeps of a link taken back: the link and why.
    struct Unlinked: Codable {
        var link: DecisionLink
        var reason: String
    }

    /// Takes back a lineage link entered by mistake (`supersedes` the wrong decision changes that decision's
    /// status): the link leaves the lineage, and the audit trail keeps it with the reason. The adopted texts are not
    /// touched: a link is the secretariat's record of what a decision does, not the decision. 550 when no such link
    /// was recorded.
    @discardableResult
    public func unlink(
        body: String, number: DecisionNumber, kind: DecisionKind? = nil, relation: DecisionRelation,
        to target: LinkTarget, reason: String, by actor: Actor
    ) async throws(DomainError) -> DecisionLink {
        guard target.kind == relation.targetKind else {
            throw .invalid(relation.rawValue, relation.targetKind.rule)
        }
        try FieldRules.text(reason, field: "reason", limit: 1000)
        let clock = self.clock
        return try await database.write(explaining: { Self.explain($0, body: body) }) { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            let today = clock.today(in: owner.timeZone)
            let source = try Self.resolve(connection, body: owner, number: number, kind: kind, day: today)
            var targetID: Int?
            var code: String?
            var symbol: String?
            switch target {
            case .decision(let citation):
                targetID =
                    try Self.resolve(
                        connection, body: owner, number: citation.number, kind: citation.kind, day: today,
                        key: relation.rawValue
                    ).id
            case .workingGroup(let group): code = group
            case .document(let document): symbol = document
            }
            // The decision_links trigger lets a link go only with this marker, for this transaction (Schema/0013).
            try connection.query("SELECT set_config('plenary.correction', 'decision-unlink', true)")
            let removed = try connection.query(
                """
                DELETE FROM decision_links
                WHERE decision_id = $1 AND relation = $2 AND target_decision_id IS NOT DISTINCT FROM $3
                  AND upper(wg_code) IS NOT DISTINCT FROM upper($4) AND document IS NOT DISTINCT FROM $5
                RETURNING id
                """,
                [source.id, relation.rawValue, targetID, code, symbol]
            ).rows.count
            try connection.query("SELECT set_config('plenary.correction', '', true)")
            let link = DecisionLink(body: owner.code, from: source.citation!, relation: relation, to: target)
            guard removed > 0 else {
                throw DomainError.notFound("\(relation.rawValue): no link \(link) is recorded")
            }
            try AuditLog.record(
                connection, actor: actor, entity: "decision", id: source.auditID, operation: "unlink",
                before: link, after: Unlinked(link: link, reason: reason))
            return link
        }
    }
}
