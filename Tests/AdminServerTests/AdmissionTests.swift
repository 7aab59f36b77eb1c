import AdminServer
import NIOCore
import PlenaryCore
import Testing

/// The door's rules without a socket: arrivals, authentications and departures in, decisions out.
@Suite("Admission")
struct AdmissionTests {
    typealias Door = Admission<Int>

    static let limits = Door.Limits(
        maxConnections: 20, maxUnauthenticated: 8, maxUnauthenticatedPerAddress: 3, reservedAdminConnections: 2,
        authTimeout: .seconds(10), authTimeoutUnderPressure: .seconds(2), pressurePercent: 50)

    static func admitted(_ arrival: Door.Arrival) -> Bool {
        if case .admitted = arrival { return true }
        return false
    }

    static func closing(_ arrival: Door.Arrival) -> Int? {
        if case .admitted(_, let closing) = arrival { return closing }
        return nil
    }

    @Test func admitsWithTheNormalDeadlineWhileQuiet() {
        var door = Door(limits: Self.limits)
        #expect(door.arrive(1, from: "10.0.0.1") == .admitted(authTimeout: .seconds(10), closing: nil))
        #expect(door.arrive(2, from: "10.0.0.2") == .admitted(authTimeout: .seconds(10), closing: nil))
        #expect(door.unauthenticatedCount == 2)
        #expect(door.addressCount == 2)
        #expect(!door.isUnderPressure)
        #expect(door.tally.admitted == 2)
        #expect(door.tally.refused == 0)
    }

    @Test func oneAddressGetsItsShareAndNoMore() {
        var door = Door(limits: Self.limits)
        for id in 1...3 { #expect(Self.admitted(door.arrive(id, from: "10.0.0.9"))) }
        #expect(door.arrive(4, from: "10.0.0.9") == .refused(.perAddress(limit: 3)))
        #expect(door.tally.refusedPerAddress == 1)
        // Another address is let in meanwhile; the first gets a slot again once one of its connections leaves.
        #expect(Self.admitted(door.arrive(5, from: "10.0.0.10")))
        door.leave(2)
        #expect(Self.admitted(door.arrive(6, from: "10.0.0.9")))
        // Authenticating frees the address's share too: the share counts connections that have not authenticated.
        #expect(door.arrive(7, from: "10.0.0.9") == .refused(.perAddress(limit: 3)))
        #expect(door.authenticate(1, admin: false) == nil)
        #expect(Self.admitted(door.arrive(8, from: "10.0.0.9")))
        #expect(door.busiest?.address == "10.0.0.9")
        #expect(door.busiest?.count == 3)
    }

    @Test func aFullDoorClosesTheBusiestAddresssOldestForANewcomerFromAQuietOne() {
        var door = Door(limits: Self.limits)
        // 3 + 3 + 2 = 8: full. Connection 4 is the oldest of 10.0.0.2, which holds as many as 10.0.0.1 but whose
        // oldest is younger than 1, so 1 goes first.
        for id in 1...3 { _ = door.arrive(id, from: "10.0.0.1") }
        for id in 4...6 { _ = door.arrive(id, from: "10.0.0.2") }
        for id in 7...8 { _ = door.arrive(id, from: "10.0.0.3") }
        #expect(door.unauthenticatedCount == 8)
        #expect(door.arrive(100, from: "192.168.1.1") == .admitted(authTimeout: .seconds(2), closing: 1))
        #expect(door.tally.closedOldest == 1)
        #expect(door.unauthenticatedCount == 8)
        // Now 10.0.0.2 holds the most (3): its oldest goes for the next quiet newcomer.
        #expect(Self.closing(door.arrive(101, from: "192.168.1.2")) == 4)
        // Those closed cannot authenticate any more: they are on their way out.
        #expect(door.authenticate(1, admin: true) == .closedForNewcomer(limit: 8))
        door.leave(1)
        #expect(door.unauthenticatedCount == 8)
    }

    @Test func aFullDoorRefusesANewcomerWhoseAddressHoldsAsManyAsAny() {
        var door = Door(limits: Self.limits)
        for id in 1...2 { _ = door.arrive(id, from: "a") }
        for id in 3...4 { _ = door.arrive(id, from: "b") }
        for id in 5...6 { _ = door.arrive(id, from: "c") }
        for id in 7...8 { _ = door.arrive(id, from: "d") }
        // Every address holds 2: a newcomer from one of them would leave it with 3 and another with 1 — no fairer,
        // so it is refused, and the shares cannot swing back and forth between attackers.
        #expect(door.arrive(9, from: "a") == .refused(.unauthenticatedFull(limit: 8)))
        #expect(door.tally.refusedUnauthenticated == 1)
        // A newcomer from a fifth address holds 0: it takes the oldest of a (the oldest of the busiest).
        #expect(Self.closing(door.arrive(10, from: "e")) == 1)
        // a now holds 1, e 1: a newcomer from a would make 2 against the busiest's 2: refused.
        #expect(door.arrive(11, from: "a") == .refused(.unauthenticatedFull(limit: 8)))
    }

    @Test func aQuietAddresssConnectionIsNeverTheOneClosed() {
        var door = Door(limits: Self.limits)
        var id = 0
        // Four attacking addresses fill the door and keep arriving; one secretariat connection arrives among them.
        // (With as many attacking addresses as the door has places, each holding one, there is no busier address
        // to take a place from: the budget must exceed the addresses an attacker has, as it does by default.)
        for round in 0..<50 {
            for attacker in 0..<4 {
                id += 1
                let arrival = door.arrive(id, from: "attacker-\(attacker)")
                #expect(Self.closing(arrival) != 0, "round \(round)")
                if case .refused = arrival { continue }
            }
            if round == 5 { #expect(Self.admitted(door.arrive(0, from: "secretariat"))) }
        }
        #expect(door.authenticate(0, admin: false) == nil, "the secretariat's connection kept its slot")
    }

    @Test func pressureShortensTheDeadlineOfThoseWhoArriveAndEndsWithIt() {
        var door = Door(limits: Self.limits)
        for id in 1...3 {
            #expect(door.arrive(id, from: "x\(id)") == .admitted(authTimeout: .seconds(10), closing: nil))
        }
        // The fourth makes 4 of 8: 50 %, pressure.
        #expect(door.arrive(4, from: "x4") == .admitted(authTimeout: .seconds(2), closing: nil))
        #expect(door.isUnderPressure)
        door.leave(4)
        door.leave(3)
        #expect(!door.isUnderPressure)
        #expect(door.arrive(5, from: "x5") == .admitted(authTimeout: .seconds(10), closing: nil))
        // A pressure deadline longer than the normal one is never used.
        var lax = Admission<Int>(
            limits: .init(
                maxConnections: 10, maxUnauthenticated: 2, maxUnauthenticatedPerAddress: 2, reservedAdminConnections: 3,
                authTimeout: .seconds(1), authTimeoutUnderPressure: .seconds(5), pressurePercent: 1))
        #expect(lax.arrive(1, from: "a") == .admitted(authTimeout: .seconds(1), closing: nil))
    }

    @Test func authenticatedRoomIsWhatTheTotalLeavesAndTheLastSlotsAreTheAdminsOwn() {
        // 20 in all, 8 for the door: 12 authenticated, the last 2 for admin tokens.
        var door = Door(limits: Self.limits)
        #expect(Self.limits.authenticatedRoom == 12)
        var id = 0
        func arriveAndAuthenticate(admin: Bool) -> Door.Refusal? {
            id += 1
            #expect(Self.admitted(door.arrive(id, from: "net-\(id)")))
            return door.authenticate(id, admin: admin)
        }
        for _ in 0..<10 { #expect(arriveAndAuthenticate(admin: false) == nil) }
        #expect(door.authenticatedCount == 10)
        #expect(arriveAndAuthenticate(admin: false) == .reservedForAdmins(room: 12, reserved: 2))
        #expect(door.unauthenticatedCount == 1, "refused, it still waits until it closes")
        door.leave(id)
        #expect(arriveAndAuthenticate(admin: true) == nil)
        #expect(arriveAndAuthenticate(admin: true) == nil)
        #expect(arriveAndAuthenticate(admin: true) == .noRoom(room: 12))
        #expect(door.tally.refusedRoom == 2)
        // The door stays open while the authenticated room is full: a connection can still arrive to try.
        #expect(Self.admitted(door.arrive(1000, from: "late")))
        // An authenticated connection that leaves frees its slot; one that authenticates again keeps its own.
        #expect(door.authenticate(1, admin: false) == nil)
        door.leave(1)
        door.leave(1)
        #expect(door.authenticatedCount == 11)
        #expect(door.authenticate(1000, admin: true) == nil)
        #expect(door.authenticatedCount == 12)
    }

    @Test func theReasonsNameTheirKeys() {
        #expect(Door.Refusal.perAddress(limit: 32).reason.contains("limits.max_unauthenticated_per_address"))
        #expect(Door.Refusal.unauthenticatedFull(limit: 256).reason.contains("(limits.max_unauthenticated)"))
        #expect(Door.Refusal.closedForNewcomer(limit: 256).reason.hasPrefix("closed to make room"))
        #expect(Door.Refusal.noRoom(room: 744).reason.contains("server.max_connections"))
        #expect(
            Door.Refusal.reservedForAdmins(room: 744, reserved: 3).reason
                == "no room for another authenticated connection: 741 are open, and the last 3 are held for admin "
                + "tokens (limits.reserved_admin_connections); retry later")
    }

    /// A long seeded walk of arrivals, authentications and departures from a few addresses: after every step the
    /// door's counts hold, whatever the order.
    @Test(arguments: [1, 7, 42, 2026])
    func theLimitsHoldThroughAnyOrderOfEvents(seed: UInt64) {
        var random = seed
        func next(_ bound: Int) -> Int {
            random = random &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((random >> 33) % UInt64(bound))
        }
        var door = Door(limits: Self.limits)
        var waiting: [Int: String] = [:]
        var authenticated: Set<Int> = []
        var nextID = 0
        for _ in 0..<20_000 {
            switch next(10) {
            case 0..<5:
                nextID += 1
                let address = "a\(next(6))"
                switch door.arrive(nextID, from: address) {
                case .admitted(_, let closing):
                    waiting[nextID] = address
                    if let closing {
                        #expect(waiting.removeValue(forKey: closing) != nil, "only a waiting connection is closed")
                        #expect(!authenticated.contains(closing))
                    }
                case .refused(let refusal):
                    switch refusal {
                    case .perAddress: #expect(waiting.values.filter { $0 == address }.count >= 3)
                    case .unauthenticatedFull: #expect(waiting.count == 8)
                    default: Issue.record("arrival refused with \(refusal)")
                    }
                }
            case 5..<7:
                let candidates = waiting.keys.sorted()
                guard !candidates.isEmpty else { continue }
                let id = candidates[next(candidates.count)]
                if door.authenticate(id, admin: next(4) == 0) == nil {
                    waiting[id] = nil
                    authenticated.insert(id)
                }
            default:
                let all = (Array(waiting.keys) + Array(authenticated)).sorted()
                guard !all.isEmpty else { continue }
                let id = all[next(all.count)]
                door.leave(id)
                waiting[id] = nil
                authenticated.remove(id)
            }
            #expect(door.unauthenticatedCount == waiting.count)
            #expect(door.authenticatedCount == authenticated.count)
            #expect(waiting.count <= 8)
            #expect(authenticated.count <= 12)
            #expect(Dictionary(grouping: waiting.values) { $0 }.values.allSatisfy { $0.count <= 3 })
        }
        #expect(door.tally.admitted > 0 && door.tally.refused > 0 && door.tally.closedOldest > 0)
    }

    @Test func sourceAddressesAreIPv4AddressesAndIPv6Slash64s() throws {
        #expect(SourceAddress.key(try SocketAddress(ipAddress: "127.0.0.2", port: 5000)) == "127.0.0.2")
        #expect(
            SourceAddress.key(try SocketAddress(ipAddress: "2001:db8:1:2:aaaa::1", port: 1))
                == SourceAddress.key(try SocketAddress(ipAddress: "2001:db8:1:2:bbbb::9", port: 2)))
        #expect(SourceAddress.key(try SocketAddress(ipAddress: "2001:db8:1:2::1", port: 1)) == "2001:db8:1:2::/64")
        #expect(SourceAddress.key(try SocketAddress(ipAddress: "2001:db8:1:3::1", port: 1)) == "2001:db8:1:3::/64")
        #expect(SourceAddress.key(try SocketAddress(ipAddress: "::ffff:10.1.2.3", port: 1)) == "10.1.2.3")
        #expect(SourceAddress.key(try SocketAddress(unixDomainSocketPath: "/tmp/x.sock")) == "unix")
        #expect(SourceAddress.key(nil) == "unix")
    }

    @Test func theDescriptorLimitMustHoldMaxConnections() {
        #expect(DescriptorLimit.connectionsAllowed(descriptors: 1_024, poolSize: 8) == 952)
        #expect(throws: Never.self) {
            try DescriptorLimit.check(maxConnections: 952, descriptors: 1_024, poolSize: 8)
        }
        do {
            try DescriptorLimit.check(maxConnections: 1_000, descriptors: 1_024, poolSize: 8)
            Issue.record("1000 connections on 1024 descriptors were accepted")
        } catch {
            #expect(error.message.hasPrefix("server.max_connections (PLENARY_SERVER_MAX_CONNECTIONS): 1000 "))
            #expect(error.message.contains("(RLIMIT_NOFILE) is 1024"))
            #expect(error.message.contains("room for 952 connections"))
        }
    }
}
