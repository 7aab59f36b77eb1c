import Documents
import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Testing

/// `doc deadlines` per document (issue 17, point 4): each document once, by due day and then symbol, with the rule
/// that set its day, its worst state and its languages under it in the UN order; what is due soon; what left the
/// current text. Against the real database.
@Suite("Documents: the deadlines report, per document")
struct DeadlineReportTests {
    let office: Secretariat

    init() async throws { office = try await Secretariat() }

    func issue(_ symbol: String, _ languages: [Language], on date: String) async throws {
        for language in languages {
            try await office.documents.version(
                try DocumentSymbol(symbol), VersionUpdate(language: language, status: .issued, date: day(date)),
                by: Secretariat.clerk)
        }
    }

    /// Session 4 opens on 2008-10-08: the provisional agenda is due 60 days before (2008-08-09), the rest six weeks
    /// before (2008-08-27). Registered under serial 10, the agenda comes first all the same: by due day.
    func registerSession4() async throws {
        try await office.register("CTOC/COP/2008/2", "Implementation of the Convention")
        try await office.register("CTOC/COP/2008/3", "Technical assistance")
        try await office.register("CTOC/COP/2008/4", "Issued on time")
        try await office.register("CTOC/COP/2008/10", "Annotated provisional agenda")
        try await office.register("CTOC/COP/2008/CRP.1", "In-session paper", languages: [.en])
        try await issue("CTOC/COP/2008/10", [.zh, .en, .fr, .ru, .es], on: "2008-07-15")
        try await issue("CTOC/COP/2008/2", [.en], on: "2008-08-20")
        try await issue("CTOC/COP/2008/2", [.fr], on: "2008-09-05")
        try await issue("CTOC/COP/2008/3", [.ar, .zh, .ru, .es], on: "2008-08-20")
        try await issue("CTOC/COP/2008/3", [.en], on: "2008-09-01")
        try await issue("CTOC/COP/2008/3", [.fr], on: "2008-09-03")
        try await issue("CTOC/COP/2008/4", Language.allCases, on: "2008-08-01")
        try await issue("CTOC/COP/2008/CRP.1", [.en], on: "2008-10-09")
    }

    /// `symbol state days rule late=… missing=… due=…` of each document.
    static func summary(_ report: DeadlineReport) -> [String] {
        report.documents.map { document in
            func codes(_ state: String) -> String { document.languages(state).map(\.rawValue).joined(separator: ",") }
            return "\(document.symbol) \(document.state) \(document.daysLate) \(document.rule) late=\(codes("late")) "
                + "missing=\(codes("missing")) due=\(codes("due"))"
        }
    }

    @Test func eachDocumentOnceByDueDayWithItsRuleItsWorstStateAndItsLanguages() async throws {
        try await registerSession4()
        let report = try await office.documents.deadlines(body: "CTOC/COP", session: 4)
        #expect(
            Self.summary(report) == [
                "CTOC/COP/2008/10 missing 53 provisional-agenda-60 late= missing=ar due=",
                // Missing beats late: French came out late, four languages have not come out at all.
                "CTOC/COP/2008/2 missing 35 pre-session-42 late=fr missing=ar,zh,ru,es due=",
                // Every language issued, two late: the worst of them (French, 7 days) gives the days.
                "CTOC/COP/2008/3 late 7 pre-session-42 late=en,fr missing= due=",
            ])
        let agenda = try #require(report.documents.first)
        #expect(agenda.due == day("2008-08-09") && agenda.title == "Annotated provisional agenda")
        // The languages under each document, in the UN order, and the flat list in the same order.
        #expect(
            report.documents[1].entries.map { "\($0.language.rawValue) \($0.state) \($0.daysLate)" } == [
                "ar missing 35", "zh missing 35", "fr late 9", "ru missing 35", "es missing 35",
            ])
        #expect(report.entries == report.documents.flatMap(\.entries))
        #expect(report.entries.count == 8)
        #expect(report.entries.allSatisfy { entry in entry.symbol.description != "CTOC/COP/2008/4" })

        // The body's own rule renames the rule it applied, with its days.
        try await office.documents.setDeadlineRule(
            body: "CTOC/COP", preSessionDays: 28, agendaRegularDays: 70, by: Secretariat.clerk)
        let relaxed = try await office.documents.deadlines(body: "CTOC/COP", session: 4)
        #expect(
            Self.summary(relaxed) == [
                "CTOC/COP/2008/10 missing 63 provisional-agenda-70 late= missing=ar due=",
                "CTOC/COP/2008/2 missing 21 pre-session-28 late= missing=ar,zh,ru,es due=",
            ])
    }

    @Test func dueWithinAddsWhatFallsDueInThatManyDaysAndNoMore() async throws {
        try await registerSession4()
        let july = day("2008-07-01")
        // As of 1 July nothing has come out (the agenda's texts came out on the 15th) and nothing is past its day.
        let none = try await office.documents.deadlines(body: "CTOC/COP", session: 4, today: july)
        #expect(none.documents.isEmpty && none.entries.isEmpty)
        // The agenda is due in 39 days, the rest in 57.
        let agenda = try await office.documents.deadlines(body: "CTOC/COP", session: 4, today: july, dueWithin: 39)
        #expect(
            Self.summary(agenda) == [
                "CTOC/COP/2008/10 due 39 provisional-agenda-60 late= missing= due=ar,zh,en,fr,ru,es"
            ])
        #expect(agenda.documents[0].entries.allSatisfy { $0.state == "due" && $0.daysLate == 39 })
        let shorter = try await office.documents.deadlines(body: "CTOC/COP", session: 4, today: july, dueWithin: 38)
        #expect(shorter.documents.isEmpty)
        let all = try await office.documents.deadlines(body: "CTOC/COP", session: 4, today: july, dueWithin: 60)
        #expect(
            all.documents.map(\.symbol.description) == [
                "CTOC/COP/2008/10", "CTOC/COP/2008/2", "CTOC/COP/2008/3", "CTOC/COP/2008/4",
            ])
        #expect(all.documents.allSatisfy { $0.state == "due" })
        // Past its day for one document, due soon for the others: each document says which of its languages.
        let august = try await office.documents.deadlines(
            body: "CTOC/COP", session: 4, today: day("2008-08-21"), dueWithin: 10)
        #expect(
            Self.summary(august) == [
                "CTOC/COP/2008/10 missing 12 provisional-agenda-60 late= missing=ar due=",
                "CTOC/COP/2008/2 due 6 pre-session-42 late= missing= due=ar,zh,fr,ru,es",
                "CTOC/COP/2008/3 due 6 pre-session-42 late= missing= due=en,fr",
            ])
        await refused(.badArgument, "due-within: must be 0 to 365 days") {
            try await office.documents.deadlines(body: "CTOC/COP", session: 4, dueWithin: 366)
        }
    }

    @Test func aWithdrawnDocumentAndAnOriginalRevisedInEveryLanguageLeaveTheReport() async throws {
        try await registerSession4()
        try await office.documents.withdraw(
            try DocumentSymbol("CTOC/COP/2008/3"), reason: "Allocated by mistake", on: day("2008-09-10"),
            by: Secretariat.clerk)
        let withdrawn = try await office.documents.deadlines(body: "CTOC/COP", session: 4)
        #expect(withdrawn.documents.map(\.symbol.description) == ["CTOC/COP/2008/10", "CTOC/COP/2008/2"])

        // A revision of /2, issued in five of its six languages: the original is still the text to chase.
        let revision = try await office.documents.derive(
            .revision, of: try DocumentSymbol("CTOC/COP/2008/2"), by: Secretariat.clerk)
        #expect(revision.symbol.description == "CTOC/COP/2008/2/Rev.1")
        try await issue("CTOC/COP/2008/2/Rev.1", [.ar, .zh, .en, .fr, .ru], on: "2008-09-20")
        let partly = try await office.documents.deadlines(body: "CTOC/COP", session: 4)
        #expect(partly.documents.map(\.symbol.description) == ["CTOC/COP/2008/10", "CTOC/COP/2008/2"])
        // In all six: the revision is the current text and has no deadline; the original leaves the report, but
        // not before the day the last language came out.
        try await issue("CTOC/COP/2008/2/Rev.1", [.es], on: "2008-09-25")
        let revised = try await office.documents.deadlines(body: "CTOC/COP", session: 4)
        #expect(revised.documents.map(\.symbol.description) == ["CTOC/COP/2008/10"])
        let before = try await office.documents.deadlines(body: "CTOC/COP", session: 4, today: day("2008-09-24"))
        #expect(before.documents.map(\.symbol.description) == ["CTOC/COP/2008/10", "CTOC/COP/2008/2"])
    }
}
