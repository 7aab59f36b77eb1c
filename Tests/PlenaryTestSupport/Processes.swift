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

    /// Starts `plenary serve --listen 127.0.0.1:0` against `databaseURL` (nil: the embedded cluster under
    /// `currentDirectory`) and waits until it listens.
    public init(
        databaseURL: String?, environment extra: [String: String] = [:], currentDirectory: String? = nil
    ) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try TestCluster.plenaryBinary())
        process.arguments = ["serve", "--listen", "127.0.0.1:0"]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PLENARY_") }
        environment["PLENARY_DATABASE_URL"] = databaseURL
        environment.merge(extra) { $1 }
        process.environment = environment
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("serve-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        var port: Int?
        var token: String?
        while port == nil, Date() < deadline, process.isRunning {
            Thread.sleep(forTimeInterval: 0.05)
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") {
                if let range = line.range(of: "listening on 127.0.0.1:") {
                    port = Int(line[range.upperBound...])
                }
                if line.hasPrefix("No tokens existed"), let range = line.range(of: "token=") {
                    token = String(line[range.upperBound...])
                }
            }
        }
        guard let port else {
            process.terminate()
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            throw TestCluster.Unavailable(description: "plenary serve did not start: \(text)")
        }
        self.port = port
        self.bootstrapToken = token
        self.process = process
        self.output = output
    }

    /// Whether the process still runs.
    public var isRunning: Bool { process.isRunning }

    /// Sends SIGTERM and waits for the process to exit; returns its status.
    @discardableResult
    public func stop() -> Int32 {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: output)
        return process.terminationStatus
    }

    deinit { stop() }
}

/// A blocking line client for the admin protocol, as simple as the scripts that will talk to it.
public final class LineClient {
    private let socket: Int32
    private var buffer: [UInt8] = []

    /// Connects to 127.0.0.1:port.
    public init(port: Int) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(socket)
            throw TestCluster.Unavailable(description: "cannot connect to 127.0.0.1:\(port): errno \(errno)")
        }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(socket) }

    /// Sends raw bytes.
    public func send(bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent <= 0 { return }
            offset += sent
        }
    }

    /// Sends one line (LF appended).
    public func send(_ line: String) { send(bytes: Array((line + "\n").utf8)) }

    /// Reads one line (without LF); nil when the server closed the connection or the read timed out.
    public func readLine() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = recv(socket, &chunk, chunk.count, 0)
            if count <= 0 { return nil }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    /// Reads the lines of one reply: up to and including the line whose code is followed by a space.
    public func readReply() -> [String] {
        var lines: [String] = []
        while let line = readLine() {
            lines.append(line)
            let bytes = Array(line.utf8)
            if line.hasPrefix("{") || bytes.count < 4 || bytes[3] != UInt8(ascii: "-") { break }
        }
        return lines
    }

    /// Sends a line and reads its reply.
    public func command(_ line: String) -> [String] {
        send(line)
        return readReply()
    }
}
