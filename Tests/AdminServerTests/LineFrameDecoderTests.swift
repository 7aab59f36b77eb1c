import AdminProtocol
import AdminServer
import NIOCore
import NIOEmbedded
import PlenaryCore
import Testing

/// The framer on an EmbeddedChannel: every read is under the test's control, so splits are exact.
@Suite("LineFrameDecoder")
struct LineFrameDecoderTests {
    /// A channel with the framer installed, and the limit it reads.
    final class Harness {
        let channel = EmbeddedChannel()
        let limit: LineLimit

        init(limit: Int) throws {
            self.limit = LineLimit(limit)
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(limit: self.limit)))
        }

        deinit { _ = try? channel.finish() }

        func feed(_ chunks: String...) throws { for chunk in chunks { try feed(bytes: Array(chunk.utf8)) } }

        func feed(bytes: [UInt8]) throws { try channel.writeInbound(channel.allocator.buffer(bytes: bytes)) }

        func frames() throws -> [LineFrame] {
            var frames: [LineFrame] = []
            while let frame = try channel.readInbound(as: LineFrame.self) { frames.append(frame) }
            return frames
        }
    }

    static func line(_ text: String) -> LineFrame { .line(Array(text.utf8)) }

    @Test func splitsAtLFAndDropsOneCRBeforeIt() throws {
        let harness = try Harness(limit: 512)
        try harness.feed("ping\nbody list\r\n\nhelp\r\r\n")
        #expect(try harness.frames() == [Self.line("ping"), Self.line("body list"), .line([]), Self.line("help\r")])
    }

    @Test func aBareCRInsideALineReachesTheParserWhichRefusesIt() throws {
        let harness = try Harness(limit: 512)
        try harness.feed("pi\rng\r\n")
        let frames = try harness.frames()
        #expect(frames == [Self.line("pi\rng")])
        guard case .line(let bytes) = frames.first else { return }
        guard case .failure(let error) = LineParser.parse(bytes) else {
            Issue.record("a bare CR must not parse")
            return
        }
        #expect(error.code == .badLine)
        #expect(error.message.hasPrefix("column 3: control character 0x0D"))
    }

    @Test func aLineSplitAcrossReadsComesOutWhole() throws {
        let harness = try Harness(limit: 512)
        try harness.feed("bo", "dy ", "list", "\r")
        #expect(try harness.frames() == [])
        try harness.feed("\nping", "\n")
        #expect(try harness.frames() == [Self.line("body list"), Self.line("ping")])
    }

    @Test func oneByteAtATime() throws {
        let harness = try Harness(limit: 512)
        for byte in "auth token=x\r\nping\n".utf8 { try harness.feed(bytes: [byte]) }
        #expect(try harness.frames() == [Self.line("auth token=x"), Self.line("ping")])
    }

    @Test func theLimitCountsTheLineWithoutItsCRAndLF() throws {
        let harness = try Harness(limit: 8)
        try harness.feed("12345678\r\n", "12345678\n", "123456789\n", "ping\n")
        #expect(
            try harness.frames() == [
                Self.line("12345678"), Self.line("12345678"), .tooLong(limit: 8), Self.line("ping"),
            ])
    }

    @Test func anOverLongLineInManySmallReadsIsReportedOnceAndDiscarded() throws {
        let harness = try Harness(limit: 512)
        let chunk = String(repeating: "x", count: 100)
        for _ in 0..<1_000 { try harness.feed(chunk) }
        #expect(try harness.frames() == [.tooLong(limit: 512)])
        try harness.feed(chunk, chunk, "\r")
        #expect(try harness.frames() == [], "still the same line")
        try harness.feed("\nping\n")
        #expect(try harness.frames() == [Self.line("ping")], "the next line is read normally")
    }

    @Test func anOverLongLineArrivingWholeIsReportedOnce() throws {
        let harness = try Harness(limit: 512)
        try harness.feed(String(repeating: "y", count: 4_000) + "\nping\n")
        #expect(try harness.frames() == [.tooLong(limit: 512), Self.line("ping")])
    }

    @Test func twoOverLongLinesInARowAreTwoReports() throws {
        let harness = try Harness(limit: 16)
        let long = String(repeating: "z", count: 40)
        try harness.feed(long, "\n", long, long, "\n", "ok\n")
        #expect(try harness.frames() == [.tooLong(limit: 16), .tooLong(limit: 16), Self.line("ok")])
    }

    @Test func theLimitRaisedMidLineAppliesToThatLine() throws {
        let harness = try Harness(limit: 512)
        let part = String(repeating: "a", count: 400)
        try harness.feed(part)
        harness.limit.bytes = 16_384
        try harness.feed(part, part, "\n")
        #expect(try harness.frames() == [Self.line(part + part + part)])
    }

    @Test func theLimitRaisedWhileDiscardingDoesNotRevive() throws {
        let harness = try Harness(limit: 16)
        try harness.feed(String(repeating: "b", count: 100))
        harness.limit.bytes = 1_000
        try harness.feed("bbb\nshort\n")
        #expect(try harness.frames() == [.tooLong(limit: 16), Self.line("short")])
    }

    @Test func aPartialLineAtEndOfStreamIsDropped() throws {
        let harness = try Harness(limit: 512)
        try harness.feed("ping\nbody li")
        #expect(try harness.frames() == [Self.line("ping")])
        _ = try harness.channel.finish()
        #expect(try harness.frames() == [])
    }

    @Test func binaryBytesPassThroughForTheParserToJudge() throws {
        let harness = try Harness(limit: 512)
        let bytes: [UInt8] = [0, 1, 0xFF, 0xC3, 0x28, 0x7F, 0x0A]
        try harness.feed(bytes: bytes)
        #expect(try harness.frames() == [.line(Array(bytes.dropLast()))])
    }

    /// A gigabyte without a newline, in 64 KiB reads: the decoder is driven directly, the way ByteToMessageHandler
    /// drives it, so the bytes it leaves buffered after each read can be measured. They never exceed the limit
    /// plus one (room for a CR), and the one report comes once.
    @Test func aGigabyteWithoutLFCostsNoMoreThanTheLimit() throws {
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish() }
        try channel.pipeline.syncOperations.addHandler(Probe())
        let context = try channel.pipeline.syncOperations.context(handlerType: Probe.self)
        let limit = LineLimit(16_384)
        var decoder = LineFrameDecoder(limit: limit)
        var cumulation = channel.allocator.buffer(capacity: 0)
        let chunk = channel.allocator.buffer(repeating: UInt8(ascii: "x"), count: 65_536)
        var mostBuffered = 0
        var largestCapacity = 0
        for _ in 0..<(1 << 30) / 65_536 {
            var incoming = chunk
            cumulation.writeBuffer(&incoming)
            while try decoder.decode(context: context, buffer: &cumulation) == .continue {}
            mostBuffered = max(mostBuffered, cumulation.readableBytes)
            cumulation.discardReadBytes()
            largestCapacity = max(largestCapacity, cumulation.capacity)
        }
        #expect(mostBuffered <= 16_385)
        #expect(largestCapacity <= 2 * 65_536 + 16_385, "the cumulation never grows past one read and the limit")
        #expect(try channel.readInbound(as: LineFrame.self) == .tooLong(limit: 16_384))
        #expect(try channel.readInbound(as: LineFrame.self) == nil, "reported once")

        cumulation.writeString("tail\nping\n")
        while try decoder.decode(context: context, buffer: &cumulation) == .continue {}
        #expect(try channel.readInbound(as: LineFrame.self) == Self.line("ping"))
    }

    /// The same gigabyte through the real ByteToMessageHandler: one report, then the next line.
    @Test func aGigabyteWithoutLFThroughTheHandler() throws {
        let harness = try Harness(limit: 512)
        let chunk = harness.channel.allocator.buffer(repeating: UInt8(ascii: "x"), count: 65_536)
        for _ in 0..<(1 << 30) / 65_536 { try harness.channel.writeInbound(chunk) }
        try harness.feed("\nping\n")
        #expect(try harness.frames() == [.tooLong(limit: 512), Self.line("ping")])
    }
}

/// A pass-through handler whose context drives the decoder directly.
final class Probe: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
}
