import Foundation
import Logging
import Synchronization

/// A fixed set of connections to one database, leased out whole to one caller at a time.
///
/// libpq blocks the calling thread, so every lease runs its body on a thread the pool owns and awaits it from async
/// code; Swift's cooperative threads are never blocked on the network. A connection found broken — a failed health
/// check, or `CONNECTION_BAD` after a server restart — is closed and replaced, never handed out again.
public final class ConnectionPool: Sendable {
    /// How the pool connects and how long callers wait.
    public struct Configuration: Sendable {
        /// The libpq URI or key/value string.
        public var conninfo: String
        /// The most connections open at once.
        public var size: Int
        /// How long a caller waits for a free connection before getting `unavailable`.
        public var acquireTimeout: Duration
        /// A connection idle longer than this is checked with an empty query before it is handed out.
        public var healthCheckAfterIdle: Duration
        /// Applied as `statement_timeout` on every connection; zero leaves the server's setting.
        public var statementTimeout: Duration
        /// libpq's `connect_timeout` in seconds, unless the conninfo says otherwise.
        public var connectTimeoutSeconds: Int
        /// The `application_name` the server shows in pg_stat_activity, unless the conninfo says otherwise.
        public var applicationName: String

        /// Creates a configuration; the defaults suit a small admin service. They are the only statement of the
        /// pool's defaults: `database.*` in Config/plenary.yaml falls back to them (PlenaryConfig reads them here).
        public init(
            conninfo: String, size: Int = 8, acquireTimeout: Duration = .seconds(5),
            healthCheckAfterIdle: Duration = .seconds(5), statementTimeout: Duration = .seconds(30),
            connectTimeoutSeconds: Int = 5, applicationName: String = "plenary"
        ) {
            self.conninfo = conninfo
            self.size = max(1, size)
            self.acquireTimeout = acquireTimeout
            self.healthCheckAfterIdle = healthCheckAfterIdle
            self.statementTimeout = statementTimeout
            self.connectTimeoutSeconds = connectTimeoutSeconds
            self.applicationName = applicationName
        }
    }

    /// Counts for status pages and tests.
    public struct Statistics: Sendable, Equatable {
        /// Connections open now (idle and leased).
        public var open: Int
        /// Connections idle now.
        public var idle: Int
        /// Callers waiting for a connection.
        public var waiting: Int
        /// Connections closed because they were found broken, since the pool started.
        public var replaced: Int
    }

    private struct IdleConnection {
        var connection: Connection
        var since: ContinuousClock.Instant
    }

    private enum Slot: Sendable {
        case existing(Connection, idleSince: ContinuousClock.Instant)
        case new
    }

    private struct Waiter {
        var id: UInt64
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<Slot, any Error>
    }

    private struct State {
        var idle: [IdleConnection] = []
        var open = 0
        var waiters: [Waiter] = []
        var nextWaiterID: UInt64 = 0
        var replaced = 0
        var isShutDown = false
        /// Whether the one task that fails waiters whose acquire timeout passed is running.
        var sweeping = false
    }

    /// The pool's settings.
    public let configuration: Configuration
    private let state = Mutex(State())
    private let executor: BlockingExecutor
    private let cancellations = CancelRepeater()
    private let logger: Logger

    /// Creates a pool; connections are opened on first use.
    public init(configuration: Configuration, logger: Logger = Logger(label: "plenary.postgres")) {
        self.configuration = configuration
        self.logger = logger
        self.executor = BlockingExecutor(threads: configuration.size, name: "plenary-pg")
    }

    deinit {
        executor.shutdown()
        cancellations.shutdown()
    }

    /// Current counts.
    public var statistics: Statistics {
        state.withLock {
            Statistics(open: $0.open, idle: $0.idle.count, waiting: $0.waiters.count, replaced: $0.replaced)
        }
    }

    /// Leases a connection, runs `body` with it on one of the pool's threads, and returns it to the pool. When the
    /// calling task is cancelled while the body runs, the running statement is cancelled on the server.
    public func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (Connection) throws -> T
    ) async throws -> T {
        let slot = try await acquire()
        let running = RunningStatement(repeater: cancellations)
        return try await withTaskCancellationHandler {
            try await executor.run { [self] in
                defer { running.finish() }
                let connection: Connection
                do {
                    connection = try prepare(slot)
                } catch {
                    releaseSlot()
                    throw error
                }
                defer { release(connection) }
                guard running.start(connection.cancelHandle) else {
                    throw PostgresError(kind: .cancelled, message: "cancelled before the statement started")
                }
                return try body(connection)
            }
        } onCancel: {
            running.cancel()
        }
    }

    /// Leases a connection and runs `body` in one transaction: committed when it returns, rolled back when it
    /// throws, or when the calling task's ``CommitGate`` was abandoned before COMMIT.
    public func withTransaction<T: Sendable>(
        _ body: @escaping @Sendable (Connection) throws -> T
    ) async throws -> T {
        let gate = CommitGate.current
        return try await withConnection { connection in try connection.transaction(gate: gate, body) }
    }

    /// Closes idle connections and refuses new leases; leases in progress finish normally.
    public func shutdown() {
        let (idle, waiters) = state.withLock { state -> ([IdleConnection], [Waiter]) in
            state.isShutDown = true
            let idle = state.idle
            let waiters = state.waiters
            state.open -= idle.count
            state.idle.removeAll()
            state.waiters.removeAll()
            return (idle, waiters)
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: PostgresError(kind: .unavailable, message: "pool is shut down"))
        }
        _ = idle  // Dropping the last reference runs PQfinish.
    }

    // MARK: - Leasing

    private func acquire() async throws -> Slot {
        enum Decision {
            case slot(Slot)
            case wait(UInt64)
            case fail(PostgresError)
        }
        let size = configuration.size
        let immediate: Decision = state.withLock { state in
            if state.isShutDown { return .fail(PostgresError(kind: .unavailable, message: "pool is shut down")) }
            if let idle = state.idle.popLast() { return .slot(.existing(idle.connection, idleSince: idle.since)) }
            if state.open < size {
                state.open += 1
                return .slot(.new)
            }
            state.nextWaiterID += 1
            return .wait(state.nextWaiterID)
        }
        switch immediate {
        case .slot(let slot): return slot
        case .fail(let error): throw error
        case .wait(let id): return try await waitForSlot(id: id)
        }
    }

    private func waitForSlot(id: UInt64) async throws -> Slot {
        let deadline = ContinuousClock.now + configuration.acquireTimeout
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Slot, any Error>) in
                let startSweeping = state.withLock { state -> Bool in
                    state.waiters.append(Waiter(id: id, deadline: deadline, continuation: continuation))
                    defer { state.sweeping = true }
                    return !state.sweeping
                }
                if startSweeping { Task { await self.sweepWaiters() } }
            }
        } onCancel: {
            abandonWaiter(id: id, error: PostgresError(kind: .cancelled, message: "cancelled while waiting"))
        }
    }

    /// Fails the waiters whose acquire timeout passed. One task for all of them, running only while any wait: a
    /// sleeping task per waiter held its memory for the whole timeout, also for the waiters served at once. Waiters
    /// queue in order and share one timeout, so the first one's deadline is the next one due.
    private func sweepWaiters() async {
        let timeout = configuration.acquireTimeout
        while true {
            let next = state.withLock { state -> ContinuousClock.Instant? in
                guard let first = state.waiters.first else {
                    state.sweeping = false
                    return nil
                }
                return first.deadline
            }
            guard let next else { return }
            if next > .now { try? await Task.sleep(until: next, clock: .continuous) }
            let now = ContinuousClock.now
            let overdue = state.withLock { state -> [Waiter] in
                let overdue = state.waiters.prefix { $0.deadline <= now }
                state.waiters.removeFirst(overdue.count)
                return Array(overdue)
            }
            for waiter in overdue {
                waiter.continuation.resume(
                    throwing: PostgresError(
                        kind: .unavailable, message: "no database connection free within \(timeout)"))
            }
        }
    }

    private func abandonWaiter(id: UInt64, error: PostgresError) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: error)
    }

    /// Turns a slot into a connection that works: opens a new one, or checks one that sat idle.
    private func prepare(_ slot: Slot) throws -> Connection {
        switch slot {
        case .new:
            return try open()
        case .existing(let connection, let idleSince):
            let idleFor = ContinuousClock.now - idleSince
            if connection.isHealthy, idleFor < configuration.healthCheckAfterIdle { return connection }
            if connection.isHealthy, (try? connection.simpleQuery("")) != nil, connection.isHealthy {
                return connection
            }
            state.withLock { $0.replaced += 1 }
            logger.notice("replacing a broken database connection", metadata: ["idle": "\(idleFor)"])
            return try open()
        }
    }

    private func open() throws -> Connection {
        let connection = try Connection(
            conninfo: configuration.conninfo,
            defaults: [
                "connect_timeout": String(configuration.connectTimeoutSeconds),
                "application_name": configuration.applicationName,
            ])
        let timeout = configuration.statementTimeout.components
        let milliseconds = timeout.seconds * 1000 + timeout.attoseconds / 1_000_000_000_000_000
        if milliseconds > 0 {
            try connection.simpleQuery("SET statement_timeout = \(milliseconds)")
        }
        return connection
    }

    /// Returns a connection after a lease: to the next waiter, to the idle list, or closed when broken.
    private func release(_ connection: Connection) {
        if connection.isHealthy, connection.isInTransaction {
            // A body that returned inside a transaction it opened itself must not leak it to the next lease.
            connection.rollbackQuietly()
        }
        guard connection.isHealthy else {
            state.withLock { $0.replaced += 1 }
            logger.notice("closing a broken database connection")
            releaseSlot()
            return
        }
        let waiter = state.withLock { state -> Waiter? in
            if state.isShutDown {
                state.open -= 1
                return nil
            }
            if !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.idle.append(IdleConnection(connection: connection, since: .now))
            return nil
        }
        waiter?.continuation.resume(returning: .existing(connection, idleSince: .now))
    }

    /// Gives up a slot whose connection is gone, letting a waiter open a fresh one.
    private func releaseSlot() {
        let waiter = state.withLock { state -> Waiter? in
            if !state.isShutDown, !state.waiters.isEmpty { return state.waiters.removeFirst() }
            state.open -= 1
            return nil
        }
        waiter?.continuation.resume(returning: .new)
    }
}

/// The canceller of the statement a lease is running, shared with the task's cancellation handler.
///
/// A cancel request reaches the server only while a statement runs; one sent a moment early (while the lease was
/// still connecting, or between two statements) is ignored by the server. So a lease cancelled before its body
/// starts does not start it, and a cancel is repeated until the body has finished.
final class RunningStatement: Sendable {
    private let state = Mutex<(canceller: Canceller?, cancelled: Bool, finished: Bool)>((nil, false, false))
    private let repeater: CancelRepeater

    init(repeater: CancelRepeater) {
        self.repeater = repeater
    }

    /// Arms the handle for a lease that is about to run; false when the caller was cancelled already.
    func start(_ canceller: Canceller) -> Bool {
        state.withLock { state in
            state.canceller = canceller
            return !state.cancelled
        }
    }

    /// The lease's body returned or threw: nothing left to cancel.
    func finish() {
        state.withLock { state in
            state.canceller = nil
            state.finished = true
        }
    }

    /// Cancels now, and again every 200 ms until the lease's body has finished, so a request that raced the
    /// statement's start (or arrived between two statements of the body) is not lost. The pool's one
    /// ``CancelRepeater`` thread sends them: `PQcancel` blocks on a connection of its own to the server.
    func cancel() {
        let alreadyCancelled = state.withLock { state -> Bool in
            defer { state.cancelled = true }
            return state.cancelled || state.finished
        }
        guard !alreadyCancelled else { return }
        repeater.add(self)
    }

    /// Sends one cancel request; false once the body has finished (nothing more to cancel).
    fileprivate func cancelOnce() -> Bool {
        let (canceller, finished) = state.withLock { ($0.canceller, $0.finished) }
        if finished { return false }
        canceller?.cancel()
        return true
    }
}

/// The one thread of a pool that sends cancel requests, repeated every 200 ms for each cancelled lease until its
/// body has finished. It runs only while some lease is being cancelled: a thread per cancelled lease meant a burst
/// of timeouts (a frozen database under load) started hundreds of threads.
final class CancelRepeater: @unchecked Sendable {
    // NSCondition guards `pending`, `running` and `closed`; it is the only access path, hence @unchecked.
    private let condition = NSCondition()
    private var pending: [RunningStatement] = []
    private var running = false
    private var closed = false

    /// Cancels `statement` now and again until it has finished.
    func add(_ statement: RunningStatement) {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return }
        pending.append(statement)
        condition.signal()
        guard !running else { return }
        running = true
        let thread = Thread { [self] in loop() }
        thread.name = "plenary-pg-cancel"
        thread.start()
    }

    /// Stops the thread (the pool is gone).
    func shutdown() {
        condition.lock()
        closed = true
        pending.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            let round = pending
            pending.removeAll()
            condition.unlock()
            // Sent outside the lock: each is a round trip to the server.
            let unfinished = round.filter { $0.cancelOnce() }
            condition.lock()
            pending.insert(contentsOf: unfinished, at: 0)
            if pending.isEmpty || closed {
                running = false
                condition.unlock()
                return
            }
            _ = condition.wait(until: Date(timeIntervalSinceNow: 0.2))
            condition.unlock()
        }
    }
}

/// Threads of the pool's own that run blocking jobs, so libpq never blocks a cooperative thread.
final class BlockingExecutor: Sendable {
    private let queue = JobQueue()

    init(threads: Int, name: String) {
        for number in 0..<max(1, threads) {
            let queue = self.queue
            let thread = Thread {
                while let job = queue.next() { job() }
            }
            thread.name = "\(name)-\(number)"
            thread.start()
        }
    }

    func shutdown() { queue.close() }

    func run<T: Sendable>(_ job: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let accepted = queue.push {
                do {
                    continuation.resume(returning: try job())
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            if !accepted {
                continuation.resume(throwing: PostgresError(kind: .unavailable, message: "pool is shut down"))
            }
        }
    }
}

/// A FIFO of jobs guarded by a condition variable.
final class JobQueue: @unchecked Sendable {
    // NSCondition guards `jobs` and `closed`; it is the only access path, hence @unchecked.
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var head = 0
    private var closed = false
    private static let handedOut: @Sendable () -> Void = {}

    func push(_ job: @escaping @Sendable () -> Void) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    func next() -> (@Sendable () -> Void)? {
        condition.lock()
        defer { condition.unlock() }
        while head == jobs.count {
            if closed { return nil }
            condition.wait()
        }
        let job = jobs[head]
        // A job handed out is forgotten at once: a finished lease's job still holds its connection, which would
        // otherwise outlive the pool's shutdown (PQfinish runs when the last reference goes) until 64 more jobs.
        jobs[head] = Self.handedOut
        head += 1
        if head > 64, head * 2 > jobs.count {
            jobs.removeFirst(head)
            head = 0
        }
        return job
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
