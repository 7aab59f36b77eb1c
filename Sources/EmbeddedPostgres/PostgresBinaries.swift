import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The account that runs the server: ourselves, or `postgres` (through runuser) when we are root.
struct ServerAccount: Sendable {
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

enum UserDatabase {
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

    static func lookup(
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
struct PostgresBinaries {
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
    static func installations() -> [String] {
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

    static func isInstallation(_ directory: String) -> Bool {
        ["initdb", "pg_ctl", "postgres"].allSatisfy {
            FileManager.default.isExecutableFile(atPath: directory + "/" + $0)
        }
    }

    /// "postgres (PostgreSQL) 15.18 (Debian …)" → "15"; "9.6.24" → "9.6", as PG_VERSION spells them.
    static func majorVersion(of postgres: String) -> String? {
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
