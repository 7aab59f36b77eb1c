import Decisions
import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Sessions
import Storage
import Testing

/// Adoption numbers decisions `session/serial` from a counter row locked until commit. These tests race real
/// transactions on separate connections.
@Suite("Decisions: numbering")
struct NumberingTests {
    let conference: Conference

    init() async throws {
        // Session 5 is sitting on 2010-10-20.
        conference = try await Conference(today: day("2010-10-20"))
        try await conference.session(4, "2008-10-08", "2008-10-17")
        try await conference.session(5, "2010-10-18", "2010-10-22", status: .open)
    }

    @Test func numbersAreGaplessUnderSixteenConcurrentAdoptions() async throws {
        var drafts: [Int] = []
        for index in 1...16 { drafts.append(try await conference.draft("Draft \(index)", session: 5).id) }
        let conninfo = conference.conninfo
        // Each adopter has a pool of its own: separate connections, separate transactions, all at once.
        let adopted = await withTaskGroup(of: Result<Decision, DomainError>.self) { group in
            for id in drafts {
                group.addTask {
                    let database = Database(configuration: ConnectionPool.Configuration(conninfo: conninfo, size: 1))
                    defer { database.shutdown() }
                    do throws(DomainError) {
                        let registry = DecisionRegistry(
                            database: database, clock: CalendarClock(today: day("2010-10-20")))
                        return .success(try await registry.adopt(id: id, by: Conference.clerk))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var all: [Result<Decision, DomainError>] = []
            for await result in group { all.append(result) }
            return all
        }
        let decisions = adopted.compactMap { try? $0.get() }
        #expect(decisions.count == 16, "\(adopted)")
        #expect(decisions.map { $0.number!.serial }.sorted() == Array(1...16))
        #expect(Set(decisions.map(\.id)) == Set(drafts))
        #expect(decisions.allSatisfy { $0.number?.session == 5 && $0.adoptedOn == day("2010-10-20") })

        let connection = try conference.connection()
        let stored = try connection.query(
            "SELECT serial FROM decisions WHERE session_number = 5 ORDER BY serial"
        ).rows.map { try $0.decode("serial", as: Int.self) }
        #expect(stored == Array(1...16))
        let counter = try connection.queryOne(
            "SELECT last_serial FROM decision_counters WHERE session_number = 5 AND kind = 'decision'")
        #expect(try counter?.decode("last_serial", as: Int.self) == 16)
        #expect(try conference.audit("decision").filter { $0.operation == "adopt" }.count == 16)
        try AuditChain.catchUp(connection)
        #expect(try AuditLog.verify(connection) == .intact(rows: 1 + 3 + 2 + 16 + 16))
    }

    @Test func decisionsAndResolutionsAreNumberedInSeparateSeries() async throws {
        var numbers: [String] = []
        for (title, kind) in [
            ("First decision", DecisionKind.decision), ("First resolution", .resolution),
            ("Second decision", .decision),
            ("Second resolution", .resolution), ("Third resolution", .resolution),
        ] {
            let draft = try await conference.draft(title, session: 5, kind: kind)
            let adopted = try await conference.decisions.adopt(id: draft.id, by: Conference.clerk)
            numbers.append(adopted.citation!.description)
        }
        #expect(numbers == ["decision 5/1", "resolution 5/1", "decision 5/2", "resolution 5/2", "resolution 5/3"])

        // 5/1 names both: without kind= the reply names the two, with it the one.
        await refused(.conflict, "5/1 names both decision 5/1 and resolution 5/1 of CTOC/COP", "kind=") {
            try await conference.decisions.get(body: "CTOC/COP", number: number("5/1"))
        }
        let resolution = try await conference.decisions.get(body: "CTOC/COP", number: number("5/1"), kind: .resolution)
        #expect(resolution.title == "First resolution")
        // 5/3 names only a resolution, so no kind is needed.
        #expect(try await conference.decisions.get(body: "CTOC/COP", number: number("5/3")).kind == .resolution)
        await refused(.notFound, "CTOC/COP has no decision 5/3") {
            try await conference.decisions.get(body: "CTOC/COP", number: number("5/3"), kind: .decision)
        }
        // A link by number alone is just as ambiguous.
        await refused(.conflict, "names both decision 5/1 and resolution 5/1") {
            try await conference.decisions.link(
                body: "CTOC/COP", number: number("5/1"), relation: .considers, to: .document("CTOC/COP/2010/1"),
                by: Conference.clerk)
        }
    }

    @Test func aRolledBackAdoptionGivesItsNumberBackAndTheNextAdopterWaitsForIt() async throws {
        let first = try await conference.draft("Held by a transaction that rolls back", session: 5)
        let second = try await conference.draft("Adopted meanwhile", session: 5)
        let holder = try conference.connection()
        try holder.simpleQuery("BEGIN")
        let taken = try holder.queryOne(
            "UPDATE decisions SET stage = 'adopted', adopted_on = '2010-10-19' WHERE id = $1 RETURNING serial",
            [first.id])
        #expect(try taken?.decode("serial", as: Int.self) == 1)
        let decisions = conference.decisions
        let waiting = Task { try await decisions.adopt(id: second.id, by: Conference.clerk) }
        try await waitUntilBlocked(by: holder, conninfo: conference.conninfo)
        let counter = try conference.connection().queryOne(
            "SELECT count(*) AS n FROM decisions WHERE stage = 'adopted'")
        #expect(try counter?.decode("n", as: Int.self) == 0, "the adopter did not wait for the counter")
        try holder.simpleQuery("ROLLBACK")
        let adopted = try await waiting.value
        #expect(adopted.number == number("5/1"))
        // The draft the rollback released is adopted next, as 5/2: no gap, no duplicate.
        #expect(try await conference.decisions.adopt(id: first.id, by: Conference.clerk).number == number("5/2"))
    }

    @Test func recordedNumbersAreNeverGivenTwiceAndMoveTheCounterPastThem() async throws {
        try await conference.record("decision 4/7", "Amendment of rule 18 of the rules of procedure", on: "2008-10-17")
        // A number already taken is a conflict naming the decision that holds it; nothing is overwritten.
        await refused(.conflict, "decision 4/7 of CTOC/COP is already taken", "Amendment of rule 18") {
            try await conference.record("decision 4/7", "Something else", on: "2008-10-16")
        }
        #expect(
            try await conference.decisions.get(body: "CTOC/COP", number: number("4/7")).title
                == "Amendment of rule 18 of the rules of procedure")
        // The other series is free.
        try await conference.record("resolution 4/7", "A resolution of the same number", on: "2008-10-17")
        // An earlier number of the record can still be entered, after a later one.
        try await conference.record("decision 4/4", "Trafficking in human beings", on: "2008-10-17")

        // Adoption at session 4 continues after the highest number on record.
        let late = try await conference.draft("Adopted afterwards", session: 4)
        let adopted = try await conference.decisions.adopt(id: late.id, on: day("2008-10-17"), by: Conference.clerk)
        #expect(adopted.number == number("4/8"))
        await refused(.conflict, "decision 4/8 of CTOC/COP is already taken") {
            try await conference.record("decision 4/8", "Clash", on: "2008-10-17")
        }
        #expect(try conference.count("decisions") == 4)
    }

    @Test func letteredPartsAreRepresentable() async throws {
        try await conference.record("resolution 5/2 A", "Part A", on: "2010-10-19")
        try await conference.record("resolution 5/2 B", "Part B", on: "2010-10-19")
        let part = try await conference.decisions.get(body: "CTOC/COP", number: number("5/2 B"))
        #expect(part.title == "Part B")
        #expect(part.citation?.description == "resolution 5/2 B")
        #expect(DecisionNumber(parsing: "49/221B") == DecisionNumber(session: 49, serial: 221, letter: "B"))
        // A whole number and lettered parts of it never stand side by side.
        await refused(.conflict, "resolution 5/2 of CTOC/COP is already entered as parts A, B") {
            try await conference.record("resolution 5/2", "Whole", on: "2010-10-19")
        }
        await refused(.conflict, "is split into parts A, B", "5/2 A") {
            try await conference.decisions.get(body: "CTOC/COP", number: number("5/2"))
        }
        // Adoption takes the next whole number.
        let draft = try await conference.draft("Next resolution", session: 5, kind: .resolution)
        #expect(try await conference.decisions.adopt(id: draft.id, by: Conference.clerk).number == number("5/3"))
    }

    @Test func numbersHaveOneForm() throws {
        #expect(DecisionNumber(parsing: "4/4") == DecisionNumber(session: 4, serial: 4))
        #expect(DecisionNumber(parsing: "49/221 B")?.description == "49/221 B")
        for bad in ["4-4", "0/1", "4/0", "04/4", "4/4/1", "4", "4/4 b", "4/4 AB", "4 /4", "", "10000/1", "4/4 "] {
            #expect(DecisionNumber(parsing: bad) == nil, "\(bad)")
        }
        #expect(DecisionCitation(parsing: "Resolution 5/3")?.description == "resolution 5/3")
        for bad in ["decree 4/4", "decision", "decision 4-4", "decision  4/4", "4/4"] {
            #expect(DecisionCitation(parsing: bad) == nil, "\(bad)")
        }
        #expect(throws: DomainError.invalid("number", "\(DecisionNumber.rule), got 4-4")) {
            try DecisionNumber.parse("4-4")
        }
    }
}
