import Bodies
import PlenaryCore
import Postgres
import Storage

extension SessionRegistry {
    /// What the audit trail keeps of a struck session: the session and why.
    struct Struck: Codable {
        var session: Session
        var reason: String
    }

    /// Strikes a cancelled session scheduled by mistake (as 7 instead of 6), so that its number can be given to
    /// the session that does take place. Only a cancelled session with nothing filed under it, no agenda, no
    /// decisions or drafts, no meeting held with it and no resumption is struck; the row is kept whole in
    /// `struck_sessions` with the reason, and in the audit trail (the database holds every condition: Schema/0013).
    @discardableResult
    public func strike(
        body: String, number: Int, part: Int? = nil, reason: String, by actor: Actor
    ) async throws(DomainError) -> Session {
        try FieldRules.text(reason, field: "reason", limit: 1000)
        return try await database.write(explaining: { Self.explain($0, body: body, number: number) }) { connection in
            let owner = try Body.Recorded.lock(connection, code: body)
            let before = try Self.fetch(connection, body: owner, number: number, part: part, lock: true)
            guard before.status == .cancelled else {
                throw DomainError.conflict(
                    "status: \(before.label) of \(body) is \(before.status.rawValue); only a cancelled session is "
                        + "struck (cancel it first)")
            }
            let uses = try connection.queryOne(
                """
                SELECT (SELECT count(*) FROM agenda_items WHERE session_id = s.id)::integer AS items,
                       (SELECT count(*) FROM documents WHERE session_id = s.id)::integer AS documents,
                       (SELECT count(*) FROM decisions d
                        WHERE d.body_id = s.body_id AND d.session_number = s.number
                          AND d.session_part = s.part)::integer AS decisions,
                       (SELECT count(*) FROM working_group_meetings WHERE with_session_id = s.id)::integer AS meetings,
                       (SELECT count(*) FROM sessions r
                        WHERE r.body_id = s.body_id AND r.number = s.number AND r.part > s.part)::integer AS parts
                FROM sessions s WHERE s.body_id = $1 AND s.number = $2 AND s.part = $3
                """,
                [owner.id, number, before.part])!
            for (column, what) in [
                ("items", "agenda items"), ("documents", "documents filed under it"),
                ("decisions", "decisions or drafts"), ("meetings", "working group meetings held with it"),
                ("parts", "later parts"),
            ] {
                let count: Int = try uses.decode(column)
                if count > 0 {
                    throw DomainError.conflict(
                        "number: \(before.label) of \(body) has \(count) \(what); a session that is referred to "
                            + "stays on the record")
                }
            }
            try connection.query("SELECT set_config('plenary.correction', 'session-strike', true)")
            try connection.query(
                """
                WITH gone AS (
                    DELETE FROM sessions WHERE body_id = $1 AND number = $2 AND part = $3 RETURNING *
                )
                INSERT INTO struck_sessions (body_id, number, part, session, reason)
                SELECT body_id, number, part, to_jsonb(gone) - 'id', $4 FROM gone
                """,
                [owner.id, number, before.part, reason])
            try connection.query("SELECT set_config('plenary.correction', '', true)")
            try AuditLog.record(
                connection, actor: actor, entity: "session", id: before.auditID, operation: "strike", before: before,
                after: Struck(session: before, reason: reason))
            return before
        }
    }
}
