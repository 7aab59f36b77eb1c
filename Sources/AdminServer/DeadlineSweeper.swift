import NIOConcurrencyHelpers
import NIOCore

/// The command deadlines of the connections on one event loop, checked by one repeating tick on that loop.
///
/// A task scheduled on the event loop per command, and cancelled again from off the loop when the command answered
/// in time (nearly always), cost each request a wake-up of the loop and its share of the thread hand-offs a request
/// paid for (issue 13). Registering a deadline here is a lock and a dictionary insert; the loop wakes once per
/// ``resolution`` while any deadline is registered, and not at all while none is. A deadline is noticed at most
/// one resolution late.
final class DeadlineSweeper: Sendable {
    /// How late a deadline may be noticed.
    static let resolution: TimeAmount = .milliseconds(20)

    /// A registered deadline, for ``cancel(_:)``.
    struct Registration: Sendable, Hashable {
        fileprivate let id: UInt64
    }

    private struct Entry {
        var deadline: NIODeadline
        var expire: @Sendable () -> Void
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var nextID: UInt64 = 0
        var ticking = false
    }

    /// The loop the tick runs on.
    let eventLoop: any EventLoop
    /// The task executor over the same loop, which the loop's connections run their requests on.
    let taskExecutor: EventLoopTaskExecutor
    private let state = NIOLockedValueBox(State())

    /// A sweeper ticking on `eventLoop`.
    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        self.taskExecutor = EventLoopTaskExecutor(eventLoop: eventLoop)
    }

    /// Calls `expire` on the event loop once `delay` has passed, unless ``cancel(_:)`` comes first.
    func register(after delay: TimeAmount, _ expire: @escaping @Sendable () -> Void) -> Registration {
        let deadline = NIODeadline.now() + delay
        let (id, start) = state.withLockedValue { state -> (UInt64, Bool) in
            state.nextID += 1
            state.entries[state.nextID] = Entry(deadline: deadline, expire: expire)
            defer { state.ticking = true }
            return (state.nextID, !state.ticking)
        }
        if start { scheduleTick() }
        return Registration(id: id)
    }

    /// Forgets a deadline; true when it had not expired yet (its `expire` will never be called).
    @discardableResult
    func cancel(_ registration: Registration) -> Bool {
        state.withLockedValue { $0.entries.removeValue(forKey: registration.id) != nil }
    }

    /// Deadlines registered and not yet expired or cancelled.
    var pending: Int { state.withLockedValue { $0.entries.count } }

    /// Whether the tick is running (it stops once nothing is registered).
    var isTicking: Bool { state.withLockedValue { $0.ticking } }

    private func scheduleTick() {
        eventLoop.scheduleTask(in: Self.resolution) { [self] in tick() }
    }

    private func tick() {
        let now = NIODeadline.now()
        let (expired, again) = state.withLockedValue { state -> ([@Sendable () -> Void], Bool) in
            var expired: [@Sendable () -> Void] = []
            if state.entries.values.contains(where: { $0.deadline <= now }) {
                for (id, entry) in state.entries where entry.deadline <= now {
                    state.entries[id] = nil
                    expired.append(entry.expire)
                }
            }
            state.ticking = !state.entries.isEmpty
            return (expired, state.ticking)
        }
        if again { scheduleTick() }
        for expire in expired { expire() }
    }
}
