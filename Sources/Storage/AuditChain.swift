import Foundation
import Logging
import Postgres
import Synchronization

/// Sealing the audit trail after commit (Schema/0010_audit_chain.sql): writers append unsealed rows; whoever holds
/// the database's chainer lock gives them their seqs and hashes, in batches, with `plenary_audit_seal`.
public enum AuditChain {
    /// Rows sealed per transaction: large enough that a burst is sealed in a few round trips, small enough that the
    /// head lock is held for milliseconds.
    public static let batchSize = 500

    /// The rows not sealed yet, as one moment sees them.
    public struct Tail: Sendable, Equatable {
        /// Committed rows still without a seq.
        public var unsealed: Int
        /// How long the oldest of them has waited, in milliseconds (0 when there is none).
        public var lagMilliseconds: Int
        /// The sealed chain's newest seq.
        public var head: Int
    }

    /// Seals up to `limit` committed rows in one transaction of its own; the number sealed, or nil when another
    /// session is the chainer and the work is its to do. Must not run inside a transaction.
    @discardableResult
    public static func seal(_ connection: Connection, limit: Int = batchSize) throws -> Int? {
        let sealed =
            try connection.queryOne("SELECT plenary_audit_seal($1) AS sealed", [limit])?
            .decode("sealed", as: Int.self) ?? 0
        return sealed < 0 ? nil : sealed
    }

    /// The unsealed tail and the head, read in one statement.
    public static func tail(_ connection: Connection) throws -> Tail {
        let row = try connection.queryOne(
            """
            SELECT count(*) AS unsealed,
                   coalesce(floor(extract(epoch FROM clock_timestamp() - min(at)) * 1000), 0)::bigint AS lag,
                   (SELECT seq FROM audit_head) AS head
            FROM audit_log WHERE seq IS NULL
            """)
        return Tail(
            unsealed: try row?.decode("unsealed", as: Int.self) ?? 0,
            lagMilliseconds: max(0, try row?.decode("lag", as: Int.self) ?? 0),
            head: try row?.decode("head", as: Int.self) ?? 0)
    }

    /// `connection`, once ``catchUp(_:timeout:)`` has sealed what was committed before: for a caller in the same
    /// process as its writers (no server's chainer) that reads the trail right after writing it.
    public static func sealed(_ connection: Connection) throws -> Connection {
        try catchUp(connection)
        return connection
    }

    /// Makes sure every row committed before the call is sealed, before the caller reads the trail: seals them
    /// itself when no chainer runs (the CLI without a server), or waits for the chainer that does, up to `timeout`.
    /// Returns the tail left — rows committed meanwhile, or everything if the chainer is stuck, which the caller
    /// reports rather than hides.
    @discardableResult
    public static func catchUp(_ connection: Connection, timeout: Duration = .seconds(2)) throws -> Tail {
        guard
            let target = try connection.queryOne("SELECT max(id) AS target FROM audit_log WHERE seq IS NULL")?
                .decode("target", as: Int?.self)
        else { return try tail(connection) }
        let deadline = ContinuousClock.now + timeout
        while true {
            let sealed = try seal(connection)
            if sealed == AuditChain.batchSize { continue }
            let waiting =
                try connection.queryOne(
                    "SELECT EXISTS (SELECT 1 FROM audit_log WHERE seq IS NULL AND id <= $1) AS waiting", [target])?
                .decode("waiting", as: Bool.self) ?? false
            if !waiting || ContinuousClock.now >= deadline { break }
            // Another session holds the chainer lock (a server): it seals within milliseconds.
            Thread.sleep(forTimeInterval: 0.002)
        }
        return try tail(connection)
    }
}

/// The chainer of a serving process: on a connection and a thread of its own, it takes the database's chainer lock
/// (a session advisory lock) when it is free and then seals what writers commit, shortly after they commit. Of two
/// servers on one database exactly one holds the lock; the other stands by and takes over when the first one's
/// session ends (stopped, killed, or its connection lost).
public final class AuditChainer: Sendable {
    /// What this process's chainer is doing.
    public enum Role: String, Sendable {
        /// Not started (the CLI, or a server shutting down).
        case off
        /// Another session holds the chainer lock; this one waits to take over.
        case standby
        /// This process seals the trail.
        case active
    }

    private struct State {
        var role = Role.off
        var started = false
        var stopped = false
        var sealedTotal = 0
    }

    private let conninfo: String
    private let logger: Logger
    private let state = Mutex(State())
    private let wakeUp = NSCondition()
    /// The longest the chainer sleeps between looks at an idle trail; the shortest is a millisecond after a seal.
    private let idleInterval: Double
    /// How often a standby chainer tries the lock.
    private let standbyInterval: Double

    /// Creates a chainer for the database at `conninfo`; nothing runs until `start()`.
    public init(
        conninfo: String, idleInterval: Duration = .milliseconds(20), standbyInterval: Duration = .milliseconds(500),
        logger: Logger = Logger(label: "plenary.audit-chain")
    ) {
        self.conninfo = conninfo
        self.logger = logger
        self.idleInterval = Double(idleInterval.components.attoseconds) / 1e18 + Double(idleInterval.components.seconds)
        self.standbyInterval =
            Double(standbyInterval.components.attoseconds) / 1e18 + Double(standbyInterval.components.seconds)
    }

    /// What it is doing now.
    public var role: Role { state.withLock { $0.role } }

    /// Rows this process has sealed since it started.
    public var sealedTotal: Int { state.withLock { $0.sealedTotal } }

    /// Starts the chainer's thread (once).
    public func start() {
        let first = state.withLock { state -> Bool in
            defer { state.started = true }
            return !state.started && !state.stopped
        }
        guard first else { return }
        let thread = Thread { [self] in run() }
        thread.name = "plenary-audit-chain"
        thread.start()
    }

    /// Stops it: it seals what is visible once more, releases the lock and closes its connection.
    public func stop() {
        state.withLock { $0.stopped = true }
        wakeUp.lock()
        wakeUp.broadcast()
        wakeUp.unlock()
    }

    private var stopped: Bool { state.withLock { $0.stopped } }

    private func pause(_ seconds: Double) {
        wakeUp.lock()
        if !stopped { _ = wakeUp.wait(until: Date(timeIntervalSinceNow: seconds)) }
        wakeUp.unlock()
    }

    private func setRole(_ role: Role) {
        let changed = state.withLock { state -> Bool in
            defer { state.role = role }
            return state.role != role
        }
        if changed { logger.info("audit chainer", metadata: ["role": "\(role.rawValue)"]) }
    }

    private func run() {
        var connection: Connection?
        var holding = false
        var interval = 0.001
        var backoff = 0.1
        while !stopped {
            do {
                if connection == nil {
                    connection = try Connection(conninfo: conninfo, defaults: ["connect_timeout": "5"])
                    holding = false
                    backoff = 0.1
                }
                guard let open = connection else { continue }
                if !holding {
                    holding =
                        try open.queryOne(
                            "SELECT pg_try_advisory_lock(plenary_audit_chainer_key()) AS taken")?
                        .decode("taken", as: Bool.self) ?? false
                    setRole(holding ? .active : .standby)
                    if !holding {
                        pause(standbyInterval)
                        continue
                    }
                }
                let sealed = try AuditChain.seal(open) ?? 0
                if sealed > 0 { state.withLock { $0.sealedTotal += sealed } }
                if sealed == AuditChain.batchSize { continue }
                // Busy: look again soon; idle: back off, so an idle server costs the database little.
                interval = sealed > 0 ? 0.001 : min(interval * 2, idleInterval)
                pause(interval)
            } catch {
                logger.notice("audit chainer lost its connection; reconnecting", metadata: ["error": "\(error)"])
                connection = nil
                holding = false
                setRole(.standby)
                pause(backoff)
                backoff = min(backoff * 2, 5)
            }
        }
        if let connection, holding {
            // What committed before the stop is sealed now rather than by whoever takes over.
            _ = try? AuditChain.seal(connection)
            _ = try? connection.query("SELECT pg_advisory_unlock(plenary_audit_chainer_key())")
        }
        setRole(.off)
    }
}
