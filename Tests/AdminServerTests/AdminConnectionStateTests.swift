import AdminProtocol
import AdminServer
import PlenaryCore
import Testing

/// The connection's rules without a socket: frames, replies and clock readings in, actions out.
@Suite("AdminConnectionState")
struct AdminConnectionStateTests {
    typealias State = AdminConnectionState

    static let t0 = ContinuousClock.now
    static let limits = State.Limits(
        lineBytesBeforeAuth: 512, lineBytes: 16_384, authTimeout: .seconds(10), idleTimeout: .seconds(600),
        maxConsecutiveErrors: 20)
    static let admin = Actor(name: "admin", role: .admin)

    static func spec(_ noun: String, beforeAuth: Bool) -> CommandSpec {
        CommandSpec(noun: noun, summary: "test", role: .observer, availableBeforeAuth: beforeAuth) { _, _ in .ok() }
    }

    static func line(_ text: String) -> LineFrame { .line(Array(text.utf8)) }

    static func at(_ seconds: Int) -> ContinuousClock.Instant { t0 + .seconds(seconds) }

    static func text(_ action: State.Action) -> String? {
        if case .send(let bytes) = action { return String(decoding: bytes, as: UTF8.self) }
        return nil
    }

    /// The lines sent by `actions`, in order.
    static func sent(_ actions: [State.Action]) -> [String] {
        actions.compactMap(text).flatMap { $0.split(separator: "\n").map(String.init) }
    }

    static func authenticated() -> State {
        var state = State(limits: limits, now: t0)
        #expect(
            state.receive(line("auth token=x"), now: t0)
                == .run(
                    RawRequest(
                        words: ["auth"],
                        arguments: [
                            RawArgument(key: "token", value: "x")
                        ])))
        _ = state.finished(.ok([ReplyField("name", "admin")]), effect: .authenticated(admin), now: t0)
        return state
    }

    // MARK: Phases and limits

    @Test func startsAwaitingAuthWithTheSmallLimitAndTheAuthDeadline() {
        let state = State(limits: Self.limits, now: Self.t0)
        #expect(state.phase == .awaitingAuth)
        #expect(state.lineLimit == 512)
        #expect(state.actor == nil)
        #expect(state.deadline == Self.at(10))
        #expect(state.format == .text)
    }

    @Test func authRaisesTheLimitBeforeTheReplyIsSent() {
        var state = State(limits: Self.limits, now: Self.t0)
        guard case .run = state.receive(Self.line("auth token=x"), now: Self.t0) else {
            Issue.record("auth must run")
            return
        }
        #expect(state.isRunningCommand)
        let actions = state.finished(
            .ok([ReplyField("name", "admin"), ReplyField("role", "admin")]), effect: .authenticated(Self.admin),
            now: Self.at(1))
        #expect(actions == [.setLineLimit(16_384), .send(Array("200 OK name=admin role=admin\n".utf8))])
        #expect(state.phase == .authenticated(Self.admin))
        #expect(state.lineLimit == 16_384)
        #expect(!state.isRunningCommand)
    }

    @Test func failedAuthKeepsTheConnectionWaiting() {
        var state = State(limits: Self.limits, now: Self.t0)
        _ = state.receive(Self.line("auth token=nope"), now: Self.t0)
        let actions = state.finished(.error(.authFailed()), effect: .none, now: Self.at(1))
        #expect(Self.sent(actions) == ["511 AUTH_FAILED token: not recognised"])
        #expect(state.phase == .awaitingAuth)
        #expect(state.lineLimit == 512)
        #expect(state.consecutiveErrors == 1)
    }

    @Test(arguments: [
        ("hello", true), ("auth", true), ("help", true), ("ping", true), ("quit", true),
        ("body", false), ("watch", false), ("whoami", false),
    ])
    func onlyTheCommandsMarkedForItRunBeforeAuth(noun: String, beforeAuth: Bool) {
        let anonymous = State(limits: Self.limits, now: Self.t0)
        let refusal = anonymous.admit(Self.spec(noun, beforeAuth: beforeAuth))
        if beforeAuth {
            #expect(refusal == nil)
        } else {
            #expect(refusal?.code == .authentication)
            #expect(refusal?.token == "AUTH_REQUIRED")
        }
        #expect(Self.authenticated().admit(Self.spec(noun, beforeAuth: beforeAuth)) == nil)
    }

    // MARK: Over-long lines and HTTP

    @Test func anOverLongLineBeforeAuthIsAnsweredAndCloses() {
        var state = State(limits: Self.limits, now: Self.t0)
        guard case .act(let actions) = state.receive(.tooLong(limit: 512), now: Self.t0) else {
            Issue.record("must not run")
            return
        }
        #expect(Self.sent(actions) == ["500 LINE_TOO_LONG line: longer than 512 bytes"])
        #expect(actions.last == .close)
        #expect(state.phase == .closing)
        #expect(state.receive(Self.line("ping"), now: Self.t0) == .act([]), "nothing is read after closing")
        #expect(state.deadline == nil)
    }

    @Test func anOverLongLineAfterAuthIsAnsweredOnceAndTheConnectionGoesOn() {
        var state = Self.authenticated()
        #expect(
            state.receive(.tooLong(limit: 16_384), now: Self.t0)
                == .act([.send(Array("500 LINE_TOO_LONG line: longer than 16384 bytes\n".utf8))]))
        #expect(state.phase == .authenticated(Self.admin))
        #expect(state.receive(Self.line("ping"), now: Self.t0) == .run(RawRequest(words: ["ping"])))
    }

    @Test(arguments: [
        "GET / HTTP/1.1", "POST /api HTTP/1.0", "HEAD / HTTP/1.1", "OPTIONS * HTTP/1.1",
        "CONNECT example.org:443 HTTP/1.1", "BREW /pot HTTP/1.1",
    ])
    func httpBeforeAuthIsAnsweredAndCloses(requestLine: String) {
        var state = State(limits: Self.limits, now: Self.t0)
        guard case .act(let actions) = state.receive(Self.line(requestLine), now: Self.t0) else {
            Issue.record("must not run")
            return
        }
        #expect(Self.sent(actions) == ["500 BAD_SYNTAX this is the Plenary admin protocol, not HTTP"])
        #expect(actions.last == .close)
        #expect(state.phase == .closing)
    }

    @Test func httpAfterAuthIsJustAnUnknownCommand() {
        var state = Self.authenticated()
        guard case .run(let request) = state.receive(Self.line("GET / HTTP/1.1"), now: Self.t0) else {
            Issue.record("after auth the line goes to the catalog, which answers 502")
            return
        }
        #expect(request.words.first == "GET")
    }

    @Test(arguments: [
        ("GET / HTTP/1.1", true), ("GET /", true), ("get / http/1.1", false), ("GETTER", false),
        ("body list", false), ("x HTTP/1.1", true), ("x HTTP/1.0\r", true), ("x HTTP/2", false), ("", false),
    ])
    func recognisesHTTPRequestLines(text: String, http: Bool) {
        #expect(State.looksLikeHTTP(Array(text.utf8)) == http)
    }

    // MARK: Syntax errors

    @Test(arguments: [
        (Array("pi\rng".utf8), "column 3: control character 0x0D"), (Array("ping\u{0}".utf8), "column 5"),
        ([0x70, 0xFF], "column 2: invalid UTF-8"), (Array(#"body get "x"#.utf8), "unterminated"),
        ([], "empty line"),
    ])
    func unreadableLinesAreA500AndTheConnectionGoesOn(bytes: [UInt8], mentions: String) {
        for var state in [State(limits: Self.limits, now: Self.t0), Self.authenticated()] {
            guard case .act(let actions) = state.receive(.line(bytes), now: Self.t0) else {
                Issue.record("must not run")
                continue
            }
            let lines = Self.sent(actions)
            #expect(lines.count == 1)
            #expect(lines.first?.hasPrefix("500 BAD_SYNTAX") == true)
            #expect(lines.first?.contains(mentions) == true, "\(lines)")
            #expect(!actions.contains(.close))
            #expect(state.phase != .closing)
        }
    }

    // MARK: Too many errors

    @Test func theTwentiethErrorInARowCloses() {
        var state = Self.authenticated()
        for round in 1..<20 {
            guard case .act(let actions) = state.receive(.line([0]), now: Self.t0) else { return }
            #expect(!actions.contains(.close), "round \(round)")
            #expect(state.consecutiveErrors == round)
        }
        guard case .act(let actions) = state.receive(.line([0]), now: Self.t0) else { return }
        let lines = Self.sent(actions)
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("500 BAD_SYNTAX") == true)
        #expect(lines.last == "421 CLOSING too many errors: 20 in a row")
        #expect(actions.last == .close)
        #expect(state.phase == .closing)
    }

    @Test func repliesCountAsWellAsFramesAndASuccessStartsAgain() {
        var state = Self.authenticated()
        for _ in 0..<10 {
            _ = state.receive(Self.line("nope"), now: Self.t0)
            _ = state.finished(.error(.unknownCommand("nope: unknown")), effect: .none, now: Self.t0)
            _ = state.receive(.tooLong(limit: 16_384), now: Self.t0)
        }
        #expect(state.consecutiveErrors == 20 - 0, "ten 502s and ten 500s")
        #expect(state.phase == .closing)

        var other = Self.authenticated()
        for _ in 0..<19 { _ = other.receive(.line([0x7F]), now: Self.t0) }
        _ = other.receive(Self.line("ping"), now: Self.t0)
        _ = other.finished(.ok([ReplyField("pong", true)]), effect: .none, now: Self.t0)
        #expect(other.consecutiveErrors == 0)
        for _ in 0..<19 { _ = other.receive(.line([0x7F]), now: Self.t0) }
        #expect(other.phase == .authenticated(Self.admin))
    }

    @Test(arguments: [
        (PlenaryError.badSyntax("x"), true), (.unknownCommand("x"), true), (.badArgument("k", "x"), true),
        (.authRequired(), true), (.authFailed(), true), (.forbidden("x"), true), (.notFound("x"), false),
        (.conflict("x"), false), (.unavailable("x"), false), (.internal(incident: "x"), false),
    ])
    func whichRefusalsCount(error: PlenaryError, counts: Bool) {
        var state = Self.authenticated()
        _ = state.receive(Self.line("ping"), now: Self.t0)
        _ = state.finished(.error(.badSyntax("first")), effect: .none, now: Self.t0)
        _ = state.receive(Self.line("ping"), now: Self.t0)
        _ = state.finished(.error(error), effect: .none, now: Self.t0)
        #expect(state.consecutiveErrors == (counts ? 2 : 0))
    }

    @Test func theLimitIsConfigurable() {
        var state = State(
            limits: State.Limits(
                lineBytesBeforeAuth: 512, lineBytes: 16_384, authTimeout: .seconds(10), idleTimeout: .seconds(600),
                maxConsecutiveErrors: 3), now: Self.t0)
        _ = state.receive(.line([1]), now: Self.t0)
        _ = state.receive(.line([1]), now: Self.t0)
        guard case .act(let actions) = state.receive(.line([1]), now: Self.t0) else { return }
        #expect(Self.sent(actions).last == "421 CLOSING too many errors: 3 in a row")
    }

    // MARK: Replies, format, quit

    @Test func quitIsAnsweredThenCloses() {
        var state = State(limits: Self.limits, now: Self.t0)
        _ = state.receive(Self.line("quit"), now: Self.t0)
        let actions = state.finished(.bye, effect: .none, now: Self.t0)
        #expect(actions == [.send(Array("221 BYE\n".utf8)), .close])
        #expect(state.phase == .closing)
    }

    @Test func aClosingReplyIsSentThenCloses() {
        // The server answers 421 itself when a token is over its connection limit or was revoked.
        var state = Self.authenticated()
        _ = state.receive(Self.line("auth token=x"), now: Self.t0)
        let actions = state.finished(.error(.closing("token x was revoked")), effect: .none, now: Self.t0)
        #expect(actions == [.send(Array("421 CLOSING token x was revoked\n".utf8)), .close])
        #expect(state.phase == .closing)
        #expect(state.receive(Self.line("ping"), now: Self.t0) == .act([]))
    }

    @Test func helloSwitchesToJSONIncludingItsOwnReplyAndLaterClosings() {
        var state = Self.authenticated()
        _ = state.receive(Self.line("hello format=json"), now: Self.t0)
        let actions = state.finished(.ok([ReplyField("format", "json")]), effect: .format(.json), now: Self.t0)
        #expect(Self.sent(actions) == [#"{"code":200,"ok":true,"format":"json"}"#])
        #expect(state.format == .json)
        let closing = state.requestClose("server shutting down")
        #expect(Self.sent(closing) == [#"{"code":421,"error":"CLOSING","message":"server shutting down"}"#])
    }

    @Test func aReplyAfterTheServerDecidedToCloseIsDropped() {
        var state = State(limits: Self.limits, now: Self.t0)
        _ = state.receive(Self.line("ping"), now: Self.t0)
        #expect(Self.sent(state.timerFired(now: Self.at(10))) == ["421 CLOSING authentication timed out"])
        #expect(state.finished(.ok(), effect: .none, now: Self.at(11)) == [])
    }

    // MARK: Timeouts

    @Test func theAuthDeadlineIsAbsolute() {
        var state = State(limits: Self.limits, now: Self.t0)
        for second in 1..<10 {
            _ = state.receive(Self.line("ping"), now: Self.at(second))
            _ = state.finished(.ok(), effect: .none, now: Self.at(second))
            #expect(state.timerFired(now: Self.at(second)) == [])
        }
        #expect(state.deadline == Self.at(10), "activity before auth does not extend it")
        let actions = state.timerFired(now: Self.at(10))
        #expect(Self.sent(actions) == ["421 CLOSING authentication timed out"])
        #expect(actions.last == .close)
        #expect(state.timerFired(now: Self.at(11)) == [], "closed once")
    }

    @Test func theIdleDeadlineMovesWithEveryRequest() {
        var state = Self.authenticated()
        #expect(state.deadline == Self.at(600))
        #expect(state.timerFired(now: Self.at(599)) == [])
        _ = state.receive(Self.line("ping"), now: Self.at(300))
        #expect(state.deadline == nil, "no idle timeout while a command runs")
        #expect(state.timerFired(now: Self.at(5_000)) == [])
        _ = state.finished(.ok(), effect: .none, now: Self.at(301))
        #expect(state.deadline == Self.at(901))
        #expect(state.timerFired(now: Self.at(600)) == [], "an early timer finds nothing due")
        let actions = state.timerFired(now: Self.at(901))
        #expect(Self.sent(actions) == ["421 CLOSING idle: no request for 600 s"])
        #expect(actions.last == .close)
    }

    @Test func framesAnsweredWithoutRunningAlsoCountAsActivity() {
        var state = Self.authenticated()
        _ = state.receive(.tooLong(limit: 16_384), now: Self.at(100))
        #expect(state.deadline == Self.at(700))
    }

    @Test func aWatchingConnectionIsNeverIdle() {
        var state = Self.authenticated()
        _ = state.receive(Self.line("watch"), now: Self.at(1))
        _ = state.finished(.ok([ReplyField("since", 0)]), effect: .watching, now: Self.at(1))
        #expect(state.isWatching)
        #expect(state.deadline == nil)
        #expect(state.timerFired(now: Self.at(100_000)) == [])
        state.stoppedWatching(now: Self.at(100_000))
        #expect(state.deadline == Self.at(100_600))
    }

    @Test func aCloseRequestWaitsForTheRunningCommand() {
        var state = Self.authenticated()
        _ = state.receive(Self.line("body list"), now: Self.t0)
        #expect(state.requestClose("server shutting down") == [])
        #expect(state.phase == .authenticated(Self.admin))
        let actions = state.finished(.list([]), effect: .none, now: Self.t0)
        #expect(Self.sent(actions) == ["200 OK count=0", "421 CLOSING server shutting down"])
        #expect(actions.last == .close)
        #expect(state.requestClose("again") == [])
    }

    @Test func anIdleConnectionClosesAtOnceOnRequest() {
        var state = Self.authenticated()
        let actions = state.requestClose("too slow: more than 4096 events unread")
        #expect(Self.sent(actions) == ["421 CLOSING too slow: more than 4096 events unread"])
        #expect(actions.last == .close)
    }

    // MARK: Any sequence

    /// A seeded random walk over every input: whatever happens, a close is final, a command runs only when none
    /// does, every frame outside `closing` is answered or run, and the error count never passes the limit.
    @Test(arguments: 1...40)
    func invariantsHoldOnAnySequence(seed: UInt64) {
        var random = SplitMix(seed: seed)
        var state = State(
            limits: State.Limits(
                lineBytesBeforeAuth: 512, lineBytes: 16_384, authTimeout: .seconds(10), idleTimeout: .seconds(30),
                maxConsecutiveErrors: 5), now: Self.t0)
        var now = Self.t0
        var closed = false
        var running = false
        let frames: [LineFrame] = [
            Self.line("ping"), Self.line("GET / HTTP/1.1"), .line([0]), .line([0xC3]), .tooLong(limit: 512),
            Self.line("auth token=x"), Self.line("body list"),
        ]
        let replies: [(Reply, State.Effect)] = [
            (.ok(), .none), (.error(.unknownCommand("x")), .none), (.error(.notFound("x")), .none), (.bye, .none),
            (.ok(), .authenticated(Self.admin)), (.ok(), .format(.json)), (.ok(), .watching),
        ]
        for _ in 0..<200 {
            now = now + .milliseconds(Int64(random.next() % 20_000))
            var actions: [State.Action] = []
            switch random.next() % 4 {
            case 0 where !running:
                let frame = frames[Int(random.next() % UInt64(frames.count))]
                switch state.receive(frame, now: now) {
                case .run:
                    #expect(!closed, "nothing runs after closing")
                    running = true
                case .act(let answered):
                    actions = answered
                    #expect(closed || answered.contains { if case .send = $0 { true } else { false } })
                }
            case 1 where running:
                let (reply, effect) = replies[Int(random.next() % UInt64(replies.count))]
                actions = state.finished(reply, effect: effect, now: now)
                running = false
            case 2:
                actions = state.timerFired(now: now)
            case 3 where random.next() % 10 == 0:
                actions = state.requestClose("shutdown")
            default:
                continue
            }
            if closed { #expect(actions.isEmpty, "a closed connection does nothing more") }
            if actions.contains(.close) {
                #expect(state.phase == .closing)
                #expect(actions.last == .close, "close comes last")
                closed = true
            }
            #expect(state.consecutiveErrors <= 5)
            #expect(state.lineLimit == (state.actor == nil ? 512 : 16_384))
            if let deadline = state.deadline, !closed { #expect(deadline > Self.t0) }
        }
    }
}

/// A small deterministic generator, so a failing walk can be replayed from its seed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
