import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Storage
import Testing
import Treaties

/// Every rule of the final clauses that concerns what may be entered, through the service (naming the key and the
/// rule, writing nothing) and through plain SQL (the database holds it whoever connects).
@Suite("Treaties: the rules, held by the database")
struct RuleTests {
    @Test func anUnknownStateCodeIsRefused() async throws {
        let section = try await TreatySection()
        try await refused(section, .badArgument, "state: XXX is not in the reference list") {
            try await section.sign("XXX", "2000-12-12")
        }
        try await refused(section, .badArgument, "state: must be an ISO 3166-1 alpha-3 code") {
            try await section.sign("it", "2000-12-12")
        }
        refusedSQL(
            try section.connection(),
            "INSERT INTO treaty_actions (instrument_id, participant, kind, acted_on) VALUES (1, 'XXX', 'signature', "
                + "'2000-12-12')", "state: XXX is not in the reference list")
    }

    @Test func aDateBeforeTheAdoptionIsRefused() async throws {
        let section = try await TreatySection()
        try await refused(
            section, .conflict, "date: 2000-11-01 is before the adoption of UNTOC of CTOC/COP on 2000-11-15"
        ) {
            try await section.deposit("ITA", .accession, "2000-11-01")
        }
        try await refused(section, .badArgument, "date: must not be after today (2026-01-01)") {
            try await section.deposit("ITA", .accession, "2027-01-01")
        }
    }

    @Test func aSignatureOutsideTheSignaturePeriodIsRefused() async throws {
        let section = try await TreatySection()
        try await refused(
            section, .conflict, "date: 2002-12-13 is outside the period UNTOC of CTOC/COP was open for signature",
            "(2000-12-12 to 2002-12-12)"
        ) {
            try await section.sign("ITA", "2002-12-13")
        }
        try await refused(section, .conflict, "date: 2000-12-11 is outside the period") {
            try await section.sign("ITA", "2000-12-11")
        }
        // The first and the last day are inside.
        try await section.sign("ITA", "2000-12-12")
        try await section.sign("FRA", "2002-12-12")
        try await refused(section, .conflict, "state: ITA already signed UNTOC of CTOC/COP on 2000-12-12") {
            try await section.sign("ITA", "2001-01-10")
        }
        // The firearms Protocol opened later than it was adopted: 30 June 2001.
        try await refused(section, .conflict, "date: 2001-06-29 is outside the period FIR of CTOC/COP") {
            try await section.sign("ITA", "2001-06-29", on: "FIR")
        }
    }

    @Test func ratificationAcceptanceApprovalNeedAPriorSignature() async throws {
        let section = try await TreatySection()
        for kind in [ActionKind.ratification, .acceptance, .approval] {
            try await refused(
                section, .conflict,
                "kind: \(kind.rawValue) by ITA of UNTOC of CTOC/COP on 2006-08-02 needs a prior "
                    + "signature, and it has not signed"
            ) {
                try await section.deposit("ITA", kind, "2006-08-02")
            }
        }
        try await section.sign("ITA", "2000-12-12")
        let ratified = try await section.deposit("ITA", .ratification, "2006-08-02")
        #expect(ratified.standing?.status == .party)
        #expect(ratified.standing?.inForce == day("2006-09-01"))
        #expect(ratified.instrument.inForce.basis == .recorded)
        #expect(ratified.position == 1)
    }

    @Test func accessionIsForThoseThatDidNotSign() async throws {
        let section = try await TreatySection()
        try await section.sign("ITA", "2000-12-12")
        try await refused(section, .conflict, "kind: ITA signed UNTOC of CTOC/COP on 2000-12-12; a signatory ratifies")
        {
            try await section.deposit("ITA", .accession, "2006-08-02")
        }
        // Not signed: accession and succession need no signature.
        try await section.deposit("MNE", .succession, "2006-10-23")
        try await section.deposit("AFG", .accession, "2003-09-24")
    }

    @Test func aSecondInstrumentIsRefusedUntilTheFirstWasDenouncedWithEffect() async throws {
        let section = try await TreatySection()
        try await section.deposit("AFG", .accession, "2003-09-24")
        try await refused(
            section, .conflict,
            "kind: AFG already deposited an instrument of accession for UNTOC of CTOC/COP on "
                + "2003-09-24; a second one is refused"
        ) {
            try await section.deposit("AFG", .succession, "2004-01-01")
        }
        // A denunciation received on 1 March 2010 takes effect on 1 March 2011.
        let denounced = try await section.treaties.denounce(
            body: "CTOC/COP", instrument: "UNTOC", state: "AFG", date: day("2010-03-01"), by: TreatySection.clerk)
        #expect(denounced.standing?.status == .denounced)
        try await refused(section, .conflict, "kind: AFG already deposited") {
            try await section.deposit("AFG", .accession, "2011-02-28")
        }
        let again = try await section.deposit("AFG", .accession, "2011-03-01")
        #expect(again.standing?.inForce == day("2011-03-31"))
        // A State is counted once: its first instrument was, its second is not.
        #expect(again.position == nil)
        #expect(again.instrument.inForce.counted == 1)
        try await refused(
            section, .conflict, "state: AFG had no instrument for UNTOC of CTOC/COP in effect on 2009-01-01"
        ) {
            _ = try await section.treaties.denounce(
                body: "CTOC/COP", instrument: "UNTOC", state: "AFG", date: day("2009-01-01"), by: TreatySection.clerk)
        }
    }

    @Test func theSeedsRuleTheConventionBeforeAnyProtocol() async throws {
        let section = try await TreatySection()
        try await section.sign("ITA", "2000-12-12")
        try await section.sign("ITA", "2000-12-12", on: "TIP")
        try await refused(
            section, .conflict,
            "instrument: ITA has deposited no instrument for UNTOC of CTOC/COP on or before "
                + "2006-08-01", "before (or on the same day as) any of its Protocols"
        ) {
            try await section.deposit("ITA", .ratification, "2006-08-01", on: "TIP")
        }
        try await section.deposit("ITA", .ratification, "2006-08-02")
        // Before the Convention's deposit: still refused.
        try await refused(section, .conflict, "on or before 2006-08-01") {
            try await section.deposit("ITA", .ratification, "2006-08-01", on: "TIP")
        }
        // The same day is enough.
        let supplementing = try await section.deposit("ITA", .ratification, "2006-08-02", on: "TIP")
        #expect(supplementing.standing?.inForce == day("2006-09-01"))
    }

    @Test func theSeedsRuleCannotBeBrokenByPlainSQL() async throws {
        let section = try await TreatySection()
        try await section.deposit("AFG", .accession, "2003-09-24")
        try await section.deposit("AFG", .accession, "2005-01-01", on: "TIP")
        let sql = try section.connection()
        // Deleting the Convention deposit, re-dating it after the Protocol's, moving it to another participant
        // or instrument, emptying the table: all refused.
        refusedSQL(
            sql, "DELETE FROM treaty_actions WHERE kind = 'accession' AND instrument_id = 1", "never edited or deleted")
        refusedSQL(sql, "UPDATE treaty_actions SET acted_on = '2006-01-01' WHERE instrument_id = 1", "never edited")
        refusedSQL(sql, "UPDATE treaty_actions SET participant = 'ALB' WHERE instrument_id = 1", "never edited")
        refusedSQL(sql, "UPDATE treaty_actions SET instrument_id = 3 WHERE instrument_id = 1", "never edited")
        refusedSQL(sql, "TRUNCATE treaty_actions", "TRUNCATE refused")
        refusedSQL(sql, "TRUNCATE treaty_participants CASCADE", "TRUNCATE refused")
        refusedSQL(sql, "DELETE FROM treaty_participants WHERE code = 'AFG'", "violates foreign key")
        refusedSQL(sql, "UPDATE treaty_participants SET code = 'AFX' WHERE code = 'AFG'", "violates foreign key")
        // The Protocol turned into a Convention, or its Convention swapped: instruments are fixed.
        refusedSQL(sql, "UPDATE instruments SET supplements_id = NULL WHERE code = 'TIP'", "is fixed once added")
        refusedSQL(sql, "UPDATE instruments SET adopted_on = '2000-01-01' WHERE code = 'UNTOC'", "is fixed once added")
        refusedSQL(sql, "DELETE FROM instruments WHERE code = 'UNTOC'", "is fixed once added")
        // A Protocol deposit inserted directly, with no Convention deposit on or before its day.
        refusedSQL(
            sql,
            "INSERT INTO treaty_actions (instrument_id, participant, kind, acted_on) VALUES (2, 'BDI', "
                + "'accession', '2003-09-23')", "has deposited no instrument for UNTOC")
        refusedSQL(
            sql,
            "INSERT INTO treaty_actions (instrument_id, participant, kind, acted_on) VALUES (3, 'ALB', "
                + "'accession', '2005-01-01')", "ALB has deposited no instrument for UNTOC")
        // A Convention denunciation received before the Protocol deposit that relied on the Convention's.
        refusedSQL(
            sql,
            "INSERT INTO treaty_actions (instrument_id, participant, kind, acted_on) VALUES (1, 'AFG', "
                + "'denunciation', '2004-06-01')", "would leave that Protocol deposit without it")
        // After the Convention's denunciation was received, no new Protocol deposit relies on it.
        try await section.treaties.denounce(
            body: "CTOC/COP", instrument: "UNTOC", state: "AFG", date: day("2010-01-01"), by: TreatySection.clerk)
        refusedSQL(
            sql,
            "INSERT INTO treaty_actions (instrument_id, participant, kind, acted_on) VALUES (3, 'AFG', "
                + "'accession', '2010-06-01')", "AFG has deposited no instrument for UNTOC")
        #expect(try section.written()[0] == 3)
    }

    @Test func declarationsAndTheirWithdrawal() async throws {
        let section = try await TreatySection()
        try await refused(section, .conflict, "state: CHE had neither signed nor deposited an instrument for UNTOC") {
            _ = try await section.treaties.declare(
                body: "CTOC/COP", instrument: "UNTOC", state: "CHE", kind: .notification, date: day("2006-10-27"),
                text: "Designated authority", article: "18(13)", by: TreatySection.clerk)
        }
        try await section.sign("CHE", "2000-12-12")
        try await section.deposit("CHE", .ratification, "2006-10-27")
        try await section.deposit("FRA", .accession, "2002-10-29")
        let made = try await section.treaties.declare(
            body: "CTOC/COP", instrument: "UNTOC", state: "CHE", kind: .reservation, date: day("2006-10-27"),
            text: "Not bound by article 35, paragraph 2", article: "35(2)", by: TreatySection.clerk)
        try await refused(section, .badArgument, "article: must be an article such as 35 or 35(2)") {
            _ = try await section.treaties.declare(
                body: "CTOC/COP", instrument: "UNTOC", state: "CHE", kind: .declaration, date: day("2006-10-27"),
                text: "x", article: "art. 5", by: TreatySection.clerk)
        }
        let id = made.action.id
        // Another participant's, or a declaration that does not exist.
        try await refused(
            section, .conflict, "declaration: \(id) is not a declaration, reservation or notification of FRA"
        ) {
            _ = try await section.treaties.withdraw(
                body: "CTOC/COP", instrument: "UNTOC", state: "FRA", declaration: id, date: day("2008-01-01"),
                by: TreatySection.clerk)
        }
        try await refused(section, .conflict, "declaration: 999999 is not a declaration") {
            _ = try await section.treaties.withdraw(
                body: "CTOC/COP", instrument: "UNTOC", state: "CHE", declaration: 999_999, date: day("2008-01-01"),
                by: TreatySection.clerk)
        }
        try await refused(section, .conflict, "date: 2006-10-26 is before the reservation") {
            _ = try await section.treaties.withdraw(
                body: "CTOC/COP", instrument: "UNTOC", state: "CHE", declaration: id, date: day("2006-10-26"),
                by: TreatySection.clerk)
        }
        _ = try await section.treaties.withdraw(
            body: "CTOC/COP", instrument: "UNTOC", state: "CHE", declaration: id, date: day("2008-01-01"),
            by: TreatySection.clerk)
        try await refused(section, .conflict, "was already withdrawn") {
            _ = try await section.treaties.withdraw(
                body: "CTOC/COP", instrument: "UNTOC", state: "CHE", declaration: id, date: day("2009-01-01"),
                by: TreatySection.clerk)
        }
        let standing = try await section.treaties.party(body: "CTOC/COP", state: "CHE")
        #expect(standing.first?.statements.first?.withdrawn == day("2008-01-01"))
        let earlier = try await section.treaties.party(body: "CTOC/COP", state: "CHE", on: day("2007-12-31"))
        #expect(earlier.first?.statements.first?.withdrawn == nil)
        // One audit row per act.
        let audit = try AuditLog.list(try section.connection(), entity: "treaty", limit: 100).reversed().map(
            \.operation)
        #expect(audit == ["sign", "deposit", "deposit", "declare", "withdraw"])
    }

    @Test func denouncingTheConventionDenouncesItsProtocols() async throws {
        let section = try await TreatySection()
        try await section.deposit("AFG", .accession, "2003-09-24")
        try await section.deposit("AFG", .accession, "2003-09-24", on: "TIP")
        let outcome = try await section.treaties.denounce(
            body: "CTOC/COP", instrument: "UNTOC", state: "AFG", date: day("2010-03-15"), by: TreatySection.clerk)
        #expect(outcome.standing?.denunciationEffective == day("2011-03-15"))
        let before = try await section.treaties.party(body: "CTOC/COP", state: "AFG", on: day("2011-03-14"))
        #expect(before.map(\.status) == [.party, .party])
        let after = try await section.treaties.party(body: "CTOC/COP", state: "AFG", on: day("2011-03-15"))
        #expect(after.map(\.instrument) == ["UNTOC", "TIP"])
        #expect(after.map(\.status) == [.denounced, .denounced])
        // The Protocol is already denounced with the Convention: its own denunciation is refused.
        try await refused(section, .conflict, "state: AFG had no instrument for TIP of CTOC/COP in effect") {
            _ = try await section.treaties.denounce(
                body: "CTOC/COP", instrument: "TIP", state: "AFG", date: day("2010-06-01"), by: TreatySection.clerk)
        }
    }

    @Test func theReferenceListInTheDatabaseIsTheOneShipped() async throws {
        let section = try await TreatySection()
        let rows = try section.connection().query("SELECT code, name, kind FROM treaty_participants ORDER BY code").rows
        let database = try rows.map { row in
            Participant(
                code: try row.decode("code"), name: try row.decode("name"),
                kind: ParticipantKind(rawValue: try row.decode("kind"))!)
        }
        #expect(database == ReferenceList.participants.sorted { $0.code < $1.code })
    }

    @Test func instrumentsAreCheckedWhenAdded() async throws {
        let section = try await TreatySection()
        try await refused(section, .conflict, "code: CTOC/COP already has an instrument with that code") {
            _ = try await section.treaties.add(
                InstrumentDraft(code: "UNTOC", title: "Again", adoptedOn: day("2000-11-15"), adoptedBy: "55/25"),
                body: "CTOC/COP", by: TreatySection.clerk)
        }
        try await refused(section, .conflict, "supplements: TIP of CTOC/COP is itself a Protocol") {
            _ = try await section.treaties.add(
                InstrumentDraft(
                    code: "X", title: "X", adoptedOn: day("2001-11-15"), adoptedBy: "55/25", supplements: "TIP"),
                body: "CTOC/COP", by: TreatySection.clerk)
        }
        try await refused(section, .notFound, "supplements: CTOC/COP has no instrument NOPE") {
            _ = try await section.treaties.add(
                InstrumentDraft(
                    code: "X", title: "X", adoptedOn: day("2001-11-15"), adoptedBy: "55/25", supplements: "NOPE"),
                body: "CTOC/COP", by: TreatySection.clerk)
        }
        try await refused(section, .badArgument, "signature-until: must not be before signature-from=2001-01-01") {
            _ = try await section.treaties.add(
                InstrumentDraft(
                    code: "X", title: "X", adoptedOn: day("2000-11-15"), adoptedBy: "55/25",
                    signatureFrom: day("2001-01-01"), signatureUntil: day("2000-12-31")),
                body: "CTOC/COP", by: TreatySection.clerk)
        }
        try await refused(section, .badArgument, "later-days: must be 0 to eif-days (20)") {
            _ = try await section.treaties.add(
                InstrumentDraft(
                    code: "X", title: "X", adoptedOn: day("2000-11-15"), adoptedBy: "55/25",
                    rule: EntryIntoForceRule(threshold: 40, days: 20, laterDays: 30)),
                body: "CTOC/COP", by: TreatySection.clerk)
        }
        refusedSQL(
            try section.connection(),
            "INSERT INTO instruments (body_id, code, title, adopted_on, adopted_by, later_days, eif_days) VALUES (1, "
                + "'Y', 'Y', '2000-01-01', 'x', 30, 20)", "instruments_days_range")
    }
}
