import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Storage
import Testing

@Suite("Migrations")
struct MigratorTests {
    static let first = Migration(fileName: "0001_first.sql", sql: "CREATE TABLE first_table (id int PRIMARY KEY);")
    static let second = Migration(
        fileName: "0002_second.sql",
        sql: "CREATE TABLE second_table (id int REFERENCES first_table); INSERT INTO first_table VALUES (1);")

    @Test func appliesInOrderOnceAndRecordsChecksums() throws {
        let connection = try Connection(conninfo: try TestCluster.makeDatabase(migrated: false))
        let migrator = Migrator(migrations: [Self.second, Self.first])
        #expect(try migrator.migrate(connection) == ["0001_first.sql", "0002_second.sql"])
        #expect(try migrator.migrate(connection) == [])
        let rows = try connection.query("SELECT version, checksum FROM schema_migrations ORDER BY version").rows
        #expect(try rows.map { try $0.decode("version", as: Int.self) } == [1, 2])
        #expect(try rows[0].decode("checksum", as: String.self) == Self.first.checksum)
        #expect(try migrator.status(connection).map(\.state) == [.applied, .applied])
    }

    @Test func aChangedReleasedMigrationIsRefusedByName() throws {
        let connection = try Connection(conninfo: try TestCluster.makeDatabase(migrated: false))
        try Migrator(migrations: [Self.first]).migrate(connection)
        let edited = Migration(fileName: "0001_first.sql", sql: "CREATE TABLE first_table (id bigint PRIMARY KEY);")
        let migrator = Migrator(migrations: [edited, Self.second])
        do {
            try migrator.migrate(connection)
            Issue.record("an edited migration was accepted")
        } catch let error as DomainError {
            #expect(error.kind == .conflict)
            #expect(error.message.contains("0001_first.sql"))
            #expect(error.message.contains("changed"))
        }
        // Nothing after it was applied either.
        #expect(try migrator.status(connection).map(\.state) == [.changed, .pending])
    }

    @Test func aFailingMigrationLeavesNothingHalfWritten() throws {
        let connection = try Connection(conninfo: try TestCluster.makeDatabase(migrated: false))
        let broken = Migration(
            fileName: "0002_broken.sql", sql: "CREATE TABLE half (id int); SELECT no_such_function();")
        #expect(throws: DomainError.self) { try Migrator(migrations: [Self.first, broken]).migrate(connection) }
        let half = try connection.queryOne("SELECT to_regclass('half') IS NULL AS absent")
        #expect(try half?.decode("absent", as: Bool.self) == true)
        #expect(
            try Migrator(migrations: [Self.first, broken]).status(connection).map(\.state) == [.applied, .pending])
    }

    @Test func twoMigratorsRacingApplyEachMigrationOnce() async throws {
        let conninfo = try TestCluster.makeDatabase(migrated: false)
        // A slow migration widens the window in which a second starter would interfere without the lock.
        let slow = Migration(
            fileName: "0001_slow.sql", sql: "SELECT pg_sleep(0.5); CREATE TABLE raced (id int PRIMARY KEY);")
        let applied = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let connection = try Connection(conninfo: conninfo)
                    return try Migrator(migrations: [slow, Self.second.renamedFor(raced: true)]).migrate(connection)
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(applied.sorted() == ["0001_slow.sql", "0002_second.sql"])
        let connection = try Connection(conninfo: conninfo)
        let count = try connection.queryOne("SELECT count(*)::int AS c FROM schema_migrations")
        #expect(try count?.decode("c", as: Int.self) == 2)
    }

    @Test func migrationsUnknownToThisBinaryAreRefused() throws {
        let connection = try Connection(conninfo: try TestCluster.makeDatabase(migrated: false))
        try Migrator(migrations: [Self.first, Self.second]).migrate(connection)
        #expect(throws: DomainError.self) { try Migrator(migrations: [Self.first]).migrate(connection) }
        #expect(try Migrator(migrations: [Self.first]).status(connection).map(\.state) == [.applied, .unknown])
    }

    @Test func fileNamesAreValidated() {
        let unnumbered = Migration(fileName: "first.sql", sql: "SELECT 1")
        #expect(throws: DomainError.self) { try Migrator(migrations: [unnumbered]).validateFiles() }
        let duplicate = Migration(fileName: "0001_again.sql", sql: "SELECT 1")
        #expect(throws: DomainError.self) { try Migrator(migrations: [Self.first, duplicate]).validateFiles() }
    }

    @Test func theEmbeddedSchemaMatchesTheFilesInSchema() throws {
        // The build embeds Schema/*.sql; the binary must carry exactly what the repository holds.
        let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Schema")
        let files = try FileManager.default.contentsOfDirectory(atPath: schema.path).filter { $0.hasSuffix(".sql") }
            .sorted()
        #expect(Migration.embedded.map(\.fileName) == files)
        for migration in Migration.embedded {
            let text = try String(contentsOf: schema.appendingPathComponent(migration.fileName), encoding: .utf8)
            #expect(migration.sql == text, "\(migration.fileName) differs from its embedded copy")
        }
        try Migrator().validateFiles()
    }
}

extension Migration {
    /// The second migration without its dependency on a row, for the race test.
    fileprivate func renamedFor(raced: Bool) -> Migration {
        Migration(fileName: fileName, sql: "CREATE TABLE second_table (id int);")
    }
}
