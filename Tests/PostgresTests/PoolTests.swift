import Foundation
import PlenaryTestSupport
import Postgres
import Synchronization
import Testing

@Suite("Connection pool")
struct PoolTests {
    @Test func leasesAreExclusiveAndBounded() async throws {
        let conninfo = try TestCluster.makeDatabase(migrated: false)
        // The acquire timeout is generous: this test is about exclusivity and the bound, and on a loaded two-core
        // machine running the whole suite twelve waiters can outlast the default without anything being wrong.
        let pool = ConnectionPool(configuration: .init(conninfo: conninfo, size: 3, acquireTimeout: .seconds(120)))
        defer { pool.shutdown() }
        // What each lease holds while it runs: the connection and its server backend. A connection (or a backend)
        // handed to a second caller while the first still holds it is a collision.
        let ledger = LeaseLedger()
        // Twelve callers, each leasing four times in a row: callers come back while others wait, so a connection
        // the pool handed out twice (to a waiter and to the idle list, say) is taken by a second caller while the
        // first still holds it.
        let pids = try await withThrowingTaskGroup(of: Set<Int>.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    var pids = Set<Int>()
                    for _ in 0..<4 {
                        let pid = try await pool.withConnection { connection in
                            // Claimed before the connection is touched: a lease that collides never uses a
                            // connection another thread is using (libpq would not survive that); it fails the test.
                            try ledger.claim(connection)
                            defer { ledger.release(connection) }
                            let pid = try connection.queryOne("SELECT pg_backend_pid() AS pid")!
                                .decode("pid", as: Int.self)
                            try ledger.claim(backend: pid, of: connection)
                            // Held long enough for the callers to overlap on three connections.
                            try connection.query("SELECT pg_sleep(0.02)")
                            return pid
                        }
                        pids.insert(pid)
                    }
                    return pids
                }
            }
            return try await group.reduce(into: Set<Int>()) { $0.formUnion($1) }
        }
        #expect(ledger.collisions.isEmpty, "held by two leases at once: \(ledger.collisions)")
        #expect(ledger.most <= 3)
        #expect(ledger.most >= 2, "the callers never overlapped: the test proved nothing")
        #expect(pids.count <= 3)
        #expect(pool.statistics.open <= 3)
    }

    @Test func shutdownClosesTheIdleConnections() async throws {
        let conninfo = try TestCluster.makeDatabase(migrated: false)
        let pool = ConnectionPool(configuration: .init(conninfo: conninfo, size: 2))
        // Two leases: the second takes the idle connection the first left, as every lease but a pool's first does.
        _ = try await pool.withConnection { try $0.query("SELECT 1") }
        let pid = try await pool.withConnection {
            try $0.queryOne("SELECT pg_backend_pid() AS p")!.decode("p", as: Int.self)
        }
        pool.shutdown()
        // The server sees the backend go once the pool has said goodbye (PQfinish), not only when the process exits.
        let admin = try Connection(conninfo: conninfo)
        let deadline = ContinuousClock.now + .seconds(30)
        var gone = false
        while !gone, ContinuousClock.now < deadline {
            gone =
                try admin.queryOne("SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1", [pid])!
                .decode("n", as: Int.self) == 0
            if !gone { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(gone, "backend \(pid) still connected after the pool shut down")
    }

    @Test func acquireTimesOutWithUnavailable() async throws {
        let conninfo = try TestCluster.makeDatabase(migrated: false)
        let pool = ConnectionPool(configuration: .init(conninfo: conninfo, size: 1, acquireTimeout: .milliseconds(200)))
        defer { pool.shutdown() }
        let holding = Flag()
        let release = Flag()
        // The only connection stays leased until the test says so: no sleep to outlast on a loaded machine.
        async let hog: Void = pool.withConnection { connection in
            holding.set()
            let deadline = Date().addingTimeInterval(120)
            while !release.isSet, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
            try connection.query("SELECT 1")
        }
        while !holding.isSet { try await Task.sleep(for: .milliseconds(10)) }
        await #expect {
            try await pool.withConnection { _ in 1 }
        } throws: { error in
            (error as? PostgresError)?.kind == .unavailable
        }
        release.set()
        try await hog
    }

    @Test func cancellingBeforeTheLeaseStartsNeverRunsTheBody() async throws {
        let conninfo = try TestCluster.makeDatabase(migrated: false)
        let pool = ConnectionPool(configuration: .init(conninfo: conninfo, size: 1))
        defer { pool.shutdown() }
        let ran = Flag()
        let task = Task {
            try await Task.sleep(for: .seconds(30))
            return try await pool.withConnection { _ in ran.set() }
        }
        task.cancel()
        await #expect(throws: (any Error).self) { try await task.value }
        let direct = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await pool.withConnection { _ in ran.set() }
        }
        await #expect(throws: PostgresError.self) { try await direct.value }
        #expect(!ran.isSet)
    }

    @Test func cancellingTheCallerCancelsTheStatement() async throws {
        let conninfo = try TestCluster.makeDatabase(migrated: false)
        let pool = ConnectionPool(configuration: .init(conninfo: conninfo, size: 1))
        defer { pool.shutdown() }
        let task = Task { try await pool.withConnection { try $0.query("SELECT pg_sleep(30) /* cancel-me */") } }
        // Cancel once the statement is really running on the server, however loaded the machine is.
        let observer = try Connection(conninfo: conninfo)
        while try observer.queryOne(
            "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%cancel-me%' AND state = 'active' "
                + "AND pid <> pg_backend_pid()")!.decode("n", as: Int.self) == 0
        {
            try await Task.sleep(for: .milliseconds(20))
        }
        let cancelled = ContinuousClock.now
        task.cancel()
        await #expect(throws: PostgresError.self) { try await task.value }
        #expect(ContinuousClock.now - cancelled < .seconds(20), "the statement ran to its end: cancel was lost")
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
        // Wait until the backend is gone, not for a fixed time: the check must meet a dead connection.
        let deadline = ContinuousClock.now + .seconds(60)
        while try admin.queryOne("SELECT count(*) AS n FROM pg_stat_activity WHERE pid = $1", [victim])!
            .decode("n", as: Int.self) > 0, ContinuousClock.now < deadline
        {
            try await Task.sleep(for: .milliseconds(10))
        }
        // The idle check notices and replaces it: the caller never sees the dead connection.
        let fresh = try await pool.withConnection {
            try $0.queryOne("SELECT pg_backend_pid() AS p")!.decode("p", as: Int.self)
        }
        #expect(fresh != victim)
        #expect(pool.statistics.replaced >= 1)
    }
}

/// The leases running at once: which connections and which server backends they hold. Claiming one that another
/// lease holds is recorded as a collision and fails the claiming lease.
final class LeaseLedger: Sendable {
    struct Collision: Error, CustomStringConvertible {
        var description: String
    }

    private struct State {
        var connections: Set<ObjectIdentifier> = []
        var backends: [ObjectIdentifier: Int] = [:]
        var collisions: [String] = []
        var most = 0
    }
    private let state = Mutex(State())

    /// Takes `connection` for a lease; throws when another lease holds it.
    func claim(_ connection: Connection) throws {
        try state.withLock { state throws(Collision) in
            guard state.connections.insert(ObjectIdentifier(connection)).inserted else {
                let collision = Collision(
                    description: "connection \(ObjectIdentifier(connection)) leased while another lease held it")
                state.collisions.append(collision.description)
                throw collision
            }
            state.most = max(state.most, state.connections.count)
        }
    }

    /// Records the server backend the lease's connection talks to; throws when another lease holds it.
    func claim(backend pid: Int, of connection: Connection) throws {
        try state.withLock { state throws(Collision) in
            guard !state.backends.values.contains(pid) else {
                let collision = Collision(description: "backend pid \(pid) leased while another lease held it")
                state.collisions.append(collision.description)
                throw collision
            }
            state.backends[ObjectIdentifier(connection)] = pid
        }
    }

    /// Gives `connection` (and its backend) back at the end of a lease.
    func release(_ connection: Connection) {
        state.withLock { state in
            state.connections.remove(ObjectIdentifier(connection))
            state.backends[ObjectIdentifier(connection)] = nil
        }
    }

    /// What was claimed while another lease held it.
    var collisions: [String] { state.withLock { $0.collisions } }
    /// The most leases held at once.
    var most: Int { state.withLock { $0.most } }
}

/// A flag one task sets and another polls.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
