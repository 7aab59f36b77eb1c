import Bodies
import PlenaryCore
import Postgres
import Storage

extension MeetingRegistry {
    /// Enters a meeting of a working group that has met, as the record has it, for an archive moved into Plenary.
    /// Its last day must be before the server's date (551 naming `end` otherwise, here and in the database's trigger,
    /// Schema/0012); every other rule of ``schedule(_:body:workingGroup:by:)`` holds. It reads as held at once,
    /// like every meeting whose days have passed.
    @discardableResult
    public func record(
        _ plan: MeetingPlan, body: String, workingGroup: String, by actor: Actor
    ) async throws(DomainError) -> Meeting {
        try Self.validate(plan)
        return try await database.write(explaining: {
            Self.explain($0, body: body, workingGroup: workingGroup, number: plan.number)
        }) { connection in
            let owner = try Body.Recorded.lock(connection, code: body)
            let groupID = try Self.groupID(connection, body: owner, code: workingGroup)
            try HistoryRules.requirePast(connection, end: plan.end, what: "meeting")
            let partner = try plan.withSession.map { try Self.sessionID(connection, body: owner, number: $0) }
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
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true)
                """,
                [groupID, owner.id, number, plan.start, plan.end, plan.venue, plan.timeZone, partner])
            let meeting = try Self.fetch(connection, groupID: groupID, body: body, code: workingGroup, number: number)
            try AuditLog.record(
                connection, actor: actor, entity: "meeting", id: meeting.auditID, operation: "record", after: meeting)
            return meeting
        }
    }
}
