import Foundation
import PlenaryTestSupport
import Postgres
import Testing

/// The races of issue 9, item 3, over the real server from many TCP connections at once: what the service-level
/// race tests (SessionRaceTests, NumberingTests, AllocationAndLineageTests) prove per module, proved again through
/// the whole path a clerk's request takes — framing, dispatch, pool, transaction, constraint.
@Suite("Races over TCP")
struct RaceTests {
    let server: ServerProcess
    let database: String
    /// A secretariat token: the racers are registry clerks.
    let clerk: String

    init() throws {
        database = try TestCluster.makeDatabase()
        server = try ServerProcess(databaseURL: database)
        let admin = try ProtocolClient.authenticated(port: server.port, token: try #require(server.bootstrapToken))
        for line in [
            "body add code=CTOC/COP name=\"Conference of the Parties\" timezone=Europe/Vienna",
            "session schedule body=CTOC/COP number=4 start=2008-10-08 end=2008-10-17 venue=Vienna",
            "session open body=CTOC/COP number=4", "session close body=CTOC/COP number=4",
        ] {
            let reply = admin.last(line)
            #expect(reply.hasPrefix("20"), "\(line): \(reply)")
        }
        clerk = try #require(replyField("token", admin.last("token create name=clerk role=secretariat")))
    }

    /// Opens `connections` authenticated connections, then lets each run `lines(index)` in order, all at once; the
    /// replies' last lines, per connection. Connecting first keeps the handshakes out of the race.
    func race(_ connections: Int, _ lines: @escaping @Sendable (Int) -> [String]) throws -> [[String]] {
        let clients = try (0..<connections).map { _ in
            try ProtocolClient.authenticated(port: server.port, token: clerk)
        }
        return onThreads(connections) { index in lines(index).map { clients[index].last($0) } }
    }

    @Test func concurrentAllocationsAreGaplessAndUniqueInEachSeries() throws {
        defer { server.stop() }
        let connections = 16
        let each = 10
        let replies = try race(connections) { index in
            let series = index % 2 == 0 ? "main" : "CRP"
            return (0..<each).map {
                "doc allocate body=CTOC/COP session=4 series=\(series) title=\"Statement \(index).\($0)\""
            }
        }
        var serials: [String: [Int]] = ["main": [], "CRP": []]
        for reply in replies.joined() {
            #expect(reply.hasPrefix("201 OK symbol=CTOC/COP/2008/"), "\(reply)")
            guard let symbol = replyField("symbol", reply), let last = symbol.split(separator: "/").last else {
                continue
            }
            if last.hasPrefix("CRP.") {
                serials["CRP", default: []].append(Int(last.dropFirst(4)) ?? -1)
            } else {
                serials["main", default: []].append(Int(last) ?? -1)
            }
        }
        let perSeries = connections / 2 * each
        #expect(serials["main"]?.sorted() == Array(1...perSeries), "main: no duplicate, no gap")
        #expect(serials["CRP"]?.sorted() == Array(1...perSeries), "CRP: no duplicate, no gap")
        let stored = try Connection(conninfo: database).queryOne("SELECT count(*) AS n FROM documents")
        #expect(try stored?.decode("n", as: Int.self) == connections * each)
        print(
            "reliability: races: doc allocate ×\(connections * each) from \(connections) connections: "
                + "\(Set(replies.joined()).count) distinct symbols, serials 1…\(perSeries) in each of 2 series")
    }

    @Test func concurrentAdoptionsNumberGaplesslyAndOneDraftIsAdoptedOnce() throws {
        defer { server.stop() }
        let clerkClient = try ProtocolClient.authenticated(port: server.port, token: clerk)
        let drafts = 24
        var ids: [Int] = []
        for index in 0...drafts {
            let reply = clerkClient.last(
                "decision draft body=CTOC/COP session=4 kind=decision title=\"Draft \(index)\"")
            ids.append(try #require(replyField("id", reply).flatMap(Int.init), "\(reply)"))
        }
        // Distinct drafts at once: each gets its own number, none twice, none skipped.
        let drafted = ids
        let distinct = try race(drafts) { index in ["decision adopt id=\(drafted[index]) date=2008-10-10"] }.joined()
        let numbers = distinct.compactMap { replyField("number", $0) }
        #expect(distinct.allSatisfy { $0.hasPrefix("200 OK") }, "\(distinct.filter { !$0.hasPrefix("200") })")
        #expect(
            numbers.sorted { $0.localizedStandardCompare($1) == .orderedAscending } == (1...drafts).map { "4/\($0)" })

        // One draft from many connections at once: one adoption, the rest told plainly that it happened.
        let last = ids[drafts]
        let same = try race(12) { _ in ["decision adopt id=\(last) date=2008-10-11"] }.joined()
        let winners = same.filter { $0.hasPrefix("200 OK") }
        #expect(winners.count == 1, "\(same)")
        #expect(winners.first.flatMap { replyField("number", $0) } == "4/\(drafts + 1)")
        for loser in same where !loser.hasPrefix("200 OK") {
            #expect(loser.hasPrefix("551 CONFLICT id: draft \(last) was already adopted, as decision 4/\(drafts + 1)"))
        }
        let counter = try Connection(conninfo: database).queryOne(
            "SELECT count(*) AS n, count(DISTINCT serial) AS d FROM decisions WHERE stage = 'adopted'")
        #expect(try counter?.decode("n", as: Int.self) == drafts + 1)
        #expect(try counter?.decode("d", as: Int.self) == drafts + 1)
        print(
            "reliability: races: decision adopt ×\(drafts) distinct drafts at once: numbers 4/1…4/\(drafts); "
                + "one draft ×12 at once: \(winners.count) adopted, \(same.count - winners.count) answered 551")
    }

    @Test func overlappingSchedulesFromManyConnectionsLeaveOneSession() throws {
        defer { server.stop() }
        var refused = 0
        for round in 0..<3 {
            let year = 2011 + round
            let replies = try race(12) { index in
                [
                    "session schedule body=CTOC/COP number=\(10 + round * 20 + index) "
                        + "start=\(year)-05-\(String(format: "%02d", 1 + index)) "
                        + "end=\(year)-05-25 venue=Vienna"
                ]
            }.joined()
            let winners = replies.filter { $0.hasPrefix("201 OK") }
            #expect(winners.count == 1, "round \(round): \(replies)")
            guard let number = winners.first.flatMap({ replyField("number", $0) }) else { continue }
            for loser in replies where !loser.hasPrefix("201 OK") {
                #expect(loser.hasPrefix("551 CONFLICT start: session "), "\(loser)")
                #expect(loser.contains("would overlap session \(number) "), "names the winner: \(loser)")
                refused += 1
            }
        }
        let count = try Connection(conninfo: database).queryOne("SELECT count(*) AS n FROM sessions")
        #expect(try count?.decode("n", as: Int.self) == 1 + 3)
        print(
            "reliability: races: session schedule, 3 rounds of 12 overlapping at once: 3 scheduled, "
                + "\(refused) answered 551"
        )
    }

    @Test func oneWorkingGroupCodeFromManyConnectionsIsEstablishedOnce() throws {
        defer { server.stop() }
        let replies = try race(12) { index in
            ["wg establish body=CTOC/COP code=WG.9 name=\"Working Group \(index)\" by=\"decision 4/9\""]
        }.joined()
        let winners = replies.filter { $0.hasPrefix("201 OK") }
        #expect(winners.count == 1, "\(replies)")
        for loser in replies where !loser.hasPrefix("201 OK") {
            #expect(loser.hasPrefix("551 CONFLICT code: "), "\(loser)")
            #expect(loser.contains("WG.9"), "names the code: \(loser)")
        }
        let count = try Connection(conninfo: database).queryOne("SELECT count(*) AS n FROM working_groups")
        #expect(try count?.decode("n", as: Int.self) == 1)
        print(
            "reliability: races: wg establish of one code ×12 at once: 1 established, \(replies.count - 1) answered 551"
        )
    }
}
