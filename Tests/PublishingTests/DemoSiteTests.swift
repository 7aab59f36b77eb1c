import EmbeddedPostgres
import Foundation
import PlenaryTestSupport
import Testing

/// `plenary publish` through the real binary on the demo's record (CTOC/COP sessions 1–4): every page passes an
/// HTML validator (tidy), every internal link and fragment resolves, the same record gives the same bytes, a real
/// browser shows what a reader should see, and `--follow` updates a page within a second of a change.
@Suite("plenary publish: the demo's site")
struct DemoSiteTests {
    static let today = "2026-12-06"

    /// A tool the test needs is not installed.
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    @discardableResult
    static func plenary(
        _ words: [String], database: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws
        -> ProcessResult
    {
        let result = try PlenaryProcess.run(words, databaseURL: database, timeout: 300)
        #expect(
            result.status == 0, "\(words.joined(separator: " ")): \(result.stdout)\(result.stderr)",
            sourceLocation: sourceLocation)
        return result
    }

    /// The demo, with a few changes made through the commands so the site shows more than the import did: a
    /// language version issued, a corrigendum.
    static func demoDatabase() throws -> String {
        let database = try TestCluster.makeDatabase()
        try plenary(["demo"], database: database)
        try plenary(
            ["doc", "version", "CTOC/COP/2008/19", "lang=fr", "status=issued", "date=2008-12-10"], database: database)
        try plenary(["doc", "correct", "CTOC/COP/2008/19", "languages=en,fr"], database: database)
        return database
    }

    @discardableResult
    static func publish(_ database: String, into directory: URL) throws -> ProcessResult {
        try plenary(["publish", "--today", today, "-o", directory.path], database: database)
    }

    /// Every file under `root`, by path from it.
    static func files(_ root: URL) throws -> [String: Data] {
        var found: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: root.path)!
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: root.path + "/" + path, isDirectory: &isDirectory)
            if !isDirectory.boolValue { found[path] = try Data(contentsOf: root.appendingPathComponent(path)) }
        }
        return found
    }

    @Test func theDemoPublishesValidPagesWhoseLinksAllResolveAndTheSameRecordGivesTheSameBytes() throws {
        let database = try Self.demoDatabase()
        let root = try TestCluster.scratchDirectory().appendingPathComponent("site")
        let first = try Self.publish(database, into: root)
        #expect(first.stderr.contains("files written"), "\(first.stderr)")
        let site = try Self.files(root)
        for expected in [
            "index.html", "style.css", "CTOC_COP/index.html", "CTOC_COP/data.json", "CTOC_COP/calendar.ics",
            "CTOC_COP/sessions/4.html", "CTOC_COP/sessions/4.json", "CTOC_COP/documents/CTOC-COP-2008-19.html",
            "CTOC_COP/documents/CTOC-COP-2008-19-Corr.1.html", "CTOC_COP/decisions/decision-4-7.html",
            "CTOC_COP/working-groups/WG.2.html",
        ] {
            #expect(site[expected] != nil, "the site has \(expected)")
        }
        let pages = site.keys.filter { $0.hasSuffix(".html") }.sorted()
        #expect(pages.count >= 35, "\(pages.count) pages")

        // Valid: tidy (Debian's HTML5 validator) reports nothing at all on any page.
        for page in pages {
            let checked = try PlenaryProcess.runProcess(
                "/usr/bin/tidy", ["-q", "-e", "-utf8", root.appendingPathComponent(page).path], environment: [:])
            #expect(checked.status == 0 && checked.stderr.isEmpty, "\(page): \(checked.stderr)")
        }
        // Every internal link resolves, to a file and, with a fragment, to an id on that page.
        let hrefs = try Regex(#"(?:href|src)="([^"]*)""#)
        for page in pages {
            let html = String(decoding: site[page]!, as: UTF8.self)
            for match in html.matches(of: hrefs) {
                let target = String(match.output[1].substring!)
                if target.hasPrefix("http://") || target.hasPrefix("https://") || target.hasPrefix("mailto:") {
                    continue
                }
                let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(
                    String.init)
                let file =
                    parts[0].isEmpty
                    ? page
                    : URL(fileURLWithPath: "/" + page).deletingLastPathComponent().appendingPathComponent(parts[0])
                        .standardized.path.dropFirst().description
                #expect(site[file] != nil, "\(page): \(target) leads nowhere")
                if parts.count == 2, let holder = site[file] {
                    #expect(
                        String(decoding: holder, as: UTF8.self).contains("id=\"\(parts[1])\""),
                        "\(page): \(target) names no id on \(file)")
                }
            }
        }
        // Deterministic: again into the same directory writes nothing; into another, the same bytes.
        let again = try Self.publish(database, into: root)
        #expect(again.stderr.contains(": 0 files written"), "\(again.stderr)")
        let other = try TestCluster.scratchDirectory().appendingPathComponent("site")
        try Self.publish(database, into: other)
        #expect(try Self.files(other) == site)
    }

    @Test func aSecondPublishRendersOnlyWhatChangedSinceTheFirstAndEndsWithTheSameSiteAsAFullOne() throws {
        let database = try Self.demoDatabase()
        let root = try TestCluster.scratchDirectory().appendingPathComponent("site")
        let first = try Self.publish(database, into: root)
        #expect(!first.stderr.contains("changes since"), "\(first.stderr)")
        let stampPath = root.appendingPathComponent(".plenary-publication.json").path
        let stamp = try String(contentsOfFile: stampPath, encoding: .utf8)
        #expect(stamp.contains("\"trail\"") && stamp.contains("\"CTOC/COP\" : \"\(Self.today)\""), "\(stamp)")
        let untouched = root.appendingPathComponent("CTOC_COP/decisions/decision-1-1.html").path
        func modified(_ path: String) throws -> Date? {
            try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
        }
        let untouchedAt = try modified(untouched)

        // Nothing committed since: no page rendered (the one unchanged file is the stamp), nothing written.
        let idle = try Self.publish(database, into: root)
        #expect(
            idle.stderr.contains("(the changes since the last publication): 0 files written, 1 unchanged"),
            "\(idle.stderr)")

        // One change: the document's pages (and its session's) are rendered again, not the other pages.
        try Self.plenary(
            ["doc", "version", "CTOC/COP/2008/19", "lang=ru", "status=issued", "date=2008-09-15"], database: database)
        let changed = try Self.publish(database, into: root)
        #expect(changed.stderr.contains("(the changes since the last publication)"), "\(changed.stderr)")
        let counts = try #require(
            changed.stderr.firstMatch(of: /: ([0-9]+) files written, ([0-9]+) unchanged/), "\(changed.stderr)")
        let written = Int(counts.output.1)!
        let rendered = written + Int(counts.output.2)!
        #expect(written >= 2 && rendered < 20, "a handful of pages rendered: \(changed.stderr)")
        let page = try String(
            contentsOf: root.appendingPathComponent("CTOC_COP/documents/CTOC-COP-2008-19.html"), encoding: .utf8)
        #expect(page.contains("15 September 2008"))
        #expect(try modified(untouched) == untouchedAt, "a page the change does not touch is not rendered again")
        #expect(try String(contentsOfFile: stampPath, encoding: .utf8) != stamp, "the stamp moves to the new head")

        // The increment leaves exactly the site a whole publication of the same record writes.
        let whole = try TestCluster.scratchDirectory().appendingPathComponent("site")
        try Self.publish(database, into: whole)
        #expect(try Self.files(whole) == Self.files(root))

        // Anything the stamp cannot vouch for renders everything: --full, another day, a stamp from another
        // history (its hash changed), a stamp that is not one.
        let full = try Self.plenary(["publish", "--full", "--today", Self.today, "-o", root.path], database: database)
        #expect(full.stderr.contains(": 0 files written") && !full.stderr.contains("changes since"))
        let otherDay = try Self.plenary(["publish", "--today", "2026-12-07", "-o", root.path], database: database)
        #expect(!otherDay.stderr.contains("changes since"), "\(otherDay.stderr)")
        try Self.publish(database, into: root)
        let current = try String(contentsOfFile: stampPath, encoding: .utf8)
        let forged = current.replacing(/"trail" : "([0-9]+):[0-9a-f]{64}"/) { match in
            "\"trail\" : \"\(match.output.1):\(String(repeating: "ab", count: 32))\""
        }
        #expect(forged != current)
        try forged.write(toFile: stampPath, atomically: true, encoding: .utf8)
        let otherHistory = try Self.publish(database, into: root)
        #expect(!otherHistory.stderr.contains("changes since"), "\(otherHistory.stderr)")
        try "not a stamp".write(toFile: stampPath, atomically: true, encoding: .utf8)
        let garbled = try Self.publish(database, into: root)
        #expect(!garbled.stderr.contains("changes since") && garbled.stderr.contains(": 1 files written"))
        #expect(try Self.files(whole) == Self.files(root))
    }

    @Test func publishRunsInThisProcessOnly() throws {
        let database = try TestCluster.makeDatabase()
        let refused = try PlenaryProcess.run(
            ["publish", "--server", "127.0.0.1:7411", "-o", "/tmp/never"], databaseURL: database)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("publish runs in this process"), "\(refused.stderr)")
        let unknown = try PlenaryProcess.run(
            ["publish", "--body", "NO/SUCH", "-o", "/tmp/never"], databaseURL: database)
        #expect(unknown.status == 1 && unknown.stderr.contains("NO/SUCH"), "\(unknown.stderr)")
    }

    // MARK: - In a browser

    static func chromium() throws -> String {
        for path in ["/usr/bin/chromium-headless-shell", "/usr/bin/chromium"]
        where FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        throw Missing(description: "no chromium-headless-shell: Scripts/bootstrap installs it")
    }

    static func browser(_ arguments: [String]) throws -> ProcessResult {
        let home = try TestCluster.scratchDirectory()
        return try PlenaryProcess.runProcess(
            try chromium(),
            [
                "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1",
                "--user-data-dir=\(home.path)",
            ]
                + arguments,
            environment: ["HOME": home.path, "PATH": "/usr/bin:/bin"], timeout: 120)
    }

    /// What the browser shows: the DOM after loading, as text, tags stripped.
    static func shownText(_ page: URL) throws -> String {
        let dumped = try browser(["--dump-dom", page.absoluteString])
        #expect(dumped.status == 0, "\(dumped.stderr)")
        #expect(dumped.stdout.contains("</html>"), "a whole DOM for \(page.lastPathComponent)")
        return dumped.stdout.replacing(try Regex("<[^>]+>"), with: " ").replacing(try Regex(#"\s+"#), with: " ")
    }

    @Test func aReaderSeesSessionsNewestFirstSixLanguagesAndTheLineage() throws {
        let database = try Self.demoDatabase()
        let root = try TestCluster.scratchDirectory().appendingPathComponent("site")
        try Self.publish(database, into: root)
        let front = try Self.shownText(root.appendingPathComponent("CTOC_COP/index.html"))
        let order = ["CTOC/COP 4 —", "CTOC/COP 3 —", "CTOC/COP 2 —", "CTOC/COP 1 —"].map {
            front.range(of: $0)?.lowerBound
        }
        #expect(!order.contains(nil) && order.map { $0! } == order.map { $0! }.sorted(), "newest first: \(front)")
        #expect(front.contains("Working Group of Government Experts on Technical Assistance"))
        // The instruments, from the Treaties registry: the Convention first, each with the resolution that adopted
        // it and the date of entry into force the demo records (no deposits in the demo, so none is derived and
        // no State is party yet).
        let supplementing = ", supplementing the United Nations Convention against Transnational Organized Crime"
        let instruments = [
            (
                "United Nations Convention against Transnational Organized Crime", "15 November 2000", "55/25",
                "29 September 2003"
            ),
            (
                "Protocol to Prevent, Suppress and Punish Trafficking in Persons, Especially Women and Children"
                    + supplementing, "15 November 2000", "55/25", "25 December 2003"
            ),
            (
                "Protocol against the Smuggling of Migrants by Land, Sea and Air" + supplementing, "15 November 2000",
                "55/25", "28 January 2004"
            ),
            (
                "Protocol against the Illicit Manufacturing of and Trafficking in Firearms, Their Parts and Components "
                    + "and Ammunition" + supplementing, "31 May 2001", "55/255", "3 July 2005"
            ),
        ]
        #expect(front.contains("Instruments"))
        for (title, adopted, resolution, inForce) in instruments {
            #expect(
                front.contains(
                    "\(title) Adopted on \(adopted) by General Assembly resolution \(resolution) · "
                        + "Entered into force on \(inForce) (as recorded) · 0 parties"),
                "\(title) with its entry into force: \(front)")
        }
        let convention = front.range(of: instruments[0].0 + " Adopted")?.lowerBound
        let protocols = instruments.dropFirst().map { front.range(of: $0.0 + " Adopted")?.lowerBound }
        #expect(convention != nil && protocols.allSatisfy { $0 != nil && $0! > convention! }, "the Convention first")

        let session = try Self.shownText(root.appendingPathComponent("CTOC_COP/sessions/4.html"))
        #expect(session.contains("8–17 October 2008"))
        #expect(session.contains("CTOC/COP/2008/19"))
        #expect(session.contains("Decision 4/7"))

        let document = try Self.shownText(root.appendingPathComponent("CTOC_COP/documents/CTOC-COP-2008-19.html"))
        for name in ["العربية", "中文", "English", "Français", "Русский", "Español"] {
            #expect(document.contains(name), "the \(name) version is shown")
        }
        #expect(document.contains("10 December 2008"), "the French issue date")
        #expect(document.contains("CTOC/COP/2008/19/Corr.1"), "its corrigendum is linked")

        let decision = try Self.shownText(root.appendingPathComponent("CTOC_COP/decisions/decision-4-7.html"))
        #expect(decision.contains("Decision 1/1"), "what it acts on: \(decision)")
        let earlier = try Self.shownText(root.appendingPathComponent("CTOC_COP/decisions/decision-1-1.html"))
        #expect(earlier.contains("by Decision 4/7"), "what acts on it: \(earlier)")

        // Screenshots at desktop and phone widths; PLENARY_SCREENSHOTS names where to keep them (docs/ for the
        // README), otherwise they go to the scratch directory.
        let shots =
            try ProcessInfo.processInfo.environment["PLENARY_SCREENSHOTS"].map { URL(fileURLWithPath: $0) }
            ?? TestCluster.scratchDirectory()
        for (name, page, height) in [
            ("front", "CTOC_COP/index.html", 1500), ("session", "CTOC_COP/sessions/4.html", 1500),
            ("document", "CTOC_COP/documents/CTOC-COP-2008-19.html", 1200),
            ("decision", "CTOC_COP/decisions/decision-4-7.html", 1000),
        ] {
            for (width, suffix, tall) in [(1280, "desktop", height), (390, "phone", height * 2)] {
                let file = shots.appendingPathComponent("public-\(name)-\(suffix).png")
                let shot = try Self.browser([
                    "--screenshot=\(file.path)", "--window-size=\(width),\(tall)",
                    root.appendingPathComponent(page).absoluteString,
                ])
                #expect(shot.status == 0, "\(shot.stderr)")
                let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
                #expect(size > 10_000, "a screenshot of \(page) at \(width) px")
            }
        }
    }

    // MARK: - Following changes

    @Test func followRewritesTheDocumentPageWithinASecondOfTheChange() throws {
        let database = try Self.demoDatabase()
        let root = try TestCluster.scratchDirectory().appendingPathComponent("site")
        let log = try TestCluster.scratchDirectory().appendingPathComponent("publish.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PLENARY_") }
        environment["PLENARY_DATABASE_URL"] = database
        // The product's posix_spawn runner, not Foundation's Process (which crashes now and then on this toolchain).
        let process = try RunningProcess(
            [try TestCluster.plenaryBinary(), "publish", "--follow", "--today", Self.today, "-o", root.path],
            environment: environment, stdout: log.path, stderr: log.path)
        defer {
            process.signal(SIGTERM)
            process.waitUntilExit()
        }
        func logText() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        let page = root.appendingPathComponent("CTOC_COP/documents/CTOC-COP-2008-19.html")
        func russianRow() -> String? {
            guard let html = try? String(contentsOf: page, encoding: .utf8),
                let start = html.range(of: "lang=\"ru\">Русский")
            else { return nil }
            return String(html[start.upperBound...].prefix { $0 != "\n" })
        }
        #expect(
            poll(timeout: 120) { logText().contains("following changes") && russianRow() != nil },
            "the first publication: \(logText())")
        #expect(russianRow()?.contains("expected") == true)
        let untouched = root.appendingPathComponent("CTOC_COP/decisions/decision-1-1.html")
        let stamp = try FileManager.default.attributesOfItem(atPath: untouched.path)[.modificationDate] as? Date

        try Self.plenary(
            ["doc", "version", "CTOC/COP/2008/19", "lang=ru", "status=issued", "date=2008-09-15"], database: database)
        let returned = Date()
        let updated = poll(timeout: 10) { russianRow()?.contains("15 September 2008") == true }
        let shown = Date()
        #expect(updated, "the page shows the Russian version issued: \(logText())")
        // Measured from the audit row's time, which the transaction took before it committed: an upper bound on
        // the time from the commit to the page, whatever the CLI took to start and to return.
        let audit = try Self.plenary(["audit", "list", "limit=1"], database: database)
        let at = try #require(Self.auditTime(audit.stdout), "\(audit.stdout)")
        let elapsed = shown.timeIntervalSince(at)
        print(
            "publish: --follow rewrote the document page \(Int(elapsed * 1000)) ms after the change's transaction "
                + "(\(Int(shown.timeIntervalSince(returned) * 1000)) ms after doc version returned)")
        #expect(elapsed < 1.0, "within a second of the commit, took \(elapsed) s")
        #expect(russianRow()?.contains("issued") == true)
        let after = try FileManager.default.attributesOfItem(atPath: untouched.path)[.modificationDate] as? Date
        #expect(after == stamp, "a page the change does not touch is not rewritten")
    }

    /// The `at=` of the first audit record in `text` (`2026-12-06T20:31:36.123456Z`), as a date.
    static func auditTime(_ text: String) -> Date? {
        guard let match = text.firstMatch(of: /at=([0-9-]+T[0-9:]+)(\.[0-9]+)?Z/) else { return nil }
        let formatter = ISO8601DateFormatter()
        guard let whole = formatter.date(from: String(match.output.1) + "Z") else { return nil }
        return whole.addingTimeInterval(match.output.2.flatMap { Double("0" + $0) } ?? 0)
    }

    /// Polls `condition` every 20 ms until it holds or `timeout` seconds pass.
    func poll(timeout: TimeInterval, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return condition()
    }
}
