import Foundation
import PlenaryTestSupport
import Postgres
import Testing

/// The admin protocol's framing, limits, timeouts, backpressure and change events, against the real server over
/// real TCP and a real PostgreSQL.
@Suite("admin protocol over TCP")
struct ProtocolTests {
    /// A client that has read the greeting and authenticated with `token`.
    static func authenticated(
        _ server: ProtocolServer, token: String, receiveBuffer: Int? = nil, timeout: Int = 60
    ) throws -> ProtocolClient {
        let client = try ProtocolClient(port: server.port, receiveBuffer: receiveBuffer, timeout: timeout)
        let greeting = client.readLine()
        #expect(greeting?.hasPrefix("220 plenary") == true)
        #expect(client.command("auth token=\(token)") == ["200 OK name=admin role=admin"])
        return client
    }

    static func start(_ environment: [String: String] = [:]) throws -> (ProtocolServer, String, String) {
        let database = try TestCluster.makeDatabase()
        let server = try ProtocolServer(databaseURL: database, environment: environment)
        let token = try #require(server.bootstrapToken)
        return (server, token, database)
    }

    // MARK: Pipelining and limits

    @Test func aThousandPipelinedLinesInOneWriteAreAnsweredInOrder() throws {
        let (server, token, _) = try Self.start()
        defer { server.stop() }
        let client = try Self.authenticated(server, token: token)
        // Unknown commands name themselves in the reply, which shows the order; a ping after each keeps the
        // count of errors in a row at one.
        let lines = (0..<500).flatMap { ["nope\($0)", "ping"] }
        #expect(client.send(bytes: Array((lines.joined(separator: "\n") + "\n").utf8)))
        for index in 0..<500 {
            let unknown = client.readReply()
            #expect(unknown.count == 1 && unknown[0].hasPrefix("502 UNKNOWN_COMMAND nope\(index): unknown command"))
            #expect(client.readReply() == ["200 OK pong=true"])
        }
    }

    @Test func aClientThatStopsSendingStillGetsEveryReply() throws {
        let (server, token, _) = try Self.start()
        defer { server.stop() }
        let client = try ProtocolClient(port: server.port)
        _ = client.readLine()
        client.send(bytes: Array("auth token=\(token)\nwhoami\nbody list\nbody li".utf8))
        client.shutdownWrite()
        #expect(client.readReply() == ["200 OK name=admin role=admin"])
        #expect(client.readReply() == ["200 OK name=admin role=admin"])
        #expect(client.readReply() == ["200 OK count=0"])
        #expect(client.readLine() == nil, "the unfinished line is dropped and the server closes")
    }

    /// The server closes (too many errors) while megabytes of replies still wait for a client that has not read
    /// them, and more requests are still unread on its side. Closing such a socket outright would reset it and
    /// throw the waiting replies away; everything must arrive, the reason last, then the end of the stream.
    @Test func aClosingReplyIsNotLostToRequestsStillArriving() throws {
        let (server, token, _) = try Self.start()
        defer { server.stop() }
        let client = try Self.authenticated(server, token: token, receiveBuffer: 16_384)
        let help = client.command("help")
        let requests =
            String(repeating: "help\n", count: 300) + String(repeating: "\u{1}\n", count: 20)
            + String(repeating: "ping\n", count: 100_000)
        let sender = Self.send(Array(requests.utf8), times: 1, on: client)
        #expect(Self.waitUntilIdle(server), "the server settles")
        var helps = 0
        for _ in 0..<300 where client.readReply() == help { helps += 1 }
        #expect(helps == 300)
        for _ in 0..<20 { #expect(client.readLine()?.hasPrefix("500 BAD_SYNTAX column 1: control character") == true) }
        #expect(client.readLine() == "421 CLOSING too many errors: 20 in a row")
        #expect(client.readLine() == nil)
        _ = Self.wait(for: sender, timeout: 10)
    }

    @Test func theLineLimitsHoldAtTheirBoundaries() throws {
        let (server, token, _) = try Self.start()
        defer { server.stop() }

        // Before auth: 512 bytes is read (ping refuses the padding as a value), 513 is answered and closes.
        let anonymous = try ProtocolClient(port: server.port)
        _ = anonymous.readLine()
        let exactly512 = "ping " + String(repeating: "x", count: 507)
        #expect(anonymous.command(exactly512 + "\r").first?.hasPrefix("504 BAD_ARGUMENT") == true, "CR is free")
        #expect(anonymous.command(exactly512 + "x") == ["500 LINE_TOO_LONG line: longer than 512 bytes"])
        #expect(anonymous.readLine() == nil)

        // After auth: 16 KiB is read, one more byte is answered once and the connection goes on.
        let client = try Self.authenticated(server, token: token)
        let exactly16K = "ping " + String(repeating: "y", count: 16_384 - 5)
        #expect(client.command(exactly16K).first?.hasPrefix("504 BAD_ARGUMENT") == true)
        #expect(client.command(exactly16K + "y") == ["500 LINE_TOO_LONG line: longer than 16384 bytes"])
        // Trailing spaces are no arguments: a padded ping is a ping.
        #expect(client.command("ping" + String(repeating: " ", count: 16_000)) == ["200 OK pong=true"])
    }

    @Test func aSixtyFourMiBLineWithoutLFLeavesTheServersMemoryFlat() throws {
        let (server, token, _) = try Self.start()
        defer { server.stop() }
        let client = try Self.authenticated(server, token: token)
        #expect(client.command("ping") == ["200 OK pong=true"])
        let before = try #require(server.peakKiB)
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<64 { #expect(client.send(bytes: chunk)) }
        client.send("\nping")
        #expect(client.readReply() == ["500 LINE_TOO_LONG line: longer than 16384 bytes"])
        #expect(client.readReply() == ["200 OK pong=true"])
        let after = try #require(server.peakKiB)
        #expect(after - before < 16_384, "peak grew by \(after - before) KiB for a 64 MiB line")
    }

    /// 100,000 pings, each padded to 1 KiB with trailing spaces (100 MiB of requests), sent by a client that
    /// reads nothing until the server has done all it could. The server reads no further ahead than it works, so
    /// its peak memory stays far below the 100 MiB it was sent; then every reply comes, in order.
    @Test func aPipeliningClientThatDoesNotReadIsThrottledNotBuffered() throws {
        let (server, token, _) = try Self.start()
        defer { server.stop() }
        let client = try Self.authenticated(server, token: token, receiveBuffer: 16_384)
        let before = try #require(server.peakKiB)
        let line = Array(("ping" + String(repeating: " ", count: 1_019) + "\n").utf8)
        let count = 100_000
        let sender = Self.send(line, times: count, on: client)
        #expect(Self.waitUntilIdle(server), "the server settles")
        let settled = try #require(server.peakKiB)
        #expect(settled - before < 32_768, "peak grew by \(settled - before) KiB for 100 MiB of requests")
        var inOrder = 0
        for _ in 0..<count where client.readLine() == "200 OK pong=true" { inOrder += 1 }
        #expect(inOrder == count)
        #expect(Self.wait(for: sender), "every request was taken in once replies were read")
        #expect(client.command("ping") == ["200 OK pong=true"])
    }

    /// 5,000 `help` requests (40 MB of replies, far more than the socket buffers hold) from a client that reads
    /// nothing: the server stops when the socket is full instead of queueing replies in memory.
    @Test func repliesToAClientThatDoesNotReadWaitInTheSocketNotInMemory() throws {
        let (server, token, _) = try Self.start()
        defer { server.stop() }
        let client = try Self.authenticated(server, token: token, receiveBuffer: 16_384)
        let help = client.command("help")
        #expect(help.count > 20 && help.joined().utf8.count > 4_000, "help is a long reply")
        let before = try #require(server.peakKiB)
        let count = 5_000
        let sender = Self.send(Array("help\n".utf8), times: count, on: client)
        #expect(Self.waitUntilIdle(server), "the server settles")
        let settled = try #require(server.peakKiB)
        #expect(settled - before < 24_576, "peak grew by \(settled - before) KiB with 40 MB of replies owed")
        var whole = 0
        for _ in 0..<count where client.readReply() == help { whole += 1 }
        #expect(whole == count)
        #expect(Self.wait(for: sender))
    }

    // MARK: Hostile input, errors, timeouts

    @Test func unreadableLinesAreAnsweredAndTheConnectionGoesOn() throws {
        let (server, token, _) = try Self.start()
        defer { server.stop() }
        let client = try Self.authenticated(server, token: token)
        let cases: [([UInt8], String)] = [
            (Array("pi\rng\n".utf8), "500 BAD_SYNTAX column 3: control character 0x0D"),
            (Array("ping\u{0}\n".utf8), "500 BAD_SYNTAX column 5: control character 0x00"),
            ([0x70, 0x69, 0xC3, 0x28, 0x0A], "500 BAD_SYNTAX column 3: invalid UTF-8 (byte 0xC3)"),
            (Array("body get \"CTOC\n".utf8), "500 BAD_SYNTAX column 10: unterminated quoted value"),
            ([0x0A], "500 BAD_SYNTAX empty line"),
        ]
        for (bytes, expected) in cases {
            client.send(bytes: bytes)
            let reply = client.readReply()
            #expect(reply.count == 1 && reply[0].hasPrefix(expected), "\(reply)")
        }
        #expect(client.command("ping") == ["200 OK pong=true"])
    }

    @Test func twentyErrorsInARowClose() throws {
        let (server, token, _) = try Self.start()
        defer { server.stop() }
        let anonymous = try ProtocolClient(port: server.port)
        _ = anonymous.readLine()
        anonymous.send(bytes: Array(String(repeating: "\u{1}\n", count: 25).utf8))
        for _ in 0..<20 { #expect(anonymous.readLine()?.hasPrefix("500 BAD_SYNTAX") == true) }
        #expect(anonymous.readLine() == "421 CLOSING too many errors: 20 in a row")
        #expect(anonymous.readLine() == nil)

        // Nineteen, then a success: the count starts again.
        let client = try Self.authenticated(server, token: token)
        for round in 0..<3 {
            for _ in 0..<19 { #expect(client.command("nope").first?.hasPrefix("502") == true, "round \(round)") }
            #expect(client.command("ping") == ["200 OK pong=true"])
        }
    }

    @Test func httpProbesAreAnsweredAndClosed() throws {
        let (server, _, _) = try Self.start()
        defer { server.stop() }
        for probe in ["POST /api HTTP/1.1\r", "HEAD / HTTP/1.0", "OPTIONS * HTTP/1.1"] {
            let client = try ProtocolClient(port: server.port)
            _ = client.readLine()
            client.send(probe + "\nHost: x\n")
            #expect(client.readLine() == "500 BAD_SYNTAX this is the Plenary admin protocol, not HTTP")
            #expect(client.readLine() == nil)
        }
    }

    @Test func anIdleConnectionIsToldAndClosed() throws {
        let (server, token, _) = try Self.start([
            "PLENARY_LIMITS_IDLE_TIMEOUT_S": "1", "PLENARY_LIMITS_AUTH_TIMEOUT_S": "1",
        ])
        defer { server.stop() }
        let anonymous = try ProtocolClient(port: server.port)
        _ = anonymous.readLine()
        #expect(anonymous.readLine() == "421 CLOSING authentication timed out")
        #expect(anonymous.readLine() == nil)

        let client = try Self.authenticated(server, token: token)
        #expect(client.command("hello format=json").first?.hasPrefix(#"{"code":200"#) == true)
        #expect(client.readLine() == #"{"code":421,"error":"CLOSING","message":"idle: no request for 1 s"}"#)
        #expect(client.readLine() == nil)
    }

    // MARK: Change events

    @Test func watchStreamsEveryChangeBetweenReplies() throws {
        let (server, token, _) = try Self.start()
        defer { server.stop() }
        let watcher = try Self.authenticated(server, token: token)
        let since = try #require(Self.since(watcher.command("watch")))
        let writer = try Self.authenticated(server, token: token)
        let bodies = 40
        // The watcher pipelines multi-line replies while the changes are committed, so events have every chance
        // to land inside one.
        for index in 0..<bodies {
            watcher.send(bytes: Array(String(repeating: "help body\n", count: 5).utf8))
            #expect(writer.command("body add code=B\(index) name=Body").last?.hasPrefix("201 OK") == true)
        }
        var events: [String] = []
        for _ in 0..<200 {
            let reply = watcher.readReply(events: &events)
            #expect(reply.count == 4 && reply.last == "200 OK count=3", "a reply came whole: \(reply)")
        }
        while events.count < bodies, let line = watcher.readLine() { events.append(line) }
        let seqs = events.compactMap(Self.seq)
        #expect(seqs == Array((since + 1)...(since + bodies)))
        #expect(events.first?.hasPrefix("650 EVENT seq=\(since + 1) topic=body op=add id=B0 actor=admin at=") == true)
    }

    @Test func watchResumesFromSinceAfterAReconnect() throws {
        let (server, token, _) = try Self.start()
        defer { server.stop() }
        let writer = try Self.authenticated(server, token: token)
        var last: Int
        do {
            let watcher = try Self.authenticated(server, token: token)
            _ = watcher.command("watch topics=body")
            _ = writer.command("body add code=FIRST name=One")
            let event = try #require(watcher.readLine())
            last = try #require(Self.seq(event))
            #expect(event.contains("id=FIRST"))
        }
        // Committed while nobody watched.
        _ = writer.command("body add code=MISSED name=Two")
        _ = writer.command("token create name=ignored role=observer")
        let watcher = try Self.authenticated(server, token: token)
        #expect(watcher.command("watch topics=body since=\(last)") == ["200 OK since=\(last) topics=body"])
        let missed = try #require(watcher.readLine())
        #expect(missed.hasPrefix("650 EVENT seq=\(last + 1) topic=body op=add id=MISSED"))
        _ = writer.command("body add code=LIVE name=Three")
        let live = try #require(watcher.readLine())
        #expect(live.hasPrefix("650 EVENT seq=\(last + 3) topic=body op=add id=LIVE"), "the token was filtered out")
        #expect(watcher.command("ping") == ["200 OK pong=true"], "nothing else was queued")
    }

    @Test func watchInJSONModeAndItsRefusals() throws {
        let (server, token, database) = try Self.start()
        defer { server.stop() }
        let anonymous = try ProtocolClient(port: server.port)
        _ = anonymous.readLine()
        #expect(anonymous.command("watch").first?.hasPrefix("511 AUTH_REQUIRED") == true)

        let watcher = try Self.authenticated(server, token: token)
        #expect(watcher.command("watch since=999").first?.hasPrefix("504 BAD_ARGUMENT since: 999 is past") == true)
        #expect(watcher.command("watch topics=nope").first?.hasPrefix("504 BAD_ARGUMENT topics:") == true)
        #expect(watcher.command("watch topics=").first?.hasPrefix("504 BAD_ARGUMENT topics:") == true)
        // `watch` starts after what was committed before it (the bootstrap token's audit row, seq 1), once the
        // server's chainer has sealed it; it waits a moment for that, and a loaded machine may take longer.
        var watching = watcher.command("watch topics=doc,wg,document")
        let sealed = Date().addingTimeInterval(120)
        while watching == ["200 OK since=0 topics=document,wg"], Date() < sealed {
            Thread.sleep(forTimeInterval: 0.05)
            watching = watcher.command("watch topics=doc,wg,document")
        }
        #expect(watching == ["200 OK since=1 topics=document,wg"])
        _ = watcher.command("hello format=json")
        #expect(watcher.command("watch since=0").first?.hasPrefix(#"{"code":200,"ok":true,"since":0"#) == true)
        let event = try #require(watcher.readLine())
        #expect(event.hasPrefix(#"{"code":650,"event":{"seq":1,"topic":"token","op":"create","id":"admin","#))

        // In-process there is no stream: the newest seq, or a refusal naming the key that needs a connection.
        let newest = try PlenaryProcess.run(["watch"], databaseURL: database)
        #expect(newest.status == 0)
        #expect(newest.stdout == "200 OK seq=1\n")
        let refused = try PlenaryProcess.run(["watch", "since=0"], databaseURL: database)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("504 BAD_ARGUMENT since: events stream only over a server connection"))
    }

    @Test func aWatcherIsNeverIdleAndHearsTheShutdown() throws {
        let (server, token, _) = try Self.start(["PLENARY_LIMITS_IDLE_TIMEOUT_S": "1"])
        let watcher = try Self.authenticated(server, token: token)
        _ = watcher.command("watch")
        Thread.sleep(forTimeInterval: 3)
        #expect(watcher.command("ping") == ["200 OK pong=true"], "three idle timeouts passed without a close")
        #expect(server.stop() == 0)
        #expect(watcher.readLine() == "421 CLOSING server shutting down")
        #expect(watcher.readLine() == nil)
    }

    @Test func eventsSurviveTheListenerLosingItsConnection() throws {
        let (server, token, database) = try Self.start()
        defer { server.stop() }
        // The full suite runs hundreds of tests, servers and databases at once on two cores: a watcher waits for
        // its events as long as the slowest test may take, so the test fails on a lost event, not on a slow one.
        let watcher = try Self.authenticated(server, token: token, timeout: 240)
        let since = try #require(Self.since(watcher.command("watch")))
        let writer = try Self.authenticated(server, token: token)
        let added = writer.command("body add code=BEFORE name=x")
        #expect(added.last?.hasPrefix("201 ") == true, "body add: \(added)")
        let first = watcher.readLine()
        #expect(
            first?.contains("id=BEFORE") == true,
            "the first event: \(first ?? "nothing within 240 s"); the server's log: \(server.logText.suffix(4_000))")

        let admin = try Connection(conninfo: database)
        let killed = try admin.query(
            """
            SELECT count(pg_terminate_backend(pid)) AS killed FROM pg_stat_activity
            WHERE datname = current_database() AND query ILIKE 'LISTEN%'
            """
        ).rows.first?.decode("killed", as: Int.self)
        #expect(killed == 1, "one listener for the whole server")
        // Committed while the listener reconnects: the catch-up after the gap finds them.
        for index in 0..<5 { _ = writer.command("body add code=GAP\(index) name=x") }
        var seqs: [Int] = []
        while seqs.count < 5, let line = watcher.readLine() { seqs += Self.seq(line).map { [$0] } ?? [] }
        #expect(seqs == Array((since + 2)...(since + 6)))
    }

    /// A watcher with a small receive buffer that reads nothing while 30,000 changes of about 600 bytes each are
    /// committed: the server drops it with 421 instead of holding 18 MB for it, and a watcher that reads — however
    /// slowly — gets them all, in order.
    @Test func aWatcherThatDoesNotReadIsDroppedAndTheOthersGetEverything() throws {
        let (server, token, database) = try Self.start()
        defer { server.stop() }
        let slow = try Self.authenticated(server, token: token, receiveBuffer: 8_192)
        let since = try #require(Self.since(slow.command("watch")))
        let reader = try Self.authenticated(server, token: token)
        #expect(Self.since(reader.command("watch")) == since)
        let before = try #require(server.peakKiB)
        let count = 30_000
        // The reader reads on its own thread from the start, as a client keeping up would.
        let readerSeqs = Locked<[Int]>([])
        let readerDone = Locked(false)
        let reading = Thread {
            var seqs: [Int] = []
            while seqs.count < count, let line = reader.readLine() {
                guard let seq = Self.seq(line) else { break }
                seqs.append(seq)
            }
            readerSeqs.set(seqs)
            readerDone.set(true)
        }
        reading.start()
        let admin = try Connection(conninfo: database)
        try admin.simpleQuery(
            """
            INSERT INTO audit_log (seq, actor, entity, entity_id, operation, prev_hash, hash)
            SELECT 0, 'bulk', 'body', 'B' || g || '-' || repeat('x', 500), 'add', '', ''
            FROM generate_series(1, \(count)) AS g
            """)
        #expect(server.waitForLog("watcher too slow"), "the slow watcher was dropped")
        var slowSeqs: [Int] = []
        var last: String?
        while let line = slow.readLine() {
            if let seq = Self.seq(line) { slowSeqs.append(seq) } else { last = line }
        }
        #expect(last == "421 CLOSING too slow: events waited unread for 10 s")
        #expect(Self.firstGap(slowSeqs, from: since + 1) == nil, "a prefix, without gaps")
        #expect(slowSeqs.count < count)

        let deadline = Date().addingTimeInterval(120)
        while !readerDone.value, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(readerSeqs.value.count == count)
        #expect(Self.firstGap(readerSeqs.value, from: since + 1) == nil, "the reader got every event, in order")
        let peak = try #require(server.peakKiB)
        #expect(peak - before < 65_536, "peak grew by \(peak - before) KiB")
        #expect(reader.command("ping") == ["200 OK pong=true"])
    }

    // MARK: Helpers

    /// The first position where `seqs` is not `first, first + 1, …`, with what was there; nil when none is.
    static func firstGap(_ seqs: [Int], from first: Int) -> (index: Int, seq: Int)? {
        for (index, seq) in seqs.enumerated() where seq != first + index { return (index, seq) }
        return nil
    }

    /// Sends `line` `times` times from a thread of its own, in batches; the flag is set once all is sent.
    static func send(_ line: [UInt8], times: Int, on client: ProtocolClient) -> Locked<Bool> {
        let done = Locked(false)
        Thread {
            var batch: [UInt8] = []
            var left = times
            while left > 0 {
                batch.removeAll(keepingCapacity: true)
                for _ in 0..<min(left, 1_000) { batch += line }
                left -= min(left, 1_000)
                if !client.send(bytes: batch) { return }
            }
            done.set(true)
        }.start()
        return done
    }

    /// Waits until `flag` is set; false when it was not within `timeout` seconds.
    static func wait(for flag: Locked<Bool>, timeout: TimeInterval = 120) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !flag.value, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        return flag.value
    }

    /// Waits until the server has used no CPU for a second: it has done all it can for a client that does not
    /// read. False when it is still busy after `timeout` seconds.
    static func waitUntilIdle(_ server: ProtocolServer, timeout: TimeInterval = 180) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        var previous = server.cpuTicks ?? 0
        var quiet = 0
        while Date() < deadline {
            Thread.sleep(forTimeInterval: 0.25)
            let now = server.cpuTicks ?? 0
            quiet = now - previous <= 1 ? quiet + 1 : 0
            previous = now
            if quiet >= 4 { return true }
        }
        return false
    }

    /// The `since=` of a `watch` reply.
    static func since(_ reply: [String]) -> Int? {
        guard reply.count == 1, reply[0].hasPrefix("200 OK since=") else { return nil }
        return Int(reply[0].dropFirst("200 OK since=".count).prefix { $0.isNumber })
    }

    /// The `seq=` of a text-mode event line.
    static func seq(_ line: String) -> Int? {
        guard line.hasPrefix("650 EVENT seq=") else { return nil }
        return Int(line.dropFirst("650 EVENT seq=".count).prefix { $0.isNumber })
    }
}

/// A value shared with a thread the test starts.
final class Locked<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value { lock.withLock { stored } }

    func set(_ value: Value) { lock.withLock { stored = value } }
}
