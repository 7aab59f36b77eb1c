import Foundation
import PlenaryTestSupport
import Testing

/// `plenary export`, `plenary import` and `plenary demo` through the real binary, against databases of the test's
/// own: the round trip is byte-identical on a realistic data set (the demo, records made by the services' commands,
/// and a generated conference of a few thousand records), an import is all or nothing and can be run twice, and a
/// refusal names the record's path in the file.
@Suite("plenary export, import and demo")
struct TransferCommandTests {
    @discardableResult
    static func plenary(
        _ words: [String], database: String, status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> ProcessResult {
        let result = try PlenaryProcess.run(words, databaseURL: database)
        #expect(
            result.status == status, "\(words.joined(separator: " ")): \(result.stdout)\(result.stderr)",
            sourceLocation: sourceLocation)
        if status != 0 { #expect(result.stdout.isEmpty, "\(result.stdout)", sourceLocation: sourceLocation) }
        return result
    }

    static func export(_ database: String) throws -> String {
        let result = try plenary(["export"], database: database)
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        return result.stdout
    }

    static func write(_ text: String) throws -> String {
        let file = try TestCluster.scratchDirectory().appendingPathComponent("export-\(UUID().uuidString).json")
        try Data(text.utf8).write(to: file)
        return file.path
    }

    @Test func theDemoLoadsTheConferencesFirstSessionsOnceAndForAll() throws {
        let database = try TestCluster.makeDatabase()
        let loaded = try Self.plenary(["demo"], database: database)
        #expect(loaded.stdout.contains("sessions=4"), "\(loaded.stdout)")
        #expect(loaded.stdout.contains("decisions=23"), "\(loaded.stdout)")
        let sessions = try Self.plenary(["session", "list", "body=CTOC/COP"], database: database).stdout
        #expect(sessions.hasSuffix("200 OK count=4\n"), "\(sessions)")
        #expect(sessions.contains("number=4 kind=regular venue=\"Vienna, Austria\" start=2008-10-08 end=2008-10-17"))
        let chain = try Self.plenary(
            ["--format", "json", "decision", "get", "body=CTOC/COP", "number=4/7"], database: database)
        #expect(chain.stdout.contains("decision 1/1"), "the lineage came along: \(chain.stdout)")
        let documents = try Self.plenary(["doc", "get", "CTOC/COP/2008/CRP.1"], database: database).stdout
        #expect(documents.contains("Vienna Forum"))

        let before = try Self.export(database)
        let again = try Self.plenary(["demo"], database: database)
        #expect(again.stdout.contains("0 rows written, 40 records already there"), "\(again.stdout)")
        #expect(try Self.export(database) == before)
        #expect(
            try Self.plenary(["audit", "verify"], database: database).stdout == "200 OK intact=true rows=1 unsealed=0\n"
        )
    }

    @Test func exportImportExportIsByteIdenticalOnARealisticDataSet() throws {
        let source = try TestCluster.makeDatabase()
        try Self.plenary(["demo"], database: source)
        try Self.madeByTheServices(source)
        let generated = try Self.write(Self.generatedConference())
        let loaded = try Self.plenary(["import", generated], database: source)
        #expect(loaded.stdout.contains("documents=2"), "\(loaded.stdout)")

        let first = try Self.export(source)
        #expect(first.split(separator: "\n").count > 3000, "a realistic data set: thousands of records")
        let file = try Self.write(first)
        let target = try TestCluster.makeDatabase()
        let imported = try Self.plenary(["import", file], database: target)
        #expect(imported.stdout.contains(" 0 records already there"), "\(imported.stdout)")
        let second = try Self.export(target)
        #expect(second == first, "export → import into an empty database → export is byte-identical")

        // Twice is once: nothing written, nothing changed, not even the audit trail.
        let again = try Self.plenary(["import", file], database: target)
        #expect(again.stdout.contains(": 0 rows written"), "\(again.stdout)")
        #expect(try Self.export(target) == first)
        #expect(
            try Self.plenary(["audit", "verify"], database: target).stdout == "200 OK intact=true rows=1 unsealed=0\n")
        // And the source, which holds every record already, takes its own export as a no-op too.
        #expect(try Self.plenary(["import", file], database: source).stdout.contains(": 0 rows written"))

        // -o writes the same bytes a file would get from stdout; --body narrows to one body.
        let output = try TestCluster.scratchDirectory().appendingPathComponent("out-\(UUID().uuidString).json")
        try Self.plenary(["export", "--output", output.path], database: target)
        #expect(try String(contentsOf: output, encoding: .utf8) == first)
        let demo = try Self.plenary(["export", "--body", "CTOC/COP"], database: target).stdout
        #expect(demo.contains("\"code\":\"CTOC/COP\"") && !demo.contains("GEN/COP"))
        try Self.plenary(["export", "--body", "NO/SUCH"], database: target, status: 1)
    }

    @Test func aBadDateInRecord1234IsRefusedByItsPathAndChangesNothing() throws {
        let database = try TestCluster.makeDatabase()
        try Self.plenary(["import", try Self.write(Self.generatedConference())], database: database)
        let before = try Self.export(database)

        // The 1,234th document of an export of the database, with a day that does not exist.
        var lines = before.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let first = try #require(lines.firstIndex(of: "\"documents\": [")) + 1
        let position = first + 1233
        var record = try #require(
            try JSONSerialization.jsonObject(with: Data(lines[position].trimmingCharacters(in: [","]).utf8))
                as? [String: Any])
        let symbol = try #require(record["symbol"] as? String)
        var languages = try #require(record["languages"] as? [[String: Any]])
        languages[2]["status"] = "issued"
        languages[2]["date"] = "2009-02-30"
        record["languages"] = languages
        lines[position] =
            String(decoding: try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]), as: UTF8.self)
            + ","
        let broken = try Self.write(lines.joined(separator: "\n"))

        let refused = try Self.plenary(["import", broken], database: database, status: 1)
        #expect(
            refused.stderr.contains(
                "documents[1233].languages[2].date: must be a date YYYY-MM-DD, "
                    + "got \"2009-02-30\" (document \(symbol))"),
            "\(refused.stderr)")
        #expect(try Self.export(database) == before, "nothing changed")

        let empty = try TestCluster.makeDatabase()
        let nothing = try Self.export(empty)
        try Self.plenary(["import", broken], database: empty, status: 1)
        #expect(try Self.export(empty) == nothing)
    }

    /// Rules the file's validator leaves to the database, broken deep in a large file: the import copies its
    /// chunks with the row triggers standing aside and checks their rules set-based (Schema/0016), so a check that
    /// missed a fault would let the row in. Each is refused naming the record's path, and nothing is written.
    @Test func rulesCheckedSetBasedAreRefusedByTheRecordsPathAndChangeNothing() throws {
        // A file of one record a line: the export of the generated conference.
        let source = try TestCluster.makeDatabase()
        try Self.plenary(["import", try Self.write(Self.generatedConference())], database: source)
        let lines = try Self.export(source).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let first = try #require(lines.firstIndex(of: "\"documents\": [")) + 1
        let empty = try TestCluster.makeDatabase()
        let nothing = try Self.export(empty)
        // The 1,234th document, as the file has it, changed by `change`.
        func broken(_ change: (inout [String: Any]) throws -> Void) throws -> (path: String, symbol: String) {
            let position = first + 1233
            var record = try #require(
                try JSONSerialization.jsonObject(with: Data(lines[position].trimmingCharacters(in: [","]).utf8))
                    as? [String: Any])
            try change(&record)
            var changed = lines
            changed[position] =
                String(
                    decoding: try JSONSerialization.data(
                        withJSONObject: record, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
                + (lines[position].hasSuffix(",") ? "," : "")
            return (try Self.write(changed.joined(separator: "\n")), try #require(record["symbol"] as? String))
        }

        // An agenda item its session's agenda does not have.
        let (noItem, itemSymbol) = try broken { record in record["agenda_items"] = ["9 (c)"] }
        let refusedItem = try Self.plenary(["import", noItem], database: empty, status: 1)
        #expect(refusedItem.stderr.contains("documents[1233]"), "\(refusedItem.stderr)")
        #expect(refusedItem.stderr.contains("agenda-item: 9 (c) is not an item of the agenda"), "\(refusedItem.stderr)")
        #expect(refusedItem.stderr.contains(itemSymbol), "\(refusedItem.stderr)")
        #expect(try Self.export(empty) == nothing, "nothing changed")

        // Issued on a day, with no language version issued.
        let (notIssued, issuedSymbol) = try broken { record in
            var languages = try #require(record["languages"] as? [[String: Any]])
            for index in languages.indices {
                languages[index]["status"] = "expected"
                languages[index]["date"] = nil
            }
            record["languages"] = languages
            record["issued"] = "1992-05-01"
        }
        let refusedIssued = try Self.plenary(["import", notIssued], database: empty, status: 1)
        #expect(
            refusedIssued.stderr.contains(
                "documents[1233].issued: \(issuedSymbol) cannot be issued on 1992-05-01 while no language version is "
                    + "issued"), "\(refusedIssued.stderr)")
        #expect(try Self.export(empty) == nothing, "nothing changed")
    }

    @Test func aConflictOrARuleOfTheDatabaseIsRefusedWithTheRecordsPathAndChangesNothing() throws {
        let database = try TestCluster.makeDatabase()
        try Self.plenary(["demo"], database: database)
        let before = try Self.export(database)

        // The same key with other values: refused, naming the field.
        let renamed = before.replacingOccurrences(
            of: "\"title\":\"Trafficking in human beings\"", with: "\"title\":\"Trafficking in persons\"")
        #expect(renamed != before)
        let conflict = try Self.plenary(["import", try Self.write(renamed)], database: database, status: 1)
        #expect(
            conflict.stderr.contains(
                "decisions[19].title: the database already holds decision 4/4 of CTOC/COP with other values: the file "
                    + "has \"Trafficking in persons\", the database \"Trafficking in human beings\""),
            "\(conflict.stderr)")

        // A fifth session overlapping the fourth: only the database's exclusion rule can tell; the refusal is traced
        // back to the record among those loaded with it, and the first four rows of the file are not left behind.
        var generated = Self.generatedConference()
        generated = generated.replacingOccurrences(
            of: "\"end\":\"1990-05-12\",\"format\":\"in-person\",\"kind\":\"regular\",\"number\":10",
            with: "\"end\":\"1990-11-05\",\"format\":\"in-person\",\"kind\":\"regular\",\"number\":10")
        let overlap = try Self.plenary(["import", try Self.write(generated)], database: database, status: 1)
        #expect(overlap.stderr.contains("sessions[10]: start: session 10 (part 2) of GEN/COP"), "\(overlap.stderr)")
        #expect(overlap.stderr.contains("would overlap session 10"), "\(overlap.stderr)")
        #expect(try Self.export(database) == before)
        #expect(
            try Self.plenary(["audit", "verify"], database: database).stdout == "200 OK intact=true rows=1 unsealed=0\n"
        )

        // A document whose symbol's year is not its session's: the registry's trigger refuses it inside a COPY of
        // thousands of rows, and the record is still found.
        let misfiled = Self.generatedConference().replacingOccurrences(
            of: "\"session\":5,\"symbol\":\"GEN/COP/1985/7\"", with: "\"session\":6,\"symbol\":\"GEN/COP/1985/7\"")
        let year = try Self.plenary(["import", try Self.write(misfiled)], database: database, status: 1)
        #expect(
            year.stderr.contains(
                "documents[566]: symbol: GEN/COP/1985/7 carries the year 1985, but session 6 of GEN/COP is held in 1986"
            ),
            "\(year.stderr)")
        #expect(try Self.export(database) == before)

        // Not a file of ours.
        let foreign = try Self.plenary(
            ["import", try Self.write("{\"format\":\"csv\"}")], database: database, status: 1)
        #expect(foreign.stderr.contains("format: must be \"plenary-export\""), "\(foreign.stderr)")
        try Self.plenary(["import", "/nonexistent/file.json"], database: database, status: 2)
    }

    @Test func importReadsStandardInput() throws {
        let source = try TestCluster.makeDatabase()
        try Self.plenary(["demo"], database: source)
        let text = try Self.export(source)
        let target = try TestCluster.makeDatabase()
        let result = try CLIProcess.run(["import", "-"], input: text, databaseURL: target)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("imported stdin: 74 rows written"), "\(result.stdout)")
        #expect(result.stderr.isEmpty, "no progress off a terminal: \(result.stderr)")
        #expect(try Self.export(target) == text)
    }

    @Test func anImportIsOneChangeEventForWatchers() throws {
        let database = try TestCluster.makeDatabase()
        let server = try ProtocolServer(databaseURL: database)
        defer { server.stop() }
        let token = try #require(server.bootstrapToken)
        let watcher = try ProtocolClient(port: server.port)
        #expect(watcher.readLine()?.hasPrefix("220 plenary") == true)
        #expect(watcher.command("auth token=\(token)") == ["200 OK name=admin role=admin"])
        #expect(watcher.command("watch topics=import").last?.hasPrefix("200 OK since=") == true)
        try Self.plenary(["demo"], database: database)
        let event = try #require(watcher.readLine())
        #expect(event.contains(" topic=import op=import id=demo:ctoc-cop-sessions-1-4 actor=local:"), "\(event)")
        #expect(watcher.command("ping") == ["200 OK pong=true"], "the feed goes on")
    }

    // MARK: - Data

    /// Records as the services make them: renames, adoption and amendment of an agenda, a resumed session, a
    /// postponement, drafts adopted and withdrawn, links, revisions, a corrigendum in one language, a reissue, a
    /// version with its file.
    static func madeByTheServices(_ database: String) throws {
        let steps: [[String]] = [
            ["body", "add", "code=CAC/COSP", "name=Conference of the States Parties", "timezone=Europe/Vienna"],
            ["doc", "deadline-rule", "body=CAC/COSP", "pre-session-days=56", "agenda-special-days=21"],
            [
                "session", "schedule", "body=CAC/COSP", "number=1", "start=2006-12-10", "end=2006-12-14",
                "venue=Dead Sea",
            ],
            ["session", "schedule", "body=CAC/COSP", "number=2", "start=2008-01-28", "end=2008-02-01", "venue=Bali"],
            [
                "session", "schedule", "body=CAC/COSP", "number=2", "kind=resumed", "start=2008-03-03",
                "end=2008-03-04",
                "venue=Vienna",
            ],
            ["session", "schedule", "body=CAC/COSP", "number=3", "start=2009-11-09", "end=2009-11-13", "venue=Doha"],
            ["session", "postpone", "body=CAC/COSP", "number=3", "reason=host country request"],
            ["session", "open", "body=CAC/COSP", "number=1"],
            ["agenda", "add", "body=CAC/COSP", "session=1", "item=1", "title=Opening of the session"],
            ["agenda", "add", "body=CAC/COSP", "session=1", "item=2", "title=Organizational matters"],
            ["agenda", "add", "body=CAC/COSP", "session=1", "item=2(a)", "title=Election of officers"],
            ["agenda", "adopt", "body=CAC/COSP", "session=1", "date=2006-12-10"],
            ["agenda", "amend", "body=CAC/COSP", "session=1", "item=3", "title=Technical assistance"],
            [
                "decision", "record", "body=CAC/COSP", "session=1", "kind=resolution", "number=1/1",
                "title=Review of implementation", "adopted=2006-12-13",
            ],
            [
                "wg", "establish", "body=CAC/COSP", "code=WG.2", "name=Working Group on Asset Recovery",
                "by=resolution 1/2", "established=2006-12-14",
            ],
            [
                "wg", "rename", "body=CAC/COSP", "code=WG.2", "name=Open-ended Working Group on Asset Recovery",
                "date=2007-01-10",
            ],
            [
                "meeting", "schedule", "body=CAC/COSP", "wg=WG.2", "start=2008-01-29", "end=2008-01-30", "venue=Bali",
                "with-session=2",
            ],
            ["doc", "register", "symbol=CAC/COSP/2006/1", "title=Provisional agenda", "session=1", "date=2006-10-01"],
            [
                "doc", "register", "symbol=CAC/COSP/2006/2", "title=Report", "session=1", "agenda-item=2,2 (a)",
                "languages=en,fr,es", "original=fr",
            ],
            ["doc", "revise", "symbol=CAC/COSP/2006/2"],
            // A corrigendum corrects an issued text: the French one here.
            ["doc", "version", "symbol=CAC/COSP/2006/2/Rev.1", "lang=fr", "status=issued", "date=2006-11-20"],
            ["doc", "correct", "symbol=CAC/COSP/2006/2/Rev.1", "languages=fr"],
            ["doc", "allocate", "body=CAC/COSP", "series=L", "session=1", "title=Draft resolution"],
            ["doc", "reissue", "symbol=CAC/COSP/2006/1"],
            [
                "doc", "version", "symbol=CAC/COSP/2006/1", "lang=en", "status=issued", "date=2006-10-01",
                "file=V0654321.pdf", "bytes=12345", "sha256=" + String(repeating: "ab", count: 32),
            ],
        ]
        for step in steps { try plenary(step, database: database) }
        let draft = try plenary(
            [
                "decision", "draft", "body=CAC/COSP", "session=1", "kind=resolution", "title=Asset recovery",
                "text=Decides to establish a working group", "document=CAC/COSP/2006/L.1",
            ], database: database)
        let withdrawn = try plenary(
            ["decision", "draft", "body=CAC/COSP", "session=1", "kind=decision", "title=Withdrawn one"],
            database: database)
        try plenary(
            ["decision", "draft", "body=CAC/COSP", "session=2", "kind=decision", "title=Pending"], database: database)
        func id(_ reply: ProcessResult) throws -> String {
            try #require(reply.stdout.split(separator: " ").last { $0.hasPrefix("id=") }).dropFirst(3)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try plenary(["decision", "adopt", "id=\(try id(draft))", "date=2006-12-14"], database: database)
        try plenary(["decision", "withdraw", "id=\(try id(withdrawn))", "reason=merged"], database: database)
        for link in ["establishes=wg:WG.2", "amends=resolution 1/1", "considers=doc:CAC/COSP/2006/2"] {
            try plenary(
                ["decision", "link", "body=CAC/COSP", "kind=resolution", "number=1/2", link], database: database)
        }
        try plenary(["session", "close", "body=CAC/COSP", "number=1"], database: database)
    }

    /// A body of twenty sessions (one resumed), agendas, three working groups (renamed, one dissolved) with
    /// meetings, some 2,500 documents in six languages with revisions and corrigenda, a hundred decisions with
    /// lineage, and drafts: an export document as another installation would write it.
    static func generatedConference() -> String {
        func json(_ value: Any) -> String {
            String(
                decoding: (try? JSONSerialization.data(
                    withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data(),
                as: UTF8.self)
        }
        let body = "GEN/COP"
        var sessions: [Any] = []
        var agendas: [Any] = []
        var documents: [Any] = []
        var decisions: [Any] = []
        var meetings: [Any] = []
        let languages = ["ar", "zh", "en", "fr", "ru", "es"]
        for number in 1...20 {
            let year = 1980 + number
            let status = number <= 18 ? "closed" : number == 19 ? "scheduled" : "postponed"
            var session: [String: Any] = [
                "body": body, "number": number, "part": 1, "kind": "regular", "venue": "Vienna",
                "timezone": "Europe/Vienna", "format": "in-person", "start": "\(year)-05-02", "end": "\(year)-05-12",
                "status": status, "revision": number % 3,
            ]
            if number == 20 { session["reason"] = "lack of quorum" }
            if number % 4 == 0 { session["title"] = "Session \(number)" }
            sessions.append(session)
            if number == 10 {
                sessions.append([
                    "body": body, "number": 10, "part": 2, "kind": "resumed", "venue": "New York",
                    "timezone": "America/New_York", "format": "hybrid", "start": "1990-11-05", "end": "1990-11-06",
                    "status": "closed", "revision": 0,
                ])
            }
            var agenda: [String: Any] = [
                "body": body, "session": number, "part": 1,
                "items": [
                    ["item": 1, "title": "Opening of the session"], ["item": 2, "title": "Organizational matters"],
                    ["item": 2, "sub": "a", "title": "Adoption of the agenda"],
                    ["item": 3, "title": "Implementation \(number)"],
                ],
            ]
            if status == "closed" { agenda["adopted"] = "\(year)-05-02" }
            agendas.append(agenda)
            for serial in 1...110 {
                let symbol =
                    serial <= 100
                    ? "\(body)/\(year)/\(serial)"
                    : serial <= 105
                        ? "\(body)/\(year)/CRP.\(serial - 100)"
                        : "\(body)/\(year)/L.\(serial - 105)"
                let original = serial % 5 == 0 ? "fr" : "en"
                let versions: [[String: Any]] = languages.enumerated().map { index, language in
                    var version: [String: Any] = [
                        "language": language, "required": serial % 7 != 0 || language == "en" || language == original,
                        "status": ["expected", "submitted", "translated", "issued"][(serial + index) % 4],
                    ]
                    if version["status"] as? String == "issued" {
                        version["date"] = "\(year)-0\(1 + index % 4)-1\(serial % 10)"
                    }
                    if language == "en" {
                        version["file"] = "V\(year)\(serial).pdf"
                        version["bytes"] = 1000 * serial
                        version["sha256"] = String(repeating: "0123456789abcdef", count: 4)
                    }
                    return version
                }
                var document: [String: Any] = [
                    "symbol": symbol + (serial == 50 ? "*" : ""), "body": body, "session": number,
                    "title": "Document \(serial) of session \(number) on the review of implementation",
                    "agenda_items": serial % 2 == 0 ? ["2 (a)"] : ["3"],
                    "original_language": original,
                    "distribution": serial > 105 ? "limited" : "general", "languages": versions,
                ]
                if serial % 3 == 0 { document["issued"] = "\(year)-03-01" }
                documents.append(document)
                if serial % 10 == 0, serial <= 100 {
                    for (suffix, relation) in [("Rev.1", "revision"), ("Corr.1", "corrigendum"), ("Add.1", "addendum")]
                    {
                        documents.append([
                            "symbol": "\(symbol)/\(suffix)", "body": body, "session": number,
                            "title": "\(relation) of \(serial)",
                            "agenda_items": [], "original_language": "en", "distribution": "general",
                            "parent": symbol, "relation": relation,
                            "languages": languages.map { ["language": $0, "required": true, "status": "expected"] },
                        ])
                    }
                }
            }
            if status == "closed" {
                for serial in 1...5 {
                    var links: [[String: Any]] = []
                    if serial == 2, number > 1 {
                        links.append(["relation": "amends", "decision": "decision \(number - 1)/1"])
                    }
                    if serial == 3, number > 1 {
                        links.append(["relation": "supersedes", "decision": "decision \(number - 1)/3"])
                    }
                    if serial == 4 { links.append(["relation": "considers", "document": "\(body)/\(year)/1"]) }
                    if number == 1, serial == 5 {
                        links += ["WG.1", "WG.2", "WG.3"].map { ["relation": "establishes", "wg": $0] }
                    }
                    if number == 18, serial == 1 { links.append(["relation": "dissolves", "wg": "WG.3"]) }
                    decisions.append([
                        "body": body, "kind": "decision", "number": "\(number)/\(serial)", "part": 1,
                        "title": "Decision \(serial) of session \(number)", "adopted": "\(year)-05-12",
                        "recorded": serial % 2 == 0, "links": links, "text": "The Conference decides \(serial).",
                    ])
                }
                decisions.append([
                    "body": body, "kind": "resolution", "number": "\(number)/1 A", "part": 1,
                    "title": "Resolution A", "adopted": "\(year)-05-11", "recorded": true, "links": [],
                    "agenda_item": "2 (a)", "ends": "\(year + 2)-12-31",
                ])
            }
            if number >= 2, number <= 17 {
                meetings.append([
                    "body": body, "wg": "WG.1", "number": number - 1, "start": "\(year)-02-10", "end": "\(year)-02-12",
                    "venue": "Vienna", "timezone": "Europe/Vienna", "status": number == 5 ? "cancelled" : "scheduled",
                    "revision": 0,
                ])
            }
        }
        meetings.append([
            "body": body, "wg": "WG.2", "number": 1, "start": "1990-05-03", "end": "1990-05-04", "venue": "Vienna",
            "timezone": "Europe/Vienna", "status": "scheduled", "revision": 1, "with_session": 10,
        ])
        documents.append([
            "symbol": "\(body)/WG.1/1985/1", "body": body, "wg": "WG.1", "meeting": 4, "title": "Provisional agenda",
            "agenda_items": [], "original_language": "en", "distribution": "general",
            "languages": languages.map { ["language": $0, "required": true, "status": "expected"] },
        ])
        let groups: [[String: Any]] = ["WG.1", "WG.2", "WG.3"].enumerated().map { index, code in
            var group: [String: Any] = [
                "body": body, "code": code, "name": "Working Group \(index + 1) (renamed)", "kind": "interim",
                "established_by": "decision 1/5", "established_on": "1981-05-12",
                "renames": [
                    [
                        "from": "Working Group \(index + 1)", "to": "Working Group \(index + 1) (interim)",
                        "on": "1983-01-01",
                    ],
                    [
                        "from": "Working Group \(index + 1) (interim)", "to": "Working Group \(index + 1) (renamed)",
                        "by": "decision 3/1",
                    ],
                ],
            ]
            if code == "WG.3" {
                group["dissolved_on"] = "1998-05-12"
                group["dissolved_by"] = "decision 18/1"
                group["mandate"] = "To review the implementation of the Convention."
            }
            return group
        }
        let drafts: [Any] = [
            [
                "body": body, "kind": "decision", "session": 19, "part": 1, "title": "Draft for session 19",
                "withdrawn": false,
            ],
            [
                "body": body, "kind": "resolution", "session": 19, "part": 1, "title": "Withdrawn draft",
                "withdrawn": true,
                "reason": "superseded by consensus text", "document": "\(body)/1999/L.1",
            ],
        ]
        let document: [String: Any] = [
            "format": "plenary-export", "version": 1,
            "bodies": [["code": body, "name": "Generated Conference of the Parties", "timezone": "Europe/Vienna"]],
            "deadline_rules": [
                ["body": body, "pre_session_days": 42, "agenda_regular_days": 90, "agenda_special_days": 30]
            ],
            "sessions": sessions, "agendas": agendas, "working_groups": groups, "meetings": meetings,
            "documents": documents, "decisions": decisions, "drafts": drafts,
        ]
        return json(document)
    }
}
