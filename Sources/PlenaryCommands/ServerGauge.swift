import Foundation
import Synchronization

/// The live figures of a serving process, kept by the server and reported by `status`: how long it has served,
/// where it listens, and how many connections it holds. In-process (the CLI) nothing serves, and `status` says so.
public final class ServerGauge: Sendable {
    /// One reading of the gauge.
    public struct Reading: Sendable, Equatable {
        /// Whether a server is running in this process.
        public var serving: Bool
        /// Seconds since the server started listening.
        public var uptimeSeconds: Int
        /// Where it listens (`127.0.0.1:7411`, `unix:/run/plenary.sock`), TLS marked `tls:`.
        public var listeners: [String]
        /// Connections open now.
        public var connections: Int
        /// Of those, the authenticated ones.
        public var authenticated: Int
        /// Connections accepted since start.
        public var accepted: Int
        /// Connections refused since start because a limit was reached (in total or per token).
        public var refused: Int
    }

    private struct State {
        var started: ContinuousClock.Instant?
        var listeners: [String] = []
        var connections = 0
        var authenticated = 0
        var accepted = 0
        var refused = 0
    }

    private let state = Mutex(State())

    /// A gauge with nothing serving.
    public init() {}

    /// The server listens on `listeners`.
    public func started(listeners: [String]) {
        state.withLock {
            $0.started = .now
            $0.listeners = listeners
        }
    }

    /// Records a change in the counts: connections opened (+1) or closed (-1), authenticated or not.
    public func connections(opened: Int = 0, authenticated: Int = 0, refused: Int = 0) {
        state.withLock {
            $0.connections += opened
            if opened > 0 { $0.accepted += opened }
            $0.authenticated += authenticated
            $0.refused += refused
        }
    }

    /// The figures now.
    public var reading: Reading {
        state.withLock { state in
            Reading(
                serving: state.started != nil,
                uptimeSeconds: state.started.map { Int((ContinuousClock.now - $0).components.seconds) } ?? 0,
                listeners: state.listeners, connections: state.connections, authenticated: state.authenticated,
                accepted: state.accepted, refused: state.refused)
        }
    }
}
