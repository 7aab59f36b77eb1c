#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking TCP connection to the admin protocol, read a reply at a time.
///
/// The load generator runs one thread per connection on plain blocking sockets: no event loop, no futures, no
/// per-request allocation beyond the request's bytes, so the client costs a small fraction of what the server
/// spends on the same request and the figures measure the server.
final class LineSocket {
    private let descriptor: Int32
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0

    /// What one reply said: its code, and its last line when the code is a refusal (for the error sample).
    struct Outcome {
        var code: Int
        var refusal: String?
    }

    /// Connects to `host:port` with TCP_NODELAY, as the server's own socket is set.
    init(host: String, port: Int) throws(BenchError) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let first = found else {
            throw BenchError("cannot resolve \(host)")
        }
        defer { freeaddrinfo(found) }
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        var connected: Int32 = -1
        while let address = candidate, connected < 0 {
            let attempt = socket(address.pointee.ai_family, address.pointee.ai_socktype, 0)
            if attempt >= 0 {
                if connect(attempt, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 {
                    connected = attempt
                } else {
                    close(attempt)
                }
            }
            candidate = address.pointee.ai_next
        }
        guard connected >= 0 else { throw BenchError("cannot connect to \(host):\(port): errno \(errno)") }
        var one: Int32 = 1
        setsockopt(connected, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        descriptor = connected
        buffer = [UInt8](repeating: 0, count: 256 * 1024)
    }

    deinit { close(descriptor) }

    /// Writes all of `bytes`.
    func send(_ bytes: [UInt8]) throws(BenchError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                systemSend(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw BenchError("send failed: errno \(errno)")
            }
            offset += written
        }
    }

    /// Reads up to the end of the next reply: the first line whose fourth byte is a space (`200 OK …`), after any
    /// number of record lines (`200-doc …`). Event lines (`650 …`) are skipped; the benchmark does not watch.
    func readReply() throws(BenchError) -> Outcome {
        while true {
            guard let line = try nextLine() else { throw BenchError("the server closed the connection") }
            let (lineStart, lineEnd) = line
            guard lineEnd - lineStart >= 3 else { throw BenchError("malformed reply line") }
            let code =
                Int(buffer[lineStart] &- 48) * 100 + Int(buffer[lineStart + 1] &- 48) * 10
                + Int(buffer[lineStart + 2] &- 48)
            let final = lineEnd - lineStart == 3 || buffer[lineStart + 3] == UInt8(ascii: " ")
            if !final || code == 650 { continue }
            let refusal =
                code >= 400 ? String(decoding: buffer[lineStart..<min(lineEnd, lineStart + 300)], as: UTF8.self) : nil
            return Outcome(code: code, refusal: refusal)
        }
    }

    /// The next line's bounds in `buffer` (without its LF), reading more as needed; nil at the end of the stream.
    private func nextLine() throws(BenchError) -> (Int, Int)? {
        var scanned = start
        while true {
            while scanned < end {
                if buffer[scanned] == UInt8(ascii: "\n") {
                    let line = (start, scanned)
                    start = scanned + 1
                    return line
                }
                scanned += 1
            }
            // Keep the partial line, move it to the front, and make room for a line longer than the buffer.
            if start > 0 {
                let pending = end - start
                if pending > 0 {
                    buffer.withUnsafeMutableBytes { raw in
                        _ = memmove(raw.baseAddress!, raw.baseAddress! + start, pending)
                    }
                }
                scanned -= start
                start = 0
                end = pending
            }
            if end == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
            let received = buffer.withUnsafeMutableBytes { raw in
                recv(descriptor, raw.baseAddress! + end, raw.count - end, 0)
            }
            if received < 0 {
                if errno == EINTR { continue }
                throw BenchError("recv failed: errno \(errno)")
            }
            if received == 0 { return nil }
            end += received
        }
    }
}

/// `send(2)` without SIGPIPE: a server that closes must show up as an error, not kill the benchmark.
private func systemSend(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    send(descriptor, bytes, count, Int32(MSG_NOSIGNAL))
    #else
    send(descriptor, bytes, count, 0)
    #endif
}

/// A failure of the benchmark itself (not a refusal by the server, which is counted).
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
