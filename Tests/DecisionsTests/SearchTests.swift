import Decisions
import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Sessions
import Storage
import Testing

/// Full-text search over titles and texts with PostgreSQL text search, ranked.
@Suite("Decisions: full-text search")
struct SearchTests {
    let conference: Conference

    init() async throws {
        conference = try await Conference(bodies: ["CTOC/COP", "CAC/COSP"], today: day("2012-06-30"))
        try await conference.session(4, "2008-10-08", "2008-10-17")
        try await conference.session(5, "2010-10-18", "2010-10-22")
        try await conference.session(2, "2008-01-28", "2008-02-01", body: "CAC/COSP")
        try await conference.record(
            "decision 4/4", "Trafficking in human beings", on: "2008-10-17",
            text: "Decides to establish an open-ended interim working group, to be chaired by a member of the Bureau.")
        try await conference.record(
            "decision 4/3", "Implementation of the provisions on technical assistance", on: "2008-10-17",
            text: "Notes with appreciation the work of the working group on technical assistance.")
        try await conference.record(
            "decision 4/5", "Smuggling of migrants", on: "2008-10-17", text: "Urges States parties to cooperate.")
        try await conference.record(
            "resolution 5/2", "Working groups of the Conference", on: "2010-10-22",
            text: "Decides that the working groups shall be constant elements of the Conference.")
        try await conference.record(
            "resolution 2/1", "Working group on prevention", on: "2008-02-01", body: "CAC/COSP")
        try await conference.link("resolution 5/2", .supersedes, "decision 4/3")
    }

    @Test func titleMatchesRankAboveTextMatchesAndExcerptsMarkTheWords() async throws {
        let hits = try await conference.decisions.search(text: "working group", body: "CTOC/COP")
        #expect(hits.map { $0.decision.citation!.description } == ["resolution 5/2", "decision 4/3", "decision 4/4"])
        #expect(hits[0].rank > hits[1].rank)
        #expect(hits.allSatisfy { $0.excerpt.contains("«") })
        #expect(hits[0].excerpt.contains("«Working» «groups»"))
        // Every body, when none is named.
        let everywhere = try await conference.decisions.search(text: "working group")
        #expect(everywhere.count == 4)
        #expect(everywhere.contains { $0.decision.body == "CAC/COSP" })
        #expect(try await conference.decisions.search(text: "working group", limit: 2).count == 2)
    }

    @Test func searchSpeaksWebSearchAndFiltersByStatus() async throws {
        let phrase = try await conference.decisions.search(text: "\"technical assistance\" -smuggling")
        #expect(phrase.map { $0.decision.number!.description } == ["4/3"])
        let inForce = try await conference.decisions.search(text: "working group", body: "CTOC/COP", status: .inForce)
        #expect(inForce.map { $0.decision.number!.description } == ["5/2", "4/4"])
        #expect(try await conference.decisions.search(text: "nothing like this at all").isEmpty)
    }

    @Test func draftsAreFoundAndWithdrawnDraftsAreNot() async throws {
        let kept = try await conference.draft("Firearms protocol", session: 5, text: "On illicit firearms.")
        let dropped = try await conference.draft("Firearms, withdrawn", session: 5)
        try await conference.decisions.withdraw(id: dropped.id, by: Conference.clerk)
        let hits = try await conference.decisions.search(text: "firearms")
        #expect(hits.map(\.decision.id) == [kept.id])
        #expect(hits[0].decision.status == .draft)
        // Edited text is searched as edited.
        try await conference.decisions.edit(
            id: kept.id, change: DraftChange(text: "On ammunition."), by: Conference.clerk)
        #expect(try await conference.decisions.search(text: "ammunition").map(\.decision.id) == [kept.id])
    }

    @Test func badSearchesNameTheKey() async throws {
        await refused(.badArgument, "text: must not be blank") { try await conference.decisions.search(text: "  ") }
        await refused(.badArgument, "limit: must be 1 to 1000") {
            try await conference.decisions.search(text: "group", limit: 0)
        }
        await refused(.notFound, "body NOPE: no such body") {
            try await conference.decisions.search(text: "group", body: "NOPE")
        }
    }
}
