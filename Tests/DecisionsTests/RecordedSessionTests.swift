import PlenaryCore
import PlenaryTestSupport
import Sessions
import Testing

/// A decision of a session entered as history (`session record`) is recorded into it (issue 16): the archive moves in
/// session by session, decision by decision.
@Suite("Decisions: recorded into a session entered as history")
struct RecordedSessionTests {
    @Test func aDecisionIsRecordedIntoASessionEnteredAsHistory() async throws {
        let conference = try await Conference()
        try await conference.sessions.record(
            SessionPlan(number: 2, venue: "Vienna, Austria", start: day("2005-10-10"), end: day("2005-10-21")),
            body: "CTOC/COP", by: Conference.clerk)
        let decision = try await conference.record("decision 2/6", "Technical assistance", on: "2005-10-21")
        #expect(decision.recorded)
        #expect(decision.stage == .adopted)
        // A session only scheduled, though long past, has not met by the record: recording into it is refused.
        try await conference.sessions.schedule(
            SessionPlan(number: 3, venue: "Vienna, Austria", start: day("2006-10-09"), end: day("2006-10-18")),
            body: "CTOC/COP", by: Conference.clerk)
        await refused(.conflict, "session: session 3 of CTOC/COP is scheduled") {
            try await conference.record("decision 3/1", "Review", on: "2006-10-18")
        }
    }
}
