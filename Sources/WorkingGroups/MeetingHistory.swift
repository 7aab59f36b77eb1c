import PlenaryCore

extension MeetingRegistry {
    /// Enters a meeting of a working group that has met, as the record has it, for an archive moved into Plenary.
    /// Its last day must be before the server's date (551 naming `end` otherwise, here and in the database's trigger,
    /// Schema/0012); every other rule of ``schedule(_:body:workingGroup:by:)`` holds. It reads as held at once,
    /// like every meeting whose days have passed.
    @discardableResult
    public func record(
        _ plan: MeetingPlan, body: String, workingGroup: String, by actor: Actor
    ) async throws(DomainError) -> Meeting {
        try await enter(plan, body: body, workingGroup: workingGroup, recorded: true, by: actor)
    }
}
