/// Who gets through the door, decided without sockets: the budget of connections that have not authenticated yet,
/// the share of it one source address may hold, what happens when it is full, the authentication deadline under
/// pressure, and the room kept for authenticated connections (with the last few slots held for admin tokens).
/// ``AdminServer`` asks it as each connection arrives, authenticates and leaves, and performs what it answers; the
/// tests drive it the same way with no network at all.
///
/// The counts: authenticated connections may number `maxConnections - maxUnauthenticated`, so connections that
/// have not authenticated can never take the room of those that have, and a connection can always be accepted to
/// learn its token while the unauthenticated budget has room.
///
/// When the unauthenticated budget is full, a newcomer closes the oldest unauthenticated connection of the address
/// that holds the most — if that address would still hold more than the newcomer's after the swap; otherwise the
/// newcomer is refused. Random early drop (OpenSSH's `MaxStartups`) protects the server but not the people: once an
/// attacker keeps the budget full, a secretariat client is refused as often as the attacker is. Closing the
/// busiest address's oldest connection instead keeps a quiet address's newcomer in: it is never the busiest, so
/// it keeps its slot until it authenticates. Spreading the attack over more addresses only evens the shares out.
public struct Admission<Connection: Hashable & Sendable>: Sendable {
    /// The limits the door keeps.
    public struct Limits: Sendable, Equatable {
        /// Connections open at once, of every kind (`server.max_connections`).
        public var maxConnections: Int
        /// Of those, the most that have not authenticated yet (`limits.max_unauthenticated`).
        public var maxUnauthenticated: Int
        /// Unauthenticated connections one source address (an IPv6 /64) may hold
        /// (`limits.max_unauthenticated_per_address`).
        public var maxUnauthenticatedPerAddress: Int
        /// Authenticated slots only admin tokens may take (`limits.reserved_admin_connections`).
        public var reservedAdminConnections: Int
        /// Time to authenticate when the server is quiet (`limits.auth_timeout_s`).
        public var authTimeout: Duration
        /// Time to authenticate for a connection that arrives under pressure
        /// (`limits.auth_timeout_under_pressure_s`).
        public var authTimeoutUnderPressure: Duration
        /// How full the unauthenticated budget is, in percent, when pressure begins
        /// (`limits.unauthenticated_pressure_percent`).
        public var pressurePercent: Int

        /// Creates limits. No defaults: the server builds them from its ``AdminServer/Configuration``, which
        /// states each default once.
        public init(
            maxConnections: Int, maxUnauthenticated: Int, maxUnauthenticatedPerAddress: Int,
            reservedAdminConnections: Int, authTimeout: Duration, authTimeoutUnderPressure: Duration,
            pressurePercent: Int
        ) {
            self.maxConnections = maxConnections
            self.maxUnauthenticated = maxUnauthenticated
            self.maxUnauthenticatedPerAddress = maxUnauthenticatedPerAddress
            self.reservedAdminConnections = reservedAdminConnections
            self.authTimeout = authTimeout
            self.authTimeoutUnderPressure = authTimeoutUnderPressure
            self.pressurePercent = pressurePercent
        }

        /// Authenticated connections allowed at once: what the total leaves after the unauthenticated budget.
        public var authenticatedRoom: Int { max(0, maxConnections - maxUnauthenticated) }
    }

    /// Why a connection is turned away or closed; ``reason`` is what follows `421 CLOSING`.
    public enum Refusal: Sendable, Equatable {
        /// Its address holds its share of the unauthenticated budget already.
        case perAddress(limit: Int)
        /// The unauthenticated budget is full and its address holds as many of them as any.
        case unauthenticatedFull(limit: Int)
        /// It was the oldest unauthenticated connection of the busiest address, closed for a newcomer.
        case closedForNewcomer(limit: Int)
        /// At `auth`: every authenticated slot is taken.
        case noRoom(room: Int)
        /// At `auth` with a token that is not an admin's: the slots left are held for admin tokens.
        case reservedForAdmins(room: Int, reserved: Int)

        /// The text of the `421 CLOSING` line.
        public var reason: String {
            switch self {
            case .perAddress(let limit):
                "too many unauthenticated connections from your address: \(limit), the limit "
                    + "(limits.max_unauthenticated_per_address); authenticate or close one, then retry"
            case .unauthenticatedFull(let limit):
                "too many unauthenticated connections: \(limit), the limit (limits.max_unauthenticated), and your "
                    + "address holds as many as any; retry shortly"
            case .closedForNewcomer(let limit):
                "closed to make room: unauthenticated connections are at their limit (limits.max_unauthenticated, "
                    + "\(limit)) and your address holds the most; authenticate sooner"
            case .noRoom(let room):
                "no room for another authenticated connection: \(room) are open, all that server.max_connections "
                    + "leaves after limits.max_unauthenticated; retry later"
            case .reservedForAdmins(let room, let reserved):
                "no room for another authenticated connection: \(room - reserved) are open, and the last "
                    + "\(reserved) are held for admin tokens (limits.reserved_admin_connections); retry later"
            }
        }
    }

    /// What an arriving connection is told.
    public enum Arrival: Sendable, Equatable {
        /// Served, with this long to authenticate; `closing` is the connection closed to make room for it, if any.
        case admitted(authTimeout: Duration, closing: Connection?)
        /// Answered `421 CLOSING reason` and closed.
        case refused(Refusal)
    }

    /// Everything turned away or closed since start, by rule.
    public struct Tally: Sendable, Equatable {
        /// Connections admitted.
        public var admitted = 0
        /// Refused: their address held its share.
        public var refusedPerAddress = 0
        /// Refused: the unauthenticated budget was full.
        public var refusedUnauthenticated = 0
        /// Closed to make room for a newcomer from a quieter address.
        public var closedOldest = 0
        /// `auth` refused: no authenticated room (or only the admins' reserve).
        public var refusedRoom = 0

        /// Every connection refused or closed by the door.
        public var refused: Int { refusedPerAddress + refusedUnauthenticated + closedOldest + refusedRoom }

        /// Creates an empty tally.
        public init() {}
    }

    /// The limits.
    public let limits: Limits
    /// The counts so far.
    public private(set) var tally = Tally()
    /// Unauthenticated connections: where from, and in which order they arrived.
    private var waiting: [Connection: (address: String, order: UInt64)] = [:]
    /// Unauthenticated connections by source address, oldest first.
    private var byAddress: [String: [Connection]] = [:]
    /// Authenticated connections.
    private var authenticated: Set<Connection> = []
    private var nextOrder: UInt64 = 0

    /// A door with nobody through it.
    public init(limits: Limits) {
        self.limits = limits
    }

    /// Connections open that have not authenticated.
    public var unauthenticatedCount: Int { waiting.count }
    /// Connections open that have authenticated.
    public var authenticatedCount: Int { authenticated.count }
    /// Source addresses holding unauthenticated connections.
    public var addressCount: Int { byAddress.count }
    /// The address holding the most unauthenticated connections, and how many, if any.
    public var busiest: (address: String, count: Int)? {
        byAddress.max { $0.value.count < $1.value.count }.map { ($0.key, $0.value.count) }
    }

    /// Whether the unauthenticated budget is full enough for the shorter authentication deadline.
    public var isUnderPressure: Bool { waiting.count * 100 >= limits.maxUnauthenticated * limits.pressurePercent }

    /// A connection arrived from `address` (see ``sourceKey(_:)`` for what an address is).
    public mutating func arrive(_ connection: Connection, from address: String) -> Arrival {
        let held = byAddress[address]?.count ?? 0
        if held >= limits.maxUnauthenticatedPerAddress {
            tally.refusedPerAddress += 1
            return .refused(.perAddress(limit: limits.maxUnauthenticatedPerAddress))
        }
        var closing: Connection?
        if waiting.count >= limits.maxUnauthenticated {
            guard let victim = oldestOfBusiest(), byAddress[victim.address, default: []].count > held + 1 else {
                tally.refusedUnauthenticated += 1
                return .refused(.unauthenticatedFull(limit: limits.maxUnauthenticated))
            }
            remove(victim.connection)
            tally.closedOldest += 1
            closing = victim.connection
        }
        waiting[connection] = (address, nextOrder)
        nextOrder += 1
        byAddress[address, default: []].append(connection)
        tally.admitted += 1
        return .admitted(
            authTimeout: isUnderPressure
                ? min(limits.authTimeoutUnderPressure, limits.authTimeout) : limits.authTimeout,
            closing: closing)
    }

    /// `connection` presents a valid token (an admin's or not). Nil when it may hold an authenticated slot — it now
    /// does — or the refusal to answer it with. A connection already authenticated keeps its slot.
    public mutating func authenticate(_ connection: Connection, admin: Bool) -> Refusal? {
        if authenticated.contains(connection) { return nil }
        guard waiting[connection] != nil else {
            // Closed to make room while its `auth` ran: it is on its way out, not in.
            return .closedForNewcomer(limit: limits.maxUnauthenticated)
        }
        let room = limits.authenticatedRoom
        let allowed = admin ? room : room - limits.reservedAdminConnections
        guard authenticated.count < allowed else {
            tally.refusedRoom += 1
            if admin || authenticated.count >= room { return .noRoom(room: room) }
            return .reservedForAdmins(room: room, reserved: limits.reservedAdminConnections)
        }
        remove(connection)
        authenticated.insert(connection)
        return nil
    }

    /// `connection` closed. Idempotent; a connection closed to make room has left already.
    public mutating func leave(_ connection: Connection) {
        remove(connection)
        authenticated.remove(connection)
    }

    /// The oldest unauthenticated connection of the address holding the most; between addresses holding as many,
    /// the one whose oldest is oldest.
    private func oldestOfBusiest() -> (connection: Connection, address: String)? {
        var best: (connection: Connection, address: String, count: Int, order: UInt64)?
        for (address, connections) in byAddress {
            guard let first = connections.first, let order = waiting[first]?.order else { continue }
            if let current = best,
                connections.count < current.count
                    || (connections.count == current.count && order > current.order)
            {
                continue
            }
            best = (first, address, connections.count, order)
        }
        return best.map { ($0.connection, $0.address) }
    }

    private mutating func remove(_ connection: Connection) {
        guard let (address, _) = waiting.removeValue(forKey: connection) else { return }
        byAddress[address]?.removeAll { $0 == connection }
        if byAddress[address]?.isEmpty == true { byAddress[address] = nil }
    }
}
