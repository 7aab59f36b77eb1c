import Decisions
import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Sessions
import Storage
import Testing
import WorkingGroups

/// Links between decisions and to working groups and documents, the queries over them, and statuses derived from
/// them and from end dates.
@Suite("Decisions: lineage and status")
struct LineageTests {
    let conference: Conference

    init() async throws {
        conference = try await Conference(bodies: ["CTOC/COP", "CAC/COSP"], today: day("2012-06-30"))
        for (number, start, end) in [
            (1, "2004-06-28", "2004-07-08"), (2, "2005-10-10", "2005-10-21"), (3, "2006-10-09", "2006-10-18"),
            (4, "2008-10-08", "2008-10-17"), (5, "2010-10-18", "2010-10-22"),
        ] {
            try await conference.session(number, start, end)
        }
        try await conference.session(1, "2006-12-10", "2006-12-14", body: "CAC/COSP")
    }

    @Test func theChainIsFollowedBackAndForward() async throws {
        try await conference.record("decision 1/1", "Adoption of the rules of procedure", on: "2004-07-08")
        try await conference.record("decision 4/7", "Amendment of rule 18 of the rules of procedure", on: "2008-10-17")
        try await conference.record("resolution 5/1", "Rules of procedure", on: "2010-10-22")
        try await conference.record("resolution 5/2", "Review of the rules", on: "2010-10-22")
        try await conference.link("decision 4/7", .amends, "decision 1/1")
        try await conference.link("resolution 5/1", .supersedes, "decision 4/7")
        try await conference.link("resolution 5/2", .recalls, "decision 1/1")
        try await conference.link("resolution 5/2", .considers, "doc:CTOC/COP/2010/3")

        let forward = try await conference.decisions.chain(
            body: "CTOC/COP", number: number("1/1"), direction: .forward)
        #expect(
            forward.map { "\($0.depth) \($0.link)" } == [
                "1 decision 4/7 amends decision 1/1", "1 resolution 5/2 recalls decision 1/1",
                "2 resolution 5/1 supersedes decision 4/7",
            ])
        #expect(forward.map(\.reached.citation?.description) == ["decision 4/7", "resolution 5/2", "resolution 5/1"])
        #expect(forward[0].reached.status == .superseded)

        let back = try await conference.decisions.chain(
            body: "CTOC/COP", number: number("5/1"), kind: .resolution, direction: .back)
        #expect(
            back.map { "\($0.direction.rawValue) \($0.depth) \($0.link)" } == [
                "back 1 resolution 5/1 supersedes decision 4/7", "back 2 decision 4/7 amends decision 1/1",
            ])
        // Both ways from the middle, back first.
        let both = try await conference.decisions.chain(body: "CTOC/COP", number: number("4/7"))
        #expect(
            both.map { "\($0.direction.rawValue) \($0.link)" } == [
                "back decision 4/7 amends decision 1/1", "forward resolution 5/1 supersedes decision 4/7",
            ])
        // A decision's own links, what it acts on first.
        let links = try await conference.decisions.links(body: "CTOC/COP", number: number("4/7"))
        #expect(
            links.map(\.description) == [
                "decision 4/7 amends decision 1/1", "resolution 5/1 supersedes decision 4/7",
            ])
        #expect(
            try conference.audit("decision").filter { $0.operation == "link" }.map(\.entityID) == [
                "CTOC/COP/decision/4/7", "CTOC/COP/resolution/5/1", "CTOC/COP/resolution/5/2",
                "CTOC/COP/resolution/5/2",
            ])
    }

    @Test func statusIsDerivedFromLinksAndDatesForAnyDay() async throws {
        try await conference.record("decision 2/1", "Programme of work", on: "2005-10-21", ends: "2006-12-31")
        try await conference.record("decision 3/1", "Review of implementation", on: "2006-10-18")
        try await conference.record("decision 4/1", "Possible mechanisms to review implementation", on: "2008-10-17")
        try await conference.record("decision 4/2", "Programme of work, again", on: "2008-10-17")
        try await conference.link("decision 4/1", .supersedes, "decision 3/1")
        // Superseded after it had already elapsed: it elapsed.
        try await conference.link("decision 4/2", .supersedes, "decision 2/1")

        func status(_ text: String, on date: String) async throws -> DecisionStatus {
            try await conference.decisions.get(body: "CTOC/COP", number: number(text), on: day(date)).status
        }
        #expect(try await status("2/1", on: "2006-12-31") == .inForce)
        #expect(try await status("2/1", on: "2007-01-01") == .elapsed)
        #expect(try await status("2/1", on: "2012-01-01") == .elapsed)
        #expect(try await status("3/1", on: "2005-01-01") == .notYetAdopted)
        #expect(try await status("3/1", on: "2008-10-16") == .inForce)
        #expect(try await status("3/1", on: "2008-10-17") == .superseded)
        #expect(try await status("4/1", on: "2012-01-01") == .inForce)
        // Today, by the clock.
        #expect(try await conference.decisions.get(body: "CTOC/COP", number: number("3/1")).status == .superseded)

        func listed(_ status: DecisionStatus, on date: String) async throws -> [String] {
            try await conference.decisions.list(
                body: "CTOC/COP", filter: DecisionFilter(status: status, on: day(date))
            ).map { $0.number!.description }
        }
        #expect(try await listed(.inForce, on: "2007-06-01") == ["3/1"])
        #expect(try await listed(.elapsed, on: "2007-06-01") == ["2/1"])
        #expect(try await listed(.inForce, on: "2010-01-01") == ["4/1", "4/2"])
        #expect(try await listed(.superseded, on: "2010-01-01") == ["3/1"])
        // Without a day, every text and draft, statuses as of today.
        let draft = try await conference.draft("Still a draft", session: 5)
        let all = try await conference.decisions.list(body: "CTOC/COP")
        #expect(all.map(\.status) == [.elapsed, .superseded, .inForce, .inForce, .draft])
        #expect(all.last?.id == draft.id)
        #expect(try await conference.decisions.list(body: "CTOC/COP", filter: DecisionFilter(session: 4)).count == 2)
    }

    @Test func whatIsInForceOnATopicLeavesOutWhatWasSuperseded() async throws {
        try await conference.record(
            "decision 2/3", "Implementation of the Trafficking in Persons Protocol", on: "2005-10-21",
            text: "Requests the Secretariat to collect information on trafficking in persons.")
        try await conference.record(
            "decision 4/4", "Trafficking in human beings", on: "2008-10-17",
            text: "Decides to establish an open-ended interim working group on trafficking in persons.")
        try await conference.record(
            "decision 4/5", "Smuggling of migrants", on: "2008-10-17", text: "On the smuggling of migrants.")
        try await conference.link("decision 4/4", .supersedes, "decision 2/3")
        let inForce = try await conference.decisions.list(
            body: "CTOC/COP", filter: DecisionFilter(status: .inForce, topic: "trafficking"))
        #expect(inForce.map { $0.number!.description } == ["4/4"])
        let everything = try await conference.decisions.list(
            body: "CTOC/COP", filter: DecisionFilter(topic: "trafficking"))
        #expect(everything.map { $0.number!.description } == ["2/3", "4/4"])
        await refused(.badArgument, "topic: must not be blank") {
            try await conference.decisions.list(body: "CTOC/COP", filter: DecisionFilter(topic: " "))
        }
    }

    @Test func decisionsThatEstablishedOrChangedAWorkingGroupAreFound() async throws {
        try await conference.record("decision 2/6", "Technical assistance activities", on: "2005-10-21")
        try await conference.record("decision 4/4", "Trafficking in human beings", on: "2008-10-17")
        try await conference.record("resolution 5/2", "Working Group on Trafficking in Persons", on: "2010-10-22")
        try await conference.record("resolution 5/3", "Renaming", on: "2010-10-22")
        // The working-groups module names its instruments as text; the decisions meet them there.
        _ = try await conference.groups.establish(
            WorkingGroupCharter(
                code: "WG.4", name: "Open-ended interim working group on trafficking in persons",
                establishedBy: DecisionCitation(kind: .decision, session: 4, serial: 4),
                establishedOn: day("2008-10-17")),
            body: "CTOC/COP", by: Conference.clerk)
        _ = try await conference.groups.rename(
            body: "CTOC/COP", code: "WG.4", to: "Working Group on Trafficking in Persons",
            by: DecisionCitation(kind: .resolution, session: 5, serial: 3), on: day("2010-10-22"),
            actor: Conference.clerk)
        _ = try await conference.groups.establish(
            WorkingGroupCharter(code: "WG.2", name: "Technical assistance"), body: "CTOC/COP", by: Conference.clerk)

        // Links recorded here: one agrees with the module's record, one is news to it.
        try await conference.link("decision 4/4", .establishes, "wg:WG.4")
        try await conference.link("resolution 5/2", .makesStanding, "wg:WG.4")
        try await conference.link("decision 2/6", .establishes, "wg:WG.2")

        let acts = try await conference.decisions.workingGroupActs(body: "CTOC/COP", code: "WG.4")
        #expect(
            acts.map { "\($0.decision.citation!) \($0.acts.map(\.rawValue))" } == [
                "decision 4/4 [\"establishes\"]", "resolution 5/2 [\"makes-standing\"]", "resolution 5/3 [\"renames\"]",
            ])
        let listed = try await conference.decisions.list(body: "CTOC/COP", filter: DecisionFilter(workingGroup: "WG.4"))
        #expect(listed.map { $0.citation!.description } == ["decision 4/4", "resolution 5/2", "resolution 5/3"])
        #expect(
            try await conference.decisions.workingGroupActs(body: "CTOC/COP", code: "WG.2").map(\.decision.title) == [
                "Technical assistance activities"
            ])
        await refused(.notFound, "wg: CTOC/COP has no working group WG.9") {
            try await conference.decisions.workingGroupActs(body: "CTOC/COP", code: "WG.9")
        }
        // The two records must agree on who established WG.4.
        try await conference.record("decision 4/3", "Technical assistance", on: "2008-10-17")
        _ = try await conference.groups.establish(
            WorkingGroupCharter(
                code: "WG.5", name: "Another group",
                establishedBy: DecisionCitation(kind: .decision, session: 4, serial: 4)),
            body: "CTOC/COP", by: Conference.clerk)
        await refused(.conflict, "establishes: CTOC/COP/WG.5 was established by decision 4/4, not by decision 4/3") {
            try await conference.link("decision 4/3", .establishes, "wg:WG.5")
        }
        await refused(.conflict, "CTOC/COP/WG.4 was already established by decision 4/4") {
            try await conference.link("decision 4/3", .establishes, "wg:WG.4")
        }
    }

    @Test func linksAreRefusedWhereTheConferenceCouldNotHaveMadeThem() async throws {
        try await conference.record("decision 1/1", "Rules of procedure", on: "2004-07-08")
        try await conference.record("decision 4/7", "Amendment of rule 18", on: "2008-10-17")
        try await conference.record(
            "decision 1/1", "Rules of procedure of CAC/COSP", on: "2006-12-14", body: "CAC/COSP")
        _ = try await conference.draft("A draft", session: 5)
        let before = try conference.count("decision_links")

        await refused(.conflict, "supersedes: decision 1/1 of CTOC/COP (adopted on 2004-07-08)", "decision 4/7") {
            try await conference.link("decision 1/1", .supersedes, "decision 4/7")
        }
        await refused(.conflict, "amends: decision 4/7 of CTOC/COP cannot act on itself") {
            try await conference.link("decision 4/7", .amends, "decision 4/7")
        }
        await refused(.notFound, "amends: CTOC/COP has no decision 1/2") {
            try await conference.link("decision 4/7", .amends, "decision 1/2")
        }
        // A draft has no number yet, so nothing can be linked from it.
        await refused(.notFound, "number: CTOC/COP has no decision 5/1") {
            try await conference.link("decision 5/1", .recalls, "decision 1/1")
        }
        await refused(.notFound, "establishes: CTOC/COP has no working group WG.4") {
            try await conference.link("decision 4/7", .establishes, "wg:WG.4")
        }
        await refused(.badArgument, "establishes: must be a working group as wg:CODE") {
            try await conference.decisions.link(
                body: "CTOC/COP", number: number("4/7"), relation: .establishes,
                to: .decision(
                    DecisionCitation(kind: .decision, number: number("1/1"))), by: Conference.clerk)
        }
        try await conference.link("decision 4/7", .amends, "decision 1/1")
        await refused(.conflict, "link: that link is already recorded") {
            try await conference.link("decision 4/7", .amends, "decision 1/1")
        }
        #expect(try conference.count("decision_links") == before + 1)

        // Links are history: the database refuses to rewrite or remove them, and a link from a draft.
        let connection = try conference.connection()
        databaseRefuses(
            connection, "UPDATE decision_links SET relation = 'supersedes'", sqlState: "PL551",
            constraint: "decision_links_kept")
        databaseRefuses(connection, "DELETE FROM decision_links", sqlState: "PL551", constraint: "decision_links_kept")
        databaseRefuses(
            connection,
            """
            INSERT INTO decision_links (decision_id, relation, document)
            SELECT id, 'considers', 'CTOC/COP/2010/1' FROM decisions WHERE stage = 'draft'
            """,
            sqlState: "PL551", constraint: "decision_links_source_adopted")
        databaseRefuses(
            connection,
            """
            INSERT INTO decision_links (decision_id, relation, target_decision_id)
            SELECT s.id, 'amends', t.id FROM decisions s, decisions t JOIN bodies b ON b.id = t.body_id
            WHERE s.serial = 7 AND b.code = 'CAC/COSP'
            """,
            sqlState: "PL551", constraint: "decision_links_body")
    }
}
