import Foundation
import PlenaryTestSupport
import Testing

/// Issue 9, item 5: slow clients. (The greedy client — pipelining without reading — is ProtocolTests'
/// `aPipeliningClientThatDoesNotReadIsThrottledNotBuffered` and `repliesToAClientThatDoesNotReadWaitInTheSocket…`.)
@Suite("Slow clients")
struct SlowClientTests {
    @Test func fiveHundredTricklingConnectionsAreClosedAtTheAuthTimeoutWhileOthersAreServed() throws {
        let database = try TestCluster.makeDatabase()
        let authTimeout = 2
        // Every trickling connection comes from 127.0.0.1 and must be let in to be timed out, so the door's
        // per-address share and budget are opened wide here (DoorTests tries them).
        let server = try ServerProcess(
            databaseURL: database,
            environment: [
                "PLENARY_LIMITS_AUTH_TIMEOUT_S": "\(authTimeout)", "PLENARY_SERVER_MAX_CONNECTIONS": "2500",
                "PLENARY_LIMITS_MAX_UNAUTHENTICATED": "1200", "PLENARY_LIMITS_MAX_UNAUTHENTICATED_PER_ADDRESS": "1200",
            ])
        defer { server.stop() }
        let token = try #require(server.bootstrapToken)
        let served = try ProtocolClient.authenticated(port: server.port, token: token)
        #expect(served.last("ping") == "200 OK pong=true")
        let before = try #require(server.peakKiB)

        let count = setting("PLENARY_RELIABILITY_SLOW_CLIENTS", 500)
        let opened = ContinuousClock.now
        let slow = try (0..<count).map { _ in try ProtocolClient(port: server.port, timeout: 60) }
        #expect(slow.allSatisfy { $0.readLine()?.hasPrefix("220 ") == true }, "every slow connection was greeted")

        // One byte a second on every connection, never a whole line, until the server has closed them all.
        let trickle = Thread {
            for _ in 0..<(authTimeout * 10) {
                var open = 0
                for client in slow where client.send(bytes: [UInt8(ascii: "a")]) { open += 1 }
                if open == 0 { return }
                Thread.sleep(forTimeInterval: 1)
            }
        }
        trickle.start()

        // Meanwhile a client that authenticated is served as usual: correct replies, its latency measured.
        var latencies: [Double] = []
        var correct = 0
        var index = 0
        // Through the whole time the slow connections are open, and a little beyond.
        while index < 40 || ContinuousClock.now - opened < .seconds(authTimeout + 1) {
            defer { index += 1 }
            let started = ContinuousClock.now
            let added = served.last("body add code=SERVED.\(index) name=\"Served \(index)\"")
            let read = served.command("body get SERVED.\(index)")
            latencies.append((ContinuousClock.now - started).seconds * 1000)
            if added == "201 OK body=SERVED.\(index)", read.first?.hasPrefix("200-body code=SERVED.\(index) ") == true {
                correct += 1
            }
        }
        #expect(correct == index, "the authenticated client got every reply right")

        var closedWithReason = 0
        for client in slow {
            if client.readLine() == "421 CLOSING authentication timed out", client.readLine() == nil {
                closedWithReason += 1
            }
        }
        let closedAfter = ContinuousClock.now - opened
        #expect(closedWithReason == count, "every trickling connection was told and closed")
        let peak = try #require(server.peakKiB)
        // A bound, not a measurement: 500 idle connections cost buffers, not a megabyte each.
        #expect(peak - before < 64 * 1024, "peak grew by \(peak - before) KiB")
        #expect(served.last("ping") == "200 OK pong=true", "and is still served")
        let sorted = latencies.sorted()
        print(
            "reliability: slow clients: \(count) connections trickling 1 byte/s, auth timeout \(authTimeout) s: "
                + "\(closedWithReason) closed with 421 within \(closedAfter.components.seconds) s; a served client's "
                + "add+get took median \(Int(sorted[sorted.count / 2])) ms, max \(Int(sorted.last ?? 0)) ms, "
                + "\(correct)/\(index) correct; server peak memory +\((peak - before) / 1024) MiB")
    }
}
