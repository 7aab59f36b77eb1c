import Access
import AdminProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PlenaryCommands
import PlenaryCore
import Postgres
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// The network door of the admin protocol — TCP (TLS when configured) and optionally a unix socket: greeting,
/// framing with limits, authentication, connection limits in total and per token, strictly ordered replies to
/// pipelined requests, revoked tokens shut out of open connections, and an orderly shutdown. Runs as a Service so
/// SIGTERM/SIGINT close it in order.
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
        /// Connections one token may hold authenticated at once; the next `auth` with it is answered 421.
        public var maxConnectionsPerToken: Int
        /// A unix socket to listen on as well, or nil.
        public var socketPath: String?
        /// The socket file's permissions.
        public var socketMode: Int
        /// PEM files of the certificate chain and private key; when set, TCP connections speak TLS.
        public var tls: (certificate: String, key: String)?
        /// How often the server reads revocations made elsewhere (another server on the database) and closes the
        /// connections of revoked tokens.
        public var revocationCheckInterval: Duration = .seconds(1)
        /// The listen backlog: connections completed by the kernel and not yet accepted.
        public var listenBacklog: Int = 4_096
        /// Connections not authenticated yet, at most, out of `maxConnections` (see ``Admission``).
        public var maxUnauthenticated: Int = 256
        /// Of those, the most one source address may hold.
        public var maxUnauthenticatedPerAddress: Int = 32
        /// Authenticated slots only admin tokens may take.
        public var reservedAdminConnections: Int = 3
        /// Seconds to authenticate for a connection that arrives under pressure.
        public var authTimeoutUnderPressureSeconds: Int = 3
        /// How full the unauthenticated budget is, in percent, when pressure begins.
        public var unauthenticatedPressurePercent: Int = 50
        /// How often the door's refusals are logged, as counts.
        public var refusalLogInterval: Duration = .seconds(10)

        /// The door's limits.
        var admission: Admission<Doorway>.Limits {
            .init(
                maxConnections: maxConnections, maxUnauthenticated: maxUnauthenticated,
                maxUnauthenticatedPerAddress: maxUnauthenticatedPerAddress,
                reservedAdminConnections: reservedAdminConnections, authTimeout: .seconds(authTimeoutSeconds),
                authTimeoutUnderPressure: .seconds(authTimeoutUnderPressureSeconds),
                pressurePercent: unauthenticatedPressurePercent)
        }

        /// Creates a configuration. Its defaults are the server's only statement of them: the connection's and
        /// the door's limits are built from this configuration, and `server.*` / `limits.*` in
        /// Config/plenary.yaml fall back to these values (PlenaryConfig reads them here).
        public init(
            host: String = "127.0.0.1", port: Int = AdminPort.standard, lineBytesBeforeAuth: Int = 512,
            lineBytes: Int = 16_384, inFlightPerConnection: Int = 32, authTimeoutSeconds: Int = 10,
            idleTimeoutSeconds: Int = 600, commandTimeoutMilliseconds: Int = 30_000, maxConnections: Int = 1_000,
            maxConsecutiveErrors: Int = 20, maxConnectionsPerToken: Int = 64, socketPath: String? = nil,
            socketMode: Int = 0o660, tls: (certificate: String, key: String)? = nil
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
            self.maxConnectionsPerToken = maxConnectionsPerToken
            self.socketPath = socketPath
            self.socketMode = socketMode
            self.tls = tls
        }
    }

    private let configuration: Configuration
    private let dispatcher: CommandDispatcher
    private let tokens: TokenStore
    private let logger: Logger
    private let group: any EventLoopGroup
    private let bound = NIOLockedValueBox(Binding())
    private let connections = NIOLockedValueBox<[ObjectIdentifier: AdminConnection]>([:])
    private let holds = NIOLockedValueBox(TokenHolds())
    private let gauge: ServerGauge
    private let door: NIOLockedValueBox<Admission<Doorway>>
    /// One command-deadline sweeper per event loop (see ``DeadlineSweeper``).
    private let sweepers = NIOLockedValueBox<[ObjectIdentifier: DeadlineSweeper]>([:])

    /// Which token each authenticated connection holds, and how many connections each token holds.
    private struct TokenHolds {
        var tokens: [ObjectIdentifier: Int64] = [:]
        var counts: [Int64: Int] = [:]

        /// Connection `id` gives up the token it holds; false when it held none. A token no connection holds any
        /// more leaves `counts`, so the table stays as small as the live holds.
        mutating func drop(_ id: ObjectIdentifier) -> Bool {
            guard let token = tokens.removeValue(forKey: id) else { return false }
            counts[token, default: 1] -= 1
            if counts[token] == 0 { counts[token] = nil }
            return true
        }
    }

    /// Creates the server; nothing listens until `run()`. `gauge` receives the figures `status` reports.
    public init(
        configuration: Configuration, dispatcher: CommandDispatcher, tokens: TokenStore,
        gauge: ServerGauge = ServerGauge(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "plenary.server")
    ) {
        self.configuration = configuration
        self.dispatcher = dispatcher
        self.tokens = tokens
        self.gauge = gauge
        self.group = group
        self.logger = logger
        self.door = NIOLockedValueBox(Admission(limits: configuration.admission))
    }

    /// Records that `channel`'s connection now holds token `token` of `actor`, unless the token holds its limit of
    /// connections already or the door has no authenticated slot left for it; returns the refusal then. A
    /// connection that authenticates again gives up the token it held.
    private func hold(_ token: Int64, of actor: Actor, for channel: any Channel) -> String? {
        let id = ObjectIdentifier(channel)
        let limit = configuration.maxConnectionsPerToken
        let (granted, newlyAuthenticated) = holds.withLockedValue { holds -> (Bool, Bool) in
            let previous = holds.tokens[id]
            if previous == token { return (true, false) }
            guard holds.counts[token, default: 0] < limit else { return (false, false) }
            let hadOne = holds.drop(id)
            holds.tokens[id] = token
            holds.counts[token, default: 0] += 1
            return (true, !hadOne)
        }
        guard granted else {
            gauge.connections(refused: 1)
            logger.notice("per-token connection limit", metadata: ["actor": "\(actor.name)"])
            return "token \(actor.name) holds \(limit) connections already, its limit "
                + "(server.max_connections_per_token); close one and retry"
        }
        let refusal = door.withLockedValue { $0.authenticate(Doorway(channel), admin: actor.role == .admin) }
        if let refusal {
            // Only a connection not authenticated before can be refused here, so nothing was counted for it yet.
            _ = holds.withLockedValue { $0.drop(id) }
            reportDoor()
            return refusal.reason
        }
        if newlyAuthenticated { gauge.connections(authenticated: 1) }
        reportDoor()
        return nil
    }

    /// Connection `id` holds no token any more (it closed, or its token was revoked). Idempotent.
    private func release(_ id: ObjectIdentifier) {
        let released = holds.withLockedValue { $0.drop(id) }
        if released { gauge.connections(authenticated: -1) }
    }

    /// What a connection whose token was revoked is told as it is closed.
    private static func revokedMessage(_ actor: Actor?) -> String {
        "token \(actor?.name ?? "") was revoked; connect and authenticate again"
    }

    /// The token connection `id` holds, if it is revoked.
    private func holdsRevokedToken(_ id: ObjectIdentifier) -> Bool {
        guard let token = holds.withLockedValue({ $0.tokens[id] }) else { return false }
        return tokens.isRevoked(token)
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

    private typealias Listener = NIOAsyncChannel<Entry, Never>

    /// A connection as the door answered it: let in, with its pipeline and the time it has to authenticate, or
    /// turned away (answered `421` and closing on its own; nothing more to do).
    enum Entry: Sendable {
        case admitted(NIOAsyncChannel<LineFrame, ByteBuffer>, LineLimit, authTimeout: Duration)
        case turnedAway
    }

    /// Asks the door about a connection as it is accepted, before any task or buffer is spent on it. One let in
    /// leaves the door when its channel closes, whatever path closes it.
    private func arrive(_ channel: any Channel) -> Admission<Doorway>.Arrival {
        let doorway = Doorway(channel)
        let source = SourceAddress.key(channel.remoteAddress)
        let arrival = door.withLockedValue { $0.arrive(doorway, from: source) }
        guard case .admitted(_, let closing) = arrival else {
            // A refusal changes only the tally: the gauge takes it up with the next change of the counts, or from
            // the refusal log's round, so a flood of refusals costs one lock each, not three.
            return arrival
        }
        channel.closeFuture.whenComplete { _ in
            self.door.withLockedValue { $0.leave(doorway) }
            self.reportDoor()
        }
        if let closing { closeForNewcomer(closing.channel) }
        reportDoor()
        return arrival
    }

    /// Closes an unauthenticated connection the door gave up for a newcomer: through its session when it has one
    /// (so a command it runs is answered first), straight on the channel when it is not served yet.
    private func closeForNewcomer(_ channel: any Channel) {
        let reason = Admission<Doorway>.Refusal.closedForNewcomer(limit: configuration.maxUnauthenticated).reason
        if let session = connections.withLockedValue({ $0[ObjectIdentifier(channel)] }) {
            session.requestClose(reason)
        } else {
            TurnAway.answer(channel, with: reason)
        }
    }

    /// Copies the door's figures to the gauge `status` reads.
    private func reportDoor() {
        let figures = door.withLockedValue { door in
            ServerGauge.Door(
                unauthenticated: door.unauthenticatedCount, refusedPerAddress: door.tally.refusedPerAddress,
                refusedUnauthenticated: door.tally.refusedUnauthenticated, closedOldest: door.tally.closedOldest,
                refusedRoom: door.tally.refusedRoom, underPressure: door.isUnderPressure)
        }
        gauge.door(figures)
    }

    /// The per-connection pipeline: the door first (a connection turned away gets its `421` and nothing else),
    /// TLS when configured, then a framer whose limit it shares with its loop, and an inbound buffer whose high
    /// watermark stops reading when the client does not read its replies.
    private func initialize(
        _ channel: any Channel, configuration: Configuration, tls: NIOSSLContext?
    ) -> EventLoopFuture<Entry> {
        channel.eventLoop.makeCompletedFuture {
            if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
            let authTimeout: Duration
            switch arrive(channel) {
            case .refused(let refusal):
                try channel.pipeline.syncOperations.addHandler(TurnAway(reason: refusal.reason))
                return .turnedAway
            case .admitted(let timeout, _):
                authTimeout = timeout
            }
            do {
                let limit = LineLimit(configuration.lineBytesBeforeAuth)
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder(limit: limit)))
                let wrapped = try NIOAsyncChannel<LineFrame, ByteBuffer>(
                    wrappingChannelSynchronously: channel,
                    configuration: .init(
                        backPressureStrategy: .init(
                            lowWatermark: max(1, configuration.inFlightPerConnection / 2),
                            highWatermark: configuration.inFlightPerConnection)))
                return .admitted(wrapped, limit, authTimeout: authTimeout)
            } catch {
                // A channel whose pipeline failed is never registered, so its close would not free its place.
                door.withLockedValue { $0.leave(Doorway(channel)) }
                throw error
            }
        }
    }

    private func bootstrap() -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: Int32(clamping: configuration.listenBacklog))
            // Accepting in larger batches drains a flood of connections (most of them turned away at once) faster.
            .serverChannelOption(.maxMessagesPerRead, value: 64)
            // A client that sends its requests and then shuts down its sending side (`nc -N`, a script's pipe)
            // still gets every reply; the connection closes once they are written.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
    }

    /// Binds the TCP listener.
    private func listenTCP(_ configuration: Configuration, tls: NIOSSLContext?) async throws -> Listener {
        try await bootstrap()
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: configuration.host, port: configuration.port) { channel in
                self.initialize(channel, configuration: configuration, tls: tls)
            }
    }

    /// Binds the unix socket and sets its permissions, the first gate: who cannot open the file cannot connect.
    private func listenUnix(_ configuration: Configuration, path: String) async throws -> Listener {
        let listener = try await bootstrap()
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true) { channel in
                self.initialize(channel, configuration: configuration, tls: nil)
            }
        guard chmod(path, mode_t(configuration.socketMode)) == 0 else {
            let reason = String(cString: strerror(errno))
            try? await listener.channel.close()
            throw PlenaryError.unavailable("server.socket: cannot set the permissions of \(path): \(reason)")
        }
        return listener
    }

    /// The TLS context of the configured certificate and key, or nil when TLS is not configured.
    private static func tlsContext(_ configuration: Configuration) throws -> NIOSSLContext? {
        guard let files = configuration.tls else { return nil }
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificate)
        } catch {
            throw PlenaryError.badArgument("server.tls.certificate", "\(files.certificate) is not a PEM certificate")
        }
        do {
            key = try NIOSSLPrivateKey(file: files.key, format: .pem)
        } catch {
            throw PlenaryError.badArgument("server.tls.key", "\(files.key) is not a PEM private key")
        }
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        return try NIOSSLContext(configuration: tls)
    }

    /// Listens until graceful shutdown, then says 421 to every connection and closes it.
    public func run() async throws {
        let configuration = self.configuration
        var listeners: [Listener] = []
        var names: [String] = []
        do {
            let tls = try Self.tlsContext(configuration)
            let tcp = try await listenTCP(configuration, tls: tls)
            listeners.append(tcp)
            let port = tcp.channel.localAddress?.port ?? configuration.port
            names.append((tls == nil ? "" : "tls:") + "\(configuration.host):\(port)")
            if let path = configuration.socketPath {
                listeners.append(try await listenUnix(configuration, path: path))
                names.append("unix:\(path)")
            }
            settle(.success(port))
        } catch {
            for listener in listeners { try? await listener.channel.close() }
            // Whoever waits for the port (the start-up announcement) must hear of it, or it waits for ever.
            settle(.failure(error))
            throw error
        }
        let bound = listeners
        gauge.started(listeners: names)
        logger.info("listening", metadata: ["addresses": "\(names.joined(separator: " "))"])
        let refusals = Task { await self.logRefusals() }
        defer {
            refusals.cancel()
            if let path = configuration.socketPath { unlink(path) }
        }

        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                for listener in bound {
                    group.addTask {
                        try await listener.executeThenClose { inbound in
                            try await withThrowingDiscardingTaskGroup { connections in
                                for try await entry in inbound {
                                    guard case .admitted(let connection, let limit, let authTimeout) = entry else {
                                        continue
                                    }
                                    connections.addTask {
                                        await self.serve(connection, limit: limit, authTimeout: authTimeout)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            self.logger.info("shutting down: closing the listeners and every connection")
            for listener in bound { listener.channel.close(promise: nil) }
            let open = self.connections.withLockedValue { Array($0.values) }
            for connection in open { connection.requestClose("server shutting down") }
        }
    }

    /// The check for revocations made elsewhere (``closeRevokedConnections()``), as a Service of its own: run it in
    /// the same service group as the server, so the group starts it and graceful shutdown stops it.
    public var revocationSweeper: some Service { RevocationSweeper(server: self) }

    private struct RevocationSweeper: Service {
        let server: AdminServer

        func run() async {
            await cancelWhenGracefulShutdown { await server.closeRevokedConnections() }
        }
    }

    /// Every `revocationCheckInterval`, while any connection is authenticated: reads the revocations made
    /// elsewhere and closes the connections whose token is revoked — idle ones at once, busy ones after their
    /// reply, watching ones between events.
    private func closeRevokedConnections() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: configuration.revocationCheckInterval)
            let held = holds.withLockedValue { $0.tokens }
            guard !held.isEmpty else { continue }
            // A database that cannot answer now leaves the known revocations in force; the next round retries.
            _ = try? await tokens.refreshRevocations()
            let revoked = held.filter { tokens.isRevoked($0.value) }.map(\.key)
            guard !revoked.isEmpty else { continue }
            let sessions = connections.withLockedValue { open in revoked.compactMap { open[$0] } }
            for session in sessions {
                release(ObjectIdentifier(session.channel))
                session.requestClose(Self.revokedMessage(session.actor))
            }
        }
    }

    /// Every `refusalLogInterval` in which the door refused or closed connections: one log line with the counts,
    /// whatever their number — a flood of connections must not become a flood of log lines. Also keeps the gauge's
    /// refusal counts current, within a second.
    private func logRefusals() async {
        var last = door.withLockedValue { $0.tally }
        var logged = ContinuousClock.now
        while !Task.isCancelled {
            // Every second the gauge takes up the refusals (which do not report one by one); every interval, the log.
            try? await Task.sleep(for: min(.seconds(1), configuration.refusalLogInterval))
            reportDoor()
            guard ContinuousClock.now - logged >= configuration.refusalLogInterval else { continue }
            logged = .now
            let (tally, open, addresses, busiest, pressure, authenticated) = door.withLockedValue {
                (
                    $0.tally, $0.unauthenticatedCount, $0.addressCount, $0.busiest, $0.isUnderPressure,
                    $0.authenticatedCount
                )
            }
            guard tally.refused != last.refused else { continue }
            let seconds = configuration.refusalLogInterval.components.seconds
            let refused: Int = tally.refused - last.refused
            let perAddress: Int = tally.refusedPerAddress - last.refusedPerAddress
            let full: Int = tally.refusedUnauthenticated - last.refusedUnauthenticated
            let closed: Int = tally.closedOldest - last.closedOldest
            let room: Int = tally.refusedRoom - last.refusedRoom
            var line = "door: in the last \(seconds) s \(refused) connections refused or closed: "
            line += "\(perAddress) over their address's share, \(full) with the unauthenticated budget full, "
            line += "\(closed) closed for a newcomer, \(room) auth without room; "
            line += "now \(open) unauthenticated from \(addresses) addresses"
            if let busiest { line += " (most from \(busiest.address): \(busiest.count))" }
            line += ", \(authenticated) authenticated"
            if pressure { line += ", under pressure" }
            logger.notice("\(line)")
            last = tally
        }
    }

    /// The deadline sweeper of `eventLoop`, made on first use.
    private func sweeper(for eventLoop: any EventLoop) -> DeadlineSweeper {
        sweepers.withLockedValue { sweepers in
            if let sweeper = sweepers[ObjectIdentifier(eventLoop)] { return sweeper }
            let sweeper = DeadlineSweeper(eventLoop: eventLoop)
            sweepers[ObjectIdentifier(eventLoop)] = sweeper
            return sweeper
        }
    }

    /// Serves a connection the door let in, with `authTimeout` to authenticate (shorter under pressure). The door
    /// has counted it already, against every limit; here it is only registered, for shutdown and revocation.
    private func serve(
        _ connection: NIOAsyncChannel<LineFrame, ByteBuffer>, limit: LineLimit, authTimeout: Duration
    ) async {
        let channel = connection.channel
        let id = ObjectIdentifier(channel)
        let session = AdminConnection(
            channel: channel, limit: limit, sweeper: sweeper(for: channel.eventLoop),
            limits: .init(
                lineBytesBeforeAuth: configuration.lineBytesBeforeAuth, lineBytes: configuration.lineBytes,
                authTimeout: authTimeout, idleTimeout: .seconds(configuration.idleTimeoutSeconds),
                maxConsecutiveErrors: configuration.maxConsecutiveErrors),
            logger: logger)
        connections.withLockedValue { $0[id] = session }
        gauge.connections(opened: 1)
        defer {
            connections.withLockedValue { _ = $0.removeValue(forKey: id) }
            release(id)
            gauge.connections(opened: -1)
        }
        let peer = channel.remoteAddress?.description ?? "unix socket"
        do {
            try await connection.executeThenClose { inbound, outbound in
                do {
                    // The request loop runs on the connection's event loop (see EventLoopTaskExecutor).
                    try await withTaskExecutorPreference(session.sweeper.taskExecutor) {
                        try await RequestExecutor.$current.withValue(session.sweeper.taskExecutor) {
                            try await converse(session, inbound: inbound, outbound: outbound)
                        }
                    }
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
        var frames = PipelinedFrames(inbound.makeAsyncIterator(), limit: session.limit)
        // Replies computed ahead for frames `frames` holds back, in order (see `answerAhead`).
        var answered: [(request: RawRequest, reply: Reply)] = []
        conversation: while let frame = try await frames.next() {
            switch session.receive(frame) {
            case .act(let actions):
                answered.removeAll()
                guard try await session.perform(actions, on: outbound) else { break conversation }
            case .run(let request):
                var ready: Reply?
                if let first = answered.first, first.request == request {
                    ready = answered.removeFirst().reply
                } else {
                    answered.removeAll()
                    answered = try await answerAhead(request, session: session, frames: &frames)
                    if !answered.isEmpty { ready = answered.removeFirst().reply }
                }
                let (reply, effect, subscription) = await respond(to: request, session: session, ready: ready)
                // The old stream ends before the reply that starts a new one, so nothing of it follows that reply.
                if subscription != nil { await session.stopWatching() }
                // Replies of a batch go out together, in one write, when the next one is ready too.
                let batching = answered.first != nil && subscription == nil
                let open = try await session.perform(
                    session.finished(reply, effect: effect), on: outbound, holding: batching)
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

    /// The most pipelined requests answered together in one batch.
    static let batchLimit = 64

    /// When `request` is a read that can be answered in a batch (``CommandSpec/batchHandler``) and the client has
    /// already sent more of the same, answers them all at once — one database statement, one trip to the pool —
    /// and returns the replies in order, the first for `request`. The frames read ahead stay in `frames`, to pass
    /// through the state machine one by one as before; a reply is used only for the very request it answers, so
    /// what the client sees is exactly what it would see one request at a time. Returns none otherwise.
    private func answerAhead(
        _ request: RawRequest, session: AdminConnection, frames: inout PipelinedFrames
    ) async throws -> [(request: RawRequest, reply: Reply)] {
        guard let actor = session.actor, frames.waiting > 0, dispatcher.isBatchable(request) else { return [] }
        var requests = [request]
        for frame in try await frames.peekWaiting(upTo: Self.batchLimit - 1) {
            guard case .line(let bytes) = frame, case .success(let next) = LineParser.parse(bytes),
                dispatcher.isBatchable(next), next.words.prefix(2) == request.words.prefix(2)
            else { break }
            requests.append(next)
        }
        guard requests.count > 1 else { return [] }
        let batch = requests
        let failure = Self.timedOut(configuration.commandTimeoutMilliseconds)
        let replies = await withTimeout(
            milliseconds: configuration.commandTimeoutMilliseconds, on: session.sweeper,
            expired: { replies in
                replies?.map { $0.isSuccess ? $0 : failure } ?? Array(repeating: failure, count: batch.count)
            }
        ) {
            await self.dispatcher.runBatch(batch, actor: actor)
        }
        return Array(zip(requests, replies))
    }

    private func respond(
        to request: RawRequest, session: AdminConnection, ready: Reply? = nil
    ) async -> (Reply, AdminConnectionState.Effect, ChangeSubscription?) {
        let spec: CommandSpec
        let arguments: Arguments
        switch dispatcher.catalog.resolve(request) {
        case .failure(let error): return (.error(error), .none, nil)
        case .success(let pair): (spec, arguments) = pair
        }
        if let refusal = session.admit(spec) { return (.error(refusal), .none, nil) }
        let actor = session.actor
        let id = ObjectIdentifier(session.channel)
        if let actor, holdsRevokedToken(id) {
            // Checked before every command, so a revocation made through this server shuts the token out at the
            // connection's very next command; one made through another server, within a revocation check.
            release(id)
            return (.error(.closing(Self.revokedMessage(actor))), .none, nil)
        }
        switch spec.name {
        case "auth":
            do {
                guard let (actor, token) = try await tokens.authenticateToken(try arguments.requiredString("token"))
                else { return (.error(.authFailed()), .none, nil) }
                if let refusal = hold(token, of: actor, for: session.channel) {
                    return (.error(.closing(refusal)), .none, nil)
                }
                logger.info("authenticated", metadata: ["actor": "\(actor.name)", "role": "\(actor.role.rawValue)"])
                let reply = Reply.ok([
                    ReplyField("name", .string(actor.name)), ReplyField("role", .string(actor.role.rawValue)),
                ])
                return (reply, .authenticated(actor), nil)
            } catch let refusal as DomainError {
                return (.error(PlenaryError(refusal)), .none, nil)
            } catch let error as PlenaryError {
                return (.error(error), .none, nil)
            } catch {
                return (.error(.internal(incident: CommandDispatcher.newRequestID())), .none, nil)
            }
        case "hello":
            let reply = await dispatcher.run(
                spec, arguments, actor: actor ?? Actor(name: "anonymous", role: .observer))
            if reply.isSuccess, let format = arguments.string("format").flatMap(ReplyFormat.init(rawValue:)) {
                return (reply, .format(format), nil)
            }
            return (reply, .none, nil)
        case "watch" where actor != nil:
            // The handler subscribes and leaves the subscription on the target; the loop starts streaming it
            // once the reply is written.
            let target = WatchTarget(onDropped: { [session] reason in session.watcherDropped(reason) })
            let reply = await WatchTarget.$current.withValue(target) {
                await run(spec, arguments, actor: actor, on: session.sweeper)
            }
            let subscription = target.takeSubscription()
            guard reply.isSuccess, let subscription else {
                subscription?.cancel()
                return (reply, .none, nil)
            }
            return (reply, .watching, subscription)
        default:
            if let ready { return (ready, .none, nil) }
            return (await run(spec, arguments, actor: actor, on: session.sweeper), .none, nil)
        }
    }

    /// Runs an admitted command: as the actor with the command timeout, or (before auth, for the few commands
    /// allowed then) anonymously.
    private func run(
        _ spec: CommandSpec, _ arguments: Arguments, actor: Actor?, on sweeper: DeadlineSweeper
    ) async -> Reply {
        guard let actor else {
            return await dispatcher.run(spec, arguments, actor: Actor(name: "anonymous", role: .observer))
        }
        let failure = Self.timedOut(configuration.commandTimeoutMilliseconds)
        return await withTimeout(
            milliseconds: configuration.commandTimeoutMilliseconds, on: sweeper,
            expired: { reply in reply.flatMap { $0.isSuccess ? $0 : nil } ?? failure }
        ) {
            await self.dispatcher.run(spec, arguments, actor: actor)
        }
    }

    /// The 451 of a command that did not finish within the command timeout.
    static func timedOut(_ milliseconds: Int) -> Reply {
        .error(.unavailable("command: no answer within \(milliseconds) ms; it did nothing"))
    }

    /// Runs `body`, answering 451 when it takes longer than the command timeout — at the timeout, not when the
    /// database gets round to it: a database that hangs (paused, partitioned) must not hold the client too. The
    /// body is cancelled, which cancels its statement on the server, and its ``CommitGate`` is abandoned, so it can
    /// no longer commit and the 451's "it did nothing" stays true. Only a body whose COMMIT was already sent is
    /// waited for: its outcome is the answer.
    ///
    /// The deadline is registered with the connection's event loop's ``DeadlineSweeper``, not a `Task.sleep` raced
    /// against the body (a cancelled sleep keeps its memory until its deadline passes, so a client pipelining
    /// thousands of quick commands would pin thousands of 30-second sleeps), nor a task scheduled on the loop per
    /// command (a wake-up of the loop for each, from off it).
    ///
    /// `expired` gives the answer when the deadline passes: with nil at the deadline itself, with the body's answer
    /// when it finished after the deadline anyway (a reply, or a batch of them, keeps what succeeded).
    private func withTimeout<Answer: Sendable>(
        milliseconds: Int, on sweeper: DeadlineSweeper, expired: @escaping @Sendable (Answer?) -> Answer,
        _ body: @escaping @Sendable () async -> Answer
    ) async -> Answer {
        let gate = CommitGate()
        let answer = NIOLockedValueBox<(answer: Answer?, waiter: CheckedContinuation<Answer, Never>?)>((nil, nil))
        // Whichever comes first — the body's answer or the abandoned deadline — answers; the other finds it done.
        @Sendable func settle(_ value: Answer) {
            let waiter = answer.withLockedValue { state -> CheckedContinuation<Answer, Never>? in
                guard state.answer == nil else { return nil }
                state.answer = value
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: value)
        }
        let timedOut = NIOLockedValueBox(false)
        // On the connection's event loop too: an unstructured task does not inherit the caller's preference.
        let command = Task(executorPreference: sweeper.taskExecutor) {
            let value = await CommitGate.$current.withValue(gate) { await body() }
            // A command that finished anyway (it committed as the deadline passed) reports what it did; only one
            // the cancellation stopped is a 451.
            settle(timedOut.withLockedValue({ $0 }) ? expired(value) : value)
        }
        let deadline = sweeper.register(after: .milliseconds(Int64(milliseconds))) {
            timedOut.withLockedValue { $0 = true }
            command.cancel()
            if gate.abandon() { settle(expired(nil)) }
        }
        let reply = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = answer.withLockedValue { state -> Answer? in
                    if state.answer == nil { state.waiter = continuation }
                    return state.answer
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            command.cancel()
        }
        sweeper.cancel(deadline)
        return reply
    }
}

/// A connection's inbound frames, with a look at those already waiting: the decoder counts the frames it hands on
/// (``LineLimit/framesDecoded``), so the ones not yet taken are in the inbound buffer and taking them does not wait.
/// Frames looked at ahead are kept and handed out again by ``next()`` in order.
struct PipelinedFrames {
    private var iterator: NIOAsyncChannelInboundStream<LineFrame>.AsyncIterator
    private let limit: LineLimit
    private var taken = 0
    private var held: [LineFrame] = []
    private var heldStart = 0

    init(_ iterator: NIOAsyncChannelInboundStream<LineFrame>.AsyncIterator, limit: LineLimit) {
        self.iterator = iterator
        self.limit = limit
    }

    /// Frames that can be had without waiting, beyond those held.
    var waiting: Int { limit.framesDecoded - taken + (held.count - heldStart) }

    /// The next frame: a held one first.
    mutating func next() async throws -> LineFrame? {
        if heldStart < held.count {
            defer {
                heldStart += 1
                if heldStart == held.count {
                    held.removeAll(keepingCapacity: true)
                    heldStart = 0
                }
            }
            return held[heldStart]
        }
        guard let frame = try await iterator.next() else { return nil }
        taken += 1
        return frame
    }

    /// Up to `count` of the frames after the current one that are already waiting, without taking them.
    mutating func peekWaiting(upTo count: Int) async throws -> ArraySlice<LineFrame> {
        while held.count - heldStart < count, limit.framesDecoded > taken {
            guard let frame = try await iterator.next() else { break }
            taken += 1
            held.append(frame)
        }
        return held[heldStart..<min(held.count, heldStart + count)]
    }
}
