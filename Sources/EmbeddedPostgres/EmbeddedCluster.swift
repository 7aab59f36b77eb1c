import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A private PostgreSQL cluster that Plenary runs for itself when no database is configured.
///
/// The cluster lives in `<directory>/pgdata` and is driven by the system's own PostgreSQL tools
/// (`initdb`, `pg_ctl`, `postgres`, `psql`), found on `PATH`, else in `pg_config --bindir`, else in the
/// newest `/usr/lib/postgresql/*/bin`. The server listens on a Unix socket only (`listen_addresses = ''`);
/// the socket sits in the data directory, or in a short directory under `/tmp` when that path would not fit
/// in `sun_path`. Server output goes to `<data directory>/postgres.log`.
///
/// PostgreSQL refuses to run as root, so when this process is root every tool runs as the `postgres` system
/// user through `runuser`. If that user cannot reach the requested directory (a checkout under a mode-700
/// `/root`, say), the cluster moves to `/var/lib/plenary/clusters/<hash>` or, failing that,
/// `/tmp/plenary-<uid>-<hash>`, where `<hash>` is derived from the requested path so every later run finds
/// the same cluster again; a warning names the directory chosen and the reason.
///
/// Every method blocks while external tools run (each under a timeout), so call them from a thread that may
/// block, not from a latency-sensitive task.
public struct EmbeddedCluster: Sendable {
    /// Whether the cluster exists and whether a server runs on it.
    public enum State: Sendable, Equatable {
        /// No cluster has been created in the data directory yet.
        case notInitialised
        /// The cluster exists but no server runs on it.
        case stopped
        /// A server runs on the cluster; `pid` is its postmaster's process id.
        case running(pid: Int32)
    }

    /// A snapshot of the cluster, as `status()` found it.
    public struct Status: Sendable, Equatable {
        /// Whether the cluster exists and runs.
        public var state: State
        /// The absolute path of the PostgreSQL data directory actually in use (a fallback when root).
        public var dataDirectory: String
        /// The absolute path of the directory holding the server's Unix socket.
        public var socketDirectory: String

        /// Creates a status snapshot.
        public init(state: State, dataDirectory: String, socketDirectory: String) {
            self.state = state
            self.dataDirectory = dataDirectory
            self.socketDirectory = socketDirectory
        }
    }

    /// The absolute path of the directory that holds the cluster (`pgdata/`) and its lock file.
    public let directory: String
    /// The database that `up()` creates and that the connection string names.
    public let databaseName: String
    let logger: Logger

    /// Where the cluster lives unless told otherwise (`embedded.directory` falls back to it).
    public static let defaultDirectory = ".plenary"

    /// Describes a cluster in `directory`, resolved against the current working directory now;
    /// nothing is created or started until `up()`.
    public init(directory: String = defaultDirectory, databaseName: String = "plenary", logger: Logger) {
        self.directory = Paths.absolute(directory)
        self.databaseName = databaseName
        self.logger = logger
    }

    /// Creates the cluster when missing, starts it when not running (reusing a server that already runs),
    /// waits until it accepts connections, creates the database when missing, and returns a libpq key/value
    /// connection string: `host=SOCKETDIR port=PORT dbname=NAME user=USER`.
    ///
    /// Concurrent callers, in this process or others, are serialised by a lock file in `directory`, so only
    /// one of them ever runs `initdb`.
    public func up() throws -> String {
        let lock = try ClusterLock.acquire(in: directory, create: true, logger: logger)
        defer { lock?.release() }
        return try upWhileLocked()
    }

    /// Stops the server with `pg_ctl stop -m fast`; does nothing when it is stopped or was never created.
    public func down() throws {
        let lock = try ClusterLock.acquire(in: directory, create: false, logger: logger)
        defer { lock?.release() }
        let account = try ServerAccount.current()
        let dataDirectory = try resolveDataDirectory(account: account, creating: false)
        guard case .running(let pid) = try settledState(of: dataDirectory) else {
            logger.debug("embedded PostgreSQL is not running", metadata: ["directory": "\(dataDirectory)"])
            return
        }
        let binaries = try PostgresBinaries.locate(forCluster: dataDirectory)
        logger.info("stopping embedded PostgreSQL", metadata: ["pid": "\(pid)", "directory": "\(dataDirectory)"])
        let fast = try pgCtl(
            binaries, account, ["stop", "-D", dataDirectory, "-m", "fast", "-w", "-t", "\(Limits.serverWait)"])
        guard !fast.succeeded, Self.probe(dataDirectory).state != .stopped else { return }
        // A fast shutdown waits for nothing but can still time out on a wedged server; immediate shutdown is
        // crash-safe (recovery replays WAL on the next start), so it beats leaving the server behind.
        logger.warning("fast shutdown failed, trying immediate shutdown", metadata: ["error": "\(fast.diagnostics)"])
        let immediate = try pgCtl(
            binaries, account, ["stop", "-D", dataDirectory, "-m", "immediate", "-w", "-t", "\(Limits.serverWait)"]
        )
        if !immediate.succeeded, Self.probe(dataDirectory).state != .stopped {
            throw EmbeddedClusterError(
                step: "stop the server (pg_ctl stop)",
                reason: "the server in \(dataDirectory) did not stop",
                toolOutput: fast.diagnostics + "\n" + immediate.diagnostics
            )
        }
    }

    /// Reports whether the cluster exists and runs, and where it lives; starts and creates nothing.
    public func status() throws -> Status {
        let account = try ServerAccount.current()
        let dataDirectory = try resolveDataDirectory(account: account, creating: false)
        let probe = Self.probe(dataDirectory)
        let endpoint = Self.endpoint(dataDirectory: dataDirectory, pidFile: probe.pidFile, state: probe.state)
        return Status(state: probe.state, dataDirectory: dataDirectory, socketDirectory: endpoint.socketDirectory)
    }

    /// The connection string `up()` returns, computed without starting or creating anything.
    public func connectionString() throws -> String {
        let account = try ServerAccount.current()
        let dataDirectory = try resolveDataDirectory(account: account, creating: false)
        let probe = Self.probe(dataDirectory)
        let endpoint = Self.endpoint(dataDirectory: dataDirectory, pidFile: probe.pidFile, state: probe.state)
        return Self.conninfo(endpoint: endpoint, databaseName: databaseName, user: account.name)
    }

    /// Restarts a running server with `pg_ctl restart -m fast`, dropping every connection; when the server
    /// is not running this is `up()`.
    public func restart() throws {
        let lock = try ClusterLock.acquire(in: directory, create: true, logger: logger)
        defer { lock?.release() }
        let account = try ServerAccount.current()
        let dataDirectory = try resolveDataDirectory(account: account, creating: true)
        guard case .running(let oldPid) = try settledState(of: dataDirectory) else {
            _ = try upWhileLocked()
            return
        }
        let binaries = try PostgresBinaries.locate(forCluster: dataDirectory)
        let socketDirectory = Self.socketDirectory(forDataDirectory: dataDirectory)
        try prepareSocketDirectory(socketDirectory, dataDirectory: dataDirectory, account: account)
        try writeSettings(dataDirectory: dataDirectory, socketDirectory: socketDirectory, account: account)
        logger.info("restarting embedded PostgreSQL", metadata: ["pid": "\(oldPid)", "directory": "\(dataDirectory)"])
        let logFile = Self.logFile(dataDirectory)
        let logOffset = Self.fileSize(logFile)
        let result = try pgCtl(
            binaries, account,
            ["restart", "-D", dataDirectory, "-l", logFile, "-m", "fast", "-w", "-t", "\(Limits.serverWait)"]
        )
        guard result.succeeded, case .running = Self.probe(dataDirectory).state else {
            throw EmbeddedClusterError(
                step: "restart the server (pg_ctl restart)",
                reason: result.timedOut ? "pg_ctl did not finish in time" : "pg_ctl exited with \(result.status)",
                toolOutput: result.diagnostics + Self.logTail(logFile, from: logOffset)
            )
        }
    }
}

/// Why the embedded cluster could not be created, started, stopped or found.
public struct EmbeddedClusterError: Error, CustomStringConvertible, Sendable {
    /// What was being done, e.g. "create the cluster (initdb)".
    public let step: String
    /// Why it failed, in a sentence.
    public let reason: String
    /// The failing tool's standard error (or output), plus the tail of the server log where relevant.
    public let toolOutput: String

    /// Creates an error for `step`.
    public init(step: String, reason: String, toolOutput: String = "") {
        self.step = step
        self.reason = reason
        self.toolOutput = toolOutput
    }

    /// "embedded PostgreSQL: could not STEP: REASON", followed by the tool's output when there is any.
    public var description: String {
        let output = toolOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let head = "embedded PostgreSQL: could not \(step): \(reason)"
        return output.isEmpty ? head : head + "\n" + output
    }
}
