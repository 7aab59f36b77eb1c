import Foundation
import PlenaryTestSupport
import Postgres
import Testing

@Suite("Connection pool")
struct PoolTests {
    @Test func leasesAreExclusiveAndBounded() async throws {
        let conninfo = try TestCluster.makeDatabase(migrated: false)
        let pool = ConnectionPool(configuration: .init(conninfo: conninfo, size: 3))
        defer { pool.shutdown() }
        let pids = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    try await pool.withConnection { connection in
                        try connection.queryOne("SELECT pg_backend_pid() AS pid, pg_sleep(0.05)")!
                            .decode("pid", as: Int.self)
                    }
                }
            }
            return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
        }
        #expect(pids.count <= 3)
        #expect(pool.statistics.open <= 3)
    }

    @Test func acquireTimesOutWithUnavailable() async throws {
        let conninfo = try TestCluster.makeDatabase(migrated: false)
        let pool = ConnectionPool(configuration: .init(conninfo: conninfo, size: 1, acquireTimeout: .milliseconds(200)))
        defer { pool.shutdown() }
        async let hog: Void = pool.withConnection { connection in try connection.query("SELECT pg_sleep(1.5)") }
        try await Task.sleep(for: .milliseconds(100))
        await #expect {
            try await pool.withConnection { _ in 1 }
        } throws: { error in
            (error as? PostgresError)?.kind == .unavailable
        }
        try await hog
    }

    @Test func cancellingTheCallerCancelsTheStatement() async throws {
        let conninfo = try TestCluster.makeDatabase(migrated: false)
        let pool = ConnectionPool(configuration: .init(conninfo: conninfo, size: 1))
        defer { pool.shutdown() }
        let started = ContinuousClock.now
        let task = Task { try await pool.withConnection { try $0.query("SELECT pg_sleep(30)") } }
        try await Task.sleep(for: .milliseconds(300))
        task.cancel()
        await #expect(throws: PostgresError.self) { try await task.value }
        #expect(ContinuousClock.now - started < .seconds(10))
        // The connection was not poisoned.
        #expect(try await pool.withConnection { try $0.queryOne("SELECT 2 AS n")!.decode("n", as: Int.self) } == 2)
    }

    @Test func aTransactionLeftOpenIsRolledBackOnRelease() async throws {
        let conninfo = try TestCluster.makeDatabase(migrated: false)
        let pool = ConnectionPool(configuration: .init(conninfo: conninfo, size: 1))
        defer { pool.shutdown() }
        try await pool.withConnection { try $0.simpleQuery("CREATE TABLE leak (n int)") }
        try await pool.withConnection { connection in
            try connection.simpleQuery("BEGIN")
            try connection.query("INSERT INTO leak VALUES (1)")
        }
        let count = try await pool.withConnection { connection in
            try connection.queryOne("SELECT count(*)::int AS c FROM leak")!.decode("c", as: Int.self)
        }
        #expect(count == 0)
    }

    @Test func brokenConnectionsAreReplaced() async throws {
        let conninfo = try TestCluster.makeDatabase(migrated: false)
        let pool = ConnectionPool(configuration: .init(conninfo: conninfo, size: 2, healthCheckAfterIdle: .zero))
        defer { pool.shutdown() }
        let victim = try await pool.withConnection {
            try $0.queryOne("SELECT pg_backend_pid() AS p")!.decode("p", as: Int.self)
        }
        // Kill the backend from outside, as a server restart or an administrator would.
        let admin = try Connection(conninfo: conninfo)
        try admin.query("SELECT pg_terminate_backend($1)", [victim])
        try await Task.sleep(for: .milliseconds(200))
        // The idle check notices and replaces it: the caller never sees the dead connection.
        let fresh = try await pool.withConnection {
            try $0.queryOne("SELECT pg_backend_pid() AS p")!.decode("p", as: Int.self)
        }
        #expect(fresh != victim)
        #expect(pool.statistics.replaced >= 1)
    }
}
