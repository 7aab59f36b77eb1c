import AdminProtocol
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PlenaryCore

/// One connection's shared parts: its ``AdminConnectionState``, its timer, and its event stream. The request loop,
/// the timer, the event pump, the feed's drop hook and the shutdown path all reach the connection through
/// here, each under the lock, so the state machine sees one order of events.
final class AdminConnection: Sendable {
    /// How long a connection being closed may take to write its last lines before it is closed regardless: a
    /// client that does not read must not keep it open.
    static let closingGrace: TimeAmount = .seconds(10)
    /// How long a closing connection keeps reading (and discarding) after its last reply; see
    /// ``lingerThenClose()``.
    static let linger: TimeAmount = .seconds(2)

    let channel: any Channel
    let limit: LineLimit
    /// The command deadlines of the connection's event loop.
    let sweeper: DeadlineSweeper
    private let logger: Logger
    private let state: NIOLockedValueBox<AdminConnectionState>
    private let timer = NIOLockedValueBox(Timer())
    private let watch = NIOLockedValueBox<(subscription: ChangeSubscription, pump: Task<Void, Never>)?>(nil)
    /// Reply bytes held back until the rest of their batch is ready (see ``perform(_:on:holding:)``).
    private let held = NIOLockedValueBox<[UInt8]>([])

    private struct Timer {
        var armed: (deadline: ContinuousClock.Instant, task: Scheduled<Void>)?
        var done = false
    }

    init(
        channel: any Channel, limit: LineLimit, sweeper: DeadlineSweeper, limits: AdminConnectionState.Limits,
        logger: Logger
    ) {
        self.channel = channel
        self.limit = limit
        self.sweeper = sweeper
        self.logger = logger
        self.state = NIOLockedValueBox(AdminConnectionState(limits: limits, now: .now))
    }

    /// Arms the auth timeout; called once the greeting is out.
    func start() { syncTimer() }

    /// The authenticated actor, if any.
    var actor: Actor? { state.withLockedValue { $0.actor } }

    /// See ``AdminConnectionState/receive(_:now:)``.
    func receive(_ frame: LineFrame) -> AdminConnectionState.Step {
        let step = state.withLockedValue { $0.receive(frame, now: .now) }
        syncTimer()
        return step
    }

    /// See ``AdminConnectionState/admit(_:)``.
    func admit(_ spec: CommandSpec) -> PlenaryError? { state.withLockedValue { $0.admit(spec) } }

    /// See ``AdminConnectionState/finished(_:effect:now:)``.
    func finished(_ reply: Reply, effect: AdminConnectionState.Effect) -> [AdminConnectionState.Action] {
        let actions = state.withLockedValue { $0.finished(reply, effect: effect, now: .now) }
        syncTimer()
        return actions
    }

    /// Closes the connection from outside its request loop (shutdown, a watcher too slow): now if it is idle,
    /// after the reply of the command it runs otherwise; within ``closingGrace`` either way.
    func requestClose(_ reason: String) {
        let actions = state.withLockedValue { $0.requestClose(reason) }
        let channel = self.channel
        channel.eventLoop.scheduleTask(in: Self.closingGrace) { channel.close(promise: nil) }
        performDetached(actions)
    }

    /// Performs actions from the request loop, through the connection's ordered writer. Returns false when the
    /// connection is to close. With `holding`, the bytes wait for the next call (the rest of a batch of replies),
    /// so a batch goes out in one write; a close never waits.
    func perform(
        _ actions: [AdminConnectionState.Action], on outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        holding: Bool = false
    ) async throws -> Bool {
        let (bytes, close) = apply(actions)
        let out = held.withLockedValue { held in
            held += bytes
            guard !holding || close else { return [UInt8]() }
            defer { held = [] }
            return held
        }
        if !out.isEmpty { try await outbound.write(ByteBuffer(bytes: out)) }
        if close { await drain() }
        return !close
    }

    /// Waits until everything written so far has reached the socket, or ``closingGrace`` passed: closing the
    /// channel drops writes still pending, and the last of them is the reply that says why it closes.
    private func drain() async {
        let channel = self.channel
        let done = channel.eventLoop.makePromise(of: Void.self)
        // Writes complete in order, so an empty one completes once all before it are written.
        channel.writeAndFlush(ByteBuffer()).cascade(to: done)
        let grace = channel.eventLoop.scheduleTask(in: Self.closingGrace) { done.succeed() }
        _ = try? await done.futureResult.get()
        grace.cancel()
    }

    /// Performs actions that arise outside the request loop (a timer, the shutdown), straight on the channel.
    private func performDetached(_ actions: [AdminConnectionState.Action]) {
        let (bytes, close) = apply(actions)
        let channel = self.channel
        guard close else {
            if !bytes.isEmpty { channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil) }
            return
        }
        let grace = channel.eventLoop.scheduleTask(in: Self.closingGrace) { channel.close(promise: nil) }
        channel.writeAndFlush(ByteBuffer(bytes: bytes)).whenComplete { [self] _ in
            grace.cancel()
            lingerThenClose()
        }
    }

    /// Shuts down the sending side, so the client reads everything sent and then the end of the stream, and
    /// closes the connection for good after ``linger``, or earlier when the client closes its side. Until then
    /// the request loop reads on and discards what comes: a socket closed with unread input is reset, and a reset
    /// can destroy replies the client has not read yet.
    func lingerThenClose() {
        let channel = self.channel
        channel.close(mode: .output, promise: nil)
        channel.eventLoop.scheduleTask(in: Self.linger) { channel.close(promise: nil) }
    }

    private func apply(_ actions: [AdminConnectionState.Action]) -> (bytes: [UInt8], close: Bool) {
        var bytes: [UInt8] = []
        var close = false
        for action in actions {
            switch action {
            case .send(let line): bytes += line
            case .setLineLimit(let bytes): limit.bytes = bytes
            case .close: close = true
            }
        }
        return (bytes, close)
    }

    // MARK: Timer

    /// Arms the timer for the state's deadline when none is armed or the armed one is later. A later deadline
    /// needs no re-arming: the armed timer fires early, finds nothing due, and arms for the new one.
    private func syncTimer() {
        guard let deadline = state.withLockedValue({ $0.deadline }) else { return }
        timer.withLockedValue { timer in
            if timer.done { return }
            if let armed = timer.armed, armed.deadline <= deadline { return }
            timer.armed?.task.cancel()
            let delay = ContinuousClock.now.duration(to: deadline).components
            let nanoseconds = max(0, delay.seconds * 1_000_000_000 + delay.attoseconds / 1_000_000_000)
            let task = channel.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) { [self] in timerFired() }
            timer.armed = (deadline, task)
        }
    }

    private func timerFired() {
        timer.withLockedValue { $0.armed = nil }
        let actions = state.withLockedValue { $0.timerFired(now: .now) }
        if actions.isEmpty {
            syncTimer()
        } else {
            // Debug, not info: under a flood of connections that never authenticate this would be a line each; the
            // door logs counts per interval instead.
            logger.debug("closing on timeout", metadata: ["peer": "\(channel.remoteAddress?.description ?? "")"])
            performDetached(actions)
        }
    }

    // MARK: Events

    /// Starts streaming `subscription`'s events, written between replies through the same ordered writer.
    func startWatching(_ subscription: ChangeSubscription, on outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        let pump = Task { [self] in
            do {
                while let events = try await subscription.next() {
                    let format = state.withLockedValue { $0.format }
                    var buffer = channel.allocator.buffer(capacity: events.count * 128)
                    for event in events { buffer.writeBytes(ReplyEncoder.event(event.fields, format: format)) }
                    // Suspends while the channel is not writable: a watcher that does not read stops the pump,
                    // its queue fills, and the feed drops it.
                    try await outbound.write(buffer)
                }
                state.withLockedValue { $0.stoppedWatching(now: .now) }
                syncTimer()
            } catch {
                // Dropped (the drop hook closes the connection), cancelled, or the channel closed.
            }
        }
        watch.withLockedValue { $0 = (subscription, pump) }
    }

    /// Ends the current stream, if any, and waits until its pump has written its last line, so nothing from it
    /// follows what is written next.
    func stopWatching() async {
        let current = watch.withLockedValue { current in
            defer { current = nil }
            return current
        }
        guard let current else { return }
        current.subscription.cancel()
        current.pump.cancel()
        await current.pump.value
    }

    /// The hook the feed calls when this connection's subscription is dropped as too slow.
    func watcherDropped(_ reason: PlenaryError) {
        logger.notice(
            "watcher too slow; closing", metadata: ["peer": "\(channel.remoteAddress?.description ?? "")"])
        requestClose(reason.message)
    }

    /// Cancels the timer; the connection is done.
    func finish() {
        let armed = timer.withLockedValue { timer in
            defer { timer = Timer(armed: nil, done: true) }
            return timer.armed
        }
        armed?.task.cancel()
    }
}
