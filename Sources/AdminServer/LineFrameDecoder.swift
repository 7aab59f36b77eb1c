import NIOConcurrencyHelpers
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What the framer hands on: a complete line (without LF and an optional CR before it), or word that a line
/// exceeded the limit — once per over-long line; the rest of that line is discarded as it arrives.
public enum LineFrame: Sendable, Equatable {
    /// A complete line.
    case line([UInt8])
    /// A line longer than `limit` bytes was cut off.
    case tooLong(limit: Int)
}

/// The current line limit of one connection: small before authentication, larger after. Shared between the
/// decoder (on the event loop) and the connection's task, which raises it after `auth`. It also counts the frames
/// the decoder has handed on, so the task can tell how many are already waiting for it (see ``framesDecoded``).
public final class LineLimit: Sendable {
    private let value: NIOLockedValueBox<Int>
    private let decoded = NIOLockedValueBox(0)

    /// Creates a limit.
    public init(_ bytes: Int) { value = NIOLockedValueBox(bytes) }

    /// The limit in bytes.
    public var bytes: Int {
        get { value.withLockedValue { $0 } }
        set { value.withLockedValue { $0 = newValue } }
    }

    /// Frames handed on so far. Those the connection's task has not taken yet are waiting in its inbound buffer,
    /// so taking them does not wait: that is how it reads a client's pipelined requests ahead.
    public var framesDecoded: Int { decoded.withLockedValue { $0 } }

    func countFrame() { decoded.withLockedValue { $0 += 1 } }
}

/// Splits the byte stream into lines at LF, holding at most `limit` bytes of a line in memory: a line that grows
/// past the limit is reported once and then skipped up to its LF without being buffered, so a 1 GiB line without
/// a newline costs no more memory than a short one.
public struct LineFrameDecoder: ByteToMessageDecoder {
    /// Frames out.
    public typealias InboundOut = LineFrame

    private let limit: LineLimit
    private var discarding = false
    /// How far into the readable bytes the LF search already looked, so a slowly arriving line is not rescanned.
    private var scanned = 0

    /// Creates a decoder bound by `limit`.
    public init(limit: LineLimit) {
        self.limit = limit
    }

    /// Emits every complete line in the buffer.
    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = Self.firstNewline(in: buffer, from: scanned) else {
            let maximum = limit.bytes
            if discarding {
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                scanned = 0
            } else if buffer.readableBytes > maximum + 1 {
                // +1 leaves room for a CR before the LF that may still come.
                discarding = true
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                scanned = 0
                limit.countFrame()
                context.fireChannelRead(wrapInboundOut(.tooLong(limit: maximum)))
            } else {
                scanned = buffer.readableBytes
            }
            return .needMoreData
        }
        scanned = 0
        if discarding {
            discarding = false
            buffer.moveReaderIndex(forwardBy: length + 1)
            return .continue
        }
        var line = buffer.readBytes(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        let maximum = limit.bytes
        limit.countFrame()
        if line.count > maximum {
            context.fireChannelRead(wrapInboundOut(.tooLong(limit: maximum)))
        } else {
            context.fireChannelRead(wrapInboundOut(.line(line)))
        }
        return .continue
    }

    /// The offset of the first LF in the readable bytes at or after `start`. memchr rather than a Swift loop: the
    /// framer scans every byte a client sends, up to a gigabyte of one unterminated line.
    static func firstNewline(in buffer: ByteBuffer, from start: Int) -> Int? {
        buffer.withUnsafeReadableBytes { bytes -> Int? in
            guard start < bytes.count, let base = bytes.baseAddress else { return nil }
            guard let found = memchr(base + start, Int32(UInt8(ascii: "\n")), bytes.count - start) else { return nil }
            return UnsafeRawPointer(found) - base
        }
    }

    /// A partial line at end of stream is dropped: a request is complete only with its LF.
    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        return .needMoreData
    }
}
