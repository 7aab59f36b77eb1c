import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a finished process left behind.
public struct ProcessOutput: Sendable {
    /// The exit status (128 + the signal when one ended it; -1 when it was never reaped).
    public let status: Int32
    /// Everything it wrote to standard output.
    public let output: String
    /// Everything it wrote to standard error.
    public let errorOutput: String
    /// Whether the deadline passed and it was killed.
    public let timedOut: Bool

    /// Whether it ran to the end and exited 0.
    public var succeeded: Bool { !timedOut && status == 0 }

    /// Standard error, or standard output when a tool reports errors there.
    public var diagnostics: String {
        let error = errorOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let text = error.isEmpty ? output.trimmingCharacters(in: .whitespacesAndNewlines) : error
        return timedOut ? "(timed out)\n" + text : text
    }
}

/// Runs PostgreSQL's tools as the cluster needs them: as the server's account, from `/`, with a clean `PG*`
/// environment and English messages.
enum ToolRunner {
    /// Runs a tool to completion, or kills it (and its process group) after `timeout`.
    static func run(
        _ executable: String, _ arguments: [String], as account: ServerAccount?, timeout: TimeInterval
    ) throws -> ProcessOutput {
        var command = [executable] + arguments
        if let account, let runuser = account.runuser {
            command = [runuser, "-u", account.name, "--"] + command
        }
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("PG") {
            environment[key] = nil
        }
        // English messages, so that the locale fallback can recognise initdb's complaint.
        environment["LC_ALL"] = "C"
        environment["PGCLIENTENCODING"] = "UTF8"
        environment["PGCONNECT_TIMEOUT"] = "10"
        // PostgreSQL's tools fail when they cannot identify their working directory, which the postgres user
        // often cannot enter (a checkout under /root).
        return try ProcessRunner.run(
            command, environment: environment, currentDirectory: "/", timeout: timeout, name: executable)
    }
}

/// Runs processes with posix_spawn rather than Foundation's `Process`: on Linux, `Process` learns that a child
/// ended when a socket it hands the child reaches end-of-file, and `pg_ctl start` passes that socket on to the
/// server it leaves running, so `Process` would wait for the server to exit, not for pg_ctl; and on this toolchain
/// `Process` crashes now and then under load. Here the child inherits nothing but stdin, stdout and stderr, runs in
/// a process group of its own, and is waited for by pid. The embedded cluster and the tests' process helpers both
/// use it.
public enum ProcessRunner {
    /// Runs `command` (the executable's path first) to completion, or kills it (and its process group) after
    /// `timeout`. Output goes to temporary files, which a lingering grandchild cannot hold open the way it could a
    /// pipe. `currentDirectory` is entered by a shell first (posix_spawn has no portable chdir).
    public static func run(
        _ command: [String], environment: [String: String], currentDirectory: String? = nil,
        timeout: TimeInterval, name: String? = nil
    ) throws -> ProcessOutput {
        let output = try ScratchFile()
        defer { output.remove() }
        let errorOutput = try ScratchFile()
        defer { errorOutput.remove() }
        let input = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard input >= 0 else {
            throw EmbeddedClusterError(step: "run \(name ?? command[0])", reason: "cannot open /dev/null")
        }
        defer { close(input) }
        let pid = try spawn(
            command, environment: environment, currentDirectory: currentDirectory, stdin: input,
            stdout: output.descriptor, stderr: errorOutput.descriptor, name: name)
        let (status, timedOut) = wait(for: pid, timeout: timeout)
        return ProcessOutput(
            status: status, output: output.contents(), errorOutput: errorOutput.contents(), timedOut: timedOut)
    }

    /// Starts `command` in a process group of its own with the given descriptors as its stdin, stdout and
    /// stderr, and returns its pid without waiting: the caller waits with ``wait(for:timeout:)`` or signals it.
    public static func spawn(
        _ command: [String], environment: [String: String], currentDirectory: String? = nil, stdin: Int32,
        stdout: Int32, stderr: Int32, name: String? = nil
    ) throws -> pid_t {
        var command = command
        if let currentDirectory {
            command = ["/bin/sh", "-c", #"cd "$0" && exec "$@""#, currentDirectory] + command
        }
        return try posixSpawn(
            command, environment: environment, stdin: stdin, stdout: stdout, stderr: stderr,
            name: name ?? command[0])
    }

    private static func posixSpawn(
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

    /// Waits for `pid` to end: its exit status (128 + signal when killed by one) and whether the deadline passed
    /// first, in which case its process group was sent SIGTERM, then SIGKILL.
    public static func wait(for pid: pid_t, timeout: TimeInterval) -> (status: Int32, timedOut: Bool) {
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
    typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

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
struct ScratchFile {
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

/// A process started with ``ProcessRunner/spawn(_:environment:currentDirectory:stdin:stdout:stderr:name:)`` that
/// runs on while its owner works (a server under test): asked whether it still runs, signalled, and reaped by pid.
public final class RunningProcess: @unchecked Sendable {
    /// The process id (also its process group's: it leads a group of its own).
    public let pid: pid_t
    // Guarded by `lock`: once reaped, a pid may be reused, so the status is remembered and never asked again.
    private var exitStatus: Int32?
    private let lock = NSLock()

    /// Starts `command` with stdin from /dev/null and stdout and stderr appended to the files at these paths.
    public init(
        _ command: [String], environment: [String: String], currentDirectory: String? = nil, stdout: String,
        stderr: String
    ) throws {
        let input = open("/dev/null", O_RDONLY | O_CLOEXEC)
        let output = open(stdout, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        let errors = open(stderr, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        defer { [input, output, errors].filter { $0 >= 0 }.forEach { close($0) } }
        guard input >= 0, output >= 0, errors >= 0 else {
            throw EmbeddedClusterError(
                step: "run \(command.first ?? "")",
                reason: "cannot open its output files: \(String(cString: strerror(errno)))")
        }
        pid = try ProcessRunner.spawn(
            command, environment: environment, currentDirectory: currentDirectory, stdin: input, stdout: output,
            stderr: errors)
    }

    /// Whether it has not exited yet.
    public var isRunning: Bool { lock.withLock { reap(blocking: false) == nil } }

    /// Its exit status (128 + signal when killed by one), or nil while it runs.
    public var terminationStatus: Int32? { lock.withLock { reap(blocking: false) } }

    /// Sends `signal` to the process (not its group).
    public func signal(_ signal: Int32) {
        lock.withLock {
            if reap(blocking: false) == nil { _ = kill(pid, signal) }
        }
    }

    /// Waits until it exits, and returns its status.
    @discardableResult
    public func waitUntilExit() -> Int32 { lock.withLock { reap(blocking: true) ?? -1 } }

    private func reap(blocking: Bool) -> Int32? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if reaped == pid {
                let signal = status & 0x7f
                exitStatus = signal == 0 ? (status >> 8) & 0xff : 128 + signal
                return exitStatus
            }
            if reaped == -1, errno == EINTR { continue }
            if reaped == -1 {
                // Reaped elsewhere: it is gone, its status unknown.
                exitStatus = -1
                return exitStatus
            }
            return nil
        }
    }
}
