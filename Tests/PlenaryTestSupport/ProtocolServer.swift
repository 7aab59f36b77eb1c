import Foundation

/// A `plenary serve` process for the protocol tests: like ``ServerProcess``, and it also keeps the server's log
/// and knows its pid, so a test can wait for what the server said and measure the memory it holds.
public final class ProtocolServer: @unchecked Sendable {
    /// The port it listens on.
    public let port: Int
    /// The admin token it printed on first start, if it did.
    public let bootstrapToken: String?
    private let process: Process
    private let output: URL
    private let log: URL

    /// Starts `plenary serve --listen 127.0.0.1:0` against `databaseURL` with `environment` added (settings such
    /// as `PLENARY_LIMITS_IDLE_TIMEOUT_S`) and waits until it listens.
    public init(databaseURL: String, environment extra: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try TestCluster.plenaryBinary())
        process.arguments = ["serve", "--listen", "127.0.0.1:0"]
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PLENARY_") }
        environment["PLENARY_DATABASE_URL"] = databaseURL
        environment.merge(extra) { $1 }
        process.environment = environment
        let directory = FileManager.default.temporaryDirectory
        let output = directory.appendingPathComponent("protocol-serve-\(UUID().uuidString)")
        let log = directory.appendingPathComponent("protocol-serve-log-\(UUID().uuidString)")
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
                if let range = line.range(of: "listening on 127.0.0.1:") { port = Int(line[range.upperBound...]) }
                if line.hasPrefix("No tokens existed"), let range = line.range(of: "token=") {
                    token = String(line[range.upperBound...])
                }
            }
        }
        guard let port else {
            process.terminate()
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw TestCluster.Unavailable(description: "plenary serve did not start: \(text)")
        }
        self.port = port
        self.bootstrapToken = token
        self.process = process
        self.output = output
        self.log = log
    }

    deinit { stop() }

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
}

/// A blocking line client with the knobs the protocol tests need: a small receive buffer (so a client that does
/// not read is felt by the server quickly), sending from another thread while nobody reads, and noticing that the
/// server closed without reading what it sent first.
public final class ProtocolClient: @unchecked Sendable {
    private let socket: Int32
    private var buffer: [UInt8] = []
    private var start = 0

    /// Connects to 127.0.0.1:port; `receiveBuffer` sets SO_RCVBUF before connecting.
    public init(port: Int, receiveBuffer: Int? = nil, timeout: Int = 60) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if var size = receiveBuffer.map(Int32.init) {
            setsockopt(socket, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
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
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(socket) }

    /// Sends all of `bytes`, blocking while the peer does not read; false when the connection broke.
    @discardableResult
    public func send(bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// Sends one line, LF appended.
    @discardableResult
    public func send(_ line: String) -> Bool { send(bytes: Array((line + "\n").utf8)) }

    /// Reads one line without its LF; nil when the server closed the connection or the read timed out.
    public func readLine() -> String? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[start..<newline], as: UTF8.self)
                start = newline + 1
                if start > 1 << 20 {
                    buffer.removeFirst(start)
                    start = 0
                }
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let count = recv(socket, &chunk, chunk.count, 0)
            if count <= 0 { return nil }
            buffer.append(contentsOf: chunk[..<count])
        }
    }

    /// Reads the lines of one reply, skipping `650` event lines (returned separately through `events`).
    public func readReply(events: inout [String]) -> [String] {
        var lines: [String] = []
        while let line = readLine() {
            if line.hasPrefix("650 ") || line.hasPrefix(#"{"code":650"#) {
                events.append(line)
                continue
            }
            lines.append(line)
            let bytes = Array(line.utf8)
            if line.hasPrefix("{") || bytes.count < 4 || bytes[3] != UInt8(ascii: "-") { break }
        }
        return lines
    }

    /// Reads one reply; fails the caller's expectations if an event came first.
    public func readReply() -> [String] {
        var events: [String] = []
        return readReply(events: &events)
    }

    /// Sends a line and reads its reply.
    public func command(_ line: String) -> [String] {
        send(line)
        return readReply()
    }

    /// Shuts down the sending side, as `nc -N` does at the end of its input; reading goes on.
    public func shutdownWrite() { _ = shutdown(socket, Int32(SHUT_WR)) }

    /// Waits, without reading, until the server has closed its side; false when it did not within `timeout`.
    public func waitForClose(timeout: TimeInterval) -> Bool {
        // POLLRDHUP (Linux, 0x2000) reports the peer's FIN even while unread data waits; Glibc's module map
        // leaves it out because it needs _GNU_SOURCE.
        let readHangUp: Int16 = 0x2000
        var descriptor = pollfd(fd: socket, events: readHangUp, revents: 0)
        let milliseconds = Int32(timeout * 1_000)
        return poll(&descriptor, 1, milliseconds) > 0 && descriptor.revents & (readHangUp | Int16(POLLHUP)) != 0
    }
}
