import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - What runs

extension EmbeddedCluster {
    struct Probe {
        var state: State
        var pidFile: PostmasterPidFile?
    }

    struct Endpoint {
        var socketDirectory: String
        var port: Int
    }

    static func probe(_ dataDirectory: String) -> Probe {
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
    func settledState(of dataDirectory: String) throws -> State {
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
    static func endpoint(dataDirectory: String, pidFile: PostmasterPidFile?, state: State) -> Endpoint {
        if case .running = state, let pidFile, let port = pidFile.port, let socket = pidFile.socketDirectory,
            !socket.isEmpty
        {
            return Endpoint(socketDirectory: socket, port: port)
        }
        return Endpoint(socketDirectory: socketDirectory(forDataDirectory: dataDirectory), port: Limits.port)
    }

    static func conninfo(endpoint: Endpoint, databaseName: String, user: String) -> String {
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
    static func staleLockFiles(_ dataDirectory: String, _ socketDirectory: String) -> [(String, Int32)] {
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

    static func isPostmaster(_ pid: Int32, of dataDirectory: String?) -> Bool {
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
    static func processesWorking(in dataDirectory: String) -> [Int32] {
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

    static func fileSize(_ path: String) -> UInt64 {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return (attributes?[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// The server log written since `offset`, last lines only: pg_ctl itself just says "see the log".
    static func logTail(_ path: String, from offset: UInt64) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.readToEnd() else { return "" }
        let lines = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).suffix(20)
        return lines.isEmpty ? "" : "\n--- \(path) ---\n" + lines.joined(separator: "\n")
    }
}

/// The postmaster.pid lines we use: 1 pid, 4 port, 5 first socket directory, 8 status.
struct PostmasterPidFile {
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
