import PlenaryCore
import Synchronization

/// One committed change as `watch` streams it: a row of the audit trail, whose sequence number is the event's.
public struct ChangeEvent: Sendable, Hashable {
    /// The audit trail's sequence number: gapless, in commit order, the same on every server of one database.
    public var seq: Int
    /// The kind of thing that changed: the audit row's entity (`session`, `wg`, `body` …).
    public var topic: String
    /// What was done: the audit row's operation (`schedule`, `rename` …).
    public var operation: String
    /// Which one: the audit row's entity id.
    public var id: String
    /// Who did it.
    public var actor: String
    /// When it was committed (ISO 8601, UTC).
    public var at: String

    /// Creates an event.
    public init(seq: Int, topic: String, operation: String, id: String, actor: String, at: String) {
        self.seq = seq
        self.topic = topic
        self.operation = operation
        self.id = id
        self.actor = actor
        self.at = at
    }

    /// The fields of its `650 EVENT` line, in the order the line carries them.
    public var fields: [ReplyField] {
        [
            ReplyField("seq", .int(seq)), ReplyField("topic", .string(topic)), ReplyField("op", .string(operation)),
            ReplyField("id", .string(id)), ReplyField("actor", .string(actor)), ReplyField("at", .string(at)),
        ]
    }
}

/// Where committed changes come from: a durable, gapless log (the audit trail) and a signal that it grew.
///
/// The signal only wakes the feed up; what is delivered is always read back from the log by sequence number, so a
/// lost, duplicated or reordered signal can delay an event but never drop or repeat one.
public protocol ChangeSource: Sendable {
    /// Starts listening: each element is a sequence number just committed, or nil when signals may have been
    /// missed (the listener reconnected). Called once per feed.
    func commits() -> AsyncStream<Int?>
    /// The newest committed sequence number, 0 when the log is empty.
    func newestSeq() async throws -> Int
    /// The committed changes after `seq`, oldest first, at most `limit` of them.
    func changes(after seq: Int, limit: Int) async throws -> [ChangeEvent]
    /// Stops listening; the stream from `commits()` finishes.
    func stop()
    /// Returns once listening has really ended (its connection closed), after ``stop()``.
    func stopped() async
}

extension ChangeSource {
    /// A source with nothing to close ends as soon as it is stopped.
    public func stopped() async {}
}

/// Fans committed changes out to the connections that `watch`: one listener for the whole process, however many
/// watchers there are.
///
/// Each subscription has a cursor, the last sequence number it has seen. A subscription behind the feed (it asked
/// for `since=` an older number) replays from the log at its own pace, one batch per `next()`, and joins the live
/// fan-out once it has caught up; the fan-out hands it only rows past its cursor. So every watcher sees each
/// matching change exactly once, in order, from its starting point on.
///
/// Memory per watcher is bounded: a live subscription's queue holds at most `queueLimit` events; past that it
/// stops taking from the fan-out and falls back to replaying from the log once its reader has drained the queue,
/// so a burst costs a slow reader time, not the server memory. A reader that takes nothing for `stallTimeout`
/// while events wait for it is dropped (its `onDropped` runs), so a client that never reads does not hold its
/// place for ever.
public final class ChangeFeed: Sendable {
    /// Batch sizes, bounds and intervals.
    public struct Configuration: Sendable {
        /// Rows read from the log per query.
        public var batchSize: Int
        /// Events a live subscription holds unread before it falls back to replaying from the log.
        public var queueLimit: Int
        /// How long a reader may take nothing while events wait for it before it is dropped.
        public var stallTimeout: Duration
        /// How often the feed looks at the log and its readers with no signal, while anyone watches: a safety net
        /// for lost signals, and the clock of the stall check.
        public var pollInterval: Duration
        /// How long to wait before reading the log again after it failed.
        public var retryDelay: Duration

        /// Creates a configuration.
        public init(
            batchSize: Int = 500, queueLimit: Int = 4_096, stallTimeout: Duration = .seconds(10),
            pollInterval: Duration = .seconds(2), retryDelay: Duration = .seconds(1)
        ) {
            precondition(batchSize > 0 && queueLimit > 0, "change feed: batch size and queue limit must be positive")
            self.batchSize = batchSize
            self.queueLimit = queueLimit
            self.stallTimeout = stallTimeout
            self.pollInterval = pollInterval
            self.retryDelay = retryDelay
        }
    }

    /// Where the feed's time and its polls come from: the system's clock and a timer by default; a test's own, so
    /// it can move time and fire polls when it decides, and assert that nothing happened without sleeping.
    public struct Timing: Sendable {
        /// The current instant (the stall check's clock).
        public var now: @Sendable () -> ContinuousClock.Instant
        /// The polls, given the configured interval: one element per poll, for as long as the feed runs.
        public var polls: @Sendable (Duration) -> AsyncStream<Void>

        /// Creates a timing from a clock and a source of polls.
        public init(
            now: @escaping @Sendable () -> ContinuousClock.Instant,
            polls: @escaping @Sendable (Duration) -> AsyncStream<Void>
        ) {
            self.now = now
            self.polls = polls
        }

        /// The system's clock, and a poll every interval.
        public static let system = Timing(
            now: { .now },
            polls: { interval in
                AsyncStream { continuation in
                    let timer = Task {
                        while !Task.isCancelled {
                            try? await Task.sleep(for: interval)
                            continuation.yield()
                        }
                        continuation.finish()
                    }
                    continuation.onTermination = { _ in timer.cancel() }
                }
            })
    }

    fileprivate enum Wake: Sendable {
        case commit(Int)
        case gap
        case poll
    }

    fileprivate struct Subscriber {
        var topics: Set<String>?
        /// Every row up to here has been handed out, queued, or skipped as another topic.
        var cursor: Int
        /// Whether the fan-out feeds it; otherwise its reader replays from the log.
        var live: Bool
        var queue: [ChangeEvent] = []
        var waiter: CheckedContinuation<[ChangeEvent]?, any Error>?
        /// When its reader last asked for events.
        var lastRead: ContinuousClock.Instant
        var dropped = false
        var onDropped: @Sendable (PlenaryError) -> Void

        func wants(_ event: ChangeEvent) -> Bool { topics?.contains(event.topic) ?? true }

        /// Events wait for it and its reader has not come for them within `timeout`.
        func stalled(head: Int, now: ContinuousClock.Instant, timeout: Duration) -> Bool {
            !dropped && waiter == nil && (!queue.isEmpty || cursor < head) && now - lastRead > timeout
        }
    }

    fileprivate struct State {
        var startup: Task<Void, any Error>?
        var loop: Task<Void, Never>?
        var wake: AsyncStream<Wake>.Continuation?
        /// Every row up to here has been handed to the live subscriptions.
        var head = 0
        var subscribers: [Int: Subscriber] = [:]
        var nextID = 0
        var stopped = false
        /// Signals and polls handled so far.
        var looks = 0

        var hasLiveSubscribers: Bool { subscribers.values.contains { $0.live && !$0.dropped } }
    }

    private let source: any ChangeSource
    fileprivate let configuration: Configuration
    fileprivate let timing: Timing
    fileprivate let state = Mutex(State())

    /// Creates a feed over `source`; nothing listens until the first subscription.
    public init(source: any ChangeSource, configuration: Configuration = Configuration(), timing: Timing = .system) {
        self.source = source
        self.configuration = configuration
        self.timing = timing
    }

    /// Every change up to this seq has been handed to the live subscriptions (or, with none, passed over): how far
    /// the fan-out has got, for a caller that must know the feed has taken in what was signalled.
    public var deliveredThrough: Int { state.withLock { $0.head } }

    /// How many signals and polls the feed has handled: a caller that fired one knows it was taken in once this
    /// moves.
    public var looks: Int { state.withLock { $0.looks } }

    /// The newest committed sequence number, read from the source.
    public func newestSeq() async throws -> Int { try await source.newestSeq() }

    /// Subscribes to the changes after `since` (nil: from the newest committed one on) whose topic is in `topics`
    /// (nil: every topic). `onDropped` runs once, on any thread, with the reason, if the subscription is dropped for
    /// not reading.
    /// Throws 504 naming `since` when it is past the newest committed change.
    public func subscribe(
        topics: Set<String>?, since: Int?, onDropped: @escaping @Sendable (PlenaryError) -> Void = { _ in }
    ) async throws -> ChangeSubscription {
        try await start()
        let newest = try await source.newestSeq()
        if let since, since > newest {
            throw PlenaryError.badArgument(
                "since", "\(since) is past the newest event seq=\(newest); resume from a seq this database gave")
        }
        let cursor = since ?? newest
        let id = state.withLock { state -> Int in
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = Subscriber(
                topics: topics, cursor: cursor, live: cursor >= state.head, lastRead: timing.now(),
                onDropped: onDropped)
            return id
        }
        return ChangeSubscription(feed: self, id: id, start: cursor)
    }

    /// Stops listening, ends every subscription, and returns once the source has closed its listener: what a
    /// server's shutdown awaits, so the listener's connection ends before the process does.
    public func close() async {
        shutdown()
        await source.stopped()
    }

    /// Stops listening and ends every subscription; the source closes its listener soon after.
    public func shutdown() {
        let (loop, waiters) = state.withLock {
            state -> (Task<Void, Never>?, [CheckedContinuation<[ChangeEvent]?, any Error>]) in
            state.stopped = true
            state.wake?.finish()
            let waiters = state.subscribers.values.compactMap(\.waiter)
            state.subscribers = [:]
            return (state.loop, waiters)
        }
        loop?.cancel()
        source.stop()
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    /// Starts the listener once; a start that failed (database down) is tried again by the next subscriber.
    private func start() async throws {
        let task = state.withLock { state -> Task<Void, any Error> in
            if let startup = state.startup { return startup }
            // Detached: the feed outlives the watch command that started it and must not keep its task-locals.
            let startup = Task.detached { try await self.startUp() }
            state.startup = startup
            return startup
        }
        do {
            try await task.value
        } catch {
            state.withLock { state in
                if state.loop == nil { state.startup = nil }
            }
            throw error
        }
    }

    private func startUp() async throws {
        // Listen before reading the head, so a commit after the read is signalled; the listener may take a moment
        // to be up, and a commit in that moment is found by the next poll.
        let commits = source.commits()
        let newest: Int
        do {
            newest = try await source.newestSeq()
        } catch {
            source.stop()
            throw error
        }
        let (wakes, wake) = AsyncStream<Wake>.makeStream(bufferingPolicy: .bufferingNewest(8))
        let stopped = state.withLock { state -> Bool in
            state.head = max(state.head, newest)
            state.wake = wake
            return state.stopped
        }
        guard !stopped else {
            source.stop()
            throw PlenaryError.unavailable("events: the server is shutting down")
        }
        let loop = Task.detached { await self.run(commits: commits, wakes: wakes) }
        state.withLock { $0.loop = loop }
    }

    private func run(commits: AsyncStream<Int?>, wakes: AsyncStream<Wake>) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await commit in commits { self.wake(commit.map(Wake.commit) ?? .gap) }
            }
            group.addTask {
                for await _ in self.timing.polls(self.configuration.pollInterval) {
                    if Task.isCancelled { break }
                    self.wake(.poll)
                }
            }
            for await wake in wakes {
                await catchUp(wake)
                state.withLock { $0.looks += 1 }
            }
            group.cancelAll()
        }
    }

    private func wake(_ reason: Wake) {
        let continuation = state.withLock { $0.wake }
        continuation?.yield(reason)
    }

    /// Drops the stalled readers, then reads what was committed past the head and hands it to the live
    /// subscriptions. With no one live, a signal only moves the head, so an idle server costs the database nothing.
    private func catchUp(_ reason: Wake) async {
        dropStalled()
        if case .commit(let seq) = reason {
            let moved = state.withLock { state -> Bool in
                guard !state.hasLiveSubscribers else { return false }
                state.head = max(state.head, seq)
                return true
            }
            if moved { return }
        }
        if case .poll = reason, !state.withLock({ $0.hasLiveSubscribers }) { return }
        while !Task.isCancelled {
            let from = state.withLock { $0.head }
            let rows: [ChangeEvent]
            do {
                rows = try await source.changes(after: from, limit: configuration.batchSize)
            } catch {
                // The next signal or poll tries again; nothing was handed out, so nothing is lost.
                return
            }
            let resumptions = state.withLock { state in deliver(rows, from: from, in: &state) }
            for (waiter, events) in resumptions { waiter.resume(returning: events) }
            if rows.count < configuration.batchSize { return }
        }
    }

    private func dropStalled() {
        let now = timing.now()
        let timeout = configuration.stallTimeout
        let hooks = state.withLock { state -> [@Sendable (PlenaryError) -> Void] in
            var hooks: [@Sendable (PlenaryError) -> Void] = []
            for id in Array(state.subscribers.keys) {
                guard var subscriber = state.subscribers[id],
                    subscriber.stalled(head: state.head, now: now, timeout: timeout)
                else { continue }
                subscriber.dropped = true
                subscriber.queue = []
                hooks.append(subscriber.onDropped)
                state.subscribers[id] = subscriber
            }
            return hooks
        }
        for hook in hooks { hook(ChangeSubscription.tooSlow(timeout)) }
    }

    /// Hands `rows` to the live subscriptions. One whose queue is full stops at the first row it cannot take and
    /// leaves the fan-out; its reader finds the rest in the log.
    private func deliver(
        _ rows: [ChangeEvent], from: Int, in state: inout State
    ) -> [(CheckedContinuation<[ChangeEvent]?, any Error>, [ChangeEvent])] {
        guard state.head == from else { return [] }
        var resumptions: [(CheckedContinuation<[ChangeEvent]?, any Error>, [ChangeEvent])] = []
        for id in Array(state.subscribers.keys) {
            guard var subscriber = state.subscribers[id], subscriber.live, !subscriber.dropped else { continue }
            for row in rows where row.seq > subscriber.cursor {
                if subscriber.wants(row) {
                    guard subscriber.queue.count < configuration.queueLimit else {
                        subscriber.live = false
                        break
                    }
                    subscriber.queue.append(row)
                }
                subscriber.cursor = row.seq
            }
            if let waiter = subscriber.waiter, !subscriber.queue.isEmpty {
                subscriber.waiter = nil
                resumptions.append((waiter, subscriber.queue))
                subscriber.queue = []
                subscriber.lastRead = timing.now()
            }
            state.subscribers[id] = subscriber
        }
        if let last = rows.last { state.head = max(state.head, last.seq) }
        return resumptions
    }

    fileprivate func replay(_ id: Int, after cursor: Int) async throws -> [ChangeEvent] {
        let rows = try await source.changes(after: cursor, limit: configuration.batchSize)
        return state.withLock { state -> [ChangeEvent] in
            guard var subscriber = state.subscribers[id], !subscriber.dropped, !subscriber.live,
                subscriber.cursor == cursor
            else { return [] }
            var events: [ChangeEvent] = []
            for row in rows where row.seq > subscriber.cursor {
                subscriber.cursor = row.seq
                if subscriber.wants(row) { events.append(row) }
            }
            // At or past the head, the fan-out hands over everything newer; rows up to the cursor it skips.
            if subscriber.cursor >= state.head || rows.isEmpty { subscriber.live = true }
            state.subscribers[id] = subscriber
            return events
        }
    }
}

/// One watcher's view of the feed: the matching changes after its starting point, each once, in order.
public final class ChangeSubscription: Sendable {
    /// The sequence number it started after: the first event it yields is newer.
    public let start: Int
    private let feed: ChangeFeed
    private let id: Int

    fileprivate init(feed: ChangeFeed, id: Int, start: Int) {
        self.feed = feed
        self.id = id
        self.start = start
    }

    deinit { cancel() }

    /// Why a subscription was dropped: its reader took nothing for `timeout` while events waited.
    public static func tooSlow(_ timeout: Duration) -> PlenaryError {
        PlenaryError(
            code: .closing, token: "CLOSING",
            message: "too slow: events waited unread for \(timeout.components.seconds) s")
    }

    private enum Step {
        case events([ChangeEvent])
        case replay(after: Int)
        case wait
        case finished
        case dropped
    }

    /// The next events, oldest first, waiting until there are some; nil once cancelled or the feed shut down.
    /// Throws ``tooSlow(_:)`` once dropped, and CancellationError when the calling task is cancelled.
    public func next() async throws -> [ChangeEvent]? {
        while true {
            try Task.checkCancellation()
            let now = feed.timing.now()
            let step = feed.state.withLock { state -> Step in
                guard var subscriber = state.subscribers[id] else { return .finished }
                if subscriber.dropped { return .dropped }
                subscriber.lastRead = now
                defer { state.subscribers[id] = subscriber }
                if !subscriber.queue.isEmpty {
                    let events = subscriber.queue
                    subscriber.queue = []
                    return .events(events)
                }
                return subscriber.live ? .wait : .replay(after: subscriber.cursor)
            }
            switch step {
            case .events(let events):
                return events
            case .finished:
                return nil
            case .dropped:
                throw Self.tooSlow(feed.configuration.stallTimeout)
            case .replay(let cursor):
                do {
                    let events = try await feed.replay(id, after: cursor)
                    if !events.isEmpty { return events }
                } catch {
                    try await Task.sleep(for: feed.configuration.retryDelay)
                }
            case .wait:
                if let events = try await waitForEvents() { return events }
            }
        }
    }

    /// Suspends until the fan-out hands this subscription something; nil means look at the state again.
    private func waitForEvents() async throws -> [ChangeEvent]? {
        let id = self.id
        let feed = self.feed
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<[ChangeEvent]?, any Error>) in
                let resumeNow = feed.state.withLock { state -> Bool in
                    guard var subscriber = state.subscribers[id], subscriber.live, !subscriber.dropped,
                        subscriber.queue.isEmpty, subscriber.waiter == nil, !Task.isCancelled
                    else { return true }
                    subscriber.waiter = continuation
                    state.subscribers[id] = subscriber
                    return false
                }
                if resumeNow { continuation.resume(returning: nil) }
            }
        } onCancel: {
            let waiter = feed.state.withLock { state -> CheckedContinuation<[ChangeEvent]?, any Error>? in
                let waiter = state.subscribers[id]?.waiter
                state.subscribers[id]?.waiter = nil
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// Ends the subscription: a waiting `next()` returns nil, and the feed forgets it.
    public func cancel() {
        let waiter = feed.state.withLock { state in state.subscribers.removeValue(forKey: id)?.waiter }
        waiter?.resume(returning: nil)
    }
}
