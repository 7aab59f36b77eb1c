import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Where the cluster lives

extension EmbeddedCluster {
    /// The requested data directory, or when root and the `postgres` user cannot reach it, a fallback.
    func resolveDataDirectory(account: ServerAccount, creating: Bool) throws -> String {
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
    func fallbackProblem(
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
    static func socketDirectory(forDataDirectory dataDirectory: String) -> String {
        let socketPath = dataDirectory + "/.s.PGSQL.\(Limits.port)"
        // libpq splits host on commas, and our settings file quotes list entries with double quotes.
        let nameable = !dataDirectory.contains(",") && !dataDirectory.contains("\"")
        if socketPath.utf8.count <= Limits.socketPathBytes, nameable {
            return dataDirectory
        }
        return "/tmp/plenary-s-\(getuid())-\(Paths.shortHash(dataDirectory))"
    }

    static func logFile(_ dataDirectory: String) -> String {
        dataDirectory + "/postgres.log"
    }
}

/// An exclusive flock on `<directory>/cluster.lock`, held while the cluster is created, started or stopped.
struct ClusterLock {
    let descriptor: Int32

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

enum Reachability {
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

enum Paths {
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
