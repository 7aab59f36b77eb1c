import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@testable import AdminServer

@Suite("One deadline sweeper per event loop")
struct DeadlineSweeperTests {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// Waits (at most 10 s) until `condition` holds.
    private func eventually(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition(), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
    }

    @Test func aDeadlineExpiresOnItsLoopAndACancelledOneNever() async throws {
        let loop = group.next()
        let sweeper = DeadlineSweeper(eventLoop: loop)
        let fired = NIOLockedValueBox<[String]>([])
        let started = ContinuousClock.now
        _ = sweeper.register(after: .milliseconds(50)) {
            #expect(loop.inEventLoop)
            fired.withLockedValue { $0.append("due") }
        }
        let cancelled = sweeper.register(after: .milliseconds(50)) { fired.withLockedValue { $0.append("cancelled") } }
        let later = sweeper.register(after: .seconds(3600)) { fired.withLockedValue { $0.append("later") } }
        #expect(sweeper.cancel(cancelled))
        try await eventually { !fired.withLockedValue { $0 }.isEmpty }
        #expect(ContinuousClock.now - started >= .milliseconds(50), "expired before its deadline")
        #expect(fired.withLockedValue { $0 } == ["due"])
        // The tick keeps going while a deadline is registered, and stops once none is.
        #expect(sweeper.pending == 1)
        #expect(sweeper.isTicking)
        #expect(sweeper.cancel(later))
        #expect(!sweeper.cancel(later), "a deadline is cancelled once")
        try await eventually { !sweeper.isTicking }
        #expect(!sweeper.isTicking)
        // And starts again for the next one.
        _ = sweeper.register(after: .milliseconds(1)) { fired.withLockedValue { $0.append("again") } }
        try await eventually { fired.withLockedValue { $0 }.count == 2 }
        #expect(fired.withLockedValue { $0 } == ["due", "again"])
        try await group.shutdownGracefully()
    }

    @Test func thousandsOfDeadlinesCostOneTick() async throws {
        let sweeper = DeadlineSweeper(eventLoop: group.next())
        let count = NIOLockedValueBox(0)
        let registrations = (0..<5_000).map { n in
            sweeper.register(after: .milliseconds(n % 2 == 0 ? 30 : 3_600_000)) { count.withLockedValue { $0 += 1 } }
        }
        try await eventually { count.withLockedValue { $0 } == 2_500 }
        #expect(count.withLockedValue { $0 } == 2_500)
        #expect(sweeper.pending == 2_500)
        for registration in registrations { sweeper.cancel(registration) }
        #expect(sweeper.pending == 0)
        try await group.shutdownGracefully()
    }

    @Test func theTaskExecutorRunsItsJobsOnItsLoopAndATaskStartedOnItStaysThere() async throws {
        let loop = group.next()
        let executor = EventLoopTaskExecutor(eventLoop: loop)
        let onLoop = await withTaskExecutorPreference(executor) { () async -> Bool in
            // A nonisolated async function runs on the preferred executor, before and after a suspension.
            let before = loop.inEventLoop
            try? await Task.sleep(for: .milliseconds(1))
            // An unstructured task does not inherit the preference; started with it, it runs there too.
            let child = await Task(executorPreference: executor) { loop.inEventLoop }.value
            return before && loop.inEventLoop && child
        }
        #expect(onLoop)
        try await group.shutdownGracefully()
    }
}
