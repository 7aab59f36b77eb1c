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
    private let logger: Logger

    /// Describes a cluster in `directory`, resolved against the current working directory now;
    /// nothing is created or started until `up()`.
    public init(directory: String = ".plenary", databaseName: String = "plenary", logger: Logger) {
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

// MARK: - Bringing the cluster up

extension EmbeddedCluster {
    private func upWhileLocked() throws -> String {
        let account = try ServerAccount.current()
        let dataDirectory = try resolveDataDirectory(account: account, creating: true)
        let socketDirectory = Self.socketDirectory(forDataDirectory: dataDirectory)
        let binaries: PostgresBinaries
        switch try settledState(of: dataDirectory) {
        case .notInitialised:
            binaries = try PostgresBinaries.locate(forCluster: nil)
            try initialise(dataDirectory: dataDirectory, account: account, binaries: binaries)
            try start(
                dataDirectory: dataDirectory, socketDirectory: socketDirectory, account: account, binaries: binaries)
        case .stopped:
            binaries = try PostgresBinaries.locate(forCluster: dataDirectory)
            try checkOwnership(dataDirectory: dataDirectory, account: account)
            try start(
                dataDirectory: dataDirectory, socketDirectory: socketDirectory, account: account, binaries: binaries)
        case .running(let pid):
            binaries = try PostgresBinaries.locate(forCluster: dataDirectory)
            logger.info(
                "reusing running embedded PostgreSQL", metadata: ["pid": "\(pid)", "directory": "\(dataDirectory)"])
        }
        let probe = Self.probe(dataDirectory)
        let endpoint = Self.endpoint(dataDirectory: dataDirectory, pidFile: probe.pidFile, state: probe.state)
        try ensureDatabase(endpoint: endpoint, account: account, binaries: binaries)
        return Self.conninfo(endpoint: endpoint, databaseName: databaseName, user: account.name)
    }

    private func initialise(dataDirectory: String, account: ServerAccount, binaries: PostgresBinaries) throws {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        if fileManager.fileExists(atPath: dataDirectory, isDirectory: &isDirectory) {
            let contents = (try? fileManager.contentsOfDirectory(atPath: dataDirectory)) ?? ["?"]
            guard isDirectory.boolValue, contents.isEmpty else {
                throw EmbeddedClusterError(
                    step: "create the cluster",
                    reason:
                        "\(dataDirectory) exists and is not an empty directory, yet holds no cluster (no PG_VERSION);"
                        + " move it away or choose another directory"
                )
            }
        }
        try Paths.makeDirectories(Paths.parent(dataDirectory))
        // initdb works in a staging directory renamed into place at the end, so a run killed half-way leaves
        // only the staging directory, which is ours by name and safe to wipe, never a half-made cluster.
        let staging = dataDirectory + ".initdb"
        logger.info("creating embedded PostgreSQL cluster", metadata: ["directory": "\(dataDirectory)"])
        var result = try runInitdb(staging: staging, locale: "C.UTF-8", account: account, binaries: binaries)
        if !result.succeeded, !result.timedOut, result.diagnostics.lowercased().contains("locale") {
            logger.notice("locale C.UTF-8 is unavailable, creating the cluster with locale C")
            result = try runInitdb(staging: staging, locale: "C", account: account, binaries: binaries)
        }
        guard result.succeeded else {
            try? fileManager.removeItem(atPath: staging)
            throw EmbeddedClusterError(
                step: "create the cluster (initdb)",
                reason: result.timedOut ? "initdb did not finish in time" : "initdb exited with \(result.status)",
                toolOutput: result.diagnostics
            )
        }
        try appendInclude(to: staging + "/postgresql.conf")
        guard rename(staging, dataDirectory) == 0 else {
            let reason = String(cString: strerror(errno))
            try? fileManager.removeItem(atPath: staging)
            throw EmbeddedClusterError(
                step: "create the cluster",
                reason: "could not move \(staging) to \(dataDirectory): \(reason)"
            )
        }
    }

    private func runInitdb(
        staging: String, locale: String, account: ServerAccount, binaries: PostgresBinaries
    ) throws -> ToolResult {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: staging) {
            do { try fileManager.removeItem(atPath: staging) } catch {
                throw EmbeddedClusterError(step: "create the cluster", reason: "could not remove \(staging): \(error)")
            }
        }
        try Paths.makeOwnedDirectory(staging, account: account, step: "create the cluster")
        return try ToolRunner.run(
            binaries.initdb,
            [
                "-D", staging, "--auth=trust", "--username=\(account.name)", "--encoding=UTF8",
                "--locale=\(locale)",
            ],
            as: account,
            timeout: Limits.initdb
        )
    }

    /// Hooks our settings file into postgresql.conf once; the file itself is rewritten on every start.
    private func appendInclude(to configuration: String) throws {
        let line = "include_if_exists = '\(Settings.fileName)'"
        let existing = (try? String(contentsOfFile: configuration, encoding: .utf8)) ?? ""
        guard !existing.contains(line) else { return }
        let addition = "\n# Plenary's embedded-cluster settings; they override the values above.\n\(line)\n"
        guard let handle = FileHandle(forWritingAtPath: configuration) else {
            throw EmbeddedClusterError(
                step: "configure the cluster", reason: "cannot open \(configuration) for writing")
        }
        defer { try? handle.close() }
        do {
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(addition.utf8))
        } catch {
            throw EmbeddedClusterError(
                step: "configure the cluster", reason: "cannot append to \(configuration): \(error)")
        }
    }

    private func writeSettings(dataDirectory: String, socketDirectory: String, account: ServerAccount) throws {
        try appendInclude(to: dataDirectory + "/postgresql.conf")
        let path = dataDirectory + "/" + Settings.fileName
        let text = """
            # Written by Plenary on every start of its embedded cluster: edits here are lost.
            # Unix socket only, in a directory private to this cluster.
            listen_addresses = ''
            unix_socket_directories = '\(Settings.socketDirectoryValue(socketDirectory))'
            port = \(Limits.port)
            # A development and single-host default, small enough to run several clusters side by side.
            shared_buffers = 32MB
            fsync = on

            """
        do {
            try text.write(toFile: path, atomically: false, encoding: .utf8)
        } catch {
            throw EmbeddedClusterError(step: "configure the cluster", reason: "cannot write \(path): \(error)")
        }
        if account.switchesUser {
            _ = chown(path, account.uid, account.gid)
        }
        _ = chmod(path, 0o600)
    }

    private func start(
        dataDirectory: String, socketDirectory: String, account: ServerAccount, binaries: PostgresBinaries
    ) throws {
        try prepareSocketDirectory(socketDirectory, dataDirectory: dataDirectory, account: account)
        try writeSettings(dataDirectory: dataDirectory, socketDirectory: socketDirectory, account: account)
        let logFile = Self.logFile(dataDirectory)
        let logOffset = Self.fileSize(logFile)
        let arguments = ["start", "-D", dataDirectory, "-l", logFile, "-w", "-t", "\(Limits.serverWait)"]
        logger.info("starting embedded PostgreSQL", metadata: ["directory": "\(dataDirectory)"])
        var result = try pgCtl(binaries, account, arguments)
        // The postmaster copes with lock files whose process is gone, but not with ones whose pid now belongs
        // to another process (pids are reused early after a reboot or in a container) or to a zombie that
        // nothing reaps (a container whose pid 1 is not an init).
        let staleLocks = result.succeeded ? [] : Self.staleLockFiles(dataDirectory, socketDirectory)
        if !staleLocks.isEmpty {
            try waitForOrphanedBackends(dataDirectory)
            for (path, pid) in staleLocks {
                logger.warning(
                    "removing stale lock file of a server that is gone, then retrying the start",
                    metadata: ["file": "\(path)", "pid": "\(pid)"]
                )
                do {
                    try FileManager.default.removeItem(atPath: path)
                } catch {
                    // The failed postmaster may have tidied it away itself; only a file that stays is a problem.
                    if FileManager.default.fileExists(atPath: path) {
                        throw EmbeddedClusterError(step: "remove the stale lock file \(path)", reason: "\(error)")
                    }
                }
            }
            result = try pgCtl(binaries, account, arguments)
        }
        guard result.succeeded, case .running = Self.probe(dataDirectory).state else {
            throw EmbeddedClusterError(
                step: "start the server (pg_ctl start)",
                reason: result.timedOut
                    ? "pg_ctl did not finish in time"
                    : result.succeeded
                        ? "pg_ctl reported success but no server runs" : "pg_ctl exited with \(result.status)",
                toolOutput: result.diagnostics + Self.logTail(logFile, from: logOffset)
            )
        }
    }

    /// After a postmaster dies its backends notice within moments; starting a new server while one still
    /// runs would let two servers share the data, so removing the lock file must wait for them to be gone.
    private func waitForOrphanedBackends(_ dataDirectory: String) throws {
        let deadline = Date().addingTimeInterval(Limits.orphanWait)
        var survivors = Self.processesWorking(in: dataDirectory)
        while !survivors.isEmpty, Date() < deadline {
            usleep(100_000)
            survivors = Self.processesWorking(in: dataDirectory)
        }
        guard survivors.isEmpty else {
            throw EmbeddedClusterError(
                step: "start the server",
                reason: "the previous server left processes \(survivors.map(String.init).joined(separator: ", "))"
                    + " running in \(dataDirectory); stop them before starting the cluster again"
            )
        }
    }

    private func checkOwnership(dataDirectory: String, account: ServerAccount) throws {
        guard let owner = Paths.owner(of: dataDirectory), owner != account.uid else { return }
        let ownerName = UserDatabase.user(id: owner)?.name ?? "uid \(owner)"
        throw EmbeddedClusterError(
            step: "start the server",
            reason: "the cluster in \(dataDirectory) belongs to \(ownerName), but this process would run it as"
                + " \(account.name); run plenary as \(ownerName) or choose another directory"
        )
    }

    private func prepareSocketDirectory(_ socketDirectory: String, dataDirectory: String, account: ServerAccount) throws
    {
        guard socketDirectory != dataDirectory else { return }
        if FileManager.default.fileExists(atPath: socketDirectory) {
            // /tmp is shared: a directory someone else made (or a symlink) there must not receive our socket.
            guard Paths.isRealDirectory(socketDirectory), Paths.owner(of: socketDirectory) == account.uid else {
                throw EmbeddedClusterError(
                    step: "prepare the socket directory",
                    reason: "\(socketDirectory) exists but is not a directory owned by \(account.name)"
                )
            }
            return
        }
        try Paths.makeOwnedDirectory(socketDirectory, account: account, step: "prepare the socket directory")
    }

    private func ensureDatabase(endpoint: Endpoint, account: ServerAccount, binaries: PostgresBinaries) throws {
        let connection = [
            "-X", "-w", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
            "-h", endpoint.socketDirectory, "-p", "\(endpoint.port)", "-U", account.name, "-d", "postgres",
        ]
        let listing = try ToolRunner.run(
            binaries.psql, connection + ["-c", "SELECT datname FROM pg_database"], as: account, timeout: Limits.query
        )
        guard listing.succeeded else {
            throw EmbeddedClusterError(
                step: "list the databases (psql)",
                reason: listing.timedOut ? "psql did not finish in time" : "psql exited with \(listing.status)",
                toolOutput: listing.diagnostics
            )
        }
        let names = listing.output.split(whereSeparator: \.isNewline).map(String.init)
        guard !names.contains(databaseName) else { return }
        logger.info("creating database in embedded PostgreSQL", metadata: ["database": "\(databaseName)"])
        let quoted = "\"" + databaseName.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        let create = try ToolRunner.run(
            binaries.psql, connection + ["-c", "CREATE DATABASE \(quoted)"], as: account, timeout: Limits.query
        )
        guard create.succeeded else {
            throw EmbeddedClusterError(
                step: "create database \(quoted) (psql)",
                reason: create.timedOut ? "psql did not finish in time" : "psql exited with \(create.status)",
                toolOutput: create.diagnostics
            )
        }
    }

    private func pgCtl(
        _ binaries: PostgresBinaries, _ account: ServerAccount, _ arguments: [String]
    ) throws
        -> ToolResult
    {
        // pg_ctl's own -t bounds the wait; ours only guards against pg_ctl itself hanging.
        try ToolRunner.run(binaries.pgCtl, arguments, as: account, timeout: TimeInterval(Limits.serverWait) + 30)
    }
}

// MARK: - Where the cluster lives

extension EmbeddedCluster {
    /// The requested data directory, or when root and the `postgres` user cannot reach it, a fallback.
    private func resolveDataDirectory(account: ServerAccount, creating: Bool) throws -> String {
        let requested = directory + "/pgdata"
        guard account.switchesUser else { return requested }
        let ancestors = Paths.existingAncestors(of: requested)
        guard let blocked = try Reachability.firstUnsearchable(ancestors, by: account) else { return requested }

        let why = "the \(account.name) user cannot search \(blocked) (\(Paths.describePermissions(blocked)))"
        let hash = Paths.shortHash(requested)
        let candidates = [
            (parent: "/var/lib/plenary/clusters", path: "/var/lib/plenary/clusters/\(hash)"),
            (parent: "/tmp", path: "/tmp/plenary-\(getuid())-\(hash)"),
        ]
        var usable: [String] = []
        var rejections: [String] = []
        for candidate in candidates {
            if let problem = try fallbackProblem(candidate.parent, candidate.path, account: account, creating: creating)
            {
                rejections.append("\(candidate.path): \(problem)")
            } else {
                usable.append(candidate.path)
            }
        }
        // A cluster made by an earlier run wins, so a fallback chosen once keeps being found.
        let initialised = usable.first { FileManager.default.fileExists(atPath: $0 + "/PG_VERSION") }
        guard let chosen = initialised ?? usable.first else {
            guard creating else { return candidates[0].path }
            throw EmbeddedClusterError(
                step: "choose a data directory",
                reason: "PostgreSQL refuses to run as root, so the cluster must be run by \(account.name), but \(why);"
                    + " and no fallback is usable (\(rejections.joined(separator: "; ")))."
                    + " Make \(blocked) searchable (chmod o+x), run plenary as an ordinary user,"
                    + " or configure a database URL"
            )
        }
        if creating {
            let existing = FileManager.default.fileExists(atPath: requested + "/PG_VERSION")
            let untouched = existing ? "; the cluster already in \(requested) is left untouched" : ""
            logger.warning(
                "embedded PostgreSQL uses \(chosen) instead of \(requested), because \(why)\(untouched)",
                metadata: ["requested": "\(requested)", "chosen": "\(chosen)", "blocked": "\(blocked)"]
            )
        }
        return chosen
    }

    /// Why `path` cannot hold the cluster, or nil when it can. Read-only callers (`status()`) treat a
    /// missing parent as usable, since `up()` would create it.
    private func fallbackProblem(
        _ parent: String, _ path: String, account: ServerAccount, creating: Bool
    ) throws
        -> String?
    {
        if !FileManager.default.fileExists(atPath: parent) {
            guard creating else { return nil }
            do { try Paths.makeDirectories(parent) } catch { return "cannot create \(parent): \(error)" }
        }
        if creating, access(parent, W_OK) != 0 {
            return "\(parent) is not writable: \(String(cString: strerror(errno)))"
        }
        if let blocked = try Reachability.firstUnsearchable(Paths.existingAncestors(of: path), by: account) {
            return "the \(account.name) user cannot search \(blocked) (\(Paths.describePermissions(blocked)))"
        }
        if FileManager.default.fileExists(atPath: path) || Paths.isSymbolicLink(path) {
            guard Paths.isRealDirectory(path), Paths.owner(of: path) == account.uid else {
                return "it exists but is not a directory owned by \(account.name)"
            }
        }
        return nil
    }

    /// The data directory itself when the socket path fits in `sun_path` and libpq can name it, else a short
    /// directory under /tmp named after the data directory, so every caller computes the same one.
    fileprivate static func socketDirectory(forDataDirectory dataDirectory: String) -> String {
        let socketPath = dataDirectory + "/.s.PGSQL.\(Limits.port)"
        // libpq splits host on commas, and our settings file quotes list entries with double quotes.
        let nameable = !dataDirectory.contains(",") && !dataDirectory.contains("\"")
        if socketPath.utf8.count <= Limits.socketPathBytes, nameable {
            return dataDirectory
        }
        return "/tmp/plenary-s-\(getuid())-\(Paths.shortHash(dataDirectory))"
    }

    fileprivate static func logFile(_ dataDirectory: String) -> String {
        dataDirectory + "/postgres.log"
    }
}

// MARK: - What runs

extension EmbeddedCluster {
    fileprivate struct Probe {
        var state: State
        var pidFile: PostmasterPidFile?
    }

    fileprivate struct Endpoint {
        var socketDirectory: String
        var port: Int
    }

    fileprivate static func probe(_ dataDirectory: String) -> Probe {
        guard FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") else {
            return Probe(state: .notInitialised, pidFile: nil)
        }
        guard let pidFile = PostmasterPidFile.read(dataDirectory), isPostmaster(pidFile.pid, of: dataDirectory) else {
            return Probe(state: .stopped, pidFile: nil)
        }
        return Probe(state: .running(pid: pidFile.pid), pidFile: pidFile)
    }

    /// The state once a server that is starting has finished starting and one that is stopping has stopped,
    /// so callers only ever act on `.running` servers that accept connections.
    private func settledState(of dataDirectory: String) throws -> State {
        let deadline = Date().addingTimeInterval(TimeInterval(Limits.serverWait))
        while true {
            let probe = Self.probe(dataDirectory)
            guard case .running = probe.state, let phase = probe.pidFile?.phase else { return probe.state }
            if phase == "ready" || phase == "standby" { return probe.state }
            guard Date() < deadline else {
                throw EmbeddedClusterError(
                    step: "wait for the server",
                    reason: "the server in \(dataDirectory) stayed '\(phase)' for \(Limits.serverWait) seconds"
                )
            }
            usleep(100_000)
        }
    }

    /// Where a running server really listens (its pid file says), else where we would make it listen.
    fileprivate static func endpoint(dataDirectory: String, pidFile: PostmasterPidFile?, state: State) -> Endpoint {
        if case .running = state, let pidFile, let port = pidFile.port, let socket = pidFile.socketDirectory,
            !socket.isEmpty
        {
            return Endpoint(socketDirectory: socket, port: port)
        }
        return Endpoint(socketDirectory: socketDirectory(forDataDirectory: dataDirectory), port: Limits.port)
    }

    fileprivate static func conninfo(endpoint: Endpoint, databaseName: String, user: String) -> String {
        func quoted(_ value: String) -> String {
            let plain = !value.isEmpty && !value.contains { $0 == " " || $0 == "'" || $0 == "\\" || $0.isWhitespace }
            if plain { return value }
            return "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
                + "'"
        }
        return "host=\(quoted(endpoint.socketDirectory)) port=\(endpoint.port) dbname=\(quoted(databaseName))"
            + " user=\(quoted(user))"
    }

    /// True when `pid` is alive and, where the system lets us look, is a PostgreSQL server working in this
    /// data directory: pg_ctl only asks whether the pid exists, which a reused pid would fool.
    /// postmaster.pid and the socket's lock file, when they name a process that is not a live server.
    fileprivate static func staleLockFiles(_ dataDirectory: String, _ socketDirectory: String) -> [(String, Int32)] {
        let dataLock = dataDirectory + "/postmaster.pid"
        let socketLock = socketDirectory + "/.s.PGSQL.\(Limits.port).lock"
        var stale: [(String, Int32)] = []
        if let pid = PostmasterPidFile.read(dataDirectory)?.pid, !isPostmaster(pid, of: dataDirectory) {
            stale.append((dataLock, pid))
        }
        // Any live server owns its socket lock, whichever data directory it serves.
        if let text = try? String(contentsOfFile: socketLock, encoding: .utf8),
            let line = text.split(separator: "\n").first, let pid = Int32(line.trimmingCharacters(in: .whitespaces)),
            !isPostmaster(pid, of: nil)
        {
            stale.append((socketLock, pid))
        }
        return stale
    }

    fileprivate static func isPostmaster(_ pid: Int32, of dataDirectory: String?) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        #if os(Linux)
        // Where nothing reaps orphans (a container whose pid 1 is not an init), a killed postmaster lingers
        // as a zombie that kill(pid, 0) still finds.
        if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")"),
            let state = stat[stat.index(after: close)...].first(where: { $0 != " " }),
            state == "Z" || state == "X"
        {
            return false
        }
        if let command = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8) {
            let name = command.trimmingCharacters(in: .whitespacesAndNewlines)
            guard name == "postgres" || name == "postmaster" else { return false }
        }
        // The postmaster's working directory is its data directory.
        if let dataDirectory,
            let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd")
        {
            return cwd == Paths.realPath(dataDirectory)
        }
        #endif
        return true
    }

    /// Processes whose working directory is the data directory: every PostgreSQL backend's is.
    fileprivate static func processesWorking(in dataDirectory: String) -> [Int32] {
        #if os(Linux)
        let target = Paths.realPath(dataDirectory)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry),
                let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(entry)/cwd"),
                cwd == target
            else { return nil }
            return pid
        }
        #else
        return []
        #endif
    }

    fileprivate static func fileSize(_ path: String) -> UInt64 {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return (attributes?[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// The server log written since `offset`, last lines only: pg_ctl itself just says "see the log".
    fileprivate static func logTail(_ path: String, from offset: UInt64) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.readToEnd() else { return "" }
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).suffix(20)
        return lines.isEmpty ? "" : "\n--- \(path) ---\n" + lines.joined(separator: "\n")
    }
}

// MARK: - Helpers

private enum Limits {
    /// Only names the socket file: the socket directory is private to the cluster, so it never collides.
    static let port = 5432
    /// pg_ctl -t: how long to wait for the server to start or stop.
    static let serverWait = 60
    static let initdb: TimeInterval = 180
    static let query: TimeInterval = 30
    static let probe: TimeInterval = 15
    static let lock: TimeInterval = 300
    static let orphanWait: TimeInterval = 15
    /// sizeof(sockaddr_un.sun_path) is 108 on Linux (104 on macOS); PostgreSQL needs the path and a NUL.
    #if os(Linux)
    static let socketPathBytes = 107
    #else
    static let socketPathBytes = 103
    #endif
}

private enum Settings {
    static let fileName = "plenary.conf"

    static func socketDirectoryValue(_ directory: String) -> String {
        directory.replacingOccurrences(of: "'", with: "''")
    }
}

/// The account that runs the server: ourselves, or `postgres` (through runuser) when we are root.
private struct ServerAccount: Sendable {
    let name: String
    let uid: uid_t
    let gid: gid_t
    /// The runuser binary when the tools must run as another user; nil when they run as this process.
    let runuser: String?

    var switchesUser: Bool { runuser != nil }

    static func current() throws -> ServerAccount {
        if getuid() == 0 || geteuid() == 0 {
            guard let postgres = UserDatabase.user(named: "postgres") else {
                throw EmbeddedClusterError(
                    step: "choose the account that runs PostgreSQL",
                    reason: "this process runs as root, PostgreSQL refuses to run as root, and there is no"
                        + " 'postgres' system user to run it as; create one (useradd --system postgres),"
                        + " run plenary as an ordinary user, or configure a database URL"
                )
            }
            let runuser =
                ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"]
                .first { FileManager.default.isExecutableFile(atPath: $0) } ?? Paths.which("runuser")
            guard let runuser else {
                throw EmbeddedClusterError(
                    step: "choose the account that runs PostgreSQL",
                    reason: "this process runs as root and must run PostgreSQL as postgres, but runuser"
                        + " (util-linux) is not installed"
                )
            }
            return ServerAccount(name: postgres.name, uid: postgres.uid, gid: postgres.gid, runuser: runuser)
        }
        let uid = getuid()
        guard let name = UserDatabase.user(id: uid)?.name ?? ProcessInfo.processInfo.environment["USER"] else {
            throw EmbeddedClusterError(
                step: "choose the account that runs PostgreSQL",
                reason: "uid \(uid) has no user name (no passwd entry and no USER variable)"
            )
        }
        return ServerAccount(name: name, uid: uid, gid: getgid(), runuser: nil)
    }
}

private enum UserDatabase {
    struct Entry {
        let name: String
        let uid: uid_t
        let gid: gid_t
    }

    static func user(named name: String) -> Entry? {
        lookup { entry, buffer, result in getpwnam_r(name, &entry, buffer.baseAddress!, buffer.count, &result) }
    }

    static func user(id: uid_t) -> Entry? {
        lookup { entry, buffer, result in getpwuid_r(id, &entry, buffer.baseAddress!, buffer.count, &result) }
    }

    private static func lookup(
        _ call: (inout passwd, UnsafeMutableBufferPointer<CChar>, inout UnsafeMutablePointer<passwd>?) -> Int32
    ) -> Entry? {
        var buffer = [CChar](repeating: 0, count: 16_384)
        return buffer.withUnsafeMutableBufferPointer { storage -> Entry? in
            var entry = passwd()
            var result: UnsafeMutablePointer<passwd>?
            guard call(&entry, storage, &result) == 0, result != nil, let name = entry.pw_name else { return nil }
            return Entry(name: String(cString: name), uid: entry.pw_uid, gid: entry.pw_gid)
        }
    }
}

/// PostgreSQL's tools, all from one installation so initdb, pg_ctl and postgres agree on the version.
private struct PostgresBinaries {
    let directory: String
    var initdb: String { directory + "/initdb" }
    var pgCtl: String { directory + "/pg_ctl" }
    var postgres: String { directory + "/postgres" }
    let psql: String

    /// For an existing cluster, the first installation whose major version matches its PG_VERSION.
    static func locate(forCluster dataDirectory: String?) throws -> PostgresBinaries {
        var candidates = installations()
        var wanted: String?
        if let dataDirectory,
            let version = try? String(contentsOfFile: dataDirectory + "/PG_VERSION", encoding: .utf8)
        {
            let major = version.trimmingCharacters(in: .whitespacesAndNewlines)
            wanted = major
            candidates.append("/usr/lib/postgresql/\(major)/bin")
        }
        candidates = candidates.filter(isInstallation)
        var seen = Set<String>()
        candidates = candidates.filter { seen.insert($0).inserted }
        guard !candidates.isEmpty else {
            throw EmbeddedClusterError(
                step: "find the PostgreSQL server programs",
                reason: "initdb, pg_ctl and postgres are not on PATH, not in `pg_config --bindir`, and not in"
                    + " /usr/lib/postgresql/*/bin; install the PostgreSQL server (apt-get install postgresql)"
                    + " or configure a database URL"
            )
        }
        var chosen = candidates[0]
        if let wanted {
            var found: [String] = []
            guard
                let match = candidates.first(where: { candidate in
                    let version = majorVersion(of: candidate + "/postgres")
                    found.append("\(candidate): \(version ?? "unknown")")
                    return version == wanted
                })
            else {
                throw EmbeddedClusterError(
                    step: "find the PostgreSQL server programs",
                    reason: "the cluster in \(dataDirectory ?? "") was made by PostgreSQL \(wanted), but only other"
                        + " versions are installed (\(found.joined(separator: ", "))); install PostgreSQL \(wanted)"
                        + " or upgrade the cluster with pg_upgrade"
                )
            }
            chosen = match
        }
        let psql =
            FileManager.default.isExecutableFile(atPath: chosen + "/psql") ? chosen + "/psql" : Paths.which("psql")
        guard let psql else {
            throw EmbeddedClusterError(
                step: "find the PostgreSQL client",
                reason: "psql is neither in \(chosen) nor on PATH; install the PostgreSQL client"
            )
        }
        return PostgresBinaries(directory: chosen, psql: psql)
    }

    /// Candidate bin directories in the documented order: PATH, pg_config --bindir, newest /usr/lib/postgresql.
    private static func installations() -> [String] {
        var result: [String] = []
        if let initdb = Paths.which("initdb") {
            // Distribution packages put symlinks on PATH; the real directory holds the whole set.
            result.append(Paths.parent(Paths.realPath(initdb)))
            result.append(Paths.parent(initdb))
        }
        if let pgConfig = Paths.which("pg_config"),
            let run = try? ToolRunner.run(pgConfig, ["--bindir"], as: nil, timeout: Limits.probe), run.succeeded
        {
            let bindir = run.output.trimmingCharacters(in: .whitespacesAndNewlines)
            if !bindir.isEmpty { result.append(bindir) }
        }
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        let numeric = versions.compactMap { name -> (String, [Int])? in
            let parts = name.split(separator: ".").map { Int($0) }
            guard !parts.isEmpty, !parts.contains(nil) else { return nil }
            return (name, parts.compactMap { $0 })
        }
        for (name, _) in numeric.sorted(by: { $0.1.lexicographicallyPrecedes($1.1) }).reversed() {
            result.append("\(root)/\(name)/bin")
        }
        return result
    }

    private static func isInstallation(_ directory: String) -> Bool {
        ["initdb", "pg_ctl", "postgres"].allSatisfy {
            FileManager.default.isExecutableFile(atPath: directory + "/" + $0)
        }
    }

    /// "postgres (PostgreSQL) 15.18 (Debian …)" → "15"; "9.6.24" → "9.6", as PG_VERSION spells them.
    private static func majorVersion(of postgres: String) -> String? {
        guard let run = try? ToolRunner.run(postgres, ["--version"], as: nil, timeout: Limits.probe), run.succeeded,
            let marker = run.output.range(of: "(PostgreSQL) ")
        else { return nil }
        let version = run.output[marker.upperBound...].prefix { $0.isNumber || $0 == "." }
        let parts = version.split(separator: ".")
        guard let first = parts.first, let major = Int(first) else { return nil }
        if major >= 10 || parts.count < 2 { return String(major) }
        return "\(major).\(parts[1])"
    }
}

/// The postmaster.pid lines we use: 1 pid, 4 port, 5 first socket directory, 8 status.
private struct PostmasterPidFile {
    let pid: Int32
    let port: Int?
    let socketDirectory: String?
    /// "starting", "stopping", "ready" or "standby"; nil before PostgreSQL 10 wrote it.
    let phase: String?

    static func read(_ dataDirectory: String) -> PostmasterPidFile? {
        guard let text = try? String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8) else {
            return nil
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard let first = lines.first, let pid = Int32(first) else { return nil }
        func line(_ number: Int) -> String? { lines.count >= number ? lines[number - 1] : nil }
        let phase = line(8).flatMap { $0.isEmpty ? nil : $0 }
        return PostmasterPidFile(pid: pid, port: line(4).flatMap { Int($0) }, socketDirectory: line(5), phase: phase)
    }
}

/// An exclusive flock on `<directory>/cluster.lock`, held while the cluster is created, started or stopped.
private struct ClusterLock {
    private let descriptor: Int32

    /// Nil when `create` is false and the directory does not exist: nothing there to serialise against.
    static func acquire(in directory: String, create: Bool, logger: Logger) throws -> ClusterLock? {
        if !FileManager.default.fileExists(atPath: directory) {
            guard create else { return nil }
            try Paths.makeDirectories(directory)
        }
        let path = directory + "/cluster.lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw EmbeddedClusterError(
                step: "lock the cluster", reason: "cannot open \(path): \(String(cString: strerror(errno)))"
            )
        }
        let deadline = Date().addingTimeInterval(Limits.lock)
        var announced = false
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let error = errno
            if error == EINTR { continue }
            guard error == EWOULDBLOCK, Date() < deadline else {
                close(descriptor)
                let reason =
                    error == EWOULDBLOCK
                    ? "another process held \(path) for more than \(Int(Limits.lock)) seconds"
                    : "flock on \(path) failed: \(String(cString: strerror(error)))"
                throw EmbeddedClusterError(step: "lock the cluster", reason: reason)
            }
            if !announced {
                logger.info(
                    "waiting for another process to finish with the embedded cluster", metadata: ["lock": "\(path)"])
                announced = true
            }
            usleep(50_000)
        }
        return ClusterLock(descriptor: descriptor)
    }

    func release() {
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

private enum Reachability {
    /// The first of `directories` that `account` cannot search, or nil. Asked of the account itself (through
    /// runuser) rather than computed from mode bits, so groups, ACLs and mounts are all accounted for.
    static func firstUnsearchable(_ directories: [String], by account: ServerAccount) throws -> String? {
        guard account.switchesUser, !directories.isEmpty else { return nil }
        let script = #"for d in "$@"; do test -x "$d" || { printf '%s' "$d"; exit 3; }; done"#
        let result = try ToolRunner.run(
            "/bin/sh", ["-c", script, "sh"] + directories, as: account, timeout: Limits.probe)
        if result.succeeded { return nil }
        if result.status == 3, !result.timedOut, !result.output.isEmpty { return result.output }
        throw EmbeddedClusterError(
            step: "check that \(account.name) can reach \(directories.last ?? "")",
            reason: result.timedOut ? "the check did not finish in time" : "the check exited with \(result.status)",
            toolOutput: result.diagnostics
        )
    }
}

private enum Paths {
    static func absolute(_ path: String) -> String {
        let base = URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true)
        var result = URL(fileURLWithPath: path, relativeTo: base).standardizedFileURL.path
        while result.count > 1, result.hasSuffix("/") { result.removeLast() }
        return result
    }

    static func parent(_ path: String) -> String {
        let parent = (path as NSString).deletingLastPathComponent
        return parent.isEmpty ? "/" : parent
    }

    /// "/", "/a", "/a/b" for "/a/b/c", keeping only those that exist.
    static func existingAncestors(of path: String) -> [String] {
        var result: [String] = []
        var current = parent(path)
        while true {
            if FileManager.default.fileExists(atPath: current) { result.append(current) }
            if current == "/" { break }
            current = parent(current)
        }
        return result.reversed()
    }

    static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func which(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(tool)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    static func owner(of path: String) -> uid_t? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let owner = attributes[.ownerAccountID] as? NSNumber
        else { return nil }
        return uid_t(owner.uint32Value)
    }

    /// A directory and not a symlink to one (attributesOfItem does not follow links).
    static func isRealDirectory(_ path: String) -> Bool {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return attributes?[.type] as? FileAttributeType == .typeDirectory
    }

    static func isSymbolicLink(_ path: String) -> Bool {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return attributes?[.type] as? FileAttributeType == .typeSymbolicLink
    }

    static func describePermissions(_ path: String) -> String {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return "unreadable" }
        let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? 0
        let owner = (attributes[.ownerAccountID] as? NSNumber).map { uid_t($0.uint32Value) }
        let ownerName = owner.flatMap { UserDatabase.user(id: $0)?.name } ?? owner.map { "uid \($0)" } ?? "unknown"
        return "mode \(String(mode, radix: 8)), owner \(ownerName)"
    }

    /// mkdir -p with mode 755 whatever the umask: the `postgres` user must be able to search what root makes.
    static func makeDirectories(_ path: String) throws {
        var missing: [String] = []
        var current = path
        while !FileManager.default.fileExists(atPath: current) {
            missing.append(current)
            if current == "/" { break }
            current = parent(current)
        }
        for directory in missing.reversed() {
            if mkdir(directory, 0o755) != 0, errno != EEXIST {
                throw EmbeddedClusterError(
                    step: "create \(directory)", reason: String(cString: strerror(errno))
                )
            }
            _ = chmod(directory, 0o755)
        }
    }

    /// A fresh mode-700 directory owned by the account that runs the server.
    static func makeOwnedDirectory(_ path: String, account: ServerAccount, step: String) throws {
        guard mkdir(path, 0o700) == 0 else {
            throw EmbeddedClusterError(step: step, reason: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        _ = chmod(path, 0o700)
        if account.switchesUser, chown(path, account.uid, account.gid) != 0 {
            throw EmbeddedClusterError(
                step: step, reason: "cannot give \(path) to \(account.name): \(String(cString: strerror(errno)))"
            )
        }
    }

    /// FNV-1a: stable across runs and platforms, unlike Hasher; it names directories, it guards nothing.
    static func shortHash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String((String(repeating: "0", count: 16 - hex.count) + hex).prefix(12))
    }
}

private struct ToolResult {
    let status: Int32
    let output: String
    let errorOutput: String
    let timedOut: Bool

    var succeeded: Bool { !timedOut && status == 0 }

    /// Standard error, or standard output when a tool reports errors there.
    var diagnostics: String {
        let error = errorOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let text = error.isEmpty ? output.trimmingCharacters(in: .whitespacesAndNewlines) : error
        return timedOut ? "(timed out)\n" + text : text
    }
}

/// Runs PostgreSQL's tools with posix_spawn rather than Foundation's `Process`: on Linux, `Process` learns that
/// a child ended when a socket it hands the child reaches end-of-file, and `pg_ctl start` passes that socket
/// on to the server it leaves running, so `Process` would wait for the server to exit, not for pg_ctl.
/// Here the child inherits nothing but stdin, stdout and stderr, and is waited for by pid.
private enum ToolRunner {
    /// Runs a tool to completion, or kills it (and its process group) after `timeout`. Output goes to
    /// temporary files, which a lingering grandchild cannot hold open the way it could a pipe.
    static func run(
        _ executable: String, _ arguments: [String], as account: ServerAccount?, timeout: TimeInterval
    )
        throws -> ToolResult
    {
        var command = [executable] + arguments
        if let account, let runuser = account.runuser {
            command = [runuser, "-u", account.name, "--"] + command
        }
        // PostgreSQL's tools fail when they cannot identify their working directory, which the postgres user
        // often cannot enter (a checkout under /root); posix_spawn has no portable chdir, so a shell moves first.
        command = ["/bin/sh", "-c", #"cd / && exec "$@""#, "sh"] + command

        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("PG") {
            environment[key] = nil
        }
        // English messages, so that the locale fallback can recognise initdb's complaint.
        environment["LC_ALL"] = "C"
        environment["PGCLIENTENCODING"] = "UTF8"
        environment["PGCONNECT_TIMEOUT"] = "10"

        let output = try ScratchFile()
        defer { output.remove() }
        let errorOutput = try ScratchFile()
        defer { errorOutput.remove() }
        let input = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard input >= 0 else {
            throw EmbeddedClusterError(step: "run \(executable)", reason: "cannot open /dev/null")
        }
        defer { close(input) }

        let pid = try spawn(
            command, environment: environment, stdin: input, stdout: output.descriptor,
            stderr: errorOutput.descriptor, name: executable)
        let (status, timedOut) = wait(for: pid, timeout: timeout)
        return ToolResult(
            status: status, output: output.contents(), errorOutput: errorOutput.contents(), timedOut: timedOut
        )
    }

    private static func spawn(
        _ command: [String], environment: [String: String], stdin: Int32, stdout: Int32, stderr: Int32, name: String
    ) throws -> pid_t {
        let argv = command.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0)=\($1)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t?
        var attributes: posix_spawnattr_t?
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        var flags = Int32(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        #if canImport(Darwin)
        flags |= Int32(POSIX_SPAWN_CLOEXEC_DEFAULT)
        #else
        // Closing in the child catches descriptors other threads open while we spawn (Foundation's own
        // Process socket among them, which a server must not keep). Swift cannot see glibc's closefrom
        // action (2.34+) in its headers, so look it up; without it, close what is open now.
        if let closeFrom = closeFromAction(), closeFrom(&actions, 3) == 0 {
            // Done in the child.
        } else {
            for descriptor in openDescriptors() where descriptor > 2 {
                posix_spawn_file_actions_addclose(&actions, descriptor)
            }
        }
        #endif
        // Its own process group, so a timeout can kill runuser and its child together, and a ^C meant for
        // plenary does not reach a half-done initdb; pg_ctl moves the server into a session of its own anyway.
        posix_spawnattr_setpgroup(&attributes, 0)
        // A server inherits ignored signals (SIGPIPE, which NIO ignores) and blocked ones; give it defaults.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var pid: pid_t = 0
        let result = posix_spawn(&pid, command[0], &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw EmbeddedClusterError(step: "run \(name)", reason: String(cString: strerror(result)))
        }
        return pid
    }

    /// The exit status (128 + signal when killed by one) and whether the deadline passed first.
    private static func wait(for pid: pid_t, timeout: TimeInterval) -> (Int32, Bool) {
        var deadline = Date().addingTimeInterval(timeout)
        var escalation = 0
        var pause: useconds_t = 1_000
        while true {
            var status: Int32 = 0
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid {
                let signal = status & 0x7f
                return (signal == 0 ? (status >> 8) & 0xff : 128 + signal, escalation > 0)
            }
            if reaped == -1, errno != EINTR {
                // Someone else reaped it (SIGCHLD set to SIG_IGN does that): the status is lost.
                return (-1, escalation > 0)
            }
            if Date() >= deadline {
                switch escalation {
                case 0: kill(-pid, SIGTERM)
                case 1: kill(-pid, SIGKILL)
                default: return (-1, true)
                }
                escalation += 1
                deadline = Date().addingTimeInterval(5)
            }
            usleep(pause)
            pause = min(pause * 2, 50_000)
        }
    }

    #if !canImport(Darwin)
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    private static func closeFromAction() -> CloseFrom? {
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: CloseFrom.self)
    }

    private static func openDescriptors() -> [Int32] {
        if let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            return entries.compactMap { Int32($0) }
        }
        return Array(3..<Int32(min(sysconf(Int32(_SC_OPEN_MAX)), 4_096)))
    }
    #endif
}

/// A temporary file made with mkstemp, holding one stream of a tool's output.
private struct ScratchFile {
    let path: String
    let descriptor: Int32

    init() throws {
        let directory = FileManager.default.temporaryDirectory.path
        var template = Array("\(directory)/plenary-tool-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw EmbeddedClusterError(
                step: "run a PostgreSQL tool",
                reason: "cannot create a temporary file in \(directory): \(String(cString: strerror(errno)))"
            )
        }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        self.descriptor = descriptor
        self.path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    func contents() -> String {
        (try? Data(contentsOf: URL(fileURLWithPath: path))).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    func remove() {
        close(descriptor)
        unlink(path)
    }
}
