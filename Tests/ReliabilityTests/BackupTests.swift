import Foundation
import PlenaryTestSupport
import Postgres
import Testing

/// Issue 9, item 8: PostgreSQL's own backup — `pg_dump` of a populated database, `pg_restore` into a new one —
/// round-trips everything Plenary keeps, and the restored audit trail still verifies.
@Suite("Backup and restore")
struct BackupTests {
    /// Every table of the schema, each as its rows' text in a fixed order: two databases with equal contents give
    /// equal results.
    static func contents(_ database: String) throws -> [String: String] {
        let connection = try Connection(conninfo: database)
        let tables = try connection.query(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        ).rows.map { try $0.decode("tablename", as: String.self) }
        var contents: [String: String] = [:]
        for table in tables {
            let name = try connection.quoteIdentifier(table)
            // The table name is the catalog's own, quoted; nothing here comes from outside.
            contents[table] = try connection.queryOne(
                "SELECT count(*) || E'\\n' || coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '') AS rows "
                    + "FROM \(name) t"
            )?.decode("rows", as: String.self)
        }
        return contents
    }

    static func pgTool(_ name: String, _ arguments: [String]) throws -> ProcessResult {
        let bin = ProcessInfo.processInfo.environment["PLENARY_TEST_PGBIN"] ?? "/usr/bin"
        return try PlenaryProcess.runProcess(
            bin + "/" + name, arguments, environment: ProcessInfo.processInfo.environment, timeout: 300)
    }

    @Test func pgDumpAndPgRestoreRoundTripAPopulatedDatabase() throws {
        let database = try TestCluster.makeDatabase()
        let server = try ServerProcess(databaseURL: database)
        let token = try #require(server.bootstrapToken)
        let client = try ProtocolClient.authenticated(port: server.port, token: token)
        // Every kind of record: bodies, sessions, agenda, working groups and meetings, documents with versions and
        // revisions, decisions drafted, adopted and linked, tokens, and the audit trail of all of it.
        for line in [
            #"body add code=CTOC/COP name="Conference of the Parties" timezone=Europe/Vienna"#,
            "session schedule body=CTOC/COP number=4 start=2008-10-08 end=2008-10-17 venue=Vienna",
            #"agenda add body=CTOC/COP session=4 item=1 title="Organizational matters""#,
            "session open body=CTOC/COP number=4",
            #"wg establish body=CTOC/COP code=WG.4 name="Working Group on Trafficking in Persons" by="decision 4/1""#,
            "meeting schedule body=CTOC/COP wg=WG.4 start=2009-04-14 end=2009-04-15 venue=Vienna",
            #"doc register symbol=CTOC/COP/2008/1 title="Provisional agenda" session=4 agenda-item=1"#,
            "doc version CTOC/COP/2008/1 lang=fr status=issued date=2008-08-01",
            "doc revise CTOC/COP/2008/1",
            #"doc allocate body=CTOC/COP session=4 series=CRP title="Statement; -- by the Chair""#,
            #"decision draft body=CTOC/COP session=4 kind=decision title="Trafficking in persons" "#
                + #"text="The Conference…""#,
            "decision adopt id=1 date=2008-10-15",
            "decision link body=CTOC/COP number=4/1 establishes=wg:WG.4",
            "session close body=CTOC/COP number=4", "token create name=registry-clerk role=secretariat",
        ] {
            #expect(client.last(line).hasPrefix("20"), "\(line)")
        }
        server.stop()

        let directory = try TestCluster.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let dump = directory.appendingPathComponent("plenary.dump").path
        let dumped = try Self.pgTool("pg_dump", ["--format=custom", "--file=\(dump)", "--dbname=\(database)"])
        #expect(dumped.status == 0, "\(dumped.stderr)")
        let restored = try TestCluster.makeDatabase(migrated: false)
        let restoring = try Self.pgTool(
            "pg_restore", ["--exit-on-error", "--no-owner", "--dbname=\(restored)", dump])
        #expect(restoring.status == 0, "\(restoring.stderr)")

        let before = try Self.contents(database)
        let after = try Self.contents(restored)
        #expect(before.keys.sorted() == after.keys.sorted(), "the same tables")
        for table in before.keys.sorted() {
            #expect(before[table] == after[table], "table \(table) differs after the restore")
        }
        // What an operator would compare: Plenary's own export of each, byte for byte.
        let exported = try PlenaryProcess.run(["export"], databaseURL: database)
        #expect(exported.status == 0 && exported.stdout.contains("CTOC/COP/2008/CRP.1"), "\(exported.stderr)")
        #expect(try PlenaryProcess.run(["export"], databaseURL: restored).stdout == exported.stdout)
        let verified = try PlenaryProcess.run(["audit", "verify"], databaseURL: restored)
        #expect(
            verified.status == 0 && verified.stdout.hasPrefix("200 OK intact=true"),
            "\(verified.stdout)\(verified.stderr)")
        let rows = before.values.reduce(0) { $0 + (Int($1.prefix { $0 != "\n" }) ?? 0) }
        print(
            "reliability: backup and restore: pg_dump --format=custom, pg_restore into a new database: "
                + "\(before.count) tables, \(rows) rows identical, plenary export identical "
                + "(\(exported.stdout.utf8.count) bytes), audit verify: "
                + verified.stdout.trimmingCharacters(in: .newlines)
        )
    }
}
