import PlenaryCore
import Testing
import Treaties

/// Article 38 as arithmetic, without a database. Every expected date here is worked out by hand (the comments show
/// the count), never by the code under test.
@Suite("Treaties: entry into force, statuses and marks (pure)")
struct EntryIntoForceTests {
    /// The first 40 States of the reference list, in list order.
    static let states = ReferenceList.participants.filter { $0.kind == .state }.map(\.code)

    /// An instrument of `code` with article 38's rule.
    static func instrument(
        _ code: String, supplements: String? = nil, recorded: String? = nil, rule: EntryIntoForceRule = .article38
    ) -> Instrument {
        Instrument(
            body: "CTOC/COP",
            terms: InstrumentDraft(
                code: code, title: code, adoptedOn: day("2000-11-15"), adoptedBy: "55/25", supplements: supplements,
                signatureFrom: day("2000-12-12"),
                signatureUntil: day("2002-12-12"), rule: rule, recordedInForce: recorded.map(day)))
    }

    /// Acts numbered in the order given.
    static func acts(_ list: [(String, String, ActionKind, String)]) -> [TreatyAction] {
        list.enumerated().map { index, act in
            TreatyAction(id: index + 1, instrument: act.0, participant: act.1, kind: act.2, date: day(act.3))
        }
    }

    /// 45 accessions to `code`: State k (k = 1…45) deposits on 2003-01-01 + 3(k-1) days.
    static func every3Days(_ code: String) -> [(String, String, ActionKind, String)] {
        (0..<45).map { k in (code, states[k], .accession, day("2003-01-01").adding(days: 3 * k).description) }
    }

    @Test func theFortiethInstrumentAndTheNinetiethDay() {
        let book = TreatyBook(instruments: [Self.instrument("UNTOC")], actions: Self.acts(Self.every3Days("UNTOC")))
        let entry = book.instrument("UNTOC")!.inForce
        // 40th: 2003-01-01 + 117 days = 28 April (Jan 31 is +30, Feb 28 +58, Mar 31 +89, Apr 28 +117).
        #expect(entry.thresholdDeposit == day("2003-04-28"))
        // +90: Apr 30 +2, May 31 +33, Jun 30 +63, Jul 27 +90.
        #expect(entry.derived == day("2003-07-27"))
        #expect(entry.date == day("2003-07-27"))
        #expect(entry.basis == .derived)
        #expect(entry.counted == 45)
        // The first 40 are bound from the instrument's own day.
        #expect(book.standing(of: Self.states[0], on: "UNTOC", asOf: day("2010-01-01"))?.inForce == day("2003-07-27"))
        #expect(book.standing(of: Self.states[39], on: "UNTOC", asOf: day("2010-01-01"))?.inForce == day("2003-07-27"))
        // The 41st deposited on 1 May: its 30th day (31 May) is before 27 July, so 27 July.
        #expect(book.standing(of: Self.states[40], on: "UNTOC", asOf: day("2010-01-01"))?.inForce == day("2003-07-27"))
        // The 45th deposited on 13 May (+132): 30th day 12 June, still before 27 July.
        #expect(book.standing(of: Self.states[44], on: "UNTOC", asOf: day("2010-01-01"))?.inForce == day("2003-07-27"))
        #expect(book.position(of: 40, on: "UNTOC") == 40)
    }

    @Test func aLaterDepositorOnItsThirtiethDay() {
        var list = Self.every3Days("UNTOC")
        list.append(("UNTOC", "EUU", .approval, "2003-09-10"))
        list.append(("UNTOC", Self.states[45], .accession, "2003-12-31"))
        let book = TreatyBook(instruments: [Self.instrument("UNTOC")], actions: Self.acts(list))
        // 10 September + 30: Sep 30 is +20, Oct 10 +30.
        #expect(book.standing(of: "EUU", on: "UNTOC", asOf: day("2004-01-01"))?.inForce == day("2003-10-10"))
        // 31 December + 30 = 30 January 2004.
        let late = book.standing(of: Self.states[45], on: "UNTOC", asOf: day("2004-01-29"))
        #expect(late?.inForce == day("2004-01-30"))
        #expect(late?.status == .contracting)
        #expect(book.standing(of: Self.states[45], on: "UNTOC", asOf: day("2004-01-30"))?.status == .party)
    }

    @Test func aREIOInstrumentIsNotCountedInAdditionToItsMembers() {
        // 39 States, then the European Union, then the 40th State three days later.
        var list = (0..<39).map { k in ("UNTOC", Self.states[k], ActionKind.accession, "2003-06-01") }
        list.append(("UNTOC", "EUU", .approval, "2003-06-28"))
        list.append(("UNTOC", Self.states[39], .accession, "2003-07-01"))
        let book = TreatyBook(instruments: [Self.instrument("UNTOC", recorded: "2003-09-29")], actions: Self.acts(list))
        let entry = book.instrument("UNTOC")!.inForce
        #expect(entry.counted == 40)
        // Had the EU counted, 28 June + 90 = 26 September; it does not: 1 July + 90 = 29 September.
        #expect(entry.thresholdDeposit == day("2003-07-01"))
        #expect(entry.derived == day("2003-09-29"))
        #expect(entry.agrees == true)
        #expect(entry.basis == .derived)
        #expect(book.position(of: 40, on: "UNTOC") == nil)
        #expect(book.position(of: 41, on: "UNTOC") == 40)
        // The EU is bound from the instrument's own day like the States before the 40th.
        #expect(book.standing(of: "EUU", on: "UNTOC", asOf: day("2003-09-29"))?.status == .party)
        #expect(book.partyCount(on: "UNTOC", asOf: day("2003-09-29")) == (41, 40))
        #expect(book.partyCount(on: "UNTOC", asOf: day("2003-09-28")) == (0, 0))
    }

    @Test func aStateJoiningTwiceIsCountedOnce() {
        var list = (0..<39).map { k in ("UNTOC", Self.states[k], ActionKind.accession, "2003-06-01") }
        list.append(("UNTOC", Self.states[0], .accession, "2003-06-15"))  // not allowed by the database; counted once
        let book = TreatyBook(instruments: [Self.instrument("UNTOC")], actions: Self.acts(list))
        #expect(book.instrument("UNTOC")!.inForce.counted == 39)
        #expect(book.instrument("UNTOC")!.inForce.basis == .pending)
        #expect(book.instrument("UNTOC")!.inForce.date == nil)
    }

    @Test func aProtocolNeverBeforeTheConvention() {
        // The Protocol's 40th deposit comes on the same days as the Convention's, but the Convention has a later
        // threshold (eif-days 120 for this test): the Protocol waits for it.
        var list = (0..<40).map { k in ("UNTOC", Self.states[k], ActionKind.accession, "2003-07-01") }
        list += (0..<40).map { k in ("TIP", Self.states[k], ActionKind.accession, "2003-07-01") }
        list.append(("TIP", Self.states[40], .accession, "2003-10-20"))
        let convention = Self.instrument("UNTOC", rule: EntryIntoForceRule(threshold: 40, days: 120, laterDays: 30))
        let book = TreatyBook(
            instruments: [Self.instrument("TIP", supplements: "UNTOC"), convention], actions: Self.acts(list))
        // Convention: 1 July + 120: Jul 31 +30, Aug 31 +61, Sep 30 +91, Oct 29 +120.
        #expect(book.instrument("UNTOC")!.inForce.date == day("2003-10-29"))
        // Protocol: its own 90th day (29 September) is earlier, so the Convention's.
        #expect(book.instrument("TIP")!.inForce.date == day("2003-10-29"))
        // A later depositor (20 October): 30th day 19 November, after the Protocol's date.
        #expect(book.standing(of: Self.states[40], on: "TIP", asOf: day("2004-01-01"))?.inForce == day("2003-11-19"))
        // The Convention first, whatever order the instruments came in.
        #expect(book.instruments.map(\.code) == ["UNTOC", "TIP"])
    }

    @Test func aProtocolWithoutAConventionDateIsNotPlacedInTime() {
        let list = (0..<40).map { k in ("TIP", Self.states[k], ActionKind.accession, "2003-07-01") }
        let book = TreatyBook(
            instruments: [Self.instrument("UNTOC"), Self.instrument("TIP", supplements: "UNTOC")],
            actions: Self.acts(list))
        #expect(book.instrument("TIP")!.inForce.derived == nil)
        #expect(book.instrument("TIP")!.inForce.basis == .pending)
    }

    @Test func theRecordStandsWhereTheDepositsAreNotKnownAndIsFlaggedWhereTheyDisagree() {
        let few = Self.acts([("UNTOC", "ITA", .ratification, "2006-08-02"), ("UNTOC", "FRA", .approval, "2002-10-29")])
        let recorded = TreatyBook(instruments: [Self.instrument("UNTOC", recorded: "2003-09-29")], actions: few)
        let entry = recorded.instrument("UNTOC")!.inForce
        #expect(entry.basis == .recorded)
        #expect(entry.date == day("2003-09-29"))
        #expect(entry.derived == nil)
        #expect(entry.agrees == nil)
        // France deposited before: bound from 29 September 2003. Italy after: 2 August + 30 = 1 September 2006.
        #expect(recorded.standing(of: "FRA", on: "UNTOC", asOf: day("2007-01-01"))?.inForce == day("2003-09-29"))
        #expect(recorded.standing(of: "ITA", on: "UNTOC", asOf: day("2007-01-01"))?.inForce == day("2006-09-01"))

        let disagreeing = TreatyBook(
            instruments: [Self.instrument("UNTOC", recorded: "2003-09-29")],
            actions: Self.acts(Self.every3Days("UNTOC")))
        let flagged = disagreeing.instrument("UNTOC")!.inForce
        #expect(flagged.agrees == false)
        #expect(flagged.basis == .recorded)
        #expect(flagged.date == day("2003-09-29"))
        #expect(flagged.derived == day("2003-07-27"))
    }

    @Test func statusesOnAnyDay() {
        var list = (0..<40).map { k in ("UNTOC", Self.states[k], ActionKind.accession, "2003-07-01") }
        list += [
            ("UNTOC", "ITA", .signature, "2000-12-12"), ("UNTOC", "ITA", .ratification, "2006-08-02"),
            ("TIP", "ITA", .signature, "2000-12-12"), ("TIP", "ITA", .ratification, "2006-08-02"),
            ("UNTOC", "ITA", .denunciation, "2010-03-15"),
        ]
        let instruments = [
            Self.instrument("UNTOC", recorded: "2003-09-29"),
            Self.instrument("TIP", supplements: "UNTOC", recorded: "2003-12-25"),
        ]
        let book = TreatyBook(instruments: instruments, actions: Self.acts(list))
        func status(_ code: String, _ on: String) -> PartyStatus? {
            book.standing(of: "ITA", on: code, asOf: day(on))?.status
        }
        #expect(status("UNTOC", "2000-12-11") == nil)
        #expect(status("UNTOC", "2000-12-12") == .signatory)
        #expect(status("UNTOC", "2006-08-02") == .contracting)
        #expect(status("UNTOC", "2006-08-31") == .contracting)
        #expect(status("UNTOC", "2006-09-01") == .party)
        // Denounced on receipt + 1 year; until then still a party, with the denunciation pending.
        #expect(status("UNTOC", "2011-03-14") == .party)
        #expect(
            book.standing(of: "ITA", on: "UNTOC", asOf: day("2011-03-14"))?.denunciationEffective == day("2011-03-15"))
        #expect(status("UNTOC", "2011-03-15") == .denounced)
        // Denouncing the Convention denounced the Protocol.
        #expect(status("TIP", "2011-03-14") == .party)
        #expect(status("TIP", "2011-03-15") == .denounced)
        #expect(
            book.standings(on: "UNTOC", asOf: day("2011-03-15"), status: .denounced).map(\.participant.code) == ["ITA"])
        #expect(book.partyCount(on: "UNTOC", asOf: day("2011-03-14")).parties == 41)
        #expect(book.partyCount(on: "UNTOC", asOf: day("2011-03-15")).parties == 40)
        let history = book.partyCountHistory(on: "UNTOC")
        #expect(history.map(\.date) == [day("2003-09-29"), day("2006-09-01"), day("2011-03-15")])
        #expect(history.map(\.parties) == [40, 41, 40])
    }

    @Test func denunciationTakesEffectOneYearAfterReceipt() {
        #expect(TreatyAction.denunciationEffective(day("2010-03-15")) == day("2011-03-15"))
        #expect(TreatyAction.denunciationEffective(day("2012-02-29")) == day("2013-02-28"))
        #expect(TreatyAction.denunciationEffective(day("2011-12-31")) == day("2012-12-31"))
    }

    @Test func theDepositarysMarks() {
        #expect(ActionKind.ratification.mark == "")
        #expect(ActionKind.acceptance.mark == "A")
        #expect(ActionKind.approval.mark == "AA")
        #expect(ActionKind.accession.mark == "a")
        #expect(ActionKind.succession.mark == "d")
        #expect(ActionKind.signature.mark == nil)
        #expect(ActionKind.declaration.mark == nil)
        let acts = Self.acts([
            ("UNTOC", "ITA", .signature, "2000-12-12"), ("UNTOC", "ITA", .ratification, "2006-08-02"),
            ("UNTOC", "EUU", .signature, "2000-12-12"), ("UNTOC", "EUU", .approval, "2004-05-21"),
            ("UNTOC", "MNE", .succession, "2006-10-23"), ("UNTOC", "CHE", .declaration, "2006-10-27"),
        ])
        var withText = acts
        withText[5].text = "Designated authority, \"Federal Office\""
        withText[5].article = "18(13)"
        let book = TreatyBook(instruments: [Self.instrument("UNTOC", recorded: "2003-09-29")], actions: withText)
        let table = book.standings(on: "UNTOC", asOf: day("2007-01-01"))
        #expect(table.map(\.participant.name) == ["European Union", "Italy", "Montenegro"])
        #expect(table.map(\.consentMarked) == ["2004-05-21 AA", "2006-08-02", "2006-10-23 d"])
        let csv = DepositaryTable.csv(table)
        #expect(csv.count == 4)
        #expect(csv[0].hasPrefix("Participant,Code,Signature,\"Ratification, Acceptance (A)"))
        #expect(csv[1] == "European Union,EUU,2000-12-12,2004-05-21 AA,2004-06-20,party,,")
        #expect(DepositaryTable.field("a \"b\", c") == "\"a \"\"b\"\", c\"")
    }

    @Test func theReferenceList() {
        let list = ReferenceList.participants
        #expect(list.count == 198)
        #expect(Set(list.map(\.code)).count == list.count)
        #expect(Set(list.map(\.name)).count == list.count)
        #expect(list.filter { $0.kind == .reio }.map(\.code) == ["EUU"])
        #expect(list.allSatisfy { $0.code.wholeMatch(of: /[A-Z]{3}/) != nil })
        #expect(ReferenceList.participant("ITA")?.name == "Italy")
        #expect(ReferenceList.participant("BOL")?.name == "Bolivia (Plurinational State of)")
        #expect(ReferenceList.violation("XXX")?.contains("not in the reference list") == true)
        #expect(ReferenceList.violation("it")?.contains("ISO 3166-1 alpha-3") == true)
        #expect(ReferenceList.violation("ITA") == nil)
    }
}

/// `2003-09-29` as a date; traps on a typo in a test.
func day(_ text: String) -> CalendarDate {
    guard let date = CalendarDate(iso: text) else { fatalError("not a date: \(text)") }
    return date
}
