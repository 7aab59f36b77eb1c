import EmbeddedPostgres
import Foundation
import Logging
import PlenaryTestSupport
import Postgres
import Storage
import Testing

/// A cluster of the test's own, restarted under a working pool: the shared test cluster must not be disturbed.
@Suite("Pool across a server restart")
struct PoolRestartTests {
    @Test func thePoolRecoversAfterTheServerRestartsMidTest() async throws {
        let directory = try TestCluster.scratchDirectory()
        let cluster = EmbeddedCluster(directory: directory.path, databaseName: "restart", logger: Logger(label: "test"))
        defer {
            try? cluster.down()
            try? FileManager.default.removeItem(at: directory)
        }
        let conninfo = try cluster.up()
        let pool = ConnectionPool(
            configuration: .init(
                conninfo: conninfo, size: 4, acquireTimeout: .seconds(5), healthCheckAfterIdle: .seconds(60)))
        defer { pool.shutdown() }

        func backendPID() async throws -> Int {
            try await pool.withConnection { try $0.queryOne("SELECT pg_backend_pid() AS p")!.decode("p", as: Int.self) }
        }
        // Open all four connections.
        let before = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    try await pool.withConnection { connection in
                        try connection.queryOne("SELECT pg_backend_pid() AS p, pg_sleep(0.2)")!.decode(
                            "p", as: Int.self)
                    }
                }
            }
            return try await group.reduce(into: Set<Int>()) { $0.insert($1) }
        }
        #expect(before.count == 4)

        try cluster.restart()

        // Every pooled connection is dead now, and the idle check is far off: each may fail once, transiently,
        // and is then replaced. Within a bounded number of attempts everything works again.
        var failures = 0
        var successes = 0
        for _ in 0..<12 {
            do {
                let pid = try await backendPID()
                #expect(!before.contains(pid))
                successes += 1
            } catch let error as PostgresError {
                #expect(error.isTransient, "a restart must surface as a transient error, got \(error)")
                failures += 1
            }
        }
        #expect(failures <= 4, "each dead connection fails at most once")
        #expect(successes >= 8)
        #expect(pool.statistics.replaced >= 1)
        #expect(pool.statistics.open <= 4)
        // And the pool is healthy again under concurrency.
        let after = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { try await backendPID() } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(after.count == 8)
    }
}
