import PlenaryCore
import Synchronization

/// The server connection a `watch` command runs on: where the command's handler leaves its subscription for the
/// connection to stream.
///
/// The handler knows the database and the feed; the connection knows the socket. The server binds a target to
/// ``current`` while `watch` runs, the handler subscribes and calls ``attach(_:)``, and the server takes the
/// subscription once the reply is written, so no event can precede the reply that started the stream. In-process
/// (the CLI) there is no target and the handler says so.
public final class WatchTarget: Sendable {
    /// The target of the command running on this task, if it runs on a server connection.
    @TaskLocal public static var current: WatchTarget?

    /// Runs, with the reason, when the subscription is dropped for not reading its events; the server closes the
    /// connection.
    public let onDropped: @Sendable (PlenaryError) -> Void
    private let attached = Mutex<ChangeSubscription?>(nil)

    /// Creates a target whose subscription, if dropped, calls `onDropped`.
    public init(onDropped: @escaping @Sendable (PlenaryError) -> Void) {
        self.onDropped = onDropped
    }

    /// Hands the connection a subscription; a second call replaces (and cancels) the first.
    public func attach(_ subscription: ChangeSubscription) {
        let previous = attached.withLock { slot in
            defer { slot = subscription }
            return slot
        }
        previous?.cancel()
    }

    /// The attached subscription, once; nil when the handler attached none.
    public func takeSubscription() -> ChangeSubscription? {
        attached.withLock { slot in
            defer { slot = nil }
            return slot
        }
    }
}
