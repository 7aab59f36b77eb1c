import Synchronization

/// Decides, once, between a transaction's COMMIT and its caller giving up on it.
///
/// A caller that stops waiting for a transaction (a command timeout) may tell its client "nothing was done" only if
/// nothing will be: the transaction must not commit afterwards. ``ConnectionPool/withTransaction(_:)`` asks the
/// gate of the calling task (``current``) before it sends COMMIT; once the caller has abandoned it, the transaction
/// rolls back instead. Once a COMMIT has been sent the caller cannot abandon: the outcome is on its way, and the
/// caller must wait for it.
public final class CommitGate: Sendable {
    private enum State {
        case open
        case committing
        case abandoned
    }

    private let state = Mutex(State.open)

    /// The gate of the current task's transactions, if its caller set one.
    @TaskLocal public static var current: CommitGate?

    /// A gate through which any number of transactions may commit until it is abandoned.
    public init() {}

    /// The caller gives up: true when no transaction under this gate has begun to commit (and none will), false
    /// when one has, so its outcome must be awaited.
    public func abandon() -> Bool {
        state.withLock { state in
            switch state {
            case .open, .abandoned:
                state = .abandoned
                return true
            case .committing:
                return false
            }
        }
    }

    /// A transaction is about to send COMMIT: false when the caller has abandoned it (roll back instead).
    func beginCommit() -> Bool {
        state.withLock { state in
            switch state {
            case .abandoned: return false
            case .open, .committing:
                state = .committing
                return true
            }
        }
    }
}
