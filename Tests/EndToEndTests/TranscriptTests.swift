import Foundation
import PlenaryTestSupport
import Testing

/// One transcript per command group, in text and in JSON mode, over real TCP against a real database: the exact
/// lines a client sees, successes and refusals alike. The commands are in `Transcripts/GROUP.commands`; the expected
/// conversation in `Transcripts/GROUP.MODE.transcript` (`> ` before each request, its reply lines after it).
///
/// Values that differ from run to run — token secrets, timestamps, hashes, the PostgreSQL version, pool figures,
/// uptime, the audit chainer's progress in `status` — are replaced by placeholders before comparing. A transcript
/// that does not exist yet is written from the run and the test fails, asking for it to be read and committed;
/// `PLENARY_RECORD_TRANSCRIPTS=1` rewrites
/// them all after a deliberate change of output.
@Suite("protocol transcripts")
struct TranscriptTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Transcripts")

    static let groups = [
        "connection", "bodies-and-tokens", "sessions-and-agendas", "working-groups-and-meetings", "documents",
        "decisions", "audit-and-events", "treaties",
    ]

    @Test(arguments: groups, ["text", "json"])
    func transcript(group: String, mode: String) throws {
        let commandsFile = Self.directory.appendingPathComponent("\(group).commands")
        var commands = try String(contentsOf: commandsFile, encoding: .utf8).split(separator: "\n").map(String.init)
        if mode == "json" { commands.insert("hello format=json", at: 0) }

        let server = try ServerProcess(databaseURL: try TestCluster.makeDatabase())
        defer { server.stop() }
        let client = try LineClient(port: server.port)
        _ = client.readLine()
        #expect(client.command("auth token=\(try #require(server.bootstrapToken))") == ["200 OK name=admin role=admin"])

        var conversation = ""
        var json = false
        for command in commands {
            client.send(command)
            if command == "hello format=json" { json = true }
            let reply = json ? Self.readJSONReply(client) : client.readReply()
            conversation += "> \(command)\n" + reply.map { Self.normalize($0) + "\n" }.joined()
        }

        let file = Self.directory.appendingPathComponent("\(group).\(mode).transcript")
        let recording = ProcessInfo.processInfo.environment["PLENARY_RECORD_TRANSCRIPTS"] == "1"
        guard !recording, let expected = try? String(contentsOf: file, encoding: .utf8) else {
            try conversation.write(to: file, atomically: true, encoding: .utf8)
            Issue.record("recorded \(file.lastPathComponent): read it, then commit it")
            return
        }
        let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let actualLines = conversation.split(separator: "\n", omittingEmptySubsequences: false)
        for (index, (want, got)) in zip(expectedLines, actualLines).enumerated() where want != got {
            Issue.record("\(file.lastPathComponent):\(index + 1)\n  expected: \(want)\n  actual:   \(got)")
            break
        }
        #expect(expectedLines.count == actualLines.count, "\(file.lastPathComponent): line counts differ")
    }

    /// Reads one JSON-mode reply: record lines, then the line that carries `ok` or `error`.
    static func readJSONReply(_ client: LineClient) -> [String] {
        var lines: [String] = []
        while let line = client.readLine() {
            lines.append(line)
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                break
            }
            if object["ok"] != nil || object["error"] != nil { break }
        }
        return lines
    }

    /// Replaces what differs from run to run with placeholders.
    static func normalize(_ line: String) -> String {
        var text = line
        let rules: [(String, String)] = [
            (#"pln_[A-Za-z0-9]{12}_[A-Za-z0-9]{40}"#, "pln_<secret>"),
            (#"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)?"#, "<time>"),
            (#"\b[0-9a-f]{64}\b"#, "<sha256>"),
            (#"(postgres"?[=:]"?)\d+\.\d+"#, "$1<version>"),
            (
                #"((pool-(open|idle|in-use|waiting|replaced)|uptime-s|schema|audit-(head|unsealed|lag-ms))"?[=:])\d+"#,
                "$1<n>"
            ),
            (#"127\.0\.0\.1:\d+"#, "127.0.0.1:<port>"),
        ]
        for (pattern, replacement) in rules {
            text = text.replacingOccurrences(of: pattern, with: replacement, options: .regularExpression)
        }
        return text
    }
}
