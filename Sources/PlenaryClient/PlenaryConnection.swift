import AdminProtocol
import NIOCore
import NIOPosix
import NIOSSL
import PlenaryCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One connection to a Plenary server: the greeting, `hello`, `auth`, then requests and their replies, one reply
/// per request, in order.
///
/// Replies are read in whichever format the connection is in: text lines through ``ReplyDecoder``, JSON lines
/// (after `hello format=json`) through ``JSONReplyDecoder``; a text line starts with a digit and a JSON line with
/// `{`, so each line says which it is. Every wait is bounded: connecting by ``Configuration/connectTimeout``, each
/// reply by ``Configuration/replyTimeout``, each line by ``Configuration/maximumLineBytes`` and each reply by
/// ``Configuration/maximumReplyBytes``; past any of them the connection is closed and a ``ClientError`` thrown.
///
/// The type is not `Sendable`: one task owns a connection and asks one thing at a time, which is what keeps
/// replies matched to requests. (``pipeline(_:)`` sends several lines at once and still reads replies in order.)
public final class PlenaryConnection {
    /// Limits and timeouts.
    public struct Configuration: Sendable {
        /// How long to wait for the TCP connection and the greeting.
        public var connectTimeout: Duration
        /// How long to wait for each complete reply. The server answers 451 itself after its command timeout
        /// (30 s by default), so this only has to catch a server that stopped answering.
        public var replyTimeout: Duration
        /// The longest reply line accepted (records of free text can be long; 1 MiB by default).
        public var maximumLineBytes: Int
        /// The most bytes one reply may hold (64 MiB by default); also bounds what may wait unread.
        public var maximumReplyBytes: Int
        /// A PEM file of the certificate authorities to trust for a `tls:` address; nil trusts the system's.
        public var trustedCertificates: String?

        /// Creates a configuration.
        public init(
            connectTimeout: Duration = .seconds(10), replyTimeout: Duration = .seconds(60),
            maximumLineBytes: Int = 1 << 20, maximumReplyBytes: Int = 64 << 20
        ) {
            self.connectTimeout = connectTimeout
            self.replyTimeout = replyTimeout
            self.maximumLineBytes = maximumLineBytes
            self.maximumReplyBytes = maximumReplyBytes
        }
    }

    /// What the server said when the connection opened.
    public struct Greeting: Sendable, Equatable {
        /// The product name (`plenary`).
        public var product: String
        /// The fields after it: `version`, `proto`, `auth`.
        public var fields: [ReplyField]

        /// The value of `key`, as text.
        public subscript(key: String) -> String? { fields.first { $0.key == key }?.value.textForm }
    }

    /// The protocol major version this client speaks.
    public static let protocolVersion = 1

    /// The server.
    public let address: ServerAddress
    /// The server's greeting.
    public let greeting: Greeting
    private let configuration: Configuration
    private let channel: any Channel
    private let inbox: Inbox
    /// Events read while waiting for a reply, oldest first, at most ``maximumHeldEvents``.
    private var heldEvents: [[ReplyField]] = []

    /// How many events are held for ``takeEvents()`` before the oldest are dropped: a client that watches but
    /// never looks must not grow without bound.
    public static let maximumHeldEvents = 10_000

    private init(
        address: ServerAddress, greeting: Greeting, configuration: Configuration, channel: any Channel, inbox: Inbox
    ) {
        self.address = address
        self.greeting = greeting
        self.configuration = configuration
        self.channel = channel
        self.inbox = inbox
    }

    deinit { channel.close(promise: nil) }

    /// Connects and reads the greeting. A server that greets with another protocol major version, or says
    /// `421 CLOSING` (too many connections), is refused here.
    public static func connect(
        to address: ServerAddress, configuration: Configuration = Configuration()
    ) async throws(ClientError) -> PlenaryConnection {
        let inbox = Inbox(byteLimit: configuration.maximumReplyBytes)
        let lineLimit = configuration.maximumLineBytes
        let channel: any Channel
        do {
            let tls = try tlsContext(for: address, configuration: configuration)
            let serverName =
                address.host.contains(":") || address.host.allSatisfy({ $0.isNumber || $0 == "." })
                ? nil : address.host
            var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(timeAmount(configuration.connectTimeout))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls {
                            try channel.pipeline.syncOperations.addHandler(
                                try NIOSSLClientHandler(context: tls, serverHostname: serverName))
                        }
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(ReplyLineDecoder(limit: lineLimit)))
                        try channel.pipeline.syncOperations.addHandler(InboxHandler(inbox: inbox))
                    }
                }
            if case .unix(let path) = address.transport {
                channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
            } else {
                bootstrap = bootstrap.channelOption(.socketOption(.tcp_nodelay), value: 1)
                channel = try await bootstrap.connect(host: address.host, port: address.port).get()
            }
        } catch let error as ClientError {
            throw error
        } catch {
            throw ClientError(.cannotConnect, address: address, message: "cannot connect: \(reason(error))")
        }
        let line: [UInt8]
        let timer = channel.eventLoop.scheduleTask(in: timeAmount(configuration.connectTimeout)) {
            inbox.fail(.timedOut)
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        switch await inbox.next() {
        case .success(let read): line = read
        case .failure(let failure):
            channel.close(promise: nil)
            throw clientError(failure, address: address, waiting: "the greeting", timeout: configuration.connectTimeout)
        }
        let greeting: Greeting
        do throws(ClientError) {
            greeting = try readGreeting(line, address: address)
        } catch {
            channel.close(promise: nil)
            throw error
        }
        return PlenaryConnection(
            address: address, greeting: greeting, configuration: configuration, channel: channel, inbox: inbox)
    }

    /// The TLS context for a `tls:` address: the configured CAs, or the system's; nil for plain transports.
    private static func tlsContext(
        for address: ServerAddress, configuration: Configuration
    ) throws(ClientError) -> NIOSSLContext? {
        guard address.transport == .tls else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let file = configuration.trustedCertificates {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file))
            } catch {
                throw ClientError(
                    .cannotConnect, address: address, message: "--ca: \(file) is not a readable PEM certificate file")
            }
        }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw ClientError(.cannotConnect, address: address, message: "TLS: \(error)")
        }
    }

    /// `hello proto=1 [format=…]`: checks the protocol version with the server and, for `.json`, switches the
    /// connection's replies to JSON lines, which keep numbers, booleans and nulls typed.
    public func hello(format: ReplyFormat? = nil) async throws(ClientError) -> Reply {
        var arguments = [RawArgument(key: "proto", value: String(Self.protocolVersion))]
        if let format { arguments.append(RawArgument(key: "format", value: format.rawValue)) }
        return try await send(RawRequest(words: ["hello"], arguments: arguments))
    }

    /// `auth token=…`: the server's reply, `200 OK name=… role=…` or `511 AUTH_FAILED`.
    public func authenticate(token: String) async throws(ClientError) -> Reply {
        try await send(RawRequest(words: ["auth"], arguments: [RawArgument(key: "token", value: token)]))
    }

    /// Sends `request` as one protocol line (written by ``LineBuilder``, so the words a CLI parsed arrive as the
    /// same request) and reads its reply. A request no line can express is answered here, as the server would.
    public func send(_ request: RawRequest) async throws(ClientError) -> Reply {
        switch LineBuilder.build(request) {
        case .failure(let error): return .error(error)
        case .success(let line): return try await send(line: line)
        }
    }

    /// Sends one protocol line as written and reads its reply. A line holding a line break is refused here:
    /// it would reach the server as two requests.
    public func send(line: String) async throws(ClientError) -> Reply {
        try await pipeline([line])[0]
    }

    /// Sends several lines in one write and reads their replies, in order: what a script or a load generator does
    /// to save round trips. The server reads ahead only so far, then waits for its replies to be read; they are
    /// read off the socket as they come, so the two never wait on each other, and at most
    /// ``Configuration/maximumReplyBytes`` of them wait unread. A failure of the connection throws, and the
    /// replies read before it are lost with it: which requests ran is then unknown, as after any lost connection.
    public func pipeline(_ lines: [String]) async throws(ClientError) -> [Reply] {
        var refusals: [Int: Reply] = [:]
        var bytes: [UInt8] = []
        for (position, line) in lines.enumerated() {
            if line.contains(where: { $0 == "\n" || $0 == "\r" }) {
                refusals[position] = .error(.badSyntax("line: holds a line break; send each request on its own"))
                continue
            }
            bytes += Array(line.utf8) + [UInt8(ascii: "\n")]
        }
        if !bytes.isEmpty {
            do {
                try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
            } catch {
                channel.close(promise: nil)
                throw ClientError(.closed, address: address, message: "connection lost while sending")
            }
        }
        var replies: [Reply] = []
        for position in lines.indices {
            if let refusal = refusals[position] {
                replies.append(refusal)
            } else {
                replies.append(try await readReply())
            }
        }
        return replies
    }

    /// Says `quit` (so the server logs an orderly end) and closes. Errors are ignored: the connection is done.
    public func close() async {
        if channel.isActive {
            _ = try? await channel.writeAndFlush(ByteBuffer(string: "quit\n"))
        }
        try? await channel.close()
    }

    /// Whether the connection is still open.
    public var isOpen: Bool { channel.isActive }

    /// The change events (`650`, after `watch`) that arrived while replies were read, oldest first; they are
    /// handed out once.
    public func takeEvents() -> [[ReplyField]] {
        defer { heldEvents = [] }
        return heldEvents
    }

    /// The next change event, waiting as long as it takes (events come when something changes, not on request).
    /// Throws when the connection ends; a reply line here, with no request outstanding, is a protocol violation.
    public func nextEvent() async throws(ClientError) -> [ReplyField] {
        if !heldEvents.isEmpty { return heldEvents.removeFirst() }
        switch await inbox.next() {
        case .failure(let failure):
            channel.close(promise: nil)
            throw Self.clientError(failure, address: address, waiting: "an event", timeout: .zero)
        case .success(let line):
            let decoded =
                line.first == UInt8(ascii: "{")
                ? JSONReplyDecoder.decodeLine(line) : ReplyDecoder.decodeLine(String(decoding: line, as: UTF8.self))
            switch decoded {
            case .success(.event(let fields)):
                return fields
            case .success(.final(let reply)) where reply.code == .closing:
                channel.close(promise: nil)
                throw ClientError(
                    .closed, address: address, message: reply.failure?.message ?? "closing", closing: reply.failure)
            case .success:
                throw violation("a reply line with no request outstanding")
            case .failure(let error):
                throw violation("unreadable line: \(error.message)")
            }
        }
    }

    /// Reads lines up to the final line of one reply. Event lines (`650`, after `watch`) are not part of any
    /// reply: they are held for ``takeEvents()``. A `421 CLOSING` line ends the connection and is thrown as
    /// ``ClientError``.
    private func readReply() async throws(ClientError) -> Reply {
        let timeout = configuration.replyTimeout
        let inbox = self.inbox
        let channel = self.channel
        let timer = channel.eventLoop.scheduleTask(in: Self.timeAmount(timeout)) {
            inbox.fail(.timedOut)
            channel.close(promise: nil)
        }
        defer { timer.cancel() }
        var records: [ReplyRecord] = []
        var recordCode: ReplyCode?
        var bytes = 0
        while true {
            let line: [UInt8]
            switch await inbox.next() {
            case .success(let read): line = read
            case .failure(let failure):
                channel.close(promise: nil)
                throw Self.clientError(failure, address: address, waiting: "a reply", timeout: timeout)
            }
            bytes += line.count + 1
            guard bytes <= configuration.maximumReplyBytes else {
                throw violation("a reply is longer than \(configuration.maximumReplyBytes) bytes")
            }
            let decoded =
                line.first == UInt8(ascii: "{")
                ? JSONReplyDecoder.decodeLine(line) : ReplyDecoder.decodeLine(String(decoding: line, as: UTF8.self))
            switch decoded {
            case .failure(let error):
                throw violation("unreadable reply line: \(error.message)")
            case .success(.event(let fields)):
                if heldEvents.count == Self.maximumHeldEvents { heldEvents.removeFirst() }
                heldEvents.append(fields)
            case .success(.greeting):
                throw violation("a second greeting inside a reply")
            case .success(.record(let code, let record)):
                if let recordCode, recordCode != code {
                    throw violation("reply code \(code.rawValue) after \(recordCode.rawValue)")
                }
                recordCode = code
                records.append(record)
            case .success(.final(var reply)):
                if reply.code == .closing {
                    channel.close(promise: nil)
                    throw ClientError(
                        .closed, address: address, message: reply.failure?.message ?? "closing",
                        closing: reply.failure)
                }
                if let recordCode, recordCode != reply.code {
                    throw violation("final code \(reply.code.rawValue) after records of \(recordCode.rawValue)")
                }
                if reply.failure != nil, !records.isEmpty { throw violation("an error line after records") }
                reply.records = records
                return reply
            }
        }
    }

    private func violation(_ message: String) -> ClientError {
        channel.close(promise: nil)
        return ClientError(.protocolViolation, address: address, message: message)
    }

    private static func readGreeting(_ line: [UInt8], address: ServerAddress) throws(ClientError) -> Greeting {
        let text = String(decoding: line, as: UTF8.self)
        switch ReplyDecoder.decodeLine(text) {
        case .success(.greeting(let product, let fields)):
            let greeting = Greeting(product: product, fields: fields)
            guard greeting["proto"] == String(protocolVersion) else {
                throw ClientError(
                    .protocolViolation, address: address,
                    message: "the server speaks protocol \(greeting["proto"] ?? "?"), this client \(protocolVersion)")
            }
            return greeting
        case .success(.final(let reply)) where reply.code == .closing:
            throw ClientError(
                .closed, address: address, message: reply.failure?.message ?? "closing", closing: reply.failure)
        default:
            throw ClientError(
                .protocolViolation, address: address,
                message: "not a Plenary server: it greeted with \(QuotedValue.encode(String(text.prefix(60))))")
        }
    }

    private static func clientError(
        _ failure: Inbox.Failure, address: ServerAddress, waiting: String, timeout: Duration
    ) -> ClientError {
        switch failure {
        case .closed:
            ClientError(.closed, address: address, message: "closed the connection before \(waiting)")
        case .timedOut:
            ClientError(
                .timedOut, address: address, message: "timed out after \(describe(timeout)) waiting for \(waiting)")
        case .cancelled:
            ClientError(.cancelled, address: address, message: "cancelled while waiting for \(waiting)")
        case .violation(let message):
            ClientError(.protocolViolation, address: address, message: message)
        case .tls(let message):
            ClientError(.cannotConnect, address: address, message: "cannot connect: \(message)")
        }
    }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    private static func describe(_ duration: Duration) -> String {
        let milliseconds = timeAmount(duration).nanoseconds / 1_000_000
        return milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(milliseconds) ms"
    }

    /// The reason a connect failed, in a few words: `connection refused`, not NIO's full error dump.
    private static func reason(_ error: any Error) -> String {
        if let failure = error as? NIOConnectionError {
            if let first = failure.connectionErrors.first { return reason(first.error) }
            if failure.dnsAError != nil || failure.dnsAAAAError != nil { return "unknown host \(failure.host)" }
            return "no address for \(failure.host)"
        }
        if let io = error as? IOError {
            return String(cString: strerror(io.errnoCode)).lowercased()
        }
        if let channelError = error as? ChannelError, case .connectTimeout(let amount) = channelError {
            return "no connection within \(amount.nanoseconds / 1_000_000) ms"
        }
        return "\(error)"
    }
}
