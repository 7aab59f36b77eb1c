import PlenaryCore

extension SessionRegistry {
    /// Enters a session that has met, as the record has it: scheduled, opened and closed in one step, for an archive
    /// moved into Plenary. Its last day must be before the server's date (551 naming `end` otherwise, here and in
    /// the database's trigger, Schema/0012); every other rule of ``schedule(_:body:by:)`` holds (numbers follow
    /// dates, no two sessions of a body share a day). A resumption (`kind: .resumed`) becomes the next part.
    /// Decisions recorded into the session afterwards are accepted, as for any closed session.
    @discardableResult
    public func record(_ plan: SessionPlan, body: String, by actor: Actor) async throws(DomainError) -> Session {
        try await enter(plan, body: body, recorded: true, by: actor)
    }
}
