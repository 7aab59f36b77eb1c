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
        for line in history.lines {
            guard case .success(let request) = LineParser.parse(line) else {
                Issue.record("the generator wrote an unparsable line: \(line)")
                continue
            }
            let reply = await dispatcher.run(request, actor: actor)
            #expect(reply.code.rawValue != 590, "an internal error is never an answer: \(line)")
            if reply.code == .ok { accepted.append(line) }
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
        await propertyCheck(count: 24, input: HistoryGen.history) { history in
            let (source, accepted) = try await Self.replay(history)
            // A history that did nothing proves nothing: most lines that refer to each other must land.
            #expect(accepted.count >= 8, "only \(accepted.count) commands accepted")
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
    }
}
