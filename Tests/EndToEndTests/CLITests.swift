import EmbeddedPostgres
import Foundation
import PlenaryTestSupport
import Testing

/// The real `plenary` binary as operators and scripts use it: both doors (in-process and `--server`) giving the same
/// output for every command group, every output format, exit codes, help without a database, completion scripts,
/// and the shell.
@Suite("plenary CLI")
struct CLITests {
    /// The local operator's name in every in-process run (the actor `local:clerk`); the server's token is named
    /// `clerk`. Token names hold no colon, so `whoami` is the one reply that tells the doors apart.
    static let user = "clerk"
    /// A database no run may reach: a remote command that ran in-process by mistake would fail on it.
    static let unreachable = "host=/nonexistent-plenary-socket dbname=x connect_timeout=1"

    // MARK: - Local and remote agree

    @Test func bothDoorsPrintTheSameForEveryCommandGroupInEveryFormat() throws {
        let catalog = try Catalog.load()
        let local = try TestCluster.makeDatabase()
        let remote = try Remote.start()
        defer { remote.server.stop() }

        // Changes run once per database: in-process against one, over TCP against the other, in turn in each
        // format; same operations, same actor name, so the replies must be equal byte for byte.
        let formats = ["text", "json", "table"]
        var ran = 0
        for (index, step) in Self.changes.enumerated() where catalog.has(step.words) {
            let format = formats[index % formats.count]
            let here = try Self.local(["--format", format] + step.words, database: local)
            let there = try remote.run(["--format", format] + step.words)
            #expect(here.status == step.status, "\(step.words) in-process: \(here.stderr)")
            Self.expectSame(here, there, "\(format) \(step.words.joined(separator: " "))")
            ran += 1
        }
        #expect(ran >= 4, "the body commands at least must have run")

        // Reads run against the one database the server uses, so the data is the same row for row. The server
        // goes first: its `auth` updates the token's last-used time, which `token list` shows.
        var reads = Self.reads.filter(catalog.has)
        reads += [["--format", "ics", "calendar", "body=CTOC/COP"]].filter { catalog.has(Array($0.dropFirst(2))) }
        for words in reads {
            for format in formats where !words.contains("ics") || format == "text" {
                let arguments = words.first == "--format" ? words : ["--format", format] + words
                let there = try remote.run(arguments)
                let here = try Self.local(arguments, database: remote.database)
                #expect(here.status == 0, "\(arguments) in-process: \(here.stderr)")
                Self.expectSame(here, there, arguments.joined(separator: " "), normalize: Self.withoutPoolCounts)
            }
        }

        // Every command of the catalog, as the catalog lists it, with no arguments: each is answered (most with a
        // 504 naming the first required key) and the answers agree. `watch` streams from a server, and only
        // reports a seq in-process; `status` reports the serving process, which in-process is none: both by
        // design (TransportTests checks `status` through both doors).
        for name in catalog.commands where name != "watch" && name != "status" {
            let words = name.split(separator: " ").map(String.init)
            let there = try remote.run(words)
            let here = try Self.local(words, database: remote.database)
            Self.expectSame(here, there, "bare \(name)", normalize: Self.withoutPoolCounts)
            #expect(!(here.stdout + here.stderr).isEmpty, "\(name) printed nothing")
        }
    }

    @Test func anInProcessCommandOverTCPIsTheSameLineTheServerReceives() throws {
        let remote = try Remote.start()
        defer { remote.server.stop() }
        // A value with spaces, quotes, a backslash, an equals sign and non-ASCII text: the shell's word is one
        // value, and the remote door must put it on the line so the server reads back exactly that value.
        let name = #"Conférence "des" Parties \ a=b"#
        let added = try remote.run(["body", "add", "code=A/B", "name=\(name)"])
        #expect(added.status == 0, "\(added.stderr)")
        let got = try remote.run(["--format", "json", "body", "get", "A/B"])
        let document = try Self.json(got.stdout)
        #expect((document["record"] as? [String: Any])?["name"] as? String == name)
        let here = try Self.local(["--format", "json", "body", "get", "A/B"], database: remote.database)
        #expect(here.stdout == got.stdout)
    }

    // MARK: - Output formats

    @Test func jsonIsOneTypedDocumentPerReply() throws {
        let database = try TestCluster.makeDatabase()
        _ = try Self.local(["body", "add", "code=CTOC/COP", "name=Conference of the Parties"], database: database)
        _ = try Self.local(["body", "add", "code=X/Y", "name=Other", "treaty=A treaty"], database: database)
        let remote = try Remote.start(database: database)
        defer { remote.server.stop() }
        for run in [{ try Self.local($0, database: database) }, { try remote.run($0) }] {
            let list = try run(["--format", "json", "body", "list"])
            #expect(list.status == 0)
            #expect(list.stdout.filter { $0 == "\n" }.count == 1, "one document on one line")
            let document = try Self.json(list.stdout)
            #expect(document["code"] as? Int == 200)
            #expect(document["ok"] as? Bool == true)
            #expect(document["count"] as? Int == 2, "numbers stay numbers")
            let records = try #require(document["records"] as? [[String: Any]])
            #expect(records.count == 2)
            #expect(records.first?["type"] as? String == "body")
            let first = try #require(records.first?["record"] as? [String: Any])
            #expect(first["code"] as? String == "CTOC/COP")
            #expect(first["treaty"] is NSNull, "a field without a value is null")
            #expect(document["record"] == nil, "a list has records only, whatever its count")

            let one = try Self.json(try run(["--format", "json", "body", "get", "X/Y"]).stdout)
            #expect(one["type"] as? String == "body")
            #expect((one["record"] as? [String: Any])?["treaty"] as? String == "A treaty")
            #expect((one["records"] as? [Any])?.count == 1)

            let session = try run(["--format", "json", "session", "list", "body=CTOC/COP"])
            #expect(try Self.json(session.stdout)["count"] as? Int == 0)

            let refused = try run(["--format", "json", "body", "get", "NOPE"])
            #expect(refused.status == 1)
            #expect(refused.stdout.isEmpty, "errors never go to stdout")
            let error = try Self.json(refused.stderr)
            #expect(error["code"] as? Int == 550)
            #expect(error["error"] as? String == "NOT_FOUND")
            #expect((error["message"] as? String)?.contains("NOPE") == true)
        }
    }

    @Test func aTerminalGetsATableWithColourUnlessNoColourPipesGetText() throws {
        let database = try TestCluster.makeDatabase()
        _ = try Self.local(
            ["body", "add", "code=CTOC/COP", "name=Conference of the Parties", "timezone=Europe/Vienna"],
            database: database)

        let terminal = try CLITerminal.run(["body", "list"], databaseURL: database)
        #expect(terminal.status == 0)
        #expect(terminal.output.contains("\u{1B}[1mCODE"), "a bold header on a terminal: \(terminal.output)")
        #expect(terminal.output.contains("CTOC/COP  Conference of the Parties  Europe/Vienna"))

        let plain = try CLITerminal.run(["body", "list"], databaseURL: database, environment: ["NO_COLOR": "1"])
        #expect(plain.output.contains("CODE      NAME"))
        #expect(!plain.output.contains("\u{1B}["), "NO_COLOR: no escape sequences at all")
        let dumb = try CLITerminal.run(["body", "list"], databaseURL: database, environment: ["TERM": "dumb"])
        #expect(!dumb.output.contains("\u{1B}["))

        let refused = try CLITerminal.run(["body", "get", "NOPE"], databaseURL: database)
        #expect(refused.status == 1)
        #expect(refused.output.contains("\u{1B}[31m550 NOT_FOUND"), "refusals in red on a terminal")

        let piped = try Self.local(["body", "list"], database: database)
        #expect(piped.stdout.hasPrefix("200-body code=CTOC/COP"), "a pipe gets the protocol's lines")
        let table = try Self.local(["--format", "table", "body", "list"], database: database)
        #expect(table.stdout.hasPrefix("CODE      NAME"))
        #expect(!table.stdout.contains("\u{1B}["), "no colour when stdout is not a terminal")
        #expect(!table.stdout.split(separator: "\n").contains { $0.hasSuffix(" ") }, "no trailing blanks")

        let narrow = try CLITerminal.run(["body", "list"], databaseURL: database, columns: 30)
        let rows = narrow.output.split(separator: "\n").filter { $0.contains("CTOC") }
        #expect(!rows.isEmpty)
        for row in rows {
            let visible = row.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
            #expect(visible.count <= 30, "a table fits the terminal: \(visible)")
            #expect(visible.contains("…"))
        }
    }

    @Test func formatIcsPrintsTheCalendarOfCalendarOnly() throws {
        let database = try TestCluster.makeDatabase()
        _ = try Self.local(
            ["body", "add", "code=CTOC/COP", "name=Conference of the Parties", "timezone=Europe/Vienna"],
            database: database)
        let scheduled = try Self.local(
            [
                "session", "schedule", "body=CTOC/COP", "number=4", "start=2008-10-08", "end=2008-10-17",
                "venue=Vienna, Austria",
            ], database: database)
        try #require(scheduled.status == 0, "\(scheduled.stderr)")

        let calendar = try Self.local(["--format", "ics", "calendar", "body=CTOC/COP"], database: database)
        #expect(calendar.status == 0, "\(calendar.stderr)")
        #expect(calendar.stdout.hasPrefix("BEGIN:VCALENDAR\r\n"))
        #expect(calendar.stdout.hasSuffix("END:VCALENDAR\r\n"))
        #expect(calendar.stdout.contains("DTSTART;VALUE=DATE:20081008\r\n"))
        #expect(!calendar.stdout.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "CRLF only")
        let explicit = try Self.local(
            ["--format", "ics", "calendar", "body=CTOC/COP", "format=ics"], database: database)
        #expect(explicit.stdout == calendar.stdout)

        let remote = try Remote.start(database: database)
        defer { remote.server.stop() }
        let overTCP = try remote.run(["--format", "ics", "calendar", "body=CTOC/COP"])
        #expect(overTCP.stdout == calendar.stdout)

        let notACalendar = try Self.local(["--format", "ics", "body", "list"], database: database)
        #expect(notACalendar.status == 2)
        #expect(notACalendar.stderr.contains("--format ics"))
        let conflicting = try Self.local(
            ["--format", "ics", "calendar", "body=CTOC/COP", "format=records"], database: database)
        #expect(conflicting.status == 2)
    }

    // MARK: - Exit codes

    @Test func exitCodesHoldForBothDoors() throws {
        let remote = try Remote.start()
        defer { remote.server.stop() }
        let doors: [(String, ([String]) throws -> ProcessResult)] = [
            ("in-process", { try Self.local($0, database: remote.database) }), ("remote", { try remote.run($0) }),
        ]
        for (door, run) in doors {
            let done = try run(["body", "list"])
            #expect(done.status == 0, "\(door): \(done.stderr)")
            #expect(done.stderr.isEmpty)
            let refused = try run(["body", "get", "NOPE"])
            #expect(refused.status == 1, "\(door) 550")
            #expect(refused.stdout.isEmpty)
            #expect(refused.stderr.hasPrefix("550 NOT_FOUND"), "\(door): \(refused.stderr)")
            let badKey = try run(["body", "add", "code=X"])
            #expect(badKey.status == 1, "\(door) 504")
            for usage in [
                ["--format", "xml", "body", "list"], ["body", "list", "--format"], ["--timeout", "-1", "ping"],
            ] {
                let result = try run(usage)
                #expect(result.status == 2, "\(door) \(usage): \(result.stderr)")
                #expect(result.stdout.isEmpty)
                #expect(result.stderr.hasPrefix("plenary: "))
            }
        }

        let noServer = try PlenaryProcess.run(
            ["--server", "127.0.0.1:1", "body", "list"], databaseURL: Self.unreachable)
        #expect(noServer.status == 3)
        #expect(noServer.stderr == "451 UNAVAILABLE server 127.0.0.1:1: cannot connect: connection refused\n")
        let fromEnvironment = try PlenaryProcess.run(
            ["body", "list"], databaseURL: Self.unreachable, environment: ["PLENARY_SERVER": "127.0.0.1:1"])
        #expect(fromEnvironment.status == 3, "PLENARY_SERVER names the server too")
        let badAddress = try PlenaryProcess.run(["--server", "local host:x", "ping"], databaseURL: Self.unreachable)
        #expect(badAddress.status == 2)
        #expect(badAddress.stderr.contains("--server: must be HOST:PORT"))

        // 511 is a 5xx: a bad token is refused by the server, exit 1, and nothing runs.
        let wrongToken = try PlenaryProcess.run(
            ["--server", "127.0.0.1:\(remote.server.port)", "--token", "pln_wrong", "body", "list"],
            databaseURL: Self.unreachable)
        #expect(wrongToken.status == 1)
        #expect(wrongToken.stderr.hasPrefix("511 AUTH_FAILED"))
        let noToken = try PlenaryProcess.run(
            ["--server", "127.0.0.1:\(remote.server.port)", "body", "list"], databaseURL: Self.unreachable)
        #expect(noToken.status == 1)
        #expect(noToken.stderr.hasPrefix("511 AUTH_REQUIRED"))
        let beforeAuth = try PlenaryProcess.run(
            ["--server", "127.0.0.1:\(remote.server.port)", "ping"], databaseURL: Self.unreachable)
        #expect(beforeAuth.status == 0, "ping needs no token: \(beforeAuth.stderr)")
        let tokenFromEnvironment = try PlenaryProcess.run(
            ["body", "list"], databaseURL: Self.unreachable,
            environment: ["PLENARY_SERVER": "127.0.0.1:\(remote.server.port)", "PLENARY_TOKEN": remote.token])
        #expect(tokenFromEnvironment.status == 0, "\(tokenFromEnvironment.stderr)")
    }

    @Test func aServerThatMisbehavesIsUnavailableNotAHang() throws {
        let silent = try CLIFakeServer { connection in
            connection.send("220 plenary version=9 proto=1 auth=token\n")
            while connection.readLine() != nil {}
        }
        defer { silent.stop() }
        let started = Date()
        let timedOut = try PlenaryProcess.run(
            ["--server", "127.0.0.1:\(silent.port)", "--timeout", "1", "ping"], databaseURL: Self.unreachable)
        #expect(timedOut.status == 3)
        #expect(timedOut.stderr.contains("timed out after 1 s waiting for a reply"), "\(timedOut.stderr)")
        #expect(Date().timeIntervalSince(started) < 20)

        let scripts: [(String, String, @Sendable (CLIFakeServer.Connection) -> Void)] = [
            ("HTTP", "not a Plenary server", { $0.send("HTTP/1.1 400 Bad Request\r\n\r\n") }),
            ("proto 2", "protocol 2", { $0.send("220 plenary version=9 proto=2 auth=token\n") }),
            ("full", "421 CLOSING too many connections", { $0.send("421 CLOSING too many connections\n") }),
            (
                "hangs up", "closed the connection",
                { connection in
                    connection.send("220 plenary version=9 proto=1 auth=token\n")
                    _ = connection.readLine()
                    connection.close()
                }
            ),
            (
                "endless line", "longer than",
                { connection in
                    connection.send("220 plenary version=9 proto=1 auth=token\n")
                    _ = connection.readLine()
                    connection.send("200 OK x=" + String(repeating: "y", count: 3 << 20) + "\n")
                }
            ),
            (
                "garbage reply", "unreadable reply line",
                { connection in
                    connection.send("220 plenary version=9 proto=1 auth=token\n")
                    _ = connection.readLine()
                    connection.send("hello there\n")
                }
            ),
        ]
        for (label, expected, script) in scripts {
            let server = try CLIFakeServer(script: script)
            defer { server.stop() }
            let result = try PlenaryProcess.run(
                ["--server", "127.0.0.1:\(server.port)", "--timeout", "10", "ping"], databaseURL: Self.unreachable)
            #expect(result.status == 3, "\(label): \(result.stderr)")
            #expect(result.stderr.contains(expected), "\(label): \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }

    @Test func jsonOfACreatedBodyOverTCP() throws {
        let remote = try Remote.start()
        defer { remote.server.stop() }
        let database = try TestCluster.makeDatabase()
        let here = try Self.local(["--format", "json", "body", "add", "code=A/B", "name=N"], database: database)
        #expect(here.status == 0)
        #expect(try Self.json(here.stdout)["body"] as? String == "A/B")
        // The summary names the body `body=`, never `code=`, which the protocol's JSON mode reserves for the reply
        // code: the same command must give the same document over TCP.
        let there = try remote.run(["--format", "json", "body", "add", "code=A/B", "name=N"])
        Self.expectSame(here, there, "json body add")
    }

    /// Whether this binary's catalog has `watch` (the change feed may land after the CLI).
    static var catalogHasWatch: Bool { (try? Catalog.load().commands.contains("watch")) ?? false }

    @Test(.enabled(if: catalogHasWatch, "watch is not in the catalog yet"))
    func watchOverTCPPrintsEventsAsTheyCome() throws {
        let remote = try Remote.start()
        defer { remote.server.stop() }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("watch-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let watcher = try RunningProcess(
            [
                try TestCluster.plenaryBinary(), "--server", "127.0.0.1:\(remote.server.port)", "--token", remote.token,
                "watch",
            ],
            environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PLENARY_") },
            stdout: output.path, stderr: "/dev/null")
        defer {
            watcher.signal(SIGTERM)
            watcher.waitUntilExit()
        }
        func waitFor(_ text: String) -> Bool {
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline {
                if ((try? String(contentsOf: output, encoding: .utf8)) ?? "").contains(text) { return true }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return false
        }
        #expect(waitFor("200 OK"), "the reply to watch comes first")
        let added = try remote.run(["body", "add", "code=W/WATCHED", "name=Watched"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(waitFor("650 EVENT"), "the change arrives as the protocol's event line")
        #expect(watcher.isRunning, "the stream goes on until the server ends it or the operator stops it")
    }

    // MARK: - Help and completion

    @Test func helpWorksWithoutAnyDatabase() throws {
        let directory = try TestCluster.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let binary = try TestCluster.plenaryBinary()
        // No PLENARY_DATABASE_URL at all, in an empty directory: a command that needed the database would start
        // the embedded cluster here.
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PLENARY_") }
        func run(_ arguments: [String]) throws -> ProcessResult {
            try PlenaryProcess.runProcess(
                binary, arguments, environment: environment, timeout: 30, currentDirectory: directory.path)
        }
        let overview = try run(["help"])
        #expect(overview.status == 0, "\(overview.stderr)")
        for command in ["body add", "body get", "token create", "audit verify", "status", "ping"] {
            #expect(overview.stdout.contains("  \(command) "), "help lists \(command)")
        }
        #expect(overview.stdout.contains("Built in: serve, migrate, db, reference, shell"))

        let page = try run(["help", "body", "add"])
        #expect(page.status == 0)
        #expect(page.stdout.hasPrefix("body add: Add a treaty body"))
        #expect(page.stdout.contains("usage: plenary body add code=CTOC/COP name=TEXT"))
        #expect(page.stdout.contains("  timezone  IANA time zone  optional  the body's home time zone (default: UTC)"))
        for flag in ["--help", "-h"] {
            let asFlag = try run(["body", "add", flag])
            #expect(asFlag.stdout == page.stdout, "body add \(flag) is help body add")
            let afterArguments = try run(["body", "add", "code=X", flag])
            #expect(afterArguments.stdout == page.stdout)
            let afterAMistake = try run(["body", "add", "Code=X", flag])
            #expect(afterAMistake.stdout == page.stdout, "help even when the rest of the line is wrong")
        }
        let noun = try run(["body", "--help"])
        #expect(noun.stdout.contains("  body add ") && noun.stdout.contains("  body list "))
        #expect(!noun.stdout.contains("token create"))
        let oneWord = try run(["status", "--help"])
        #expect(oneWord.stdout.hasPrefix("status: "))
        let unknown = try run(["bodies", "--help"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.hasPrefix("502 UNKNOWN_COMMAND"))
        let builtin = try run(["help", "serve"])
        #expect(builtin.status == 0)
        #expect(builtin.stdout.contains("--listen"))

        let records = try run(["--format", "json", "help"])
        let document = try Self.json(records.stdout)
        #expect((document["records"] as? [Any])?.count == document["count"] as? Int)
        let text = try run(["--format", "text", "help", "body", "add"])
        #expect(text.stdout.hasPrefix(#"200-command name="body add""#))

        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers.isEmpty, "help started nothing: \(leftovers)")
    }

    @Test func completionScriptsAreGeneratedAndCompleteTheCatalog() throws {
        for shell in ["bash", "zsh", "fish"] {
            let script = try PlenaryProcess.run(["--generate-completion-script", shell], databaseURL: Self.unreachable)
            #expect(script.status == 0, "\(shell): \(script.stderr)")
            #expect(script.stdout.contains("---completion"), "\(shell) completes the catalog through the binary")
            #expect(script.stdout.contains("serve"))
        }
        let binary = try TestCluster.plenaryBinary()
        // What bash would offer: the generated script, sourced, asked as bash asks on Tab.
        func bashCompletes(_ words: [String]) throws -> [String] {
            let line = ([binary] + words).joined(separator: " ")
            let program = """
                source <("$0" --generate-completion-script bash)
                COMP_WORDS=("$0" \(words.map { "'\($0)'" }.joined(separator: " ")))
                COMP_CWORD=\(words.count)
                COMP_LINE='\(line)'
                COMP_POINT=${#COMP_LINE}
                _plenary
                printf '%s\\n' "${COMPREPLY[@]}"
                """
            let result = try PlenaryProcess.runProcess(
                "/bin/bash", ["-c", program, binary], environment: ProcessInfo.processInfo.environment, timeout: 30)
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout.split(separator: "\n").map(String.init).sorted()
        }
        #expect(try bashCompletes(["body", ""]) == ["add", "get", "list"])
        #expect(try bashCompletes(["token", "create", "ro"]) == ["role="])
        #expect(try bashCompletes(["token", "create", "name=x", ""]) == ["role="])
        #expect(try bashCompletes(["se"]).contains("serve"))
        #expect(try bashCompletes(["se"]).contains("session"))
        #expect(try bashCompletes(["serve", "--li"]) == ["--listen"])
        // bash itself splits a word at `=`: `role=ad` reaches the script as role, =, ad.
        #expect(try bashCompletes(["token", "create", "role", "=", "ad"]) == ["admin"])
    }

    // MARK: - The shell

    @Test func theShellRunsPipedLinesAsTheCommandLineDoes() throws {
        let remote = try Remote.start()
        defer { remote.server.stop() }
        let local = try TestCluster.makeDatabase()
        let script = """
            # a comment, then a blank line

            body add code=CTOC/COP name="Conference of the Parties" timezone=Europe/Vienna
            body list
            body add code="unterminated
            help body get
            BODY GET CTOC/COP
            body get NOPE
            quit
            body list

            """
        let here = try CLIProcess.run(["shell"], input: script, databaseURL: local, environment: ["USER": Self.user])
        #expect(here.status == 1, "the exit code of the last command (body get NOPE): \(here.stderr)")
        #expect(
            here.stdout.hasPrefix(
                "201-body code=CTOC/COP name=\"Conference of the Parties\" timezone=Europe/Vienna\n"
                    + "201 OK body=CTOC/COP\n200-body code=CTOC/COP"))
        #expect(here.stdout.contains("body get: Show one treaty body."), "help is a page")
        #expect(here.stdout.filter { $0 == "\n" }.count < 20, "nothing after quit ran, no prompt on a pipe")
        let errors = here.stderr.split(separator: "\n")
        #expect(errors.count == 2)
        #expect(errors.first?.hasPrefix("500 BAD_SYNTAX") == true)
        #expect(errors.last?.hasPrefix("550 NOT_FOUND") == true)

        let there = try CLIProcess.run(
            ["--server", "127.0.0.1:\(remote.server.port)", "shell", "--token", remote.token], input: script,
            databaseURL: Self.unreachable)
        Self.expectSame(here, there, "shell")

        let json = try CLIProcess.run(
            ["shell", "--format", "json"], input: "body list\nping", databaseURL: local,
            environment: ["USER": Self.user])
        #expect(json.status == 0, "end of input ends the shell; the last command succeeded")
        let documents = json.stdout.split(separator: "\n")
        #expect(documents.count == 2)
        #expect(try Self.json(String(documents[1]))["pong"] as? Bool == true)
    }

    @Test func theShellOnATerminalEditsCompletesAndKeepsHistory() throws {
        let database = try TestCluster.makeDatabase()
        let data = try TestCluster.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: data) }
        // ping; Up and Enter runs it again; Tab completes `bo` and `li`; auth is never kept.
        let typed = ["ping\r", "\u{1B}[A\r", "bo\tli\t\r", "auth token=pln_secret\r", " whoami\r", "quit\r"]
        let session = try CLITerminal.run(
            ["shell"], typing: typed, databaseURL: database,
            environment: ["USER": Self.user, "XDG_DATA_HOME": data.path, "NO_COLOR": "1"])
        #expect(session.status == 0, "\(session.output)")
        #expect(session.output.contains("plenary> "), "a prompt on a terminal")
        #expect(session.output.components(separatedBy: "pong").count - 1 == 2, "Up recalled ping: \(session.output)")
        #expect(session.output.contains("count  0"), "Tab completed body list: \(session.output)")
        #expect(session.output.contains("name  local:clerk"), "the in-process actor")

        let file = data.appendingPathComponent("plenary/history")
        let history = try String(contentsOf: file, encoding: .utf8)
        #expect(history == "ping\nbody list \nquit\n", "kept once each; not auth, not a line after a space")
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let again = try CLITerminal.run(
            ["shell"], typing: ["\u{1B}[A\u{1B}[A\r", "\u{4}"], databaseURL: database,
            environment: ["XDG_DATA_HOME": data.path, "NO_COLOR": "1"])
        #expect(again.status == 0)
        #expect(again.output.contains("count  0"), "the history outlives the session: \(again.output)")
    }

    // MARK: - Helpers

    /// A changing command and the exit status it must give.
    struct Step {
        var words: [String]
        var status: Int32 = 0
    }

    /// One scenario's changes, every command group that changes something.
    static let changes: [Step] = [
        Step(words: [
            "body", "add", "code=CTOC/COP",
            "name=Conference of the Parties to the United Nations Convention against Transnational Organized Crime",
            "timezone=Europe/Vienna",
        ]),
        Step(words: ["body", "add", "code=CTOC/COP", "name=Again"], status: 1),
        Step(words: ["body", "add", "code=WG/X"], status: 1),
        Step(words: [
            "session", "schedule", "body=CTOC/COP", "number=1", "start=2004-06-28", "end=2004-07-09",
            "venue=Vienna, Austria",
        ]),
        Step(words: [
            "session", "schedule", "body=CTOC/COP", "number=2", "start=2005-10-10", "end=2005-10-21", "venue=Vienna",
        ]),
        Step(
            words: [
                "session", "schedule", "body=CTOC/COP", "number=3", "start=2005-10-15", "end=2005-10-25",
                "venue=Vienna",
            ], status: 1),
        Step(words: ["session", "open", "body=CTOC/COP", "number=1"]),
        Step(words: [
            "decision", "record", "body=CTOC/COP", "session=1", "kind=decision", "number=1/1",
            "title=Adoption of the rules of procedure", "adopted=2004-07-08",
        ]),
        Step(words: ["decision", "draft", "body=CTOC/COP", "session=2", "kind=resolution", "title=Draft one"]),
        Step(words: ["agenda", "add", "body=CTOC/COP", "session=2", "item=1", "title=Opening of the session"]),
        Step(words: ["agenda", "add", "body=CTOC/COP", "session=2", "item=2", "title=Adoption of the agenda"]),
        Step(words: [
            "wg", "establish", "body=CTOC/COP", "code=WG.1", "name=Working Group on Firearms", "established=2004-07-01",
        ]),
        Step(words: [
            "meeting", "schedule", "body=CTOC/COP", "wg=WG.1", "start=2005-10-11", "end=2005-10-12", "venue=Vienna",
            "with-session=2",
        ]),
        Step(words: ["session", "get", "body=CTOC/COP", "number=99"], status: 1),
        Step(words: ["token", "create", "name=reader"], status: 1),
        Step(words: ["doc", "register", "symbol=CTOC/COP/2005/1", "title=Provisional agenda", "session=2"]),
        Step(words: ["doc", "register", "symbol=CTOC/COP/2005/1", "title=Again", "session=2"], status: 1),
        Step(words: ["doc", "allocate", "body=CTOC/COP", "series=CRP", "session=2", "title=Conference room paper"]),
        Step(words: ["doc", "version", "symbol=CTOC/COP/2005/1", "lang=en", "status=issued", "date=2005-08-29"]),
        Step(words: ["doc", "revise", "symbol=CTOC/COP/2005/1", "title=Provisional agenda, revised"]),
        Step(words: ["doc", "register", "symbol=CTOC/COP/2005/2", "title=Misfiled", "session=1"], status: 1),
    ]

    /// Reads of every group, run on the server's database through both doors.
    static let reads: [[String]] = [
        ["body", "list"], ["body", "get", "CTOC/COP"], ["session", "list", "body=CTOC/COP"],
        ["session", "get", "body=CTOC/COP", "number=1"], ["agenda", "list", "body=CTOC/COP", "session=2"],
        ["wg", "list", "body=CTOC/COP"], ["wg", "get", "body=CTOC/COP", "code=WG.1"],
        ["meeting", "list", "body=CTOC/COP"], ["meeting", "get", "body=CTOC/COP", "wg=WG.1", "number=1"],
        ["decision", "list", "body=CTOC/COP"], ["decision", "get", "body=CTOC/COP", "number=1/1"],
        ["calendar", "body=CTOC/COP"], ["calendar", "body=CTOC/COP", "format=ics"], ["token", "list"],
        ["audit", "list"], ["audit", "verify"], ["help"], ["help", "session", "schedule"], ["ping"],
        ["whoami"], ["doc", "get", "CTOC/COP/2005/1"], ["doc", "list", "body=CTOC/COP"],
        ["doc", "current", "CTOC/COP/2005/1"], ["doc", "search", "text=agenda"],
        ["symbol", "parse", "CTOC/COP/2005/L.5"],
        ["decision", "chain", "body=CTOC/COP", "number=1/1"],
    ]

    /// The catalog as this binary declares it (no database needed).
    struct Catalog {
        var commands: [String]

        static func load() throws -> Catalog {
            let help = try PlenaryProcess.run(["--format", "json", "help"], databaseURL: CLITests.unreachable)
            let records = try #require(try CLITests.json(help.stdout)["records"] as? [[String: Any]])
            return Catalog(commands: records.compactMap { ($0["record"] as? [String: Any])?["name"] as? String })
        }

        /// Whether the command `words` start with exists (for groups another change may not have added yet).
        func has(_ words: [String]) -> Bool {
            let words = words.drop { $0.hasPrefix("--") }
            guard let noun = words.first else { return false }
            if noun == "help" { return true }
            let pair = words.prefix(2).joined(separator: " ")
            return commands.contains(pair) || commands.contains(noun)
        }
    }

    /// A server on a database of its own, with an admin token named like the local operator.
    struct Remote {
        var server: ServerProcess
        var token: String
        var database: String

        static func start(database given: String? = nil) throws -> Remote {
            let database = try given ?? TestCluster.makeDatabase()
            let created = try CLITests.local(
                ["token", "create", "name=\(CLITests.user)", "role=admin"], database: database)
            try #require(created.status == 0, "\(created.stderr)")
            let token = try #require(
                created.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).first { $0.hasPrefix("token=") }?
                    .dropFirst("token=".count))
            let server = try ServerProcess(databaseURL: database)
            return Remote(server: server, token: String(token), database: database)
        }

        /// Runs a command on the server, as a different local user with no reachable database: it can only
        /// succeed over TCP.
        func run(_ arguments: [String]) throws -> ProcessResult {
            try PlenaryProcess.run(
                ["--server", "127.0.0.1:\(server.port)", "--token", token] + arguments,
                databaseURL: CLITests.unreachable,
                environment: ["USER": "someone-else"])
        }
    }

    static func local(_ arguments: [String], database: String) throws -> ProcessResult {
        try PlenaryProcess.run(arguments, databaseURL: database, environment: ["USER": user])
    }

    static func json(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any], "not a JSON object: \(text)")
    }

    /// `status` reports the pool of the process that answered, and `whoami` the local operator as `local:clerk`
    /// where the server names the token `clerk`; everything else must agree.
    static func withoutPoolCounts(_ text: String) -> String {
        text.replacingOccurrences(of: #"pool-(open|idle)[^0-9]*[0-9]+"#, with: "pool-$1", options: .regularExpression)
            .replacingOccurrences(of: "local:\(user)", with: user)
    }

    static func expectSame(
        _ here: ProcessResult, _ there: ProcessResult, _ label: String, normalize: (String) -> String = { $0 },
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(
            here.status == there.status,
            "\(label): exit \(here.status) in-process, \(there.status) remote: \(there.stderr)",
            sourceLocation: sourceLocation)
        #expect(normalize(here.stdout) == normalize(there.stdout), "\(label): stdout", sourceLocation: sourceLocation)
        #expect(here.stderr == there.stderr, "\(label): stderr", sourceLocation: sourceLocation)
    }
}
