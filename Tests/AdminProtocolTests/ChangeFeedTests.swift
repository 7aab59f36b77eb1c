import AdminProtocol
import PlenaryCore
import Synchronization
import Testing

/// A change log in memory whose signals the test controls: it can commit silently (a lost notification), signal a
/// gap (a reconnect), or fail.
final class MemorySource: ChangeSource {
    private struct State {
        var rows: [ChangeEvent] = []
        var listening = 0
        var queries = 0
        var failures = 0
        var continuation: AsyncStream<Int?>.Continuation?
        var stopping: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// How many times `commits()` was called: one listener per feed.
    var listeners: Int { state.withLock { $0.listening } }
    /// How many times the rows were read.
    var queries: Int { state.withLock { $0.queries } }

    init(rows: Int = 0, topic: String = "body") {
        for _ in 0..<rows { commit(topic: topic, signal: false) }
    }

    func commits() -> AsyncStream<Int?> {
        let (stream, continuation) = AsyncStream<Int?>.makeStream()
        state.withLock {
            $0.listening += 1
            $0.continuation = continuation
        }
        return stream
    }

    func newestSeq() async throws -> Int {
        try state.withLock { state in
            if state.failures > 0 {
                state.failures -= 1
                throw PlenaryError.unavailable("database: unreachable, try again")
            }
            return state.rows.count
        }
    }

    func changes(after seq: Int, limit: Int) async throws -> [ChangeEvent] {
        try state.withLock { state in
            state.queries += 1
            if state.failures > 0 {
                state.failures -= 1
                throw PlenaryError.unavailable("database: unreachable, try again")
            }
            return Array(state.rows.dropFirst(max(0, seq)).prefix(limit))
        }
    }

    func stop() { state.withLock { $0.continuation?.finish() } }

    /// Like a listener closing its connection, stopping takes until the test says ``finishStopping()``.
    func stopped() async {
        await withCheckedContinuation { continuation in state.withLock { $0.stopping = continuation } }
    }

    /// Whether `stopped()` waits for ``finishStopping()``.
    var isStopping: Bool { state.withLock { $0.stopping != nil } }

    /// Lets `stopped()` return.
    func finishStopping() { state.withLock { $0.stopping.take() }?.resume() }

    /// Appends a row; `signal` false loses its notification.
    @discardableResult
    func commit(topic: String = "body", signal: Bool = true) -> Int {
        let (seq, continuation) = state.withLock { state in
            let seq = state.rows.count + 1
            state.rows.append(
                ChangeEvent(
                    seq: seq, topic: topic, operation: "add", id: "id-\(seq)", actor: "admin",
                    at: "2008-10-08T00:00:00.000000Z"))
            return (seq, state.continuation)
        }
        if signal { continuation?.yield(seq) }
        return seq
    }

    /// Signals that notifications may have been lost.
    func gap() { state.withLock { $0.continuation }?.yield(nil) }

    /// Makes the next `count` reads fail.
    func fail(_ count: Int) { state.withLock { $0.failures = count } }
}

/// The feed's clock and polls in the test's hands: time moves and polls fire only when the test says so, so a test
/// can assert that nothing happened without sleeping, and no timer can do a signal's work behind its back.
final class ManualTiming: Sendable {
    private let instant = Mutex(ContinuousClock.now)
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        (stream, continuation) = AsyncStream<Void>.makeStream()
    }

    var timing: ChangeFeed.Timing {
        ChangeFeed.Timing(now: { self.instant.withLock { $0 } }, polls: { _ in self.stream })
    }

    func advance(_ duration: Duration) { instant.withLock { $0 += duration } }

    func poll() { continuation.yield() }
}

/// Waits until `condition` holds, yielding between looks (no sleep: the condition is the feed's own progress); fails
/// the test when it does not hold within `within`'s time.
func eventually(_ condition: @escaping @Sendable () -> Bool) async throws {
    try await within {
        while !condition() {
            try Task.checkCancellation()
            await Task.yield()
        }
    }
}

/// Fails the test instead of hanging when `body` does not finish in `seconds`.
func within<T: Sendable>(
    _ seconds: Int = 20, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let result = try await group.next(), let value = result else {
            throw PlenaryError.unavailable("test: no result within \(seconds) s")
        }
        return value
    }
}

/// Reads from `subscription` until `count` events have come.
func collect(_ subscription: ChangeSubscription, count: Int) async throws -> [ChangeEvent] {
    try await within {
        var events: [ChangeEvent] = []
        while events.count < count, let batch = try await subscription.next() { events += batch }
        return events
    }
}

@Suite("ChangeFeed")
struct ChangeFeedTests {
    /// No poll and no stall check within a test's life: what these tests see comes from signals and reads alone,
    /// however loaded the machine.
    static let fast = ChangeFeed.Configuration(
        stallTimeout: .seconds(3_600), pollInterval: .seconds(3_600), retryDelay: .milliseconds(10))

    @Test func followsLiveCommitsInOrder() async throws {
        let source = MemorySource(rows: 3)
        let feed = ChangeFeed(source: source, configuration: Self.fast)
        defer { feed.shutdown() }
        let subscription = try await feed.subscribe(topics: nil, since: nil)
        #expect(subscription.start == 3)
        for _ in 0..<5 { source.commit() }
        let events = try await collect(subscription, count: 5)
        #expect(events.map(\.seq) == [4, 5, 6, 7, 8])
        #expect(events.first?.fields.map(\.key) == ["seq", "topic", "op", "id", "actor", "at"])
    }

    @Test func closingEndsTheWatchersAndWaitsUntilTheSourceHasStopped() async throws {
        let source = MemorySource(rows: 3)
        let feed = ChangeFeed(source: source, configuration: Self.fast)
        let subscription = try await feed.subscribe(topics: nil, since: nil)
        let returned = Mutex(false)
        let closing = Task {
            await feed.close()
            returned.withLock { $0 = true }
        }
        try await eventually { source.isStopping }
        #expect(try await within { try await subscription.next() } == nil, "a watcher's stream outlived the close")
        // Held in the source's stopped(): close cannot have returned, whatever the machine's speed.
        #expect(!returned.withLock { $0 }, "close returned before the source had stopped")
        source.finishStopping()
        await closing.value
        #expect(returned.withLock { $0 })
    }

    @Test func replaysFromSinceThenFollowsWithoutGapsOrDuplicates() async throws {
        let source = MemorySource(rows: 10)
        let feed = ChangeFeed(source: source, configuration: Self.fast)
        defer { feed.shutdown() }
        let subscription = try await feed.subscribe(topics: nil, since: 4)
        #expect(subscription.start == 4)
        let replayed = try await collect(subscription, count: 6)
        #expect(replayed.map(\.seq) == Array(5...10))
        source.commit()
        source.commit()
        #expect(try await collect(subscription, count: 2).map(\.seq) == [11, 12])
    }

    @Test func replayIsPacedByTheReaderOneBatchAtATime() async throws {
        let source = MemorySource(rows: 50)
        let feed = ChangeFeed(source: source, configuration: .init(batchSize: 7, pollInterval: .seconds(3_600)))
        defer { feed.shutdown() }
        let subscription = try await feed.subscribe(topics: nil, since: 0)
        var seen: [Int] = []
        while seen.count < 50 {
            let batch = try #require(try await within { try await subscription.next() })
            #expect(batch.count <= 7)
            seen += batch.map(\.seq)
        }
        #expect(seen == Array(1...50))
    }

    @Test func commitsDuringReplayAreNeitherLostNorRepeated() async throws {
        let source = MemorySource(rows: 200)
        let feed = ChangeFeed(source: source, configuration: .init(batchSize: 16, pollInterval: .seconds(3_600)))
        defer { feed.shutdown() }
        // Another watcher keeps the fan-out live, so both paths run at once.
        let other = try await feed.subscribe(topics: nil, since: nil)
        let subscription = try await feed.subscribe(topics: nil, since: 0)
        let writer = Task {
            for _ in 0..<300 {
                source.commit()
                await Task.yield()
            }
        }
        let events = try await collect(subscription, count: 500)
        await writer.value
        #expect(events.map(\.seq) == Array(1...500))
        #expect(try await collect(other, count: 300).map(\.seq) == Array(201...500))
    }

    @Test func topicsFilterWhatIsDelivered() async throws {
        let source = MemorySource()
        let feed = ChangeFeed(source: source, configuration: Self.fast)
        defer { feed.shutdown() }
        source.commit(topic: "session")
        source.commit(topic: "body")
        let subscription = try await feed.subscribe(topics: ["session", "wg"], since: 0)
        source.commit(topic: "token")
        source.commit(topic: "wg")
        source.commit(topic: "session")
        let events = try await collect(subscription, count: 3)
        #expect(events.map(\.seq) == [1, 4, 5])
        #expect(events.map(\.topic) == ["session", "wg", "session"])
    }

    @Test func aLostSignalIsMadeGoodByTheNextOneAndAGapByItself() async throws {
        let source = MemorySource()
        let feed = ChangeFeed(source: source, configuration: Self.fast)
        defer { feed.shutdown() }
        let subscription = try await feed.subscribe(topics: nil, since: nil)
        source.commit(signal: false)
        source.commit(signal: false)
        source.commit()
        #expect(try await collect(subscription, count: 3).map(\.seq) == [1, 2, 3])
        source.commit(signal: false)
        source.gap()
        #expect(try await collect(subscription, count: 1).map(\.seq) == [4])
    }

    @Test func thePollFindsWhatNoSignalAnnounced() async throws {
        let source = MemorySource()
        let clock = ManualTiming()
        let feed = ChangeFeed(source: source, configuration: Self.fast, timing: clock.timing)
        defer { feed.shutdown() }
        let subscription = try await feed.subscribe(topics: nil, since: nil)
        source.commit(signal: false)
        clock.poll()
        #expect(try await collect(subscription, count: 1).map(\.seq) == [1])
    }

    @Test func aFailedReadIsRetriedAndLosesNothing() async throws {
        let source = MemorySource(rows: 5)
        let feed = ChangeFeed(source: source, configuration: Self.fast)
        defer { feed.shutdown() }
        let subscription = try await feed.subscribe(topics: nil, since: 0)
        source.fail(3)
        #expect(try await collect(subscription, count: 5).map(\.seq) == [1, 2, 3, 4, 5])
        source.fail(1)
        source.commit()
        source.commit()
        #expect(try await collect(subscription, count: 2).map(\.seq) == [6, 7])
    }

    @Test func aWatcherThatTakesNothingWhileEventsWaitIsDroppedAndTheOthersGoOn() async throws {
        let source = MemorySource()
        let clock = ManualTiming()
        let feed = ChangeFeed(
            source: source, configuration: .init(queueLimit: 10, stallTimeout: .seconds(3), pollInterval: .seconds(1)),
            timing: clock.timing)
        defer { feed.shutdown() }
        let reasons = Mutex<[PlenaryError]>([])
        let slow = try await feed.subscribe(topics: nil, since: nil) { reason in reasons.withLock { $0.append(reason) }
        }
        let reader = try await feed.subscribe(topics: nil, since: nil)
        for round in 0..<5 {
            for _ in 0..<5 { source.commit() }
            #expect(try await collect(reader, count: 5).count == 5, "round \(round)")
        }
        // Within the stall timeout nobody is dropped, however long the machine takes.
        clock.advance(.seconds(2))
        let looks = feed.looks
        clock.poll()
        try await eventually { feed.looks > looks }
        #expect(reasons.withLock { $0.isEmpty }, "not dropped before its time")
        source.commit()
        #expect(try await collect(reader, count: 1).map(\.seq) == [26])
        // Past it, the reader that took nothing is dropped at the next look; the one that kept reading is not.
        clock.advance(.seconds(2))
        clock.poll()
        try await eventually { !reasons.withLock { $0.isEmpty } }
        #expect(reasons.withLock { $0.map(\.description) } == ["421 CLOSING too slow: events waited unread for 3 s"])
        await #expect(throws: ChangeSubscription.tooSlow(.seconds(3))) { _ = try await slow.next() }
        source.commit()
        #expect(try await collect(reader, count: 1).map(\.seq) == [27])
        #expect(reasons.withLock { $0.count } == 1, "dropped once")
    }

    @Test func aBurstPastTheQueueCostsASlowReaderTimeNotEvents() async throws {
        let source = MemorySource()
        let feed = ChangeFeed(
            source: source,
            configuration: .init(
                batchSize: 8, queueLimit: 10, stallTimeout: .seconds(3_600), pollInterval: .seconds(3_600)))
        defer { feed.shutdown() }
        let subscription = try await feed.subscribe(topics: nil, since: nil)
        for _ in 0..<200 { source.commit() }
        // Let the fan-out run ahead of the reader, past the queue.
        try await Task.sleep(for: .milliseconds(50))
        var seen: [Int] = []
        while seen.count < 200 {
            let batch = try #require(try await within { try await subscription.next() })
            #expect(batch.count <= 10, "never more than the queue or a batch at once")
            seen += batch.map(\.seq)
        }
        #expect(seen == Array(1...200))
        source.commit()
        #expect(try await collect(subscription, count: 1).map(\.seq) == [201], "and it is live again")
    }

    @Test func aReaderThatPausesWithNothingWaitingIsNotDropped() async throws {
        let source = MemorySource()
        let clock = ManualTiming()
        let feed = ChangeFeed(
            source: source, configuration: .init(stallTimeout: .milliseconds(50), pollInterval: .milliseconds(10)),
            timing: clock.timing)
        defer { feed.shutdown() }
        let dropped = Mutex(false)
        let subscription = try await feed.subscribe(topics: nil, since: nil) { _ in dropped.withLock { $0 = true } }
        source.commit()
        #expect(try await collect(subscription, count: 1).map(\.seq) == [1])
        // Far past the stall timeout, with nothing waiting for it, and the feed has looked at its readers.
        clock.advance(.seconds(60))
        let looks = feed.looks
        clock.poll()
        try await eventually { feed.looks > looks }
        #expect(!dropped.withLock { $0 })
        source.commit()
        #expect(try await collect(subscription, count: 1).map(\.seq) == [2])
    }

    @Test func sinceMayNotBePastTheNewestEvent() async throws {
        let source = MemorySource(rows: 2)
        let feed = ChangeFeed(source: source, configuration: Self.fast)
        defer { feed.shutdown() }
        await #expect(
            throws: PlenaryError.badArgument(
                "since", "3 is past the newest event seq=2; resume from a seq this database gave")
        ) {
            _ = try await feed.subscribe(topics: nil, since: 3)
        }
        let subscription = try await feed.subscribe(topics: nil, since: 2)
        #expect(subscription.start == 2)
    }

    @Test func oneListenerServesEveryWatcherAndStartsWithTheFirst() async throws {
        let source = MemorySource()
        let feed = ChangeFeed(source: source, configuration: Self.fast)
        defer { feed.shutdown() }
        #expect(source.listeners == 0, "nothing listens before anyone watches")
        let subscriptions = try await within {
            try await withThrowingTaskGroup(of: ChangeSubscription.self) { group in
                for _ in 0..<20 { group.addTask { try await feed.subscribe(topics: nil, since: nil) } }
                var all: [ChangeSubscription] = []
                for try await subscription in group { all.append(subscription) }
                return all
            }
        }
        #expect(source.listeners == 1)
        source.commit()
        for subscription in subscriptions { #expect(try await collect(subscription, count: 1).map(\.seq) == [1]) }
    }

    @Test func aFailedStartIsTriedAgainByTheNextWatcher() async throws {
        let source = MemorySource()
        let feed = ChangeFeed(source: source, configuration: Self.fast)
        defer { feed.shutdown() }
        source.fail(1)
        await #expect(throws: PlenaryError.self) { _ = try await feed.subscribe(topics: nil, since: nil) }
        let subscription = try await feed.subscribe(topics: nil, since: nil)
        source.commit()
        #expect(try await collect(subscription, count: 1).map(\.seq) == [1])
    }

    @Test func withNoOneLiveSignalsCostNoReads() async throws {
        let source = MemorySource()
        let feed = ChangeFeed(source: source, configuration: Self.fast)
        defer { feed.shutdown() }
        let subscription = try await feed.subscribe(topics: nil, since: nil)
        subscription.cancel()
        let before = source.queries
        for _ in 0..<100 { source.commit() }
        // The feed has taken in every signal, and the head moved without reads.
        try await eventually { feed.deliveredThrough == 100 }
        #expect(source.queries == before)
        let later = try await feed.subscribe(topics: nil, since: nil)
        #expect(later.start == 100)
        source.commit()
        #expect(try await collect(later, count: 1).map(\.seq) == [101])
    }

    @Test func cancellingEndsAWaitingReader() async throws {
        let source = MemorySource()
        let feed = ChangeFeed(source: source, configuration: Self.fast)
        defer { feed.shutdown() }
        let subscription = try await feed.subscribe(topics: nil, since: nil)
        let reader = Task { try await subscription.next() }
        try await Task.sleep(for: .milliseconds(20))
        subscription.cancel()
        #expect(try await within { try await reader.value } == nil)
    }

    @Test func cancellingTheReadingTaskThrows() async throws {
        let source = MemorySource()
        let feed = ChangeFeed(source: source, configuration: Self.fast)
        defer { feed.shutdown() }
        let subscription = try await feed.subscribe(topics: nil, since: nil)
        let reader = Task { try await subscription.next() }
        try await Task.sleep(for: .milliseconds(20))
        reader.cancel()
        await #expect(throws: CancellationError.self) { _ = try await reader.value }
        source.commit()
        #expect(try await collect(subscription, count: 1).map(\.seq) == [1], "the subscription itself goes on")
    }

    @Test func shutdownEndsEverySubscription() async throws {
        let source = MemorySource()
        let feed = ChangeFeed(source: source, configuration: Self.fast)
        let subscription = try await feed.subscribe(topics: nil, since: nil)
        let reader = Task { try await subscription.next() }
        try await Task.sleep(for: .milliseconds(20))
        feed.shutdown()
        #expect(try await within { try await reader.value } == nil)
    }
}
