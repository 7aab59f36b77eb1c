import Bodies
import PlenaryCore
import Postgres
import Storage

extension SessionRegistry {
    /// Enters a session that has met, as the record has it: scheduled, opened and closed in one step, for an archive
    /// moved into Plenary. Its last day must be before the server's date (551 naming `end` otherwise, here and in
    /// the database's trigger, Schema/0012); every other rule of ``schedule(_:body:by:)`` holds (numbers follow
    /// dates, no two sessions of a body share a day). A resumption (`kind: .resumed`) becomes the next part.
    /// Decisions recorded into the session afterwards are accepted, as for any closed session.
    @discardableResult
    public func record(_ plan: SessionPlan, body: String, by actor: Actor) async throws(DomainError) -> Session {
        try Self.validate(plan)
        return try await database.write(explaining: { Self.explain($0, body: body, number: plan.number) }) {
            connection in
            let owner = try Body.Recorded.lock(connection, code: body)
            try HistoryRules.requirePast(connection, end: plan.end, what: "session")
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
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'closed', true) RETURNING *
                )
                SELECT \(Self.columns) FROM added s JOIN bodies b ON b.id = s.body_id
                """,
                [
                    owner.id, plan.number, part, plan.kind.rawValue, plan.title, plan.venue, plan.timeZone,
                    plan.format.rawValue, plan.start, plan.end,
                ])
            let session = try Self.session(from: row!)
            try AuditLog.record(
                connection, actor: actor, entity: "session", id: session.auditID, operation: "record", after: session)
            return session
        }
    }
}
