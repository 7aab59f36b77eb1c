import Bodies
import PlenaryCore
import Postgres
import Storage

extension WorkingGroupRegistry {
    /// What the audit trail keeps of a corrected dissolution: the day and instrument before and after, and why.
    struct DissolutionCorrection: Codable {
        var dissolvedOn: CalendarDate?
        var dissolvedBy: String?
        var reason: String?
    }

    /// Corrects the day (and, when given, the instrument) of a group's dissolution entered wrongly: an audited
    /// correction with its reason. Only a dissolved group's dissolution is corrected; the new day still follows the
    /// establishment and every meeting held (the database checks both, Schema/0005 and 0013).
    @discardableResult
    public func correctDissolution(
        body: String, code: String, on date: CalendarDate, by reference: DecisionCitation? = nil, reason: String,
        actor: Actor
    ) async throws(DomainError) -> WorkingGroup {
        try FieldRules.text(reason, field: "reason", limit: 1000)
        return try await database.write(explaining: { Self.explain($0, body: body, code: code) }) { connection in
            let owner = try Body.Recorded.lock(connection, code: body)
            let (id, before) = try Self.fetch(connection, body: owner, code: code, lock: true)
            guard let dissolved = before.dissolvedOn else {
                throw DomainError.conflict(
                    "code: \(before.symbolPrefix) is not dissolved; there is no dissolution to correct")
            }
            let instrument = reference ?? before.dissolvedBy
            if dissolved == date && instrument == before.dissolvedBy {
                throw DomainError.conflict(
                    "date: \(before.symbolPrefix) was dissolved on \(dissolved) already; nothing to correct")
            }
            if let established = before.establishedOn, date < established {
                throw DomainError.invalid(
                    "date", "must not be before the group was established, on \(established)")
            }
            // The working_groups trigger lets a dissolved group change only with this marker, for this transaction.
            try connection.query("SELECT set_config('plenary.correction', 'wg-dissolution', true)")
            try connection.query(
                "UPDATE working_groups SET dissolved_on = $2, dissolved_by = $3 WHERE id = $1",
                [id, date, instrument?.description])
            try connection.query("SELECT set_config('plenary.correction', '', true)")
            let after = try Self.fetch(connection, body: owner, code: code).group
            try AuditLog.record(
                connection, actor: actor, entity: "wg", id: after.symbolPrefix, operation: "correct-dissolution",
                before: DissolutionCorrection(dissolvedOn: dissolved, dissolvedBy: before.dissolvedBy?.description),
                after: DissolutionCorrection(
                    dissolvedOn: date, dissolvedBy: instrument?.description, reason: reason))
            return after
        }
    }
}
