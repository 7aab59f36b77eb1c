import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Bringing the cluster up

extension EmbeddedCluster {
    func upWhileLocked() throws -> String {
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

    func initialise(dataDirectory: String, account: ServerAccount, binaries: PostgresBinaries) throws {
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

    func runInitdb(
        staging: String, locale: String, account: ServerAccount, binaries: PostgresBinaries
    ) throws -> ProcessOutput {
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
    func appendInclude(to configuration: String) throws {
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

    func writeSettings(dataDirectory: String, socketDirectory: String, account: ServerAccount) throws {
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

    func start(
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
    func waitForOrphanedBackends(_ dataDirectory: String) throws {
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

    func checkOwnership(dataDirectory: String, account: ServerAccount) throws {
        guard let owner = Paths.owner(of: dataDirectory), owner != account.uid else { return }
        let ownerName = UserDatabase.user(id: owner)?.name ?? "uid \(owner)"
        throw EmbeddedClusterError(
            step: "start the server",
            reason: "the cluster in \(dataDirectory) belongs to \(ownerName), but this process would run it as"
                + " \(account.name); run plenary as \(ownerName) or choose another directory"
        )
    }

    func prepareSocketDirectory(_ socketDirectory: String, dataDirectory: String, account: ServerAccount) throws {
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

    func ensureDatabase(endpoint: Endpoint, account: ServerAccount, binaries: PostgresBinaries) throws {
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

    func pgCtl(
        _ binaries: PostgresBinaries, _ account: ServerAccount, _ arguments: [String]
    ) throws
        -> ProcessOutput
    {
        // pg_ctl's own -t bounds the wait; ours only guards against pg_ctl itself hanging.
        try ToolRunner.run(binaries.pgCtl, arguments, as: account, timeout: TimeInterval(Limits.serverWait) + 30)
    }
}

enum Limits {
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

enum Settings {
    static let fileName = "plenary.conf"

    static func socketDirectoryValue(_ directory: String) -> String {
        directory.replacingOccurrences(of: "'", with: "''")
    }
}
