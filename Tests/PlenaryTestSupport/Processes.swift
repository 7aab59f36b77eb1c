import EmbeddedPostgres
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What a finished process left behind.
public struct ProcessResult: Sendable {
    /// The exit status.
    public var status: Int32
    /// Everything written to stdout.
    public var stdout: String
    /// Everything written to stderr.
    public var stderr: String
}

/// Runs the built `plenary` binary, as an operator or a script would.
public enum PlenaryProcess {
    /// Runs `plenary arguments…` against `databaseURL` and waits for it (at most `timeout` seconds).
    public static func run(
        _ arguments: [String], databaseURL: String?, environment extra: [String: String] = [:],
        timeout: TimeInterval = 120
    ) throws -> ProcessResult {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PLENARY_") }
        if let databaseURL { environment["PLENARY_DATABASE_URL"] = databaseURL }
        environment.merge(extra) { $1 }
        return try runProcess(try TestCluster.plenaryBinary(), arguments, environment: environment, timeout: timeout)
    }

    /// Runs any executable and captures its output.
    public static func runProcess(
        _ executable: String, _ arguments: [String], environment: [String: String], timeout: TimeInterval = 120,
        currentDirectory: String? = nil
    ) throws -> ProcessResult {
        let input = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { close(input) }
        return try Spawned.run(
            [executable] + arguments, environment: environment, stdin: input, currentDirectory: currentDirectory,
            timeout: timeout)
    }
}

/// Runs processes with the product's posix_spawn runner (``ProcessRunner``): Foundation's `Process` crashes now and
/// then on this toolchain under load, and waits for a socket a server it started may keep open.
enum Spawned {
    /// Runs `command` with `stdin` as its standard input and its output captured in files (a child that outlives
    /// the call cannot hold a pipe open forever); kills its process group after `timeout` seconds.
    static func run(
        _ command: [String], environment: [String: String], stdin: Int32, currentDirectory: String? = nil,
        timeout: TimeInterval
    ) throws -> ProcessResult {
        let directory = FileManager.default.temporaryDirectory
        let stdout = directory.appendingPathComponent("out-\(UUID().uuidString)").path
        let stderr = directory.appendingPathComponent("err-\(UUID().uuidString)").path
        let output = open(stdout, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        let errors = open(stderr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        defer {
            if output >= 0 { close(output) }
            if errors >= 0 { close(errors) }
            unlink(stdout)
            unlink(stderr)
        }
        guard output >= 0, errors >= 0 else {
            throw TestCluster.Unavailable(description: "cannot create output files in \(directory.path)")
        }
        let pid = try ProcessRunner.spawn(
            command, environment: environment, currentDirectory: currentDirectory, stdin: stdin, stdout: output,
            stderr: errors)
        let (status, _) = ProcessRunner.wait(for: pid, timeout: timeout)
        return ProcessResult(
            status: status, stdout: (try? String(contentsOfFile: stdout, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: stderr, encoding: .utf8)) ?? "")
    }
}

/// A `plenary serve` process on a free port, stopped when the test is done with it.
public final class ServerProcess: @unchecked Sendable {
    /// The port it listens on.
    public let port: Int
    /// The admin token it printed on first start, if it did.
    public let bootstrapToken: String?
    private let process: RunningProcess
    private let output: URL
    private let log: URL

    /// Starts `plenary serve --listen 127.0.0.1:0` (or another host on port 0) against `databaseURL` (nil: the
    /// embedded cluster under `currentDirectory`) with `environment` added (settings such as
    /// `PLENARY_LIMITS_IDLE_TIMEOUT_S`) and waits until it listens. Its standard error is kept as the server's log.
    public init(
        databaseURL: String?, environment extra: [String: String] = [:], currentDirectory: String? = nil,
        host: String = "127.0.0.1"
    ) throws {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PLENARY_") }
        environment["PLENARY_DATABASE_URL"] = databaseURL
        environment.merge(extra) { $1 }
        let directory = FileManager.default.temporaryDirectory
        let output = directory.appendingPathComponent("serve-\(UUID().uuidString)")
        let log = directory.appendingPathComponent("serve-log-\(UUID().uuidString)")
        let process = try RunningProcess(
            [try TestCluster.plenaryBinary(), "serve", "--listen", "\(host):0"], environment: environment,
            currentDirectory: currentDirectory, stdout: output.path, stderr: log.path)
        let deadline = Date().addingTimeInterval(120)
        var port: Int?
        var token: String?
        while port == nil, Date() < deadline, process.isRunning {
            Thread.sleep(forTimeInterval: 0.05)
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") {
                if let range = line.range(of: "listening on \(host):") {
                    port = Int(line[range.upperBound...])
                }
                if line.hasPrefix("No tokens existed"), let range = line.range(of: "token=") {
                    token = String(line[range.upperBound...])
                }
            }
        }
        guard let port else {
            process.signal(SIGTERM)
            process.waitUntilExit()
            let text =
                ((try? String(contentsOf: output, encoding: .utf8)) ?? "")
                + ((try? String(contentsOf: log, encoding: .utf8)) ?? "")
            throw TestCluster.Unavailable(description: "plenary serve did not start: \(text)")
        }
        self.port = port
        self.bootstrapToken = token
        self.process = process
        self.output = output
        self.log = log
    }

    /// The server's process id.
    public var pid: Int32 { process.pid }

    /// Whether the process still runs.
    public var isRunning: Bool { process.isRunning }

    /// The server's resident memory in KiB (VmRSS), or nil once it has exited.
    public var residentKiB: Int? { status("VmRSS:") }

    /// The most memory the server has held at once so far, in KiB (VmHWM, the high-water mark of VmRSS): a peak
    /// between two readings shows even if it was given back.
    public var peakKiB: Int? { status("VmHWM:") }

    /// CPU time the server has used so far, user and system, in clock ticks.
    public var cpuTicks: Int? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }

    private func status(_ key: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(key) {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    /// Everything the server logged so far.
    public var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Everything the server printed on its console (standard output) so far.
    public var outputText: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    /// Kills the server with SIGKILL — no shutdown, no last words — and waits until it is gone.
    public func kill() {
        guard process.isRunning else { return }
        process.signal(SIGKILL)
        process.waitUntilExit()
    }

    /// Waits until the log contains `text`; false when it did not within `timeout` seconds.
    public func waitForLog(_ text: String, timeout: TimeInterval = 60) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if logText.contains(text) { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    /// Sends SIGTERM and waits for the process to exit; returns its status.
    @discardableResult
    public func stop() -> Int32 {
        process.signal(SIGTERM)
        let status = process.waitUntilExit()
        try? FileManager.default.removeItem(at: output)
        try? FileManager.default.removeItem(at: log)
        return status
    }

    deinit { stop() }
}

/// The blocking line client the end-to-end tests talk to the server with (see ``ProtocolClient``).
public typealias LineClient = ProtocolClient
