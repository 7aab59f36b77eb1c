import Foundation

/// The protocol tests' name for ``ServerProcess``, which also keeps the server's log and reads its memory.
public typealias ProtocolServer = ServerProcess

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
            // A signal (a child of another test exiting) interrupts recv without any data or timeout: read again.
            if count < 0 && errno == EINTR { continue }
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
