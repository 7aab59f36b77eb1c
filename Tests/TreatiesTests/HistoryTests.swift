import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Sessions
import Storage
import Testing
import Treaties

/// A synthetic history of 45 deposits entered through the registry: the dates derived agree with the articles to
/// the day (expected dates worked out by hand in the comments), the recorded dates of the seed page agree with the
/// deposits, `as-of` answers for any day, and two deposits racing for the 40th place are counted once and right.
@Suite("Treaties: derived dates, as-of and races against the database")
struct HistoryTests {
    static let states = ReferenceList.participants.filter { $0.kind == .state }.map(\.code)

    /// 39 accessions, ten days apart from 1 January 2002 (the last on 16 January 2003), the 40th on 1 July 2003,
    /// then five more; every one of the 45 also becomes party to TIP, the first 40 on 26 September 2003.
    static func enter(_ section: TreatySection) async throws {
        for k in 0..<39 {
            try await section.deposit(states[k], .accession, day("2002-01-01").adding(days: 10 * k).description)
        }
        try await section.sign(states[39], "2000-12-12")
        let fortieth = try await section.deposit(states[39], .ratification, "2003-07-01")
        #expect(fortieth.position == 40)
        for (k, date) in zip(40..., ["2003-07-15", "2003-08-30", "2003-09-10", "2004-02-29", "2006-08-02"]) {
            try await section.deposit(states[k], .accession, date)
        }
        for k in 0..<40 { try await section.deposit(states[k], .accession, "2003-09-26", on: "TIP") }
        try await section.deposit(states[40], .accession, "2003-11-01", on: "TIP")
        try await section.deposit(states[41], .accession, "2004-01-10", on: "TIP")
    }

    @Test func derivedDatesAgreeWithTheArticlesToTheDay() async throws {
        let section = try await TreatySection(recorded: true)
        try await Self.enter(section)
        let convention = try await section.treaties.instrument(body: "CTOC/COP", code: "UNTOC").instrument.inForce
        // 1 July 2003 + 90: Jul 31 is +30, Aug 31 +61, Sep 29 +90 — the seed page's date.
        #expect(convention.thresholdDeposit == day("2003-07-01"))
        #expect(convention.derived == day("2003-09-29"))
        #expect(convention.agrees == true)
        #expect(convention.basis == .derived)
        #expect(convention.counted == 45)
        let supplementing = try await section.treaties.instrument(body: "CTOC/COP", code: "TIP").instrument.inForce
        // 26 September 2003 + 90: Sep 30 +4, Oct 31 +35, Nov 30 +65, Dec 25 +90 — the seed page's date.
        #expect(supplementing.derived == day("2003-12-25"))
        #expect(supplementing.agrees == true)
        let all = try await section.treaties.parties(body: "CTOC/COP", instrument: "UNTOC", on: day("2010-01-01"))
        let inForce = Dictionary(uniqueKeysWithValues: all.standings.map { ($0.participant.code, $0.inForce) })
        #expect(inForce[Self.states[0]] == day("2003-09-29"))
        #expect(inForce[Self.states[39]] == day("2003-09-29"))
        #expect(inForce[Self.states[40]] == day("2003-09-29"))  // 15 July + 30 = 14 August: the later is 29 Sep
        #expect(inForce[Self.states[41]] == day("2003-09-29"))  // 30 August + 30 = 29 September exactly
        #expect(inForce[Self.states[42]] == day("2003-10-10"))  // 10 September + 30: Sep 30 +20, Oct 10 +30
        #expect(inForce[Self.states[43]] == day("2004-03-30"))  // 29 February 2004 (leap) + 30: Mar 30
        #expect(inForce[Self.states[44]] == day("2006-09-01"))  // 2 August + 30: Aug 31 +29, Sep 1 +30
        let tip = try await section.treaties.parties(body: "CTOC/COP", instrument: "TIP", on: day("2010-01-01"))
        let tipInForce = Dictionary(uniqueKeysWithValues: tip.standings.map { ($0.participant.code, $0.inForce) })
        #expect(tipInForce[Self.states[40]] == day("2003-12-25"))  // 1 November + 30 = 1 December: the later is 25 Dec
        #expect(tipInForce[Self.states[41]] == day("2004-02-09"))  // 10 January + 30: Jan 31 +21, Feb 9 +30
    }

    @Test func asOfAnswersForAnyDay() async throws {
        let section = try await TreatySection(recorded: true)
        try await Self.enter(section)
        func count(_ on: String, _ status: PartyStatus) async throws -> Int {
            try await section.treaties.parties(
                body: "CTOC/COP", instrument: "UNTOC", on: day(on), status: status
            ).standings.count
        }
        #expect(try await count("2001-12-31", .party) == 0)
        #expect(try await count("2001-12-31", .contracting) == 0)
        #expect(try await count("2002-01-01", .contracting) == 1)
        #expect(try await count("2003-09-28", .party) == 0)
        #expect(try await count("2003-09-28", .contracting) == 43)
        #expect(try await count("2003-09-29", .party) == 42)
        #expect(try await count("2003-09-29", .contracting) == 1)
        #expect(try await count("2003-10-10", .party) == 43)
        #expect(try await count("2004-03-29", .party) == 43)
        #expect(try await count("2004-03-30", .party) == 44)
        #expect(try await count("2006-09-01", .party) == 45)
        // The signatory of 12 December 2000 is a signatory until its ratification of 1 July 2003.
        #expect(try await count("2000-12-12", .signatory) == 1)
        #expect(try await count("2003-06-30", .signatory) == 1)
        #expect(try await count("2003-07-01", .signatory) == 0)
        let history = try await section.treaties.history(body: "CTOC/COP", instrument: "UNTOC")
        #expect(history.map(\.date) == ["2003-09-29", "2003-10-10", "2004-03-30", "2006-09-01"].map(day))
        #expect(history.map(\.parties) == [42, 43, 44, 45])
        // At the opening of a session (the first COP opened on 28 June 2004).
        _ = try await section.sessions.schedule(
            SessionPlan(number: 1, venue: "Vienna", start: day("2004-06-28"), end: day("2004-07-09")),
            body: "CTOC/COP", by: TreatySection.clerk)
        let opening = try await section.treaties.atOpening(body: "CTOC/COP", session: 1)
        #expect(opening.map(\.instrument.code) == ["UNTOC", "FIR", "TIP"])
        #expect(opening.map(\.parties) == [44, 0, 42])
        #expect(opening.map(\.day) == [day("2004-06-28"), day("2004-06-28"), day("2004-06-28")])
    }

    @Test func twoConcurrentDepositsMakingTheFortiethAreCountedOnceAndRight() async throws {
        let section = try await TreatySection(recorded: false)
        for k in 0..<39 { try await section.deposit(Self.states[k], .accession, "2003-06-01") }
        async let first = section.deposit(Self.states[39], .accession, "2003-07-01")
        async let second = section.deposit(Self.states[40], .accession, "2003-07-01")
        let outcomes = try await [first, second]
        // Each saw the other or did not, never both "the 40th": the instrument's row lock makes them take turns.
        #expect(Set(outcomes.compactMap(\.position)) == [40, 41])
        let bringing = outcomes.filter { $0.position == 40 }
        #expect(bringing.count == 1)
        #expect(bringing.first?.instrument.inForce.derived == day("2003-09-29"))
        #expect(outcomes.filter { $0.position == 41 }.first?.instrument.inForce.derived == day("2003-09-29"))
        let entry = try await section.treaties.instrument(body: "CTOC/COP", code: "UNTOC").instrument.inForce
        #expect(entry.counted == 41)
        #expect(entry.derived == day("2003-09-29"))
        #expect(entry.basis == .derived)
    }

    @Test func twoConcurrentInstrumentsOfOneStateAreNeverBothRecorded() async throws {
        let section = try await TreatySection(recorded: false)
        for k in 0..<12 {
            let state = Self.states[k]
            async let first = succeeds { try await section.deposit(state, .accession, "2003-06-01") }
            async let second = succeeds { try await section.deposit(state, .succession, "2003-06-02") }
            let results = await [first, second]
            #expect(results.filter { $0 }.count == 1, "\(state): \(results)")
        }
        let rows = try section.connection().queryOne("SELECT count(*) AS n FROM treaty_actions")!
        #expect(try rows.decode("n", as: Int.self) == 12)
    }
}

/// Whether `body` succeeded; a refusal is an answer, not a failure of the test.
func succeeds(_ body: () async throws -> some Any) async -> Bool {
    do {
        _ = try await body()
        return true
    } catch {
        return false
    }
}
