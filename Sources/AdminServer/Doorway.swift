import AdminProtocol
import NIOCore
import PlenaryCore

/// A connection as ``Admission`` knows it: its channel, compared by identity, so that the door can close the one
/// it gives up for a newcomer.
struct Doorway: Hashable, Sendable {
    let channel: any Channel

    init(_ channel: any Channel) { self.channel = channel }

    static func == (lhs: Doorway, rhs: Doorway) -> Bool { lhs.channel === rhs.channel }

    func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(channel)) }
}

/// The whole pipeline of a connection the door turned away: once it is active, `421 CLOSING reason`, then close.
/// Nothing it sends is read into anything; it costs no task and no buffer. Over TLS the line waits for the
/// handshake, for ``grace`` at most.
final class TurnAway: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    /// How long a turned-away connection may take to receive its line (a TLS handshake) before it is closed anyway.
    static let grace: TimeAmount = .seconds(2)

    private let reason: String

    init(reason: String) { self.reason = reason }

    func channelActive(context: ChannelHandlerContext) {
        Self.answer(context.channel, with: reason)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Writes `421 CLOSING reason` on `channel` and closes it once written, or after ``grace``.
    static func answer(_ channel: any Channel, with reason: String) {
        let line = "\(ReplyCode.closing.rawValue) CLOSING \(reason)\n"
        let grace = channel.eventLoop.scheduleTask(in: Self.grace) { channel.close(promise: nil) }
        channel.writeAndFlush(ByteBuffer(string: line)).whenComplete { _ in
            grace.cancel()
            channel.close(promise: nil)
        }
    }
}
