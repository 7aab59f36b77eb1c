import AdminProtocol
import Bodies
import Decisions
import Documents
import Foundation
import PlenaryCore
import Publishing
import Sessions
import Testing
import WorkingGroups

/// The pure renderer: pages from models, no database.
@Suite("Publishing: the renderer")
struct RendererTests {
    let renderer = SiteRenderer()

    func text(_ file: SiteFile) -> String { String(decoding: file.bytes, as: UTF8.self) }

    /// Every page the renderer makes from the fixture.
    func everyPage() -> [SiteFile] {
        let body = Fixture.body
        let report = Fixture.document(
            "CTOC/COP/2008/19", title: "Report of the Conference", supersededBy: "CTOC/COP/2008/19/Rev.1")
        let revision = Fixture.document(
            "CTOC/COP/2008/19/Rev.1", title: "Report of the Conference", parent: "CTOC/COP/2008/19",
            relation: "revision")
        let amending = Fixture.decision(4, 7, "Amending the rules")
        let amended = Fixture.decision(1, 1, "Rules of procedure", status: .superseded)
        let link = DecisionLink(
            body: body.code, from: Fixture.citation(4, 7), relation: .amends, to: .decision(Fixture.citation(1, 1)))
        return [
            renderer.index([body]), renderer.front(Fixture.front), renderer.data(Fixture.front),
            renderer.session(
                SessionPageModel(
                    body: body, parts: [Fixture.sessions[1]], agenda: nil, documents: [report, revision],
                    decisions: [amending])),
            renderer.document(DocumentPageModel(body: body, document: report, derived: [revision])),
            renderer.decision(
                DecisionPageModel(
                    body: body, decision: amending, links: [link], related: [Fixture.citation(1, 1): amended],
                    publishedDocuments: [], workingGroups: ["WG.2"])),
            renderer.decision(
                DecisionPageModel(
                    body: body, decision: amended, links: [link], related: [Fixture.citation(4, 7): amending],
                    publishedDocuments: [], workingGroups: ["WG.2"])),
            renderer.workingGroup(
                WorkingGroupPageModel(
                    body: body, group: Fixture.group,
                    renames: [
                        WorkingGroupRename(oldName: "Open-ended Interim Working Group", newName: Fixture.group.name)
                    ],
                    meetings: [Fixture.meeting], documents: [], acts: [], decisions: [])),
        ]
    }

    @Test func theFrontPageListsSessionsNewestFirstWhateverTheInputOrder() {
        let page = text(renderer.front(Fixture.front))
        let positions = [4, 3, 2, 1].map { page.range(of: ">CTOC/COP \($0)</span>")!.lowerBound }
        #expect(positions == positions.sorted(), "sessions 4, 3, 2, 1 in that order")
        var shuffled = Fixture.front
        shuffled.sessions.reverse()
        #expect(renderer.front(shuffled).bytes == renderer.front(Fixture.front).bytes, "same record, same bytes")
        #expect(page.contains("href=\"sessions/4.html#documents\">Documents of CTOC/COP 4</a>"))
        #expect(page.contains("href=\"sessions/4.html#decisions\">Decisions of CTOC/COP 4</a>"))
        #expect(page.contains("8–17 October 2008"))
        #expect(page.contains("Upcoming events") && page.contains("working-groups/WG.2.html#meeting-1"))
        #expect(!page.contains("<h2>Instruments</h2>"), "no instruments section until the registry has some")
    }

    @Test func instrumentsAreListedWithPartiesAndTextsPerLanguage() {
        var model = Fixture.front
        model.instruments = [
            PublishedInstrument(
                name: "United Nations Convention against Transnational Organized Crime",
                adoptedBy: "General Assembly resolution 55/25", entryIntoForce: Fixture.day("2003-09-29"), parties: 192,
                texts: [.ar: "https://example.org/ar.pdf", .en: "https://example.org/en.pdf"])
        ]
        let page = text(renderer.front(model))
        #expect(page.contains("<h2>Instruments</h2>"))
        #expect(page.contains("Entered into force on 29 September 2003 · 192 parties"))
        #expect(page.contains("hreflang=\"ar\" lang=\"ar\" dir=\"rtl\">العربية</a>"))
        #expect(page.contains("hreflang=\"en\" lang=\"en\">English</a>"))
    }

    @Test func anInstrumentSaysWhenItWasAdoptedAndWhereItsEntryIntoForceComesFrom() {
        var model = Fixture.front
        model.instruments = [
            PublishedInstrument(
                name: "Convention", adoptedBy: "General Assembly resolution 55/25",
                adoptedOn: Fixture.day("2000-11-15"),
                entryIntoForce: Fixture.day("2003-09-29"), forceBasis: .recorded, parties: 0),
            PublishedInstrument(
                name: "Protocol", adoptedOn: Fixture.day("2001-05-31"), entryIntoForce: Fixture.day("2005-07-03"),
                forceBasis: .derived),
        ]
        let page = text(renderer.front(model))
        #expect(
            page.contains(
                "Adopted on 15 November 2000 by General Assembly resolution 55/25 · "
                    + "Entered into force on 29 September 2003 (as recorded) · 0 parties"))
        #expect(page.contains("Adopted on 31 May 2001 · Entered into force on 3 July 2005 (derived from the deposits)"))
    }

    @Test func aDocumentPageShowsItsSixLanguagesMarkedAndItsCurrentText() {
        let report = Fixture.document(
            "CTOC/COP/2008/19", title: "Report", supersededBy: "CTOC/COP/2008/19/Rev.1",
            issued: ["en": "2008-08-01", "fr": "2008-08-05"])
        let revision = Fixture.document(
            "CTOC/COP/2008/19/Rev.1", title: "Report", parent: "CTOC/COP/2008/19", relation: "revision")
        let file = renderer.document(DocumentPageModel(body: Fixture.body, document: report, derived: [revision]))
        #expect(file.path == "CTOC_COP/documents/CTOC-COP-2008-19.html")
        let page = text(file)
        for (code, name) in [
            ("ar", "العربية"), ("zh", "中文"), ("en", "English"), ("fr", "Français"), ("ru", "Русский"),
            ("es", "Español"),
        ] {
            let dir = code == "ar" ? " dir=\"rtl\"" : ""
            #expect(page.contains("<span class=\"native\" lang=\"\(code)\"\(dir)>\(name)</span>"), "\(code) marked")
        }
        #expect(page.components(separatedBy: "dir=\"rtl\"").count == 2, "only Arabic is right to left")
        #expect(page.contains("5 August 2008"))
        #expect(page.contains("The current text is <a href=\"CTOC-COP-2008-19-Rev.1.html\">CTOC/COP/2008/19/Rev.1</a>"))
        #expect(page.contains("Revision: Report"))
        #expect(page.contains("hreflang=\"fr\">French text of CTOC/COP/2008/19</a>"))
    }

    @Test func aDecisionPageShowsItsLineageBothWays() {
        let pages = everyPage()
        let amending = text(pages.first { $0.path == "CTOC_COP/decisions/decision-4-7.html" }!)
        #expect(amending.contains("amends <a href=\"decision-1-1.html\"><span class=\"symbol\">Decision 1/1</span>"))
        #expect(amending.contains("superseded</span>"), "the far end's status")
        let amended = text(pages.first { $0.path == "CTOC_COP/decisions/decision-1-1.html" }!)
        #expect(amended.contains("amended by <a href=\"decision-4-7.html\"><span class=\"symbol\">Decision 4/7</span>"))
        #expect(amended.contains("It acts on no earlier decision"))
    }

    @Test func recordsAreEscapedNeverMarkup() {
        var model = Fixture.front
        model.sessions[0].title = "<script>alert(1)</script> & \"quoted\""
        let page = text(renderer.front(model))
        #expect(!page.contains("<script>"))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; \"quoted\""))
    }

    @Test func everyWordComesFromTheTable() throws {
        let prefixes = [
            "front", "session", "document", "decision", "group", "lang", "status", "kind", "format", "relation",
            "docrel", "distribution", "month", "date", "event", "native", "meeting", "footer", "site", "crumbs", "skip",
        ]
        let keyPattern = try Regex(#"\b("# + prefixes.joined(separator: "|") + #")\.[a-z]"#)
        for file in everyPage() where file.path.hasSuffix(".html") {
            let page = text(file)
            #expect(page.firstMatch(of: keyPattern) == nil, "\(file.path) shows a key the table lacks")
        }
        #expect(PageWords.english.language == "en")
    }

    @Test func aTranslationIsATableNotCode() throws {
        let french = try PageWords(
            json: Data(
                (#"{"language": "fr", "front.regular": "Sessions ordinaires", "month.10": "octobre", "#
                    + #""date.range.month": "{0}–{1} {2} {3}", "event.where": "{0}, {1}"}"#).utf8))
        let page = text(SiteRenderer(words: french).front(Fixture.front))
        #expect(page.contains("<html lang=\"fr\">"))
        #expect(page.contains("<h2>Sessions ordinaires</h2>"))
        #expect(page.contains("octobre 2008"))
        #expect(throws: DomainError.self) { try PageWords(json: Data(#"{"front.regular": "x"}"#.utf8)) }
    }

    @Test func pagesHaveLandmarksAndHeadingsInOrder() throws {
        for file in everyPage() where file.path.hasSuffix(".html") {
            let page = text(file)
            for landmark in [
                "<header class=\"site\">", "<nav class=\"crumbs\" aria-label=\"Breadcrumb\">", "<main id=\"main\">",
                "<footer class=\"site\">",
            ] {
                #expect(page.contains(landmark), "\(file.path): \(landmark)")
            }
            #expect(page.components(separatedBy: "<h1>").count == 2, "\(file.path): one h1")
            var level = 1
            for match in page.matches(of: try Regex(#"<h([1-6])[ >]"#)) {
                let next = Int(String(page[match.range].dropFirst(2).prefix(1)))!
                #expect(next <= level + 1, "\(file.path): h\(next) after h\(level)")
                level = next
            }
        }
    }

    @Test func theDataFileIsSortedAndStable() {
        let data = text(renderer.data(Fixture.front))
        #expect(data.hasPrefix("{\n  \"body\": {"))
        let listed = data[data.range(of: "\"sessions\": [")!.upperBound...]
        let sessions = listed.components(separatedBy: "\"number\": ").dropFirst().prefix(4).map { $0.prefix(1) }
        #expect(sessions == ["4", "3", "2", "1"])
        #expect(data.contains("\"page\": \"sessions/4.html\""))
        #expect(renderer.data(Fixture.front).bytes == renderer.data(Fixture.front).bytes)
    }

    @Test func theCalendarIsTheOneTheCalendarCommandWrites() {
        let view = CalendarView(
            body: Body.Recorded(id: 1, code: "CTOC/COP", name: Fixture.body.name, timeZone: "Europe/Vienna"),
            entries: Fixture.front.upcoming)
        let file = renderer.calendar(view)
        #expect(file.path == "CTOC_COP/calendar.ics")
        #expect(file.bytes == Array(ICalendar.render(view).utf8))
    }

    @Test(arguments: [
        ("session", "CTOC/COP/4", ChangeScope.session(body: "CTOC/COP", number: 4)),
        ("session", "CTOC/COP/4#2", .session(body: "CTOC/COP", number: 4)),
        ("agenda", "E/CN.15/17", .agenda(body: "E/CN.15", number: 17)),
        ("decision", "CTOC/COP/decision/4/7", .decision(body: "CTOC/COP", session: 4)),
        ("decision", "CTOC/COP/resolution/5/3A", .decision(body: "CTOC/COP", session: 5)),
        ("decision", "CTOC/COP/draft/17", .nothing),
        ("wg", "CTOC/COP/WG.2", .workingGroup(body: "CTOC/COP", code: "WG.2")),
        ("meeting", "CTOC/COP/WG.2/1", .workingGroup(body: "CTOC/COP", code: "WG.2")),
        ("document", "CTOC/COP/2008/19", .document("CTOC/COP/2008/19")),
        ("body", "CTOC/COP", .body("CTOC/COP")),
        ("token", "7", .nothing),
        ("import", "demo", .everything),
        ("session", "garbage", .everything),
    ])
    func aChangeIsPlacedByItsAuditRow(topic: String, id: String, scope: ChangeScope) {
        #expect(ChangeScope(topic: topic, id: id) == scope)
    }

    @Test func theWriterWritesOnlyWhatChanged() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("site-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let writer = try SiteWriter(root: root)
        let file = SiteFile(path: "A_B/documents/x.html", bytes: Array("one".utf8))
        #expect(try writer.write(file))
        #expect(try !writer.write(file), "the same bytes are not written again")
        #expect(try writer.write(SiteFile(path: file.path, bytes: Array("two".utf8))))
        #expect(try String(contentsOfFile: root + "/" + file.path, encoding: .utf8) == "two")
        let left = try FileManager.default.contentsOfDirectory(atPath: root + "/A_B/documents")
        #expect(left == ["x.html"], "no temporary file left behind")
    }
}
