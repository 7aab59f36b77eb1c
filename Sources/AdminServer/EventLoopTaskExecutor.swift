import NIOCore

/// A task executor over one event loop: a connection's request loop runs under it (`withTaskExecutorPreference`),
/// so its code — reading a frame, parsing and resolving the line, running the handler up to its wait for
/// PostgreSQL, writing the reply — runs on the thread that reads and writes the connection's socket, not on
/// Swift's global pool with a hand-off each way. Only the wait for the database leaves the loop: the pool's thread
/// runs libpq, and the answer comes back here.
///
/// NIO 2.101 offers event loops as serial executors only (for actors), which does not reach the nonisolated async
/// code a request runs through (NIO's own async channel included), so this adapts one the way a task executor is
/// meant to: each job runs on the loop.
final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop jobs run on.
    let eventLoop: any EventLoop

    /// An executor running its jobs on `eventLoop`.
    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { [self] in job.runSynchronously(on: asUnownedTaskExecutor()) }
    }
}
