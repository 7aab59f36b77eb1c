import AdminProtocol
import Foundation
import PlenaryTestSupport
import Postgres
import Testing

/// Issue 9, item 4, last sentence: values carrying quotes, backslashes, `;`, `--`, NUL and right-to-left marks are
/// stored verbatim or refused — never executed — through both doors, the protocol over TCP and the command line.
@Suite("Hostile values")
struct HostileValueTests {
    /// One-line values every text field must store exactly as given.
    static let values = [
        #"O'Brien "the elder""#, #"back\slash \n is two characters, \"not\" an escape"#, "'; DROP TABLE bodies; --",
        "Robert'); DELETE FROM audit_log; --", "-- a comment", "/* a comment */ SELECT 1", "$1 %s %@ {0} ${x} `id`",
        "\u{200F}\u{202E}right-to-left override\u{202C} and a mark\u{200E}",
        "قرار بشأن الاتجار بالأشخاص", "Conférence des Parties – 第四届会议 😀",
    ]
    /// Free text (`text=`) may also span lines.
    static let multiLine = "First line; DROP TABLE decisions;\n-- second line\n\ttabbed \"quoted\" \\ end"

    /// The records of a reply as JSON objects: the protocol's JSON lines, or the CLI's one document.
    static func records(_ lines: [String]) throws -> [[String: Any]] {
        var found: [[String: Any]] = []
        for line in lines where line.hasPrefix("{") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if let record = object["record"] as? [String: Any], object["records"] == nil { found.append(record) }
            for entry in object["records"] as? [[String: Any]] ?? [] {
                if let record = entry["record"] as? [String: Any] { found.append(record) }
            }
        }
        return found
    }

    /// The reply code of the final line, read as JSON (both doors answer in JSON here): a refusal that merely quotes
    /// a 201 — a year, a serial — is not taken for one.
    static func code(_ lines: [String]) -> Int? {
        guard let last = lines.last, let data = last.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object["code"] as? Int
    }

    /// What one door does with a request, and the reply's lines.
    typealias Door = (_ words: [String], _ arguments: [(String, String)]) throws -> [String]

    /// Writes each value into session, document and decision fields through `door` and reads each back.
    func roundTrip(through door: Door, numbering base: Int, doorName: String) throws -> Int {
        var checked = 0
        for (index, value) in Self.values.enumerated() {
            let number = base + index
            let scheduled = try door(
                ["session", "schedule"],
                [
                    ("body", "CTOC/COP"), ("number", "\(number)"), ("start", "\(2000 + number)-03-01"),
                    ("end", "\(2000 + number)-03-05"), ("venue", value), ("title", value),
                ])
            #expect(Self.code(scheduled) == 201, "\(doorName): \(scheduled)")
            let session = try Self.records(
                try door(["session", "get"], [("body", "CTOC/COP"), ("number", "\(number)")])
            ).first
            #expect(session?["venue"] as? String == value, "\(doorName) venue: \(String(describing: session))")
            #expect(session?["title"] as? String == value, "\(doorName) title")

            let symbol = "CTOC/COP/2008/\(number)"
            let registered = try door(
                ["doc", "register"], [("symbol", symbol), ("title", value), ("session", "4")])
            #expect(Self.code(registered) == 201, "\(doorName): \(registered)")
            let document = try Self.records(try door(["doc", "get"], [("symbol", symbol)])).first
            #expect(document?["title"] as? String == value, "\(doorName) doc title: \(String(describing: document))")

            let text = index == 0 ? Self.multiLine : value
            let drafted = try door(
                ["decision", "draft"],
                [("body", "CTOC/COP"), ("session", "4"), ("kind", "decision"), ("title", value), ("text", text)])
            let id = try #require(try Self.records(drafted).first?["id"] as? Int, "\(doorName): \(drafted)")
            let decision = try Self.records(try door(["decision", "get"], [("body", "CTOC/COP"), ("id", "\(id)")]))
                .first
            #expect(decision?["title"] as? String == value, "\(doorName) decision title")
            #expect(decision?["text"] as? String == text, "\(doorName) decision text")
            checked += 6
        }
        return checked
    }

    @Test func quotesSemicolonsCommentsAndDirectionMarksAreStoredVerbatimThroughBothDoors() throws {
        let database = try TestCluster.makeDatabase()
        let server = try ServerProcess(databaseURL: database)
        defer { server.stop() }
        let client = try ProtocolClient.authenticated(port: server.port, token: try #require(server.bootstrapToken))
        #expect(client.command("hello format=json").last?.hasPrefix(#"{"code":200"#) == true)
        let overTCP: Door = { words, arguments in
            let line = try LineBuilder.build(
                words: words, arguments: arguments.map { RawArgument(key: $0.0, value: $0.1) }
            ).get()
            // In JSON mode each line is an object; a reply's last one carries no record.
            client.send(line)
            var lines: [String] = []
            while let next = client.readLine() {
                lines.append(next)
                if !next.contains(#""record":"#) { break }
            }
            return lines
        }
        for (words, arguments) in [
            (
                ["body", "add"],
                [("code", "CTOC/COP"), ("name", "Conference of the Parties"), ("timezone", "Europe/Vienna")]
            ),
            (
                ["session", "schedule"],
                [
                    ("body", "CTOC/COP"), ("number", "4"), ("start", "2008-10-08"), ("end", "2008-10-17"),
                    ("venue", "Vienna"),
                ]
            ),
        ] {
            #expect(try overTCP(words, arguments).last?.hasPrefix(#"{"code":201"#) == true, "\(words)")
        }
        let overCLI: Door = { words, arguments in
            let result = try PlenaryProcess.run(
                ["--format", "json"] + words + arguments.map { "\($0.0)=\($0.1)" }, databaseURL: database)
            #expect(result.status == 0, "\(words): \(result.stderr)")
            return [result.stdout.trimmingCharacters(in: .newlines)]
        }
        var checked = try roundTrip(through: overTCP, numbering: 10, doorName: "TCP")
        checked += try roundTrip(through: overCLI, numbering: 40, doorName: "CLI")

        // NUL is refused, naming the key, in one-line and in free-text fields alike; nothing is written.
        let nul = [
            #"session schedule body=CTOC/COP number=90 start=2090-01-01 end=2090-01-02 venue="Vi\u0000enna""#,
            #"doc register symbol=CTOC/COP/2008/99 title="a\u0000b" session=4"#,
            #"decision draft body=CTOC/COP session=4 kind=decision title=Nul text="a\u0000b""#,
        ]
        for line in nul {
            let reply = client.last(line)
            #expect(reply.hasPrefix(#"{"code":50"#), "\(line) → \(reply)")
        }
        #expect(client.last(nul[2]).contains(#""message":"text: must not contain NUL"#))

        // Nothing was executed: every table is there, the rows are the ones written, the chain holds.
        let connection = try Connection(conninfo: database)
        let counts = try connection.queryOne(
            """
            SELECT (SELECT count(*) FROM bodies) AS bodies, (SELECT count(*) FROM sessions) AS sessions,
                   (SELECT count(*) FROM documents) AS documents, (SELECT count(*) FROM decisions) AS decisions
            """)
        let perDoor = Self.values.count
        #expect(try counts?.decode("bodies", as: Int.self) == 1)
        #expect(try counts?.decode("sessions", as: Int.self) == 1 + 2 * perDoor)
        #expect(try counts?.decode("documents", as: Int.self) == 2 * perDoor)
        #expect(try counts?.decode("decisions", as: Int.self) == 2 * perDoor)
        let stored = try connection.query("SELECT venue FROM sessions WHERE number >= 10 ORDER BY number").rows.map {
            try $0.decode("venue", as: String.self)
        }
        #expect(stored == Self.values + Self.values, "the database holds the very bytes sent")
        #expect(client.last("audit verify").hasPrefix(#"{"code":200,"ok":true,"intact":true"#))
        print(
            "reliability: hostile values: \(Self.values.count) values (quotes, backslashes, ;, --, comments, "
                + "RTL marks, Arabic, emoji) × 6 fields × 2 doors: \(checked) round trips verbatim; "
                + "NUL refused \(nul.count)× with 504"
        )
    }
}
