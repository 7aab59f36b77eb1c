import Foundation

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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let stdout = FileManager.default.temporaryDirectory.appendingPathComponent("out-\(UUID().uuidString)")
        let stderr = FileManager.default.temporaryDirectory.appendingPathComponent("err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: stdout)
            try? FileManager.default.removeItem(at: stderr)
        }
        // Files, not pipes: a child that outlives the call (a server it started) cannot hold a read open forever.
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        return ProcessResult(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: stdout, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: stderr, encoding: .utf8)) ?? "")
    }
}

/// A `plenary serve` process on a free port, stopped when the test is done with it.
public final class ServerProcess: @unchecked Sendable {
    /// The port it listens on.
    public let port: Int
    /// The admin token it printed on first start, if it did.
    public let bootstrapToken: String?
    private let process: Process
    private let output: URL
    private let log: URL

    /// Starts `plenary serve --listen 127.0.0.1:0` (or another host on port 0) against `databaseURL` (nil: the
    /// embedded cluster under `currentDirectory`) with `environment` added (settings such as
    /// `PLENARY_LIMITS_IDLE_TIMEOUT_S`) and waits until it listens. Its standard error is kept as the server's log.
    public init(
        databaseURL: String?, environment extra: [String: String] = [:], currentDirectory: String? = nil,
        host: String = "127.0.0.1"
    ) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try TestCluster.plenaryBinary())
        process.arguments = ["serve", "--listen", "\(host):0"]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PLENARY_") }
        environment["PLENARY_DATABASE_URL"] = databaseURL
        environment.merge(extra) { $1 }
        process.environment = environment
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let directory = FileManager.default.temporaryDirectory
        let output = directory.appendingPathComponent("serve-\(UUID().uuidString)")
        let log = directory.appendingPathComponent("serve-log-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardInput = FileHandle.nullDevice
        try process.run()
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
            process.terminate()
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
    public var pid: Int32 { process.processIdentifier }

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
        Glibc.kill(process.processIdentifier, SIGKILL)
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
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: output)
        try? FileManager.default.removeItem(at: log)
        return process.terminationStatus
    }

    deinit { stop() }
}

/// The blocking line client the end-to-end tests talk to the server with (see ``ProtocolClient``).
public typealias LineClient = ProtocolClient
