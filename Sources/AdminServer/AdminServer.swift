import Access
import AdminProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PlenaryCommands
import PlenaryCore
import ServiceLifecycle

/// The TCP door of the admin protocol: greeting, framing with limits, authentication, strictly ordered replies to
/// pipelined requests, and an orderly shutdown. Runs as a Service so SIGTERM/SIGINT close it in order.
public final class AdminServer: Service, Sendable {
    /// Where and how the server listens.
    public struct Configuration: Sendable {
        /// The address to bind.
        public var host: String
        /// The port; 0 picks a free one (see `boundPort`).
        public var port: Int
        /// Longest line before authentication.
        public var lineBytesBeforeAuth: Int
        /// Longest line after authentication.
        public var lineBytes: Int
        /// Requests read ahead of their replies before reading pauses.
        public var inFlightPerConnection: Int
        /// Seconds to authenticate before the server says 421 and closes.
        public var authTimeoutSeconds: Int
        /// Seconds an authenticated connection may stay silent.
        public var idleTimeoutSeconds: Int
        /// Longest a command may run before it is answered 451.
        public var commandTimeoutMilliseconds: Int
        /// Connections served at once.
        public var maxConnections: Int

        /// Creates a configuration.
        public init(
            host: String = "127.0.0.1", port: Int = 7411, lineBytesBeforeAuth: Int = 512, lineBytes: Int = 16_384,
            inFlightPerConnection: Int = 32, authTimeoutSeconds: Int = 10, idleTimeoutSeconds: Int = 600,
            commandTimeoutMilliseconds: Int = 30_000, maxConnections: Int = 1_000
        ) {
            self.host = host
            self.port = port
            self.lineBytesBeforeAuth = lineBytesBeforeAuth
            self.lineBytes = lineBytes
            self.inFlightPerConnection = inFlightPerConnection
            self.authTimeoutSeconds = authTimeoutSeconds
            self.idleTimeoutSeconds = idleTimeoutSeconds
            self.commandTimeoutMilliseconds = commandTimeoutMilliseconds
            self.maxConnections = maxConnections
        }
    }

    private let configuration: Configuration
    private let dispatcher: CommandDispatcher
    private let tokens: TokenStore
    private let logger: Logger
    private let group: any EventLoopGroup
    private let bound = NIOLockedValueBox<(port: Int?, waiters: [CheckedContinuation<Int, any Error>])>((nil, []))
    private let connections = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])

    /// Creates the server; nothing listens until `run()`.
    public init(
        configuration: Configuration, dispatcher: CommandDispatcher, tokens: TokenStore,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "plenary.server")
    ) {
        self.configuration = configuration
        self.dispatcher = dispatcher
        self.tokens = tokens
        self.group = group
        self.logger = logger
    }

    /// The port the server listens on, once it does.
    public func boundPort() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let port = bound.withLockedValue { state -> Int? in
                if let port = state.port { return port }
                state.waiters.append(continuation)
                return nil
            }
            if let port { continuation.resume(returning: port) }
        }
    }

    /// Listens until graceful shutdown, then says 421 to every connection and closes it.
    public func run() async throws {
        let configuration = self.configuration
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: configuration.host, port: configuration.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let limit = LineLimit(configuration.lineBytesBeforeAuth)
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(LineFrameDecoder(limit: limit)))
                    let wrapped = try NIOAsyncChannel<LineFrame, ByteBuffer>(
                        wrappingChannelSynchronously: channel,
                        configuration: .init(
                            backPressureStrategy: .init(
                                lowWatermark: max(1, configuration.inFlightPerConnection / 2),
                                highWatermark: configuration.inFlightPerConnection)))
                    return (wrapped, limit)
                }
            }
        let port = server.channel.localAddress?.port ?? configuration.port
        let waiters = bound.withLockedValue { state in
            state.port = port
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: port) }
        logger.info("listening", metadata: ["address": "\(configuration.host):\(port)"])

        try await withGracefulShutdownHandler {
            try await server.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await (connection, limit) in inbound {
                        group.addTask { await self.serve(connection, limit: limit) }
                    }
                }
            }
        } onGracefulShutdown: {
            self.logger.info("shutting down: closing the listener and every connection")
            server.channel.close(promise: nil)
            let open = self.connections.withLockedValue { Array($0.values) }
            for channel in open {
                var buffer = channel.allocator.buffer(capacity: 64)
                buffer.writeString("\(ReplyCode.closing.rawValue) CLOSING server shutting down\n")
                channel.writeAndFlush(buffer).whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }

    private struct ConnectionState {
        var actor: Actor?
        var format: ReplyFormat = .text
    }

    private enum Outcome {
        case keepOpen
        case close
    }

    private func serve(_ connection: NIOAsyncChannel<LineFrame, ByteBuffer>, limit: LineLimit) async {
        let channel = connection.channel
        let id = ObjectIdentifier(channel)
        let overCapacity = connections.withLockedValue { open -> Bool in
            guard open.count < configuration.maxConnections else { return true }
            open[id] = channel
            return false
        }
        defer { connections.withLockedValue { _ = $0.removeValue(forKey: id) } }
        let peer = channel.remoteAddress?.description ?? "unknown"
        do {
            try await connection.executeThenClose { inbound, outbound in
                if overCapacity {
                    try await outbound.write(
                        ByteBuffer(string: "\(ReplyCode.closing.rawValue) CLOSING too many connections\n"))
                    return
                }
                try await outbound.write(
                    ByteBuffer(
                        bytes: ReplyEncoder.greeting(
                            product: Product.name, version: Product.version,
                            protocolVersion: Product.protocolVersion, authMethods: ["token"], format: .text)))
                let authTimer = channel.eventLoop.scheduleTask(in: .seconds(Int64(configuration.authTimeoutSeconds))) {
                    var buffer = channel.allocator.buffer(capacity: 64)
                    buffer.writeString("\(ReplyCode.closing.rawValue) CLOSING authentication timed out\n")
                    channel.writeAndFlush(buffer).whenComplete { _ in channel.close(promise: nil) }
                }
                defer { authTimer.cancel() }
                var state = ConnectionState()
                for try await frame in inbound {
                    let (bytes, outcome) = await handle(frame, state: &state, limit: limit, authTimer: authTimer)
                    try await outbound.write(ByteBuffer(bytes: bytes))
                    if case .close = outcome { return }
                }
            }
        } catch {
            logger.debug("connection ended", metadata: ["peer": "\(peer)", "error": "\(error)"])
        }
    }

    private func handle(
        _ frame: LineFrame, state: inout ConnectionState, limit: LineLimit, authTimer: Scheduled<Void>
    ) async -> ([UInt8], Outcome) {
        switch frame {
        case .tooLong(let maximum):
            let reply = ReplyEncoder.encode(.error(.lineTooLong(limit: maximum)), format: state.format)
            return (reply, state.actor == nil ? .close : .keepOpen)
        case .line(let bytes):
            if state.actor == nil, Self.looksLikeHTTP(bytes) {
                let error = PlenaryError.badSyntax("this is the Plenary admin protocol, not HTTP")
                return (ReplyEncoder.encode(.error(error), format: state.format), .close)
            }
            let request: RawRequest
            switch LineParser.parse(bytes) {
            case .failure(let error): return (ReplyEncoder.encode(.error(error), format: state.format), .keepOpen)
            case .success(let parsed): request = parsed
            }
            let reply = await respond(to: request, state: &state, limit: limit, authTimer: authTimer)
            let outcome: Outcome = reply.code == .bye ? .close : .keepOpen
            return (ReplyEncoder.encode(reply, format: state.format), outcome)
        }
    }

    private func respond(
        to request: RawRequest, state: inout ConnectionState, limit: LineLimit, authTimer: Scheduled<Void>
    ) async -> Reply {
        let spec: CommandSpec
        let arguments: Arguments
        switch dispatcher.catalog.resolve(request) {
        case .failure(let error): return .error(error)
        case .success(let pair): (spec, arguments) = pair
        }
        switch spec.name {
        case "auth":
            do {
                let actor = try await tokens.authenticate(try arguments.requiredString("token"))
                state.actor = actor
                limit.bytes = configuration.lineBytes
                authTimer.cancel()
                logger.info("authenticated", metadata: ["actor": "\(actor.name)", "role": "\(actor.role.rawValue)"])
                return .ok([ReplyField("name", .string(actor.name)), ReplyField("role", .string(actor.role.rawValue))])
            } catch {
                return .error(error)
            }
        case "hello":
            let reply = await dispatcher.run(request, actor: state.actor ?? Actor(name: "anonymous", role: .observer))
            if reply.isSuccess, let format = arguments.string("format").flatMap(ReplyFormat.init(rawValue:)) {
                state.format = format
            }
            return reply
        default:
            break
        }
        guard let actor = state.actor else {
            guard spec.availableBeforeAuth else { return .error(.authRequired()) }
            return await dispatcher.run(request, actor: Actor(name: "anonymous", role: .observer))
        }
        return await withTimeout(milliseconds: configuration.commandTimeoutMilliseconds) {
            await self.dispatcher.run(request, actor: actor)
        }
    }

    /// Runs `body`, answering 451 when it takes longer than the command timeout (the body is cancelled, which
    /// cancels its statement on the server).
    private func withTimeout(milliseconds: Int, _ body: @escaping @Sendable () async -> Reply) async -> Reply {
        await withTaskGroup(of: Reply?.self) { group in
            group.addTask { await body() }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(milliseconds))
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .error(.unavailable("command: no answer within \(milliseconds) ms; it did nothing"))
        }
    }

    /// `GET / HTTP/1.1`, `POST …`: someone pointed a browser or HTTP client at the admin port.
    static func looksLikeHTTP(_ line: [UInt8]) -> Bool {
        let text = String(decoding: line.prefix(16), as: UTF8.self)
        for method in ["GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "]
        where text.hasPrefix(method) {
            return true
        }
        return String(decoding: line.suffix(9), as: UTF8.self).hasPrefix(" HTTP/1.")
    }
}
