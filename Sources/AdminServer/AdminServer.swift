import Access
import AdminProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PlenaryCommands
import PlenaryCore
import Postgres
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
        /// Seconds an authenticated connection may stay silent before the server answers 421 and closes; a
        /// connection that watches events is exempt.
        public var idleTimeoutSeconds: Int
        /// Longest a command may run before it is answered 451.
        public var commandTimeoutMilliseconds: Int
        /// Connections served at once.
        public var maxConnections: Int
        /// Requests answered with a protocol error in a row (bad line, unknown command, bad argument, failed auth,
        /// forbidden) before the server answers 421 and closes.
        public var maxConsecutiveErrors: Int

        /// Creates a configuration.
        public init(
            host: String = "127.0.0.1", port: Int = 7411, lineBytesBeforeAuth: Int = 512, lineBytes: Int = 16_384,
            inFlightPerConnection: Int = 32, authTimeoutSeconds: Int = 10, idleTimeoutSeconds: Int = 600,
            commandTimeoutMilliseconds: Int = 30_000, maxConnections: Int = 1_000,
            maxConsecutiveErrors: Int = AdminConnectionState.Limits.defaultMaxConsecutiveErrors
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
            self.maxConsecutiveErrors = maxConsecutiveErrors
        }
    }

    private let configuration: Configuration
    private let dispatcher: CommandDispatcher
    private let tokens: TokenStore
    private let logger: Logger
    private let group: any EventLoopGroup
    private let bound = NIOLockedValueBox(Binding())
    private let connections = NIOLockedValueBox<[ObjectIdentifier: AdminConnection]>([:])

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

    /// Where listening stands: the port once bound, the error if binding failed, and who waits to know.
    private struct Binding {
        var result: Result<Int, any Error>?
        var waiters: [CheckedContinuation<Int, any Error>] = []
    }

    /// The port the server listens on, once it does; throws when it could not bind (the port is taken).
    public func boundPort() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let result = bound.withLockedValue { state -> Result<Int, any Error>? in
                if let result = state.result { return result }
                state.waiters.append(continuation)
                return nil
            }
            if let result { continuation.resume(with: result) }
        }
    }

    private func settle(_ result: Result<Int, any Error>) {
        let waiters = bound.withLockedValue { state in
            state.result = result
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    private typealias Listener = NIOAsyncChannel<(NIOAsyncChannel<LineFrame, ByteBuffer>, LineLimit), Never>

    /// Binds the listening socket; each accepted connection gets a framer whose limit it shares with its loop, and
    /// an inbound buffer whose high watermark stops reading when the client does not read its replies.
    private func listen(_ configuration: Configuration) async throws -> Listener {
        try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            // A client that sends its requests and then shuts down its sending side (`nc -N`, a script's pipe)
            // still gets every reply; the connection closes once they are written.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
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
    }

    /// Listens until graceful shutdown, then says 421 to every connection and closes it.
    public func run() async throws {
        let configuration = self.configuration
        let server: Listener
        do {
            server = try await listen(configuration)
        } catch {
            // Whoever waits for the port (the start-up announcement) must hear of it, or it waits for ever.
            settle(.failure(error))
            throw error
        }
        let port = server.channel.localAddress?.port ?? configuration.port
        settle(.success(port))
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
            for connection in open { connection.requestClose("server shutting down") }
        }
    }

    private func serve(_ connection: NIOAsyncChannel<LineFrame, ByteBuffer>, limit: LineLimit) async {
        let channel = connection.channel
        let id = ObjectIdentifier(channel)
        let session = AdminConnection(
            channel: channel, limit: limit,
            limits: .init(
                lineBytesBeforeAuth: configuration.lineBytesBeforeAuth, lineBytes: configuration.lineBytes,
                authTimeout: .seconds(configuration.authTimeoutSeconds),
                idleTimeout: .seconds(configuration.idleTimeoutSeconds),
                maxConsecutiveErrors: configuration.maxConsecutiveErrors),
            logger: logger)
        let overCapacity = connections.withLockedValue { open -> Bool in
            guard open.count < configuration.maxConnections else { return true }
            open[id] = session
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
                do {
                    try await converse(session, inbound: inbound, outbound: outbound)
                } catch {
                    await session.stopWatching()
                    session.finish()
                    throw error
                }
                await session.stopWatching()
                session.finish()
            }
        } catch {
            logger.debug("connection ended", metadata: ["peer": "\(peer)", "error": "\(error)"])
        }
    }

    /// The request loop: greet, then one frame at a time, each answered before the next is read.
    private func converse(
        _ session: AdminConnection, inbound: NIOAsyncChannelInboundStream<LineFrame>,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) async throws {
        try await outbound.write(
            ByteBuffer(
                bytes: ReplyEncoder.greeting(
                    product: Product.name, version: Product.version, protocolVersion: Product.protocolVersion,
                    authMethods: ["token"], format: .text)))
        session.start()
        var frames = inbound.makeAsyncIterator()
        conversation: while let frame = try await frames.next() {
            switch session.receive(frame) {
            case .act(let actions):
                guard try await session.perform(actions, on: outbound) else { break conversation }
            case .run(let request):
                let (reply, effect, subscription) = await respond(to: request, session: session)
                // The old stream ends before the reply that starts a new one, so nothing of it follows that reply.
                if subscription != nil { await session.stopWatching() }
                let open = try await session.perform(session.finished(reply, effect: effect), on: outbound)
                if let subscription {
                    if open { session.startWatching(subscription, on: outbound) } else { subscription.cancel() }
                }
                guard open else { break conversation }
            }
        }
        // Closing with requests still unread would make the kernel answer them with a reset, which can destroy
        // the reply that says why the connection closes before the client reads it. So: stop sending, read and
        // discard until the client closes too, for a short while at most.
        await session.stopWatching()
        session.lingerThenClose()
        while (try? await frames.next()) != nil {}
    }

    private func respond(
        to request: RawRequest, session: AdminConnection
    ) async -> (Reply, AdminConnectionState.Effect, ChangeSubscription?) {
        let spec: CommandSpec
        let arguments: Arguments
        switch dispatcher.catalog.resolve(request) {
        case .failure(let error): return (.error(error), .none, nil)
        case .success(let pair): (spec, arguments) = pair
        }
        if let refusal = session.admit(spec) { return (.error(refusal), .none, nil) }
        let actor = session.actor
        switch spec.name {
        case "auth":
            do {
                let presented = try arguments.requiredString("token")
                let actor = try await tokens.authenticate(presented)
                session.credential.withLockedValue { $0 = TokenStore.lookup(of: presented) }
                logger.info("authenticated", metadata: ["actor": "\(actor.name)", "role": "\(actor.role.rawValue)"])
                let reply = Reply.ok([
                    ReplyField("name", .string(actor.name)), ReplyField("role", .string(actor.role.rawValue)),
                ])
                return (reply, .authenticated(actor), nil)
            } catch {
                return (.error(error), .none, nil)
            }
        case "hello":
            let reply = await dispatcher.run(request, actor: actor ?? Actor(name: "anonymous", role: .observer))
            if reply.isSuccess, let format = arguments.string("format").flatMap(ReplyFormat.init(rawValue:)) {
                return (reply, .format(format), nil)
            }
            return (reply, .none, nil)
        case "watch" where actor != nil:
            // The handler subscribes and leaves the subscription on the target; the loop starts streaming it
            // once the reply is written.
            let target = WatchTarget(onDropped: { [session] reason in session.watcherDropped(reason) })
            let reply = await WatchTarget.$current.withValue(target) {
                await run(request, spec: spec, actor: actor, on: session)
            }
            let subscription = target.takeSubscription()
            guard reply.isSuccess, let subscription else {
                subscription?.cancel()
                return (reply, .none, nil)
            }
            return (reply, .watching, subscription)
        default:
            return (await run(request, spec: spec, actor: actor, on: session), .none, nil)
        }
    }

    /// The refusal for a command on a connection whose token was revoked since it authenticated (511, and the
    /// connection closes after it), or nil while the token is live. Checked at every command, in the database, so a
    /// revocation made through any server holds from the next command on.
    private func revocation(of session: AdminConnection, actor: Actor) async -> PlenaryError? {
        guard let lookup = session.credential.withLockedValue({ $0 }) else { return nil }
        do {
            if try await tokens.isLive(lookup: lookup) { return nil }
        } catch {
            return error
        }
        logger.notice("token revoked; closing its connection", metadata: ["actor": "\(actor.name)"])
        session.requestClose("token revoked")
        return .authFailed("token: revoked since this connection authenticated")
    }

    /// Runs an admitted command: as the actor with the command timeout — once its token is found still live — or
    /// (before auth, for the few commands allowed then) anonymously.
    private func run(
        _ request: RawRequest, spec: CommandSpec, actor: Actor?, on session: AdminConnection
    ) async -> Reply {
        guard let actor else {
            return await dispatcher.run(request, actor: Actor(name: "anonymous", role: .observer))
        }
        return await withTimeout(milliseconds: configuration.commandTimeoutMilliseconds, on: session.channel.eventLoop)
        {
            if !spec.availableBeforeAuth, let refusal = await self.revocation(of: session, actor: actor) {
                return .error(refusal)
            }
            return await self.dispatcher.run(request, actor: actor)
        }
    }

    /// Runs `body`, answering 451 when it takes longer than the command timeout — at the timeout, not when the
    /// database gets round to it: a database that hangs (paused, partitioned) must not hold the client too. The
    /// body is cancelled, which cancels its statement on the server, and its ``CommitGate`` is abandoned, so it can
    /// no longer commit and the 451's "it did nothing" stays true. Only a body whose COMMIT was already sent is
    /// waited for: its outcome is the answer.
    ///
    /// The deadline is a task scheduled on the connection's event loop, not a `Task.sleep` raced against the body:
    /// a cancelled sleep keeps its memory until its deadline passes, so a client pipelining thousands of quick
    /// commands would pin thousands of 30-second sleeps.
    private func withTimeout(
        milliseconds: Int, on eventLoop: any EventLoop, _ body: @escaping @Sendable () async -> Reply
    ) async -> Reply {
        let gate = CommitGate()
        let answer = NIOLockedValueBox<(reply: Reply?, waiter: CheckedContinuation<Reply, Never>?)>((nil, nil))
        // Whichever comes first — the body's reply or the abandoned deadline — answers; the other finds it done.
        @Sendable func settle(_ reply: Reply) {
            let waiter = answer.withLockedValue { state -> CheckedContinuation<Reply, Never>? in
                guard state.reply == nil else { return nil }
                state.reply = reply
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: reply)
        }
        let timedOut = NIOLockedValueBox(false)
        let command = Task {
            let reply = await CommitGate.$current.withValue(gate) { await body() }
            // A command that finished anyway (it committed as the deadline passed) reports what it did; only one
            // the cancellation stopped is a 451.
            if timedOut.withLockedValue({ $0 }), !reply.isSuccess {
                settle(.error(.unavailable("command: no answer within \(milliseconds) ms; it did nothing")))
            } else {
                settle(reply)
            }
        }
        let deadline = eventLoop.scheduleTask(in: .milliseconds(Int64(milliseconds))) {
            timedOut.withLockedValue { $0 = true }
            command.cancel()
            if gate.abandon() {
                settle(.error(.unavailable("command: no answer within \(milliseconds) ms; it did nothing")))
            }
        }
        let reply = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = answer.withLockedValue { state -> Reply? in
                    if state.reply == nil { state.waiter = continuation }
                    return state.reply
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            command.cancel()
        }
        deadline.cancel()
        return reply
    }
}
