import EmbeddedPostgres
import Foundation
import Logging
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// These tests start real PostgreSQL servers with the system's binaries, each in its own directory under /tmp
/// (which the `postgres` user can reach when the tests run as root), and stop and remove them even on failure.
@Suite("EmbeddedCluster", .timeLimit(.minutes(5)))
struct EmbeddedClusterTests {
    @Test("up, reuse, down and up again")
    func lifecycle() throws {
        try withCluster("life") { cluster, sandbox, _ in
            let requested = sandbox + "/.plenary/pgdata"
            let initial = try cluster.status()
            #expect(initial.state == .notInitialised)
            #expect(initial.dataDirectory == requested)

            let conninfo = try cluster.up()
            #expect(conninfo == "host=\(requested) port=5432 dbname=plenary user=\(serverUser)")
            let running = try cluster.status()
            guard case .running(let pid) = running.state else {
                Issue.record("expected a running server, got \(running.state)")
                return
            }
            #expect(running.dataDirectory == requested)
            #expect(running.socketDirectory == requested)
            #expect(FileManager.default.fileExists(atPath: requested + "/postgres.log"))
            #expect(FileManager.default.fileExists(atPath: requested + "/.s.PGSQL.5432"))

            try expectQuery(conninfo, "select 1", returns: "1")
            try expectQuery(conninfo, "select current_database()", returns: "plenary")
            try expectQuery(conninfo, "show listen_addresses", returns: "")
            try expectQuery(conninfo, "show fsync", returns: "on")

            #expect(try cluster.up() == conninfo)
            #expect(try cluster.status().state == .running(pid: pid), "a second up() must reuse the server")
            #expect(try cluster.connectionString() == conninfo)
            let twin = EmbeddedCluster(directory: sandbox + "/.plenary", logger: quietLogger)
            #expect(try twin.status().state == .running(pid: pid))

            try cluster.down()
            #expect(try cluster.status().state == .stopped)
            #expect(!processExists(pid), "the postmaster \(pid) should be gone after down()")
            try cluster.down()
            #expect(try cluster.status().state == .stopped)

            #expect(try cluster.up() == conninfo)
            guard case .running(let newPid) = try cluster.status().state else {
                Issue.record("up() after down() did not start a server")
                return
            }
            #expect(newPid != pid)
            try expectQuery(conninfo, "select 1", returns: "1")
        }
    }

    @Test("nothing is created or started by status, connectionString or down")
    func readOnlyCallsCreateNothing() throws {
        try withCluster("ro") { cluster, sandbox, _ in
            #expect(try cluster.status().state == .notInitialised)
            try cluster.down()
            let conninfo = try cluster.connectionString()
            #expect(conninfo == "host=\(sandbox)/.plenary/pgdata port=5432 dbname=plenary user=\(serverUser)")
            #expect(!FileManager.default.fileExists(atPath: sandbox + "/.plenary"))
        }
    }

    @Test("a relative directory is resolved against the working directory")
    func relativeDirectory() {
        let cluster = EmbeddedCluster(directory: "some/../.plenary-x/", logger: quietLogger)
        let workingDirectory = FileManager.default.currentDirectoryPath
        #expect(cluster.directory == (workingDirectory == "/" ? "" : workingDirectory) + "/.plenary-x")
        #expect(EmbeddedCluster(logger: quietLogger).databaseName == "plenary")
    }

    @Test("a stale postmaster.pid naming a dead process is handled")
    func stalePidOfDeadProcess() throws {
        try withCluster("dead") { cluster, _, _ in
            _ = try cluster.up()
            let dataDirectory = try cluster.status().dataDirectory
            let pidFile = try String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8)
            try cluster.down()

            let dead = try deadPid()
            try writePidFile(replacingPidIn: pidFile, with: dead, dataDirectory: dataDirectory)
            #expect(try cluster.status().state == .stopped)

            let conninfo = try cluster.up()
            guard case .running(let pid) = try cluster.status().state else {
                Issue.record("up() did not start over a stale pid file")
                return
            }
            #expect(pid != dead)
            try expectQuery(conninfo, "select 1", returns: "1")
        }
    }

    @Test("a stale postmaster.pid naming a live process that is not PostgreSQL is removed")
    func stalePidOfOtherProcess() throws {
        // PostgreSQL itself treats a pid it may not signal as stale, so the impostor must belong to the user
        // that runs the server: then only EmbeddedCluster's own check can tell it is not a postmaster.
        let sleeper = try Sleeper()
        defer { sleeper.stop() }
        try withCluster("live") { cluster, _, log in
            _ = try cluster.up()
            let dataDirectory = try cluster.status().dataDirectory
            let pidFile = try String(contentsOfFile: dataDirectory + "/postmaster.pid", encoding: .utf8)
            try cluster.down()

            try writePidFile(replacingPidIn: pidFile, with: sleeper.pid, dataDirectory: dataDirectory)
            #expect(
                try cluster.status().state == .stopped,
                "a pid file whose process is not a postmaster must not count as running"
            )

            let conninfo = try cluster.up()
            guard case .running(let pid) = try cluster.status().state else {
                Issue.record("up() did not start over a pid file naming another process")
                return
            }
            #expect(pid != sleeper.pid)
            #expect(processExists(sleeper.pid), "the unrelated process must be left alone")
            #expect(log.contains(.warning, "removing stale lock file"))
            try expectQuery(conninfo, "select 1", returns: "1")
        }
    }

    @Test("a server killed with SIGKILL is replaced by up()")
    func killedServer() throws {
        try withCluster("kill") { cluster, _, _ in
            let conninfo = try cluster.up()
            guard case .running(let pid) = try cluster.status().state else {
                Issue.record("no server after up()")
                return
            }
            #expect(kill(pid, SIGKILL) == 0)
            let deadline = Date().addingTimeInterval(10)
            while processExists(pid), Date() < deadline { usleep(50_000) }
            #expect(try cluster.status().state == .stopped)

            #expect(try cluster.up() == conninfo)
            guard case .running(let newPid) = try cluster.status().state else {
                Issue.record("up() did not recover from a killed server")
                return
            }
            #expect(newPid != pid)
            try expectQuery(conninfo, "select 1", returns: "1")
        }
    }

    @Test("restart gives a new server on the same connection string")
    func restart() throws {
        try withCluster("restart") { cluster, _, _ in
            let conninfo = try cluster.up()
            try expectQuery(conninfo, "create table survives (n int); insert into survives values (42)", returns: "")
            guard case .running(let before) = try cluster.status().state else {
                Issue.record("no server after up()")
                return
            }
            try cluster.restart()
            guard case .running(let after) = try cluster.status().state else {
                Issue.record("no server after restart()")
                return
            }
            #expect(after != before)
            #expect(try cluster.connectionString() == conninfo)
            try expectQuery(conninfo, "select n from survives", returns: "42")

            try cluster.down()
            try cluster.restart()
            guard case .running = try cluster.status().state else {
                Issue.record("restart() of a stopped cluster should start it")
                return
            }
            try expectQuery(conninfo, "select n from survives", returns: "42")
        }
    }

    @Test("concurrent up() calls create the cluster once and share one server")
    func concurrentUp() throws {
        try withCluster("race") { cluster, sandbox, log in
            let results = Mutex<[Result<String, any Error>]>([])
            DispatchQueue.concurrentPerform(iterations: 3) { _ in
                let contender = EmbeddedCluster(directory: sandbox + "/.plenary", logger: log.logger)
                let result = Result { try contender.up() }
                results.withLock { $0.append(result) }
            }
            let conninfos = try results.withLock { $0 }.map { try $0.get() }
            #expect(conninfos.count == 3)
            #expect(Set(conninfos).count == 1)
            #expect(log.count(.info, "creating embedded PostgreSQL cluster") == 1)
            #expect(log.count(.info, "starting embedded PostgreSQL") == 1)
            try expectQuery(try cluster.connectionString(), "select 1", returns: "1")
        }
    }

    @Test("a database name that needs quoting")
    func quotedDatabaseName() throws {
        try withCluster("quote", databaseName: "o'hara \"council\"") { cluster, sandbox, _ in
            let conninfo = try cluster.up()
            let expected = "host=\(sandbox)/.plenary/pgdata port=5432 dbname='o\\'hara \"council\"' user=\(serverUser)"
            #expect(conninfo == expected)
            try expectQuery(conninfo, "select current_database()", returns: "o'hara \"council\"")
            #expect(try cluster.up() == conninfo, "the existing database must be found again")
        }
    }

    @Test("a data directory too deep for sun_path gets its socket under /tmp")
    func longPathSocket() throws {
        try withCluster("long", subdirectory: String(repeating: "d", count: 100)) { cluster, _, _ in
            let conninfo = try cluster.up()
            let status = try cluster.status()
            #expect(status.socketDirectory.hasPrefix("/tmp/plenary-s-"))
            #expect((status.dataDirectory + "/.s.PGSQL.5432").utf8.count > 107)
            #expect(conninfo.hasPrefix("host=\(status.socketDirectory) "))
            try expectQuery(conninfo, "select 1", returns: "1")
            // The socket directory is derived from the data directory, so it is the same after a restart.
            try cluster.down()
            #expect(try cluster.up() == conninfo)
        }
    }

    @Test("a directory the postgres user cannot reach: fallback as root, used as is otherwise")
    func unreachableDirectory() throws {
        try withCluster("private", mode: 0o700) { cluster, sandbox, log in
            let requested = sandbox + "/.plenary/pgdata"
            let conninfo = try cluster.up()
            let status = try cluster.status()
            guard case .running(let pid) = status.state else {
                Issue.record("no server after up()")
                return
            }
            try expectQuery(conninfo, "select 1", returns: "1")

            guard isRoot else {
                // An ordinary user runs the server itself, so its own mode-700 directory is no obstacle.
                #expect(status.dataDirectory == requested)
                #expect(!log.contains(.warning, "instead of"))
                return
            }
            #expect(
                !(try runAsPostgres(["/bin/sh", "-c", "test -x \"$0\"", sandbox]).succeeded),
                "precondition: postgres must not be able to search \(sandbox)"
            )
            #expect(status.dataDirectory != requested)
            #expect(
                status.dataDirectory.hasPrefix("/var/lib/plenary/clusters/")
                    || status.dataDirectory.hasPrefix("/tmp/plenary-0-")
            )
            #expect(!FileManager.default.fileExists(atPath: requested + "/PG_VERSION"))
            #expect(log.contains(.warning, status.dataDirectory), "the fallback must be announced")
            #expect(log.contains(.warning, sandbox), "the warning must name the unreachable directory")

            // Another value for the same path finds the same cluster, running or not.
            let twin = EmbeddedCluster(directory: sandbox + "/.plenary", logger: quietLogger)
            #expect(try twin.status() == status)
            #expect(try twin.up() == conninfo)
            #expect(try twin.status().state == .running(pid: pid))
            try expectQuery(conninfo, "create table kept (n int); insert into kept values (7)", returns: "")
            try twin.down()
            #expect(try cluster.up() == conninfo)
            #expect(try cluster.status().dataDirectory == status.dataDirectory)
            try expectQuery(conninfo, "select n from kept", returns: "7")
        }
    }

    @Test("the error names the step, the reason and the tool's output")
    func errorDescription() {
        let error = EmbeddedClusterError(step: "start the server", reason: "pg_ctl exited with 1", toolOutput: "boom\n")
        #expect(error.description == "embedded PostgreSQL: could not start the server: pg_ctl exited with 1\nboom")
        #expect(EmbeddedClusterError(step: "a", reason: "b").description == "embedded PostgreSQL: could not a: b")
    }
}

// MARK: - Fixtures

private let isRoot = getuid() == 0 || geteuid() == 0

/// The role the cluster's superuser gets: `postgres` when root, else the current user.
private let serverUser: String = isRoot ? "postgres" : ProcessInfo.processInfo.userName

private let quietLogger = Logger(label: "plenary.embedded-cluster.test") { _ in SwiftLogNoOpLogHandler() }

/// Runs `body` against a cluster in a fresh directory under /tmp, then stops the server and removes every
/// directory the cluster used (fallbacks included), whatever `body` did.
private func withCluster(
    _ label: String,
    mode: mode_t = 0o755,
    subdirectory: String? = nil,
    databaseName: String = "plenary",
    _ body: (EmbeddedCluster, String, LogRecorder) throws -> Void
) throws {
    var template = Array("/tmp/plenary-ec-\(label)-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else {
        throw TestFailure("mkdtemp failed: \(String(cString: strerror(errno)))")
    }
    let created = String(cString: made)
    #expect(chmod(created, mode) == 0)
    var sandbox = created
    if let subdirectory {
        sandbox += "/" + subdirectory
        try FileManager.default.createDirectory(atPath: sandbox, withIntermediateDirectories: false)
        #expect(chmod(sandbox, 0o755) == 0)
    }
    let log = LogRecorder()
    let cluster = EmbeddedCluster(directory: sandbox + "/.plenary", databaseName: databaseName, logger: log.logger)
    defer { tearDown(cluster, created) }
    try body(cluster, sandbox, log)
}

private func tearDown(_ cluster: EmbeddedCluster, _ sandbox: String) {
    let status = try? cluster.status()
    do {
        try cluster.down()
    } catch {
        Issue.record("down() failed during clean-up: \(error)")
    }
    if let status {
        if case .running(let pid) = (try? cluster.status())?.state {
            kill(pid, SIGKILL)
        }
        try? FileManager.default.removeItem(atPath: status.dataDirectory)
        try? FileManager.default.removeItem(atPath: status.socketDirectory)
    }
    try? FileManager.default.removeItem(atPath: sandbox)
}

private struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

private struct Outcome {
    let status: Int32
    let output: String
    let errorOutput: String
    var succeeded: Bool { status == 0 }
}

private func which(_ tool: String) -> String {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
    return directories.map { $0 + "/" + tool }.first { FileManager.default.isExecutableFile(atPath: $0) } ?? tool
}

/// Starts a process with the product's posix_spawn runner (Foundation's Process crashes now and then here).
private func launch(_ arguments: [String]) throws -> RunningProcess {
    try RunningProcess(
        arguments, environment: ProcessInfo.processInfo.environment, stdout: "/dev/null", stderr: "/dev/null")
}

private func run(_ arguments: [String]) throws -> Outcome {
    let result = try ProcessRunner.run(
        arguments, environment: ProcessInfo.processInfo.environment, currentDirectory: "/", timeout: 120)
    return Outcome(status: result.status, output: result.output, errorOutput: result.errorOutput)
}

/// Runs a command as the user that owns the cluster: `postgres` (through runuser) when root.
private func runAsPostgres(_ arguments: [String]) throws -> Outcome {
    try run(isRoot ? [which("runuser"), "-u", "postgres", "--"] + arguments : arguments)
}

/// Connects with psql through `conninfo`, exactly as returned by the cluster, and checks the single result.
private func expectQuery(
    _ conninfo: String, _ sql: String, returns expected: String, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let outcome = try runAsPostgres([which("psql"), "-X", "-w", "-q", "-A", "-t", "-d", conninfo, "-c", sql])
    #expect(outcome.succeeded, "psql failed: \(outcome.errorOutput)", sourceLocation: sourceLocation)
    let result = outcome.output.trimmingCharacters(in: .newlines)
    #expect(result == expected, "\(sql)", sourceLocation: sourceLocation)
}

private func processExists(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    // A zombie nobody reaps still answers kill(pid, 0).
    let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    guard let close = stat.lastIndex(of: ")") else { return true }
    return stat[stat.index(after: close)...].first { $0 != " " } != "Z"
}

/// A `sleep` running as the user that runs the server, its pid read from the shell that becomes it.
private struct Sleeper {
    let process: RunningProcess
    let pid: Int32

    init() throws {
        let pidPath = "/tmp/plenary-ec-sleeper-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: pidPath) }
        #expect(FileManager.default.createFile(atPath: pidPath, contents: nil))
        #expect(chmod(pidPath, 0o666) == 0)
        let script = "echo $$ > \(pidPath); exec sleep 300"
        process = try launch(
            isRoot
                ? [which("runuser"), "-u", "postgres", "--", "/bin/sh", "-c", script]
                : ["/bin/sh", "-c", script])
        let deadline = Date().addingTimeInterval(10)
        var found: Int32?
        while found == nil, Date() < deadline {
            let text = (try? String(contentsOfFile: pidPath, encoding: .utf8)) ?? ""
            found = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            if found == nil { usleep(20_000) }
        }
        guard let found else {
            process.signal(SIGTERM)
            throw TestFailure("the sleeper did not report its pid")
        }
        pid = found
    }

    func stop() {
        kill(pid, SIGKILL)
        process.signal(SIGTERM)
        process.waitUntilExit()
    }
}

/// The pid of a process that has exited.
private func deadPid() throws -> Int32 {
    let process = try launch(["/bin/true"])
    process.waitUntilExit()
    let pid = process.pid
    #expect(!processExists(pid))
    return pid
}

/// Puts back a real postmaster.pid with another pid, owned (and so readable) by the cluster's owner.
private func writePidFile(replacingPidIn original: String, with pid: Int32, dataDirectory: String) throws {
    var lines = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    lines[0] = String(pid)
    let path = dataDirectory + "/postmaster.pid"
    try lines.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)
    let attributes = try FileManager.default.attributesOfItem(atPath: dataDirectory)
    let owner = (attributes[.ownerAccountID] as? NSNumber)?.uint32Value ?? getuid()
    let group = (attributes[.groupOwnerAccountID] as? NSNumber)?.uint32Value ?? getgid()
    #expect(chown(path, owner, group) == 0)
    #expect(chmod(path, 0o600) == 0)
}

/// Collects what the cluster logs, so tests can check what it announced.
private final class LogRecorder: Sendable {
    private let entries = Mutex<[(level: Logger.Level, message: String)]>([])

    var logger: Logger {
        Logger(label: "plenary.embedded-cluster.test") { _ in RecordingHandler(recorder: self) }
    }

    func append(_ level: Logger.Level, _ message: String) {
        entries.withLock { $0.append((level, message)) }
    }

    func count(_ level: Logger.Level, _ fragment: String) -> Int {
        entries.withLock { $0.filter { $0.level == level && $0.message.contains(fragment) }.count }
    }

    func contains(_ level: Logger.Level, _ fragment: String) -> Bool {
        count(level, fragment) > 0
    }
}

private struct RecordingHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        recorder.append(event.level, "\(event.message)")
    }
}
