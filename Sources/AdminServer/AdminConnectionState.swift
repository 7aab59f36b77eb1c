import AdminProtocol
import PlenaryCore

/// The rules of one admin connection, decided without sockets: what a frame leads to, which commands may run
/// before `auth`, the line limit, when the auth and idle timeouts close the connection, and when too many errors
/// in a row do. ``AdminServer`` feeds it frames, replies and clock readings and performs the ``Action``s it
/// returns; the tests drive it the same way with no network at all.
public struct AdminConnectionState: Sendable {
    /// The limits one connection runs under.
    public struct Limits: Sendable, Equatable {
        /// Longest line before authentication.
        public var lineBytesBeforeAuth: Int
        /// Longest line after authentication.
        public var lineBytes: Int
        /// Time from connecting to a successful `auth`.
        public var authTimeout: Duration
        /// Time an authenticated connection may go without a request (watching connections excepted).
        public var idleTimeout: Duration
        /// Counted errors in a row that close the connection.
        public var maxConsecutiveErrors: Int

        /// Creates limits. No defaults: the server builds them from its ``AdminServer/Configuration``, which
        /// states each default once.
        public init(
            lineBytesBeforeAuth: Int, lineBytes: Int, authTimeout: Duration, idleTimeout: Duration,
            maxConsecutiveErrors: Int
        ) {
            self.lineBytesBeforeAuth = lineBytesBeforeAuth
            self.lineBytes = lineBytes
            self.authTimeout = authTimeout
            self.idleTimeout = idleTimeout
            self.maxConsecutiveErrors = maxConsecutiveErrors
        }
    }

    /// Where the connection is in its life.
    public enum Phase: Sendable, Equatable {
        /// Connected; only the commands marked available before auth may run.
        case awaitingAuth
        /// Authenticated as this actor.
        case authenticated(Actor)
        /// The server has decided to close; nothing more is read.
        case closing
    }

    /// Something the server must do, in order.
    public enum Action: Sendable, Equatable {
        /// Write these bytes: a reply, or a `421 CLOSING` line.
        case send([UInt8])
        /// Apply this line limit to the framer from the next line on.
        case setLineLimit(Int)
        /// Close the connection once what was sent before is written.
        case close
    }

    /// What a frame leads to.
    public enum Step: Sendable, Equatable {
        /// Run this request (after ``admit(_:)``), then report its reply with ``finished(_:effect:now:)``.
        case run(RawRequest)
        /// Nothing runs; perform these actions.
        case act([Action])
    }

    /// What a finished command changed about the connection, as the server saw it.
    public enum Effect: Sendable, Equatable {
        /// Nothing beyond its reply.
        case none
        /// `auth` succeeded for this actor.
        case authenticated(Actor)
        /// `hello` switched the reply format; the reply itself is already in the new one.
        case format(ReplyFormat)
        /// `watch` started streaming events.
        case watching
    }

    /// The codes that count towards closing after too many errors: requests that could not be read, named no
    /// command, had bad arguments, failed to authenticate or were forbidden. Answers about the domain (550, 551)
    /// and the server's own trouble (451, 590) do not count: a client asking about things that do not exist is
    /// not misbehaving.
    public static let countedErrors: Set<ReplyCode> = [
        .badLine, .unknownCommand, .badArgument, .authentication, .forbidden,
    ]

    /// The limits.
    public let limits: Limits
    /// The phase.
    public private(set) var phase: Phase = .awaitingAuth
    /// The reply format (`hello format=`).
    public private(set) var format: ReplyFormat = .text
    /// Whether `watch` is streaming events to this connection.
    public private(set) var isWatching = false
    /// Counted errors since the last other reply.
    public private(set) var consecutiveErrors = 0
    private let connectedAt: ContinuousClock.Instant
    private var lastActivity: ContinuousClock.Instant
    private var running = false
    private var pendingClose: String?

    /// A connection that opened at `now`.
    public init(limits: Limits, now: ContinuousClock.Instant) {
        self.limits = limits
        self.connectedAt = now
        self.lastActivity = now
    }

    /// The authenticated actor, if any.
    public var actor: Actor? {
        if case .authenticated(let actor) = phase { return actor }
        return nil
    }

    /// The line limit that applies now.
    public var lineLimit: Int { actor == nil ? limits.lineBytesBeforeAuth : limits.lineBytes }

    /// Whether a command is running (between ``Step/run(_:)`` and ``finished(_:effect:now:)``).
    public var isRunningCommand: Bool { running }

    /// When ``timerFired(now:)`` may close the connection next, or nil when no timeout applies: the auth deadline
    /// before `auth`, the idle deadline after it — unless a command is running or the connection watches events.
    public var deadline: ContinuousClock.Instant? {
        switch phase {
        case .awaitingAuth: connectedAt + limits.authTimeout
        case .authenticated: running || isWatching ? nil : lastActivity + limits.idleTimeout
        case .closing: nil
        }
    }

    /// A frame arrived from the framer.
    public mutating func receive(_ frame: LineFrame, now: ContinuousClock.Instant) -> Step {
        guard phase != .closing else { return .act([]) }
        lastActivity = now
        switch frame {
        case .tooLong(let maximum):
            let reply = Reply.error(.lineTooLong(limit: maximum))
            // Before auth the peer is not known to speak the protocol at all, so one bad line is enough.
            if actor == nil { return .act([.send(encode(reply))] + closeActions()) }
            return .act(count(reply))
        case .line(let bytes):
            if actor == nil, Self.looksLikeHTTP(bytes) {
                let reply = Reply.error(.badSyntax("this is the Plenary admin protocol, not HTTP"))
                return .act([.send(encode(reply))] + closeActions())
            }
            switch LineParser.parse(bytes) {
            case .failure(let error):
                return .act(count(.error(error)))
            case .success(let request):
                running = true
                return .run(request)
            }
        }
    }

    /// Whether `spec` may run now: nil, or the refusal to report with ``finished(_:effect:now:)``.
    public func admit(_ spec: CommandSpec) -> PlenaryError? {
        guard actor == nil, !spec.availableBeforeAuth else { return nil }
        return .authRequired()
    }

    /// The command started by the last ``Step/run(_:)`` answered `reply`, having done `effect`.
    public mutating func finished(_ reply: Reply, effect: Effect, now: ContinuousClock.Instant) -> [Action] {
        running = false
        lastActivity = now
        guard phase != .closing else { return [] }
        var actions: [Action] = []
        switch effect {
        case .none:
            break
        case .authenticated(let actor):
            phase = .authenticated(actor)
            actions.append(.setLineLimit(limits.lineBytes))
        case .format(let format):
            self.format = format
        case .watching:
            isWatching = true
        }
        // `quit` ends the connection; so does any reply that says the server is closing it (a token over its
        // connection limit, a revoked token).
        if reply.code == .bye || reply.code == .closing {
            return actions + [.send(encode(reply))] + closeActions()
        }
        actions += count(reply)
        if phase != .closing, let reason = pendingClose {
            actions += closing(reason)
        }
        return actions
    }

    /// The timer armed for ``deadline`` went off (perhaps early: the deadline may have moved since).
    public mutating func timerFired(now: ContinuousClock.Instant) -> [Action] {
        guard let deadline, now >= deadline else { return [] }
        switch phase {
        case .awaitingAuth: return closing("authentication timed out")
        case .authenticated: return closing("idle: no request for \(Self.seconds(limits.idleTimeout)) s")
        case .closing: return []
        }
    }

    /// The server wants the connection closed (shutdown, a watcher that does not read). An idle connection is told
    /// `421 CLOSING reason` now; one running a command gets its reply first, then the 421.
    public mutating func requestClose(_ reason: String) -> [Action] {
        guard phase != .closing else { return [] }
        if running {
            pendingClose = pendingClose ?? reason
            return []
        }
        return closing(reason)
    }

    /// `watch` stopped streaming (its subscription ended); the idle timeout applies again.
    public mutating func stoppedWatching(now: ContinuousClock.Instant) {
        isWatching = false
        lastActivity = now
    }

    /// Encodes a reply in the connection's format.
    public func encode(_ reply: Reply) -> [UInt8] { ReplyEncoder.encode(reply, format: format) }

    /// `421 CLOSING reason`, then close.
    private mutating func closing(_ reason: String) -> [Action] {
        let line = encode(.error(PlenaryError(code: .closing, token: "CLOSING", message: reason)))
        return [.send(line)] + closeActions()
    }

    private mutating func closeActions() -> [Action] {
        phase = .closing
        return [.close]
    }

    /// The reply, counted: a counted error adds one, anything else starts the count again; the last error allowed
    /// is followed by `421 CLOSING too many errors`.
    private mutating func count(_ reply: Reply) -> [Action] {
        var actions: [Action] = [.send(encode(reply))]
        guard let failure = reply.failure, Self.countedErrors.contains(failure.code) else {
            consecutiveErrors = 0
            return actions
        }
        consecutiveErrors += 1
        if consecutiveErrors >= limits.maxConsecutiveErrors {
            actions += closing("too many errors: \(consecutiveErrors) in a row")
        }
        return actions
    }

    private static func seconds(_ duration: Duration) -> Int64 { duration.components.seconds }

    /// `GET / HTTP/1.1`, `POST …`: someone pointed a browser or HTTP client at the admin port.
    public static func looksLikeHTTP(_ line: [UInt8]) -> Bool {
        let text = String(decoding: line.prefix(16), as: UTF8.self)
        for method in ["GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "]
        where text.hasPrefix(method) {
            return true
        }
        var end = line[...]
        if end.last == UInt8(ascii: "\r") { end = end.dropLast() }
        return String(decoding: end.suffix(9), as: UTF8.self).hasPrefix(" HTTP/1.")
    }
}
