import Foundation
import Synchronization

/// The live figures of a serving process, kept by the server and reported by `status`: how long it has served,
/// where it listens, how many connections it holds, and how many its limits turned away. In-process (the CLI)
/// nothing serves, and `status` says so.
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
        /// Of those, the ones not authenticated yet, as the door counts them.
        public var unauthenticated: Int
        /// Connections accepted since start.
        public var accepted: Int
        /// Connections refused or closed since start because a limit was reached: the sum of the figures below.
        public var refused: Int
        /// Refused because their source address held its share of unauthenticated connections.
        public var refusedPerAddress: Int
        /// Refused because the unauthenticated budget was full.
        public var refusedUnauthenticated: Int
        /// Unauthenticated connections closed to make room for a newcomer from a quieter address.
        public var closedOldest: Int
        /// `auth` refused because no authenticated slot was left (or only the admins' reserve).
        public var refusedRoom: Int
        /// `auth` refused because the token held its limit of connections.
        public var refusedPerToken: Int
        /// Whether new connections get the shorter authentication deadline now.
        public var underPressure: Bool
    }

    /// The door's figures, as ``AdminServer`` reports them.
    public struct Door: Sendable, Equatable {
        /// Connections open and not authenticated yet.
        public var unauthenticated = 0
        /// Refused: per-address share.
        public var refusedPerAddress = 0
        /// Refused: unauthenticated budget full.
        public var refusedUnauthenticated = 0
        /// Closed for a newcomer.
        public var closedOldest = 0
        /// `auth` refused for want of room.
        public var refusedRoom = 0
        /// Under pressure.
        public var underPressure = false

        /// Creates the figures.
        public init(
            unauthenticated: Int = 0, refusedPerAddress: Int = 0, refusedUnauthenticated: Int = 0,
            closedOldest: Int = 0, refusedRoom: Int = 0, underPressure: Bool = false
        ) {
            self.unauthenticated = unauthenticated
            self.refusedPerAddress = refusedPerAddress
            self.refusedUnauthenticated = refusedUnauthenticated
            self.closedOldest = closedOldest
            self.refusedRoom = refusedRoom
            self.underPressure = underPressure
        }
    }

    private struct State {
        var started: ContinuousClock.Instant?
        var listeners: [String] = []
        var connections = 0
        var authenticated = 0
        var accepted = 0
        var refusedPerToken = 0
        var door = Door()
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

    /// Records a change in the counts: connections opened (+1) or closed (-1), authenticated or not, and `auth`s
    /// refused because the token held its limit.
    public func connections(opened: Int = 0, authenticated: Int = 0, refused: Int = 0) {
        state.withLock {
            $0.connections += opened
            if opened > 0 { $0.accepted += opened }
            $0.authenticated += authenticated
            $0.refusedPerToken += refused
        }
    }

    /// Records the door's figures now.
    public func door(_ door: Door) {
        state.withLock { $0.door = door }
    }

    /// The figures now.
    public var reading: Reading {
        state.withLock { state in
            let door = state.door
            return Reading(
                serving: state.started != nil,
                uptimeSeconds: state.started.map { Int((ContinuousClock.now - $0).components.seconds) } ?? 0,
                listeners: state.listeners, connections: state.connections, authenticated: state.authenticated,
                unauthenticated: door.unauthenticated, accepted: state.accepted,
                refused: door.refusedPerAddress + door.refusedUnauthenticated + door.closedOldest + door.refusedRoom
                    + state.refusedPerToken,
                refusedPerAddress: door.refusedPerAddress, refusedUnauthenticated: door.refusedUnauthenticated,
                closedOldest: door.closedOldest, refusedRoom: door.refusedRoom, refusedPerToken: state.refusedPerToken,
                underPressure: door.underPressure)
        }
    }
}
