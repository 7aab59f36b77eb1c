import Foundation
import PlenaryTestSupport
import Postgres
import Testing

@Suite("LISTEN on a dedicated connection")
struct NotificationListenerTests {
    @Test func notificationsArriveAsAnAsyncSequenceAndSurviveABackendKill() async throws {
        let conninfo = try TestCluster.makeDatabase(migrated: false)
        let listener = NotificationListener(conninfo: conninfo, channels: ["plenary_test"])
        let stream = listener.notifications()
        defer { listener.stop() }
        let sender = try Connection(conninfo: conninfo)
        var iterator = stream.makeAsyncIterator()

        // The listener connects on its own thread; send until the first one is seen.
        let first = Task {
            for attempt in 0..<100 {
                try sender.notify("plenary_test", payload: "hello \(attempt)")
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        let received = try #require(await iterator.next())
        first.cancel()
        #expect(received?.payload.hasPrefix("hello") == true)

        // Kill the listener's backend: it must reconnect, report the gap (nil), and receive again.
        try sender.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                + " WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"
        )
        let again = Task {
            for attempt in 0..<100 {
                try sender.notify("plenary_test", payload: "again \(attempt)")
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        defer { again.cancel() }
        var sawGap = false
        var sawAgain = false
        while let next = await iterator.next() {
            guard let notification = next else {
                sawGap = true
                continue
            }
            if notification.payload.hasPrefix("again"), sawGap {
                sawAgain = true
                break
            }
        }
        #expect(sawGap)
        #expect(sawAgain)
    }
}
