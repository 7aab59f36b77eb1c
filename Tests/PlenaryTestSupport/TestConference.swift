import Bodies
import PlenaryCore
import Postgres
import Storage

/// A database of the test's own (cloned from the migrated template) with a pool over it and the given bodies, all
/// in Europe/Vienna: what the service modules' test suites build their services on. The pool is closed when the
/// last reference goes.
public final class TestConference: Sendable {
    /// The database's conninfo, for connections outside the pool.
    public let conninfo: String
    /// The database and its pool.
    public let database: Database

    /// The secretariat's clerk, who schedules, drafts and records.
    public static let clerk = Actor(name: "clerk", role: .secretariat)
    /// The administrator, who adds bodies.
    public static let admin = Actor(name: "admin", role: .admin)

    /// Creates the database with `bodies`, each named "Conference of the Parties (CODE)".
    public init(bodies: [String]) async throws {
        conninfo = try TestCluster.makeDatabase()
        database = Database(configuration: ConnectionPool.Configuration(conninfo: conninfo, size: 4))
        let registry = BodyRegistry(database: database)
        for code in bodies {
            _ = try await registry.add(
                Body(code: code, name: "Conference of the Parties (\(code))", timeZone: "Europe/Vienna"),
                by: Self.admin)
        }
    }

    deinit { database.shutdown() }

    /// A connection outside the pool, for SQL a service would never send. Tests run as the cluster's superuser.
    public func connection() throws -> Connection { try Connection(conninfo: conninfo) }
}
