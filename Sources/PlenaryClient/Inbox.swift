import NIOCore
import NIOSSL
import Synchronization

/// Splits the server's byte stream into lines at LF (dropping a CR before it), refusing any line longer than
/// `limit`: a server that never sends a newline cannot make the client buffer without bound.
struct ReplyLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = [UInt8]

    let limit: Int
    /// How far into the readable bytes the LF search already looked, so a slowly arriving line is not rescanned.
    private var scanned = 0

    init(limit: Int) { self.limit = limit }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        guard let newline = view[(view.startIndex + scanned)...].firstIndex(of: UInt8(ascii: "\n")) else {
            // +1 leaves room for a CR before the LF that may still come.
            guard buffer.readableBytes <= limit + 1 else { throw LineTooLong(limit: limit) }
            scanned = buffer.readableBytes
            return .needMoreData
        }
        scanned = 0
        let length = newline - view.startIndex
        var line = buffer.readBytes(length: length) ?? []
        buffer.moveReaderIndex(forwardBy: 1)
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        guard line.count <= limit else { throw LineTooLong(limit: limit) }
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }

    /// A partial line when the server closes is not a reply line; it is dropped.
    mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        return .needMoreData
    }
}

/// A reply line over the client's limit.
struct LineTooLong: Error {
    let limit: Int
}

/// Where lines wait between the event loop that reads them and the task that asks for them. It holds at most
/// `byteLimit` bytes of unread lines; past that the server is sending more than any reply may hold, and the
/// connection fails rather than grow.
final class Inbox: Sendable {
    enum Failure: Error, Sendable {
        case closed
        case timedOut
        case cancelled
        case violation(String)
        /// The TLS handshake failed (untrusted certificate, wrong name, no TLS on the other side).
        case tls(String)
    }

    private struct State {
        var lines: [[UInt8]] = []
        var head = 0
        var bytes = 0
        var failure: Failure?
        var waiter: CheckedContinuation<[UInt8], any Error>?
    }

    private struct Failed: Error {
        let failure: Failure
    }

    private let state = Mutex(State())
    private let byteLimit: Int

    init(byteLimit: Int) { self.byteLimit = byteLimit }

    /// A line from the event loop.
    func push(_ line: [UInt8]) {
        let (waiter, overflow) = state.withLock { state -> (CheckedContinuation<[UInt8], any Error>?, Bool) in
            guard state.failure == nil else { return (nil, false) }
            if let waiter = state.waiter {
                state.waiter = nil
                return (waiter, false)
            }
            state.lines.append(line)
            state.bytes += line.count + 1
            return (nil, state.bytes > byteLimit)
        }
        waiter?.resume(returning: line)
        if overflow { fail(.violation("the server sent more than \(byteLimit) bytes without being asked")) }
    }

    /// Ends the inbox: lines already read are still handed out, then every wait fails with `failure`. The first
    /// failure wins, so a timeout is not reported as the close it caused.
    func fail(_ failure: Failure) {
        let waiter = state.withLock { state -> CheckedContinuation<[UInt8], any Error>? in
            if state.failure == nil { state.failure = failure }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(throwing: Failed(failure: failure))
    }

    /// The next line, or the failure that ended the inbox.
    func next() async -> Result<[UInt8], Failure> {
        do {
            let line = try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<[UInt8], any Error>) in
                    let ready = state.withLock { state -> Result<[UInt8], Failure>? in
                        if state.head < state.lines.count {
                            let line = state.lines[state.head]
                            state.head += 1
                            state.bytes -= line.count + 1
                            if state.head == state.lines.count {
                                state.lines.removeAll(keepingCapacity: true)
                                state.head = 0
                            }
                            return .success(line)
                        }
                        if let failure = state.failure { return .failure(failure) }
                        state.waiter = continuation
                        return nil
                    }
                    switch ready {
                    case .success(let line)?: continuation.resume(returning: line)
                    case .failure(let failure)?: continuation.resume(throwing: Failed(failure: failure))
                    case nil: break
                    }
                }
            } onCancel: {
                fail(.cancelled)
            }
            return .success(line)
        } catch let failed as Failed {
            return .failure(failed.failure)
        } catch {
            return .failure(.cancelled)
        }
    }
}

/// Hands each line to the inbox and reports the end of the connection to it.
final class InboxHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = [UInt8]

    private let inbox: Inbox

    init(inbox: Inbox) { self.inbox = inbox }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inbox.push(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.fail(.closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let tooLong = error as? LineTooLong {
            inbox.fail(.violation("a reply line is longer than \(tooLong.limit) bytes"))
        } else if let tls = error as? NIOSSLError {
            // A certificate that is not trusted, a name that does not match: say so, not "connection closed".
            inbox.fail(.tls("TLS handshake failed: \(tls)"))
        } else {
            inbox.fail(.closed)
        }
        context.close(promise: nil)
    }
}
