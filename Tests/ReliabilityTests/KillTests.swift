import EmbeddedPostgres
import Foundation
import PlenaryTestSupport
import Postgres
import Testing

/// Issue 9, item 2: Plenary killed with SIGKILL — no shutdown, no last words — in the middle of a burst of writes.
/// Each write is one transaction with its audit row, so the database holds whole commands or none of one.
@Suite("Plenary killed")
struct KillTests {
    @Test func afterKillNineEveryAcknowledgedWriteIsThereAndNothingIsHalfWritten() throws {
        let database = try TestCluster.makeDatabase()
        let server = try ServerProcess(databaseURL: database)
        let token = try #require(server.bootstrapToken)
        let load = Load(ports: [server.port], token: token, clients: 8, reconnect: false)
        #expect(load.waitFor(more: setting("PLENARY_RELIABILITY_COMMANDS_BEFORE_KILL", 1_000)), "the burst runs")
        server.kill()
        let outcomes = load.stop()
        let audit = try LoadAudit(outcomes, database: database)
        #expect(audit.lost.isEmpty, "acknowledged writes missing: \(audit.lost)")
        #expect(audit.otherCodes.isEmpty, "\(audit.otherCodes)")
        #expect(audit.unanswered > 0, "the kill cut commands off")

        // A new server on the same database: nothing to repair, the chain holds, and it serves at once.
        let again = try ServerProcess(databaseURL: database)
        defer { again.stop() }
        try expectWholeAndChained(database, port: again.port, token: token)
        let client = try ProtocolClient.authenticated(port: again.port, token: token)
        #expect(client.last("body add code=AFTER name=After") == "201 OK body=AFTER")
        print("reliability: plenary killed (SIGKILL) during a burst of writes from 8 clients: \(audit)")
    }
}

/// Issue 9, item 2, the other half: `plenary import` killed with SIGKILL half-way through a large file. An import
/// is one transaction, so the database is as it was; running it again succeeds.
@Suite("Import killed")
struct ImportKillTests {
    /// A large export document: the demo's conference with `documents` more reports of its fourth session, each
    /// with its six language versions — the demo's own record for CTOC/COP/2008/19, renumbered.
    static func largeExport(documents: Int) throws -> String {
        let source = try TestCluster.makeDatabase()
        let demo = try PlenaryProcess.run(["demo"], databaseURL: source)
        #expect(demo.status == 0, "\(demo.stderr)")
        let export = try PlenaryProcess.run(["export"], databaseURL: source)
        var lines = export.stdout.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: "\"documents\": ["), "an export lists one record per line")
        let model = try #require(lines[start...].first { $0.contains(#""symbol":"CTOC/COP/2008/19""#) })
        let copies = (0..<documents).map { index in
            model.replacingOccurrences(
                of: #""symbol":"CTOC/COP/2008/19""#, with: #""symbol":"CTOC/COP/2008/\#(1000 + index)""#
            )
            .replacingOccurrences(of: "on its fourth session", with: "on its fourth session (part \(index))")
            .trimmingCharacters(in: [","]) + ","
        }
        lines.insert(contentsOf: copies, at: start + 1)
        return lines.joined(separator: "\n")
    }

    /// Transactions open on `database` now (from any client), by its conninfo's dbname.
    static func openTransactions(_ database: String, writing: Bool) throws -> Int {
        let name = try #require(database.split(separator: " ").first { $0.hasPrefix("dbname=") }?.dropFirst(7))
        let admin = try Connection(conninfo: try TestCluster.adminURL())
        let row = try admin.queryOne(
            """
            SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()
               AND ($2 = false OR (xact_start IS NOT NULL AND query ~* '^\\s*(COPY|INSERT)'))
            """,
            [String(name), writing])
        return try row?.decode("n", as: Int.self) ?? 0
    }

    @Test func anImportKilledHalfWayLeavesTheDatabaseAsItWasAndRunsAgain() throws {
        let documents = setting("PLENARY_RELIABILITY_IMPORT_DOCUMENTS", 10_000)
        let file = try TestCluster.scratchDirectory().appendingPathComponent("large.json")
        try Data(try Self.largeExport(documents: documents).utf8).write(to: file)
        let target = try TestCluster.makeDatabase()
        let before = try PlenaryProcess.run(["export"], databaseURL: target).stdout

        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PLENARY_") }
        environment["PLENARY_DATABASE_URL"] = target
        let started = ContinuousClock.now
        let importer = try RunningProcess(
            [try TestCluster.plenaryBinary(), "import", file.path], environment: environment, stdout: "/dev/null",
            stderr: "/dev/null")
        // Half-way: once the import's transaction is writing rows.
        let deadline = Date().addingTimeInterval(120)
        while importer.isRunning, Date() < deadline, try Self.openTransactions(target, writing: true) == 0 {
            Thread.sleep(forTimeInterval: 0.01)
        }
        try #require(importer.isRunning, "the import ended before it could be killed; give it more documents")
        importer.signal(SIGKILL)
        importer.waitUntilExit()
        let killedAfter = (ContinuousClock.now - started).seconds
        // PostgreSQL rolls the transaction back once it notices its client is gone.
        let gone = Date().addingTimeInterval(60)
        while Date() < gone, try Self.openTransactions(target, writing: false) > 0 {
            Thread.sleep(forTimeInterval: 0.05)
        }

        let after = try PlenaryProcess.run(["export"], databaseURL: target).stdout
        #expect(after == before, "the killed import left nothing behind")
        let rows = try Connection(conninfo: target).queryOne(
            "SELECT (SELECT count(*) FROM documents) + (SELECT count(*) FROM audit_log) AS n")
        #expect(try rows?.decode("n", as: Int.self) == 0)

        let again = try PlenaryProcess.run(["import", file.path], databaseURL: target, timeout: 600)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("documents=\(documents + 5)"), "\(again.stdout)")
        let verified = try PlenaryProcess.run(["audit", "verify"], databaseURL: target)
        #expect(verified.stdout.hasPrefix("200 OK intact=true"), "\(verified.stdout)\(verified.stderr)")
        print(
            "reliability: import killed (SIGKILL) \(Int(killedAfter * 1000)) ms into a \(documents + 5)-document file: "
                + "database unchanged; the second run: "
                + "\(again.stdout.replacingOccurrences(of: file.path, with: "it").trimmingCharacters(in: .newlines)); "
                + "audit verify: \(verified.stdout.trimmingCharacters(in: .newlines))")
    }
}
