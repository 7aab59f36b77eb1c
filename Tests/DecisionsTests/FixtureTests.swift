import Bodies
import Decisions
import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Sessions
import Storage
import Testing
import WorkingGroups

/// The lineage the sources support (Tests/Fixtures/decisions-ctoc-cop-lineage.json), each link with its sources.
struct Lineage: Decodable {
    struct Dates: Decodable {
        var known: [String: String]
    }

    struct LinkFacts: Decodable {
        var from: String
        var relation: String
        var to: String
        var source: [String]
    }

    var adoptionDates: Dates
    var links: [LinkFacts]
}

@Suite("Decisions: the public record of CTOC/COP sessions 1-4")
struct DecisionFixtureTests {
    let conference: Conference
    let record: ConferenceRecord
    let lineage: Lineage

    init() async throws {
        conference = try await Conference(bodies: [], today: day("2012-06-30"))
        record = try ConferenceRecord.load()
        lineage = try fixture("decisions-ctoc-cop-lineage.json", as: Lineage.self)
    }

    /// Loads the body, its sessions (held and closed), the working groups whose codes the sources give, every
    /// decision, then the links.
    func load() async throws {
        let facts = record.body
        _ = try await BodyRegistry(database: conference.database).add(
            Body(code: facts.code, name: facts.name, treaty: facts.treaty, timeZone: facts.timezone),
            by: Actor(name: "admin", role: .admin))
        for session in record.sessions {
            try await conference.sessions.schedule(
                SessionPlan(
                    number: session.number, title: session.title, venue: session.venue, start: day(session.start),
                    end: day(session.end)),
                body: facts.code, by: Conference.clerk)
            try await conference.sessions.open(body: facts.code, number: session.number, by: Conference.clerk)
            try await conference.sessions.close(body: facts.code, number: session.number, by: Conference.clerk)
        }
        for group in record.workingGroups {
            guard let prefix = group.symbolPrefix else { continue }
            _ = try await conference.groups.establish(
                WorkingGroupCharter(
                    code: String(prefix.dropFirst(facts.code.count + 1)), name: group.name,
                    establishedBy: try DecisionCitation.parse(group.establishedBy, key: "by")),
                body: facts.code, by: Conference.clerk)
        }
        for decision in record.decisions {
            let session = try #require(record.sessions.first { $0.number == decision.session })
            // The record dates only 1/2; every other decision was adopted by the session's closing day at the latest.
            let citation = "\(decision.kind) \(decision.number)"
            let date = decision.date ?? lineage.adoptionDates.known[citation] ?? session.end
            try await conference.record(citation, decision.title, on: date)
        }
        for link in lineage.links {
            let relation = try #require(DecisionRelation(rawValue: link.relation))
            #expect(!link.source.isEmpty, "\(link.from) \(link.relation) \(link.to) has no source")
            try await conference.link(link.from, relation, link.to)
        }
    }

    @Test func theDecisionsOfSessionsOneToFourLoadAndReadBack() async throws {
        try await load()
        let all = try await conference.decisions.list(body: "CTOC/COP")
        #expect(all.count == record.decisions.count)
        #expect(all.count == 23)
        #expect(all.map { $0.citation!.description } == record.decisions.map { "\($0.kind) \($0.number)" })
        #expect(all.map(\.title) == record.decisions.map(\.title))
        #expect(all.allSatisfy { $0.recorded && $0.stage == .adopted && $0.kind == .decision })
        #expect(all.map(\.session) == record.decisions.map(\.session))
        // Numbers per session are 1…n without gaps: 6, 6, 4 and 7 decisions.
        for session in 1...4 {
            let serials = all.filter { $0.session == session }.map { $0.number!.serial }
            #expect(serials == Array(1...serials.count), "session \(session)")
        }

        let trafficking = try await conference.decisions.get(body: "CTOC/COP", number: number("4/4"))
        #expect(trafficking.title == "Trafficking in human beings")
        #expect(trafficking.adoptedOn == day("2008-10-17"))
        #expect(
            try await conference.decisions.get(body: "CTOC/COP", number: number("1/2")).adoptedOn
                == day("2004-07-07"))
        #expect(
            try await conference.decisions.get(body: "CTOC/COP", number: number("2/6")).title
                == "Technical assistance activities")
        // Decisions 1/4 and 2/6 share a title: the number tells them apart.
        #expect(
            all.filter { $0.title == "Technical assistance activities" }.map { $0.number!.description } == [
                "1/4", "2/6",
            ])

        // Every decision of sessions 1-4 is in force today except the one a later decision amended… which stays in
        // force, as amended.
        #expect(all.allSatisfy { $0.status == .inForce })
        #expect(
            try AuditLog.verify(try AuditChain.sealed(try conference.connection()))
                == .intact(rows: 1 + 4 * 3 + 2 + 23 + 3))
    }

    @Test func theLineageQueriesAnswerAsTheSourcesSay() async throws {
        try await load()
        // 2/6 established the technical-assistance group, 4/4 the trafficking-in-persons group.
        let wg2 = try await conference.decisions.workingGroupActs(body: "CTOC/COP", code: "WG.2")
        #expect(wg2.map { "\($0.decision.citation!) \($0.acts.map(\.rawValue))" } == ["decision 2/6 [\"establishes\"]"])
        let wg4 = try await conference.decisions.workingGroupActs(body: "CTOC/COP", code: "WG.4")
        #expect(wg4.map { "\($0.decision.citation!) \($0.acts.map(\.rawValue))" } == ["decision 4/4 [\"establishes\"]"])
        #expect(
            try await conference.decisions.list(body: "CTOC/COP", filter: DecisionFilter(workingGroup: "WG.4"))
                .map(\.title) == ["Trafficking in human beings"])

        // 4/7 amended the rules of procedure that 1/1 adopted.
        let forward = try await conference.decisions.chain(body: "CTOC/COP", number: number("1/1"), direction: .forward)
        #expect(forward.map(\.link.description) == ["decision 4/7 amends decision 1/1"])
        let back = try await conference.decisions.chain(body: "CTOC/COP", number: number("4/7"), direction: .back)
        #expect(back.map(\.reached.title) == [record.decisions[0].title])
        #expect(try await conference.decisions.get(body: "CTOC/COP", number: number("1/1")).status == .inForce)

        // What is in force on trafficking (in persons, in firearms): the decisions whose titles name it, none
        // superseded.
        let trafficking = try await conference.decisions.list(
            body: "CTOC/COP", filter: DecisionFilter(status: .inForce, topic: "trafficking"))
        #expect(trafficking.map { $0.number!.description } == ["1/5", "2/3", "2/5", "3/3", "4/4", "4/6"])

        // The establishing instrument cannot be contradicted now that both records name it.
        await refused(.conflict, "CTOC/COP/WG.4 was already established by decision 4/4") {
            try await conference.link("decision 4/3", .establishes, "wg:WG.4")
        }
    }
}
