import AdminProtocol
import Foundation
import PlenaryCommands
import PlenaryCore
import PlenaryTestSupport
import Postgres
import PropertyBased
import Storage
import Testing
import Transfer
import TransferStore

/// Every state the services can reach exports and imports back: export → import into an empty database → export is
/// byte-identical, over generated histories (random command sequences, kept only where the services accepted
/// them), not only over the demo.
@Suite("The record: every export imports")
struct ExportRoundTripPropertyTests {
    static let actor = Actor.localOperator(user: "record-test")

    /// Runs `history` through the real catalog on a fresh database; returns the database and the accepted lines.
    static func replay(_ history: History) async throws -> (url: String, accepted: [String]) {
        let url = try TestCluster.makeDatabase()
        let database = Database(configuration: .init(conninfo: url, size: 2))
        defer { database.shutdown() }
        let dispatcher = CommandDispatcher(catalog: PlenaryCatalog.make(Services(database: database)))
        var accepted: [String] = []
        // `id=DRAFT` stands for the id of the draft tabled last: ids are the database's to give.
        var lastDraft = "0"
        for written in history.lines {
            let line = written.replacingOccurrences(of: "id=DRAFT", with: "id=\(lastDraft)")
            guard case .success(let request) = LineParser.parse(line) else {
                Issue.record("the generator wrote an unparsable line: \(line)")
                continue
            }
            let reply = await dispatcher.run(request, actor: actor)
            #expect(reply.code.rawValue != 590, "an internal error is never an answer: \(line)")
            if reply.isSuccess { accepted.append(line) }
            if reply.isSuccess, line.hasPrefix("decision draft"),
                case .int(let id)? = reply.summary.first(where: {
                    $0.key == "id"
                })?.value
            {
                lastDraft = String(id)
            }
            if let file = ProcessInfo.processInfo.environment["PLENARY_RECORD_HISTORY_LOG"] {
                let entry = "\(reply.code.rawValue) \(line) \(reply.failure?.message ?? "")\n"
                if let handle = FileHandle(forWritingAtPath: file) {
                    handle.seekToEndOfFile()
                    handle.write(Data(entry.utf8))
                    try? handle.close()
                }
            }
        }
        return (url, accepted)
    }

    static func export(_ url: String) throws -> Data {
        let connection = try Connection(conninfo: url)
        try connection.simpleQuery("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        defer { try? connection.simpleQuery("COMMIT") }
        return try ExportWriter.write(try Exporter.read(connection))
    }

    static func importing(_ data: Data, into url: String) throws {
        // As `plenary import` does: read and check the file whole, then load it.
        let document = try ExportReader.read(data)
        try ExportValidator.validate(document)
        let connection = try Connection(conninfo: url)
        _ = try Importer.load(document, into: connection, source: "property", actor: actor)
    }

    @Test("export → import → export is byte-identical over generated histories")
    func exportImportExportOverGeneratedHistories() async throws {
        // What the histories reached, over all of them: the property is only as good as the states it visits.
        var reached: [String: Int] = [:]
        await propertyCheck(count: 40, input: HistoryGen.history) { history in
            let (source, accepted) = try await Self.replay(history)
            for line in accepted { reached[Self.kind(of: line), default: 0] += 1 }
            // A history that did nothing proves nothing; what the histories reached together is checked below.
            #expect(accepted.count >= 3, "only \(accepted.count) commands accepted")
            let first = try Self.export(source)
            let target = try TestCluster.makeDatabase()
            do {
                try Self.importing(first, into: target)
            } catch {
                Issue.record(
                    "the export of these accepted commands does not import: \(error)\n\(accepted.joined(separator: "\n"))"
                )
                return
            }
            let second = try Self.export(target)
            #expect(
                second == first,
                "export → import → export differs after:\n\(accepted.joined(separator: "\n"))")
        }
        for kind in [
            "doc correct languages=", "doc revise", "doc addendum", "doc withdraw", "doc version", "agenda remove",
            "agenda adopt", "decision adopt", "decision link", "decision unlink", "session cancel", "session strike",
            "wg dissolve", "wg correct-dissolution", "meeting schedule with-session=",
        ] {
            #expect(reached[kind, default: 0] > 0, "no history reached \(kind): \(reached.sorted { $0.key < $1.key })")
        }
    }

    /// `doc correct languages=` for a partial corrigendum, `meeting schedule with-session=` for a meeting held with
    /// a session, otherwise the command's two words.
    static func kind(of line: String) -> String {
        let words = line.split(separator: " ").prefix(2).joined(separator: " ")
        if words == "doc correct" && line.contains("languages=") { return "doc correct languages=" }
        if words == "meeting schedule" && line.contains("with-session=") { return "meeting schedule with-session=" }
        return words
    }
}
