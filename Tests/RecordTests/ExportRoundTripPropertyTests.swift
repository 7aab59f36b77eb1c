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

    /// The symbols whose stored summary (Schema/0015: versions and the family's latest revision; 0017: the place —
    /// body, session or meeting and working group, parent as printed) disagrees with what the versions, the
    /// revisions and the places say, recomputed here the way every read did before it was stored.
    static func summariesThatDisagree(_ url: String) throws -> [String] {
        let connection = try Connection(conninfo: url)
        return try connection.query(
            """
            SELECT d.symbol FROM documents d
            LEFT JOIN document_summaries s ON s.document_id = d.id
            LEFT JOIN LATERAL (
                SELECT array_agg(v.language ORDER BY o) AS languages, array_agg(v.required ORDER BY o) AS required,
                       array_agg(v.status ORDER BY o) AS status, array_agg(v.issued_on ORDER BY o) AS issued_on,
                       array_agg(v.file ORDER BY o) AS file, array_agg(v.bytes ORDER BY o) AS bytes,
                       array_agg(v.sha256 ORDER BY o) AS sha256
                FROM document_versions v,
                     LATERAL array_position(ARRAY['ar', 'zh', 'en', 'fr', 'ru', 'es'], v.language) AS o
                WHERE v.document_id = d.id
            ) v ON true
            LEFT JOIN LATERAL (
                SELECT r.symbol || CASE WHEN r.reissued THEN '*' ELSE '' END AS symbol FROM documents r
                WHERE r.relation = 'revision'
                  AND r.parent_id = CASE WHEN d.relation = 'revision' THEN d.parent_id ELSE d.id END
                ORDER BY r.relation_number DESC LIMIT 1
            ) latest ON true
            JOIN bodies b ON b.id = d.body_id
            LEFT JOIN sessions se ON se.id = d.session_id
            LEFT JOIN working_group_meetings m ON m.id = d.meeting_id
            LEFT JOIN working_groups g ON g.id = m.working_group_id
            LEFT JOIN documents p ON p.id = d.parent_id
            WHERE s.document_id IS NULL
               OR (s.body, s.session, s.wg, s.meeting, s.parent, s.parent_reissued)
                  IS DISTINCT FROM (b.code, se.number, g.code, m.number, p.symbol, p.reissued)
               OR (s.languages, s.required, s.status, s.issued_on, s.file, s.bytes, s.sha256)
                  IS DISTINCT FROM (coalesce(v.languages, '{}'), coalesce(v.required, '{}'), coalesce(v.status, '{}'),
                                    coalesce(v.issued_on, '{}'), coalesce(v.file, '{}'), coalesce(v.bytes, '{}'),
                                    coalesce(v.sha256, '{}'))
               OR s.latest_revision IS DISTINCT FROM latest.symbol
            ORDER BY d.symbol
            """
        ).rows.map { try $0.decode("symbol") }
    }

    @Test("export → import → export is byte-identical over generated histories")
    func exportImportExportOverGeneratedHistories() async throws {
        // What the histories reached, over all of them: the property is only as good as the states it visits.
        var reached: [String: Int] = [:]
        await propertyCheck(count: 40, input: HistoryGen.history) { history in
            let (source, accepted) = try await Self.replay(history)
            for line in accepted { reached[Self.kind(of: line), default: 0] += 1 }
            // Whatever the services did, every stored summary is what the versions and revisions say.
            let disagreeing = try Self.summariesThatDisagree(source)
            #expect(
                disagreeing.isEmpty,
                "stored summaries disagree for \(disagreeing) after:\n\(accepted.joined(separator: "\n"))")
            // A history that did nothing proves nothing; what the histories reached together is checked below.
            #expect(accepted.count >= 3, "only \(accepted.count) commands accepted")
            let first = try Self.export(source)
            let target = try TestCluster.makeDatabase()
            do {
                try Self.importing(first, into: target)
            } catch {
                let commands = accepted.joined(separator: "\n")
                Issue.record("the export of these accepted commands does not import: \(error)\n\(commands)")
                return
            }
            #expect(try Self.summariesThatDisagree(target).isEmpty, "stored summaries disagree after the import")
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
