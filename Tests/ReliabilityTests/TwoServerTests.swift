import Foundation
import PlenaryTestSupport
import Postgres
import Testing

/// Issue 9, item 9: two `plenary serve` processes on one database, clients spread over both. Plenary keeps no state
/// of its own between requests — numbering, locks and the change feed all live in PostgreSQL — so the guarantees
/// of one server hold across two.
@Suite("Two servers, one database")
struct TwoServerTests {
    @Test func allocationsAndAdoptionsStayGaplessAndEachWatcherSeesTheOtherServersChanges() throws {
        let database = try TestCluster.makeDatabase()
        let first = try ServerProcess(databaseURL: database)
        defer { first.stop() }
        let token = try #require(first.bootstrapToken)
        let second = try ServerProcess(databaseURL: database)
        defer { second.stop() }
        #expect(second.bootstrapToken == nil, "a token existed, so the second server made none")
        let servers = [first, second]

        let setup = try ProtocolClient.authenticated(port: first.port, token: token)
        for line in [
            #"body add code=CTOC/COP name="Conference of the Parties" timezone=Europe/Vienna"#,
            "session schedule body=CTOC/COP number=4 start=2008-10-08 end=2008-10-17 venue=Vienna",
            "session open body=CTOC/COP number=4", "session close body=CTOC/COP number=4",
        ] {
            #expect(setup.last(line).hasPrefix("20"), "\(line)")
        }
        let clients = 8
        let each = setting("PLENARY_RELIABILITY_TWO_SERVER_ROUNDS", 10)
        var drafts: [Int] = []
        for index in 0..<(clients * each) {
            let reply = setup.last("decision draft body=CTOC/COP session=4 kind=decision title=\"Draft \(index)\"")
            drafts.append(try #require(replyField("id", reply).flatMap(Int.init), "\(reply)"))
        }
        // Exactly one server seals the trail (holds the chainer lock); the other stands by.
        let roles = try servers.map { server in
            let client = try ProtocolClient.authenticated(port: server.port, token: token)
            return try #require(replyField("chainer", client.last("status")))
        }
        #expect(roles.sorted() == ["active", "standby"], "one chainer per database: \(roles)")
        let since = try Self.sealedHead(database)
        // A watcher on each server, from the same point.
        let watchers = try servers.map { server in
            let watcher = try ProtocolClient.authenticated(port: server.port, token: token)
            #expect(watcher.last("watch since=\(since)").hasPrefix("200 OK"))
            return watcher
        }

        let started = ContinuousClock.now
        let ids = drafts
        let replies = try {
            let racers = try (0..<clients).map { index in
                try ProtocolClient.authenticated(port: servers[index % 2].port, token: token)
            }
            return onThreads(clients) { index in
                (0..<each).flatMap { round in
                    [
                        racers[index].last("doc allocate body=CTOC/COP session=4 title=\"Paper \(index).\(round)\""),
                        racers[index].last("decision adopt id=\(ids[index * each + round]) date=2008-10-10"),
                    ]
                }
            }
        }().joined()
        let elapsed = (ContinuousClock.now - started).seconds
        #expect(replies.allSatisfy { $0.hasPrefix("20") }, "\(replies.filter { !$0.hasPrefix("20") })")
        let serials = replies.compactMap { replyField("symbol", $0)?.split(separator: "/").last.flatMap { Int($0) } }
        let numbers = replies.compactMap { replyField("number", $0)?.split(separator: "/").last.flatMap { Int($0) } }
        let total = clients * each
        #expect(serials.sorted() == Array(1...total), "document serials: no duplicate, no gap")
        #expect(numbers.sorted() == Array(1...total), "decision numbers: no duplicate, no gap")

        // Every change, whichever server made it, reaches the watcher on each server.
        let head = try Self.sealedHead(database)
        #expect(head == since + 2 * total)
        for (index, watcher) in watchers.enumerated() {
            var seen: [Int] = []
            while seen.last ?? since < head, let line = watcher.readLine() {
                if let seq = replyField("seq", line).flatMap(Int.init) { seen.append(seq) }
            }
            #expect(seen == Array((since + 1)...head), "the watcher on server \(index + 1) saw every change in order")
        }
        // The one order is the trail's, and the trail checks out on either server.
        for server in servers {
            let client = try ProtocolClient.authenticated(port: server.port, token: token)
            #expect(client.last("audit verify").hasPrefix("200 OK intact=true rows=\(head) unsealed=0"))
        }
        print(
            "reliability: two servers, one database: \(clients) clients over 2 servers, \(total) doc allocate + "
                + "\(total) decision adopt in \(String(format: "%.2f", elapsed)) s "
                + "(\(Int(Double(2 * total) / elapsed)) writes/s): serials 1…\(total), numbers 4/1…4/\(total), "
                + "each watcher saw all \(head - since) events")
    }

    /// The sealed head once the servers' chainer has sealed every committed row: the test never seals itself, so a
    /// trail left unsealed fails it.
    static func sealedHead(_ database: String) throws -> Int {
        let connection = try Connection(conninfo: database)
        let deadline = Date().addingTimeInterval(30)
        while true {
            let row = try #require(
                try connection.queryOne(
                    """
                    SELECT (SELECT count(*) FROM audit_log WHERE seq IS NULL) AS unsealed,
                           (SELECT seq FROM audit_head) AS head
                    """))
            if try row.decode("unsealed", as: Int.self) == 0 { return try row.decode("head", as: Int.self) }
            guard Date() < deadline else {
                Issue.record("the servers' chainer left rows unsealed for 30 s")
                return try row.decode("head", as: Int.self)
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }
}
