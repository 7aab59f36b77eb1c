import Foundation
import Logging
import Synchronization

/// LISTEN on a connection of its own, on a thread of its own, delivering notifications as an async sequence.
///
/// A pooled connection cannot listen: notifications arrive only while the connection is read, and a pooled one is
/// idle between leases. When the connection breaks (server restart) the listener reconnects and listens again,
/// yielding a `nil` marker so consumers know they may have missed notifications and should catch up from the table.
public final class NotificationListener: Sendable {
    private let conninfo: String
    private let channels: [String]
    private let logger: Logger
    private let stopped = Atomic<Bool>(false)
    /// Whether the thread runs, and who waits for it to have closed its connection.
    private let life = Mutex<(running: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// Creates a listener for the channels; nothing happens until `notifications()` is iterated.
    public init(conninfo: String, channels: [String], logger: Logger = Logger(label: "plenary.listen")) {
        self.conninfo = conninfo
        self.channels = channels
        self.logger = logger
    }

    /// Starts listening and returns the stream: each element is a notification, or nil after a reconnect (a gap).
    /// The stream ends when `stop()` is called.
    public func notifications() -> AsyncStream<Notification?> {
        let (stream, continuation) = AsyncStream<Notification?>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        life.withLock { $0.running = true }
        let thread = Thread { [self] in
            run(continuation)
            let waiters = life.withLock { life in
                life.running = false
                defer { life.waiters = [] }
                return life.waiters
            }
            for waiter in waiters { waiter.resume() }
        }
        thread.name = "plenary-listen"
        thread.start()
        return stream
    }

    /// Stops listening; the stream finishes within about half a second.
    public func stop() { stopped.store(true, ordering: .relaxed) }

    /// Returns once the listening thread has ended and closed its connection (at once if it never started): what a
    /// shutdown awaits after ``stop()``, so the server sees the connection end before the process does.
    public func closed() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let wait = life.withLock { life -> Bool in
                guard life.running else { return false }
                life.waiters.append(waiter)
                return true
            }
            if !wait { waiter.resume() }
        }
    }

    private func run(_ continuation: AsyncStream<Notification?>.Continuation) {
        var connection: Connection?
        var backoff = 0.1
        var first = true
        while !stopped.load(ordering: .relaxed) {
            if connection == nil {
                do {
                    let fresh = try Connection(conninfo: conninfo, defaults: ["connect_timeout": "5"])
                    for channel in channels { try fresh.listen(channel) }
                    connection = fresh
                    backoff = 0.1
                    if !first { continuation.yield(nil) }
                    first = false
                } catch {
                    logger.warning("listener cannot connect", metadata: ["error": "\(error)"])
                    Thread.sleep(forTimeInterval: backoff)
                    backoff = min(backoff * 2, 5)
                    continue
                }
            }
            do {
                for notification in try connection!.waitForNotifications(timeout: 0.5) {
                    continuation.yield(notification)
                }
                if !connection!.isHealthy { connection = nil }
            } catch {
                logger.notice("listener connection lost; reconnecting", metadata: ["error": "\(error)"])
                connection = nil
            }
        }
        connection = nil  // PQfinish now, before anyone is told the listener has ended.
        continuation.finish()
    }
}
