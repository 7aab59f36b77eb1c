import Foundation
import Testing

@testable import Transfer

/// The export format without a database: reading with paths, the services' rules applied to every value,
/// deterministic writing, and the import plan's skip / conflict / missing-reference decisions.
@Suite("Transfer: the export format, its rules and the import plan")
struct TransferTests {
    static func versions(issuedEnglish date: String? = nil) -> [LanguageRecord] {
        ["ar", "zh", "en", "fr", "ru", "es"].map { language in
            language == "en" && date != nil
                ? LanguageRecord(language: language, status: "issued", date: date)
                : LanguageRecord(language: language)
        }
    }

    /// CTOC/COP with session 4, two documents (one revised), a decision with a link, and a draft.
    static func sample() -> ExportDocument {
        ExportDocument(
            bodies: [BodyRecord(code: "CTOC/COP", name: "Conference of the Parties", timezone: "Europe/Vienna")],
            sessions: [
                SessionRecord(
                    body: "CTOC/COP", number: 4, venue: "Vienna", timezone: "Europe/Vienna", start: "2008-10-08",
                    end: "2008-10-17", status: "closed")
            ],
            agendas: [
                AgendaRecord(
                    body: "CTOC/COP", session: 4, adopted: "2008-10-08",
                    items: [
                        AgendaItemRecord(item: 2, title: "Organizational matters"),
                        AgendaItemRecord(item: 1, title: "Opening"),
                        AgendaItemRecord(item: 2, sub: "a", title: "Adoption of the agenda"),
                    ])
            ],
            workingGroups: [
                WorkingGroupRecord(
                    body: "CTOC/COP", code: "WG.4", name: "Working Group on Trafficking in Persons",
                    establishedBy: "decision 4/4",
                    renames: [RenameRecord(from: "Trafficking group", to: "Working Group on Trafficking in Persons")])
            ],
            documents: [
                DocumentRecord(
                    symbol: "CTOC/COP/2008/19/Rev.1", body: "CTOC/COP", session: 4, title: "Report, revised",
                    parent: "CTOC/COP/2008/19", relation: "revision", languages: versions()),
                DocumentRecord(
                    symbol: "CTOC/COP/2008/19", body: "CTOC/COP", session: 4, title: "Report", issued: "2008-12-01",
                    languages: versions(issuedEnglish: "2008-12-01")),
                DocumentRecord(
                    symbol: "CTOC/COP/2008/2", body: "CTOC/COP", session: 4, title: "Annotations",
                    languages: versions()),
            ],
            decisions: [
                DecisionRecord(
                    body: "CTOC/COP", number: "4/7", title: "Amendment of rule 18", adopted: "2008-10-17",
                    links: [LinkRecord(relation: "amends", decision: "decision 4/1")]),
                DecisionRecord(body: "CTOC/COP", number: "4/1", title: "Review mechanisms", adopted: "2008-10-17"),
            ],
            drafts: [DraftRecord(body: "CTOC/COP", session: 4, title: "A draft", withdrawn: true, reason: "merged")])
    }

    static func text(_ document: ExportDocument) throws -> String {
        String(decoding: try ExportWriter.write(document), as: UTF8.self)
    }

    // MARK: - Writing

    @Test func writingIsDeterministicWhateverTheOrderOfTheRecords() throws {
        let document = Self.sample()
        var shuffled = document
        shuffled.documents.reverse()
        shuffled.decisions.reverse()
        shuffled.documents[0].languages.reverse()
        #expect(try Self.text(document) == Self.text(shuffled))

        let lines = try Self.text(document).split(separator: "\n").map(String.init)
        #expect(lines.prefix(3) == ["{", "\"format\": \"plenary-export\",", "\"version\": 1,"])
        // A document before its revision, 2008/2 before 2008/19; decisions by number; agenda items in order.
        let documents = lines.filter { $0.hasPrefix("{\"agenda_items\"") }
        #expect(documents.map { $0.contains("\"symbol\":\"CTOC/COP/2008/2\"") } == [true, false, false])
        #expect(documents[1].contains("\"symbol\":\"CTOC/COP/2008/19\""))
        #expect(documents[2].contains("\"symbol\":\"CTOC/COP/2008/19/Rev.1\""))
        let decisions = lines.filter { $0.contains("\"number\":\"4/") }
        #expect(decisions.map { $0.contains("\"number\":\"4/1\"") } == [true, false])
        let agenda = try #require(lines.first { $0.hasPrefix("{\"adopted\"") })
        #expect(agenda.contains("{\"item\":1,\"title\":\"Opening\"},{\"item\":2,\"title\""))
        // Keys of every record sorted; an absent value is left out, not null.
        #expect(lines.contains { $0.hasPrefix("{\"code\":\"CTOC/COP\",\"name\":") })
        #expect(!lines.joined().contains("null"))
    }

    @Test func whatIsWrittenReadsBackAsTheSameRecords() throws {
        let document = Self.sample()
        let read = try ExportReader.read(try ExportWriter.write(document))
        #expect(read == document.normalized())
        #expect(try ExportWriter.write(read) == ExportWriter.write(document))
    }

    // MARK: - Reading and checking

    static func refusal(_ document: ExportDocument) -> TransferError? {
        do {
            try ExportValidator.validate(document)
            return nil
        } catch {
            return error
        }
    }

    static func refusal(reading text: String) -> TransferError? {
        do {
            _ = try ExportReader.read(Data(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func aBadDateDeepInTheFileIsNamedByItsPath() throws {
        var document = Self.sample()
        for serial in 100...1400 {
            document.documents.append(
                DocumentRecord(
                    symbol: "CTOC/COP/2008/\(serial)", body: "CTOC/COP", session: 4, title: "Paper \(serial)",
                    languages: Self.versions()))
        }
        #expect(Self.refusal(document) == nil)
        document.documents[1233].languages[2] = LanguageRecord(language: "en", status: "issued", date: "2008-02-30")
        let error = try #require(Self.refusal(document))
        #expect(error.path.description == "documents[1233].languages[2].date")
        #expect(error.path.field == "date")
        #expect(error.description.contains("must be a date YYYY-MM-DD, got \"2008-02-30\""))
        #expect(error.description.hasSuffix("(document \(document.documents[1233].symbol))"))
        #expect(error.plenaryError.code == .badArgument)
    }

    @Test func theServicesRulesNameTheFieldOfTheRecord() {
        let cases: [(String, (inout ExportDocument) -> Void)] = [
            ("bodies[0].timezone", { $0.bodies[0].timezone = "Mars/Olympus" }),
            ("sessions[0].end", { $0.sessions[0].end = "2008-10-01" }),
            ("sessions[0].kind", { $0.sessions[0].part = 2 }),
            ("sessions[0].status", { $0.sessions[0].status = "adjourned" }),
            ("agendas[0].items[2].sub", { $0.agendas[0].items[2].item = 3 }),
            ("working_groups[0].code", { $0.workingGroups[0].code = "WG4" }),
            ("working_groups[0].name", { $0.workingGroups[0].name = "Something else" }),
            ("working_groups[0].established_by", { $0.workingGroups[0].establishedBy = "decision four" }),
            ("documents[0].symbol", { $0.documents[0].symbol = "CTOC/COP/20O8/19/Rev.1" }),
            ("documents[0].parent", { $0.documents[0].parent = "CTOC/COP/2008/2" }),
            ("documents[1].languages", { $0.documents[1].languages.removeLast() }),
            ("documents[1].languages[1].language", { $0.documents[1].languages[1].language = "de" }),
            ("documents[1].languages[2].sha256", { $0.documents[1].languages[2].sha256 = "abc" }),
            ("documents[2].title", { $0.documents[2].title = "  " }),
            ("decisions[0].number", { $0.decisions[0].number = "4-7" }),
            (
                "decisions[0].links[0].decision",
                { $0.decisions[0].links[0] = LinkRecord(relation: "amends", wg: "WG.4") }
            ),
            ("drafts[0].reason", { $0.drafts[0].withdrawn = false }),
            ("documents[2]", { $0.documents[2].symbol = "CTOC/COP/2008/19" }),
        ]
        for (path, change) in cases {
            var document = Self.sample()
            change(&document)
            #expect(Self.refusal(document)?.path.description == path, "expected a fault at \(path)")
        }
    }

    @Test func aPartialCorrigendumOfATextNotIssuedInItsLanguageIsRefusedWithItsPath() {
        var document = Self.sample()
        var frenchOnly = Self.versions()
        for index in frenchOnly.indices { frenchOnly[index].required = frenchOnly[index].language == "fr" }
        document.documents.append(
            DocumentRecord(
                symbol: "CTOC/COP/2008/19/Corr.1", body: "CTOC/COP", session: 4, title: "Report, corrigendum",
                parent: "CTOC/COP/2008/19", relation: "corrigendum", languages: frenchOnly))
        let error = Self.refusal(document)
        #expect(error?.path.description == "documents[3].languages")
        #expect(
            error?.description.contains(
                "the fr version of CTOC/COP/2008/19 is not issued; a corrigendum corrects an issued text") == true,
            "\(String(describing: error))")
        // Once the French text is issued, the same corrigendum stands; a full one never needed it.
        document.documents[1].languages[3] = LanguageRecord(language: "fr", status: "issued", date: "2008-12-10")
        #expect(Self.refusal(document) == nil)
        document.documents[1].languages[3] = LanguageRecord(language: "fr")
        document.documents[3].languages = Self.versions()
        #expect(Self.refusal(document) == nil)
    }

    @Test func theShapeOfTheFileIsCheckedFirst() {
        #expect(Self.refusal(reading: "[]")?.path.description == "(document)")
        #expect(Self.refusal(reading: #"{"format": "csv", "version": 1}"#)?.path.description == "format")
        #expect(
            Self.refusal(reading: #"{"format": "plenary-export", "version": 2}"#)?.reason
                == "this plenary reads version 1 of the format, got 2")
        var text = String(decoding: (try? ExportWriter.write(Self.sample())) ?? Data(), as: UTF8.self)
        text = text.replacingOccurrences(
            of: #""session":4,"symbol":"CTOC/COP/2008/19""#, with: #""session":"4","symbol":"CTOC/COP/2008/19""#)
        let error = Self.refusal(reading: text)
        #expect(error?.path.description == "documents[1].session")
        #expect(error?.reason == "must be an integer")
        let good = String(decoding: (try? ExportWriter.write(Self.sample())) ?? Data(), as: UTF8.self)
        let missing = Self.refusal(reading: good.replacingOccurrences(of: #""drafts": ["#, with: #""draftz": ["#))
        #expect(missing?.path.description == "drafts")
        #expect(missing?.reason == "is required")
    }

    // MARK: - Planning

    @Test func recordsTheDatabaseHoldsAreSkippedAndDifferentOnesRefused() throws {
        let file = Self.sample()
        let empty = try ImportPlan.make(file: file, existing: ExportDocument())
        #expect(empty.documents.map(\.record.key) == ["CTOC/COP/2008/2", "CTOC/COP/2008/19", "CTOC/COP/2008/19/Rev.1"])
        #expect(empty.documents.map(\.index) == [2, 1, 0], "each keeps its place in the file, for messages")
        #expect(empty.decisions.map(\.record.number) == ["4/1", "4/7"])
        #expect(empty.total == file.recordCount)

        let again = try ImportPlan.make(file: file, existing: file.normalized())
        #expect(again.total == 0)
        let skipped: [String: Int] = [
            "bodies": 1, "sessions": 1, "agendas": 1, "working_groups": 1, "documents": 3, "decisions": 2, "drafts": 1,
        ]
        #expect(again.skipped.filter { $0.value > 0 } == skipped)

        var changed = file.normalized()
        changed.documents[1].title = "Another title"
        do {
            _ = try ImportPlan.make(file: file, existing: changed)
            Issue.record("a conflicting record was not refused")
        } catch {
            #expect(error.path.description == "documents[1].title")
            #expect(error.code == .conflict)
            #expect(error.reason.contains(#"the file has "Report", the database "Another title""#))
        }
    }

    @Test func aReferenceToNothingIsRefusedWithItsPath() {
        var file = Self.sample()
        file.decisions[0].links = [LinkRecord(relation: "amends", decision: "decision 3/1")]
        do {
            _ = try ImportPlan.make(file: file, existing: ExportDocument())
            Issue.record("a link to a decision that does not exist was not refused")
        } catch {
            #expect(error.path.description == "decisions[0].links[0].decision")
            #expect(error.code == .notFound)
        }
        var orphan = Self.sample()
        orphan.documents.remove(at: 1)
        #expect(throws: TransferError.self) { try ImportPlan.make(file: orphan, existing: ExportDocument()) }
    }

    @Test func draftsAreMatchedByContentAsManyTimesAsTheyOccur() throws {
        var file = Self.sample()
        file.drafts.append(file.drafts[0])
        var existing = file.normalized()
        existing.drafts.removeLast()
        let plan = try ImportPlan.make(file: file, existing: existing)
        #expect(plan.drafts.count == 1)
        #expect(plan.skipped["drafts"] == 1)
    }
}
