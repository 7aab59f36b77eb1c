import Logging
import PlenaryCore
import Postgres

/// Applies `Schema/*.sql` in order, each in its own transaction, and records each with its checksum in
/// `schema_migrations`. A session-level advisory lock makes concurrent starters take turns, so two servers
/// starting at once apply every migration exactly once.
public struct Migrator: Sendable {
    /// How a migration stands in a database.
    public enum State: String, Sendable, Equatable {
        /// Recorded with the same checksum.
        case applied
        /// Not yet applied.
        case pending
        /// Recorded with a different checksum: the file was edited after release.
        case changed
        /// Recorded in the database but unknown to this binary (a newer Plenary migrated it).
        case unknown
    }

    /// One row of `plenary migrate --status`.
    public struct Entry: Sendable, Equatable {
        /// The migration's number.
        public var version: Int
        /// The file name (or the recorded name for an unknown migration).
        public var fileName: String
        /// Where it stands.
        public var state: State
        /// When it was applied, as the server printed it.
        public var appliedAt: String?
    }

    /// The migrations, in order.
    public let migrations: [Migration]
    private let logger: Logger

    /// The lock key: a fixed number so every Plenary process contends for the same advisory lock.
    static let lockKey = 7_411_000_001

    /// Creates a migrator; the migrations must have distinct, well-formed version numbers.
    public init(migrations: [Migration] = Migration.embedded, logger: Logger = Logger(label: "plenary.migrate")) {
        self.migrations = migrations.sorted { ($0.version ?? 0) < ($1.version ?? 0) }
        self.logger = logger
    }

    /// Checks the files themselves: each named `NNNN_name.sql`, numbers unique.
    public func validateFiles() throws(DomainError) {
        var seen: [Int: String] = [:]
        for migration in migrations {
            guard let version = migration.version else {
                throw DomainError.conflict("migration \(migration.fileName): name must be NNNN_name.sql")
            }
            if let other = seen[version] {
                throw DomainError.conflict(
                    "migration \(migration.fileName): number \(version) is also used by \(other)")
            }
            seen[version] = migration.fileName
        }
    }

    /// Applies every pending migration and returns the file names it applied. Refuses to go on when a released
    /// migration's file changed, naming the file.
    @discardableResult
    public func migrate(_ connection: Connection) throws -> [String] {
        try validateFiles()
        try connection.query("SELECT pg_advisory_lock($1)", [Self.lockKey])
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", [Self.lockKey]) }
        try ensureTable(connection)
        let recorded = try recordedMigrations(connection)
        try checkChecksums(recorded)
        var applied: [String] = []
        for migration in migrations {
            guard let version = migration.version, recorded[version] == nil else { continue }
            logger.info("applying migration", metadata: ["file": "\(migration.fileName)"])
            do {
                try connection.transaction { connection in
                    try connection.simpleQuery(migration.sql)
                    try connection.query(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                        [version, migration.fileName, migration.checksum])
                }
            } catch let error as PostgresError {
                throw DomainError.conflict("migration \(migration.fileName): \(error.description)")
            }
            applied.append(migration.fileName)
        }
        return applied
    }

    /// Every known and recorded migration with its state, without changing anything.
    public func status(_ connection: Connection) throws -> [Entry] {
        let exists = try connection.queryOne("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
        let recorded = try (exists?.decode("present", as: Bool.self) ?? false) ? recordedMigrations(connection) : [:]
        var entries: [Entry] = []
        for migration in migrations {
            guard let version = migration.version else { continue }
            let row = recorded[version]
            let state: State =
                switch row {
                case nil: .pending
                case let row? where row.checksum == migration.checksum: .applied
                default: .changed
                }
            entries.append(Entry(version: version, fileName: migration.fileName, state: state, appliedAt: row?.at))
        }
        let known = Set(migrations.compactMap(\.version))
        for (version, row) in recorded where !known.contains(version) {
            entries.append(Entry(version: version, fileName: row.name, state: .unknown, appliedAt: row.at))
        }
        return entries.sorted { $0.version < $1.version }
    }

    private struct Recorded {
        var name: String
        var checksum: String
        var at: String
    }

    private func ensureTable(_ connection: Connection) throws {
        try connection.simpleQuery(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version     integer PRIMARY KEY,
                name        text NOT NULL,
                checksum    text NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now()
            )
            """)
    }

    private func recordedMigrations(_ connection: Connection) throws -> [Int: Recorded] {
        let result = try connection.query(
            "SELECT version, name, checksum, applied_at::text AS applied_at FROM schema_migrations ORDER BY version")
        var recorded: [Int: Recorded] = [:]
        for row in result.rows {
            recorded[try row.decode("version", as: Int.self)] = Recorded(
                name: try row.decode("name"), checksum: try row.decode("checksum"), at: try row.decode("applied_at"))
        }
        return recorded
    }

    private func checkChecksums(_ recorded: [Int: Recorded]) throws(DomainError) {
        for migration in migrations {
            guard let version = migration.version, let row = recorded[version] else { continue }
            if row.checksum != migration.checksum {
                throw DomainError.conflict(
                    "migration \(migration.fileName): file changed after it was applied (recorded checksum "
                        + "\(row.checksum.prefix(12))…, file \(migration.checksum.prefix(12))…); released migrations "
                        + "are never edited — add a new one instead")
            }
        }
        let known = Set(migrations.compactMap(\.version))
        if let newest = recorded.keys.filter({ !known.contains($0) }).min() {
            throw DomainError.conflict(
                "migration \(recorded[newest]!.name): applied to this database but unknown to this plenary binary; "
                    + "run a plenary at least as new as the one that migrated it")
        }
    }
}
