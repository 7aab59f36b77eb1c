import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Storage
import Synchronization
import Testing

/// Issue 13, items 3 and 4: writers append unsealed rows side by side, one chainer per database seals them after
/// commit, and `audit verify` checks one snapshot with hashes recomputed in Swift, against anchors kept outside.
@Suite("Audit chain sealed after commit")
struct AuditChainTests {
    let conninfo: String

    init() throws {
        conninfo = try TestCluster.makeDatabase()
    }

    static func write(_ connection: Connection, _ id: String, actor: String = "clerk") throws {
        try connection.transaction { connection in
            try AuditLog.record(
                connection, actor: Actor(name: actor, role: .secretariat), entity: "body", id: id, operation: "add",
                after: ["code": id])
        }
    }

    static func waitUntil(
        _ what: Comment, seconds: Double = 120, _ condition: () throws -> Bool
    ) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while try !condition() {
            guard Date() < deadline else {
                Issue.record("timed out waiting: \(what)")
                return
            }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    @Test func aRowWhoseTransactionCommitsLateIsSealedNotSkipped() throws {
        let late = try Connection(conninfo: conninfo)
        let early = try Connection(conninfo: conninfo)
        // The late transaction writes its row first (the smaller id) but commits after a row written later.
        try late.simpleQuery(
            """
            BEGIN;
            INSERT INTO audit_log (actor, entity, entity_id, operation) VALUES ('late', 'body', 'L', 'add');
            """)
        try Self.write(early, "E")
        #expect(try AuditChain.seal(early) == 1, "only the committed row is sealed")
        #expect(try AuditChain.tail(early).unsealed == 0, "an uncommitted row is not in anyone's tail")
        try late.simpleQuery("COMMIT")
        #expect(try AuditChain.tail(early).unsealed == 1)
        #expect(try AuditChain.seal(early) == 1, "the late row is sealed by the next batch")
        #expect(try AuditLog.list(early).map(\.actor) == ["late", "clerk"])
        #expect(try AuditLog.verify(early) == .intact(rows: 2))
        let unsealed = try early.queryOne("SELECT count(*) AS n FROM audit_log WHERE seq IS NULL")?
            .decode("n", as: Int.self)
        #expect(unsealed == 0)
    }

    @Test func aWriterCannotSealOrEditARow() throws {
        let connection = try Connection(conninfo: conninfo)
        // Whatever seq and hash a writer brings is dropped: the row arrives unsealed.
        try connection.simpleQuery(
            """
            INSERT INTO audit_log (seq, actor, entity, entity_id, operation, prev_hash, hash)
            VALUES (1, 'forger', 'body', 'F', 'add', '\\x00', '\\x00')
            """)
        #expect(try AuditChain.tail(connection).unsealed == 1)
        // Sealing by hand, without the chainer's function, is an edit and refused.
        #expect(throws: PostgresError.self) {
            try connection.simpleQuery(
                "UPDATE audit_log SET seq = 1, prev_hash = '\\x00', hash = '\\x00' WHERE seq IS NULL")
        }
        #expect(try AuditChain.seal(connection) == 1)
        #expect(try AuditLog.verify(connection) == .intact(rows: 1))
    }

    @Test func verifyRunRepeatedlyWhileEightConnectionsWriteIsIntactEveryTime() async throws {
        let conninfo = self.conninfo
        let chainer = AuditChainer(conninfo: conninfo)
        chainer.start()
        defer { chainer.stop() }
        final class Progress: Sendable {
            let writing = Atomic<Int>(8)
            let written = Atomic<Int>(0)
            let results = Mutex<[AuditVerification]>([])
        }
        let progress = Progress()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    defer { progress.writing.subtract(1, ordering: .relaxed) }
                    let connection = try Connection(conninfo: conninfo)
                    // However the machine schedules the tasks, the writers write while verify runs several times.
                    var index = 0
                    // Each write yields: the cooperative pool has two threads on a two-core machine, and eight
                    // blocking loops that never yield would keep the verifier from ever running. The upper bound
                    // turns a verifier that cannot run into a failed expectation, never a hang.
                    while !Task.isCancelled,
                        index < 150 || (progress.results.withLock({ $0.count }) < 5 && index < 20_000)
                    {
                        try Self.write(connection, "W\(writer).\(index)", actor: "writer\(writer)")
                        index += 1
                        await Task.yield()
                    }
                    progress.written.add(index, ordering: .relaxed)
                }
            }
            group.addTask {
                let connection = try Connection(conninfo: conninfo)
                while progress.writing.load(ordering: .relaxed) > 0 {
                    let result = try AuditLog.verify(connection)
                    progress.results.withLock { $0.append(result) }
                    await Task.yield()
                }
            }
            try await group.waitForAll()
        }
        let seen = progress.results.withLock { $0 }
        #expect(seen.count >= 5, "verify ran while the writers wrote (\(seen.count) times)")
        #expect(seen.allSatisfy { if case .intact = $0 { true } else { false } }, "\(seen.filter { $0 != seen[0] })")
        let rowsSeen = seen.compactMap { if case .intact(let rows) = $0 { rows } else { nil } }
        #expect(rowsSeen == rowsSeen.sorted(), "each verification saw at least what the one before saw")
        let connection = try Connection(conninfo: conninfo)
        let written = progress.written.load(ordering: .relaxed)
        // The chainer counts a batch once its transaction has returned, a moment after the trail shows it sealed.
        try Self.waitUntil("the chainer sealed and counted every row") {
            try AuditChain.tail(connection).unsealed == 0 && chainer.sealedTotal >= written
        }
        #expect(try AuditLog.verify(connection) == .intact(rows: written))
        #expect(chainer.sealedTotal == written, "the chainer, not anyone else, sealed them")
    }

    @Test func aSuperusersRewriteWithRecomputedHashesIsCaughtByAnEarlierAnchor() throws {
        let connection = try Connection(conninfo: conninfo)
        for index in 1...5 { try Self.write(connection, "B\(index)") }
        try AuditChain.catchUp(connection)
        let anchor = try AuditLog.anchor(connection)
        #expect(anchor.seq == 5)
        #expect(AuditAnchor(anchor.description) == anchor, "the printed anchor reads back")
        for index in 6...8 { try Self.write(connection, "B\(index)") }
        try AuditChain.catchUp(connection)
        #expect(try AuditLog.verify(connection, anchor: anchor) == .intact(rows: 8))
        // The cheap check a publication's stamp relies on: the row at the anchor's seq still carries its hash.
        #expect(try AuditLog.holds(connection, anchor: anchor))
        #expect(try AuditLog.holds(connection, anchor: AuditAnchor(seq: 0, hash: Array(repeating: 0, count: 32))))
        #expect(try !AuditLog.holds(connection, anchor: AuditAnchor(seq: 0, hash: anchor.hash)))
        #expect(try !AuditLog.holds(connection, anchor: AuditAnchor(seq: 9, hash: anchor.hash)))

        // The superuser rewrites row 2 and recomputes every hash after it, and the head: the chain is
        // self-consistent again, so only something kept outside the database can give it away.
        try connection.simpleQuery(
            """
            ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
            UPDATE audit_log SET actor = 'intruder' WHERE seq = 2;
            DO $$
            DECLARE
                r record;
                previous bytea;
            BEGIN
                SELECT hash INTO previous FROM audit_log WHERE seq = 1;
                FOR r IN SELECT * FROM audit_log WHERE seq >= 2 ORDER BY seq LOOP
                    UPDATE audit_log SET prev_hash = previous,
                        hash = sha256(previous || plenary_audit_content(r.seq, r.at, r.actor, r.entity, r.entity_id,
                                                                        r.operation, r.before, r.after))
                    WHERE seq = r.seq RETURNING hash INTO previous;
                END LOOP;
                UPDATE audit_head SET hash = previous;
            END $$;
            ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;
            """)
        #expect(try AuditLog.verify(connection) == .intact(rows: 8), "without an anchor the rewrite is invisible")
        #expect(try !AuditLog.holds(connection, anchor: anchor), "a rewritten trail no longer holds the anchor")
        #expect(
            try AuditLog.verify(connection, anchor: anchor)
                == .broken(seq: 5, reason: "row 5 differs from the anchor taken before: the trail was rewritten"))
        // An anchor past the end: rows were taken away.
        #expect(
            try AuditLog.verify(connection, anchor: AuditAnchor(seq: 9, hash: anchor.hash))
                == .broken(seq: 9, reason: "the anchor names row 9 but the chain ends at row 8: rows were removed"))
    }

    @Test func theHashIsRecomputedHereNotByTheDatabasesFunction() throws {
        let connection = try Connection(conninfo: conninfo)
        for index in 1...3 { try Self.write(connection, "B\(index)") }
        try AuditChain.catchUp(connection)
        // A superuser edits row 2 and replaces the database's hashing function with one that maps the forgery back
        // to the original, so the database itself vouches for the edited row.
        try connection.simpleQuery(
            """
            ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
            UPDATE audit_log SET entity_id = 'FORGED' WHERE seq = 2;
            ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;
            CREATE OR REPLACE FUNCTION plenary_audit_content(
                seq bigint, at timestamptz, actor text, entity text, entity_id text, operation text, before jsonb,
                after jsonb
            ) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
                SELECT convert_to(concat_ws(E'\\x1f',
                    seq::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), actor, entity,
                    replace(entity_id, 'FORGED', 'B2'), operation, coalesce(before::text, 'null'),
                    coalesce(after::text, 'null')), 'UTF8')
            $$;
            """)
        let vouched = try connection.queryOne(
            """
            SELECT bool_and(hash = sha256(prev_hash || plenary_audit_content(seq, at, actor, entity, entity_id,
                                                                             operation, before, after))) AS ok
            FROM audit_log
            """)?.decode("ok", as: Bool.self)
        #expect(vouched == true, "the database's own function now vouches for the forged row")
        guard case .broken(let seq, let reason) = try AuditLog.verify(connection) else {
            Issue.record("a forged row verified")
            return
        }
        #expect(seq == 2)
        #expect(reason.contains("altered"))
    }

    @Test func twoChainersNeverBothSealAndTheStandbyTakesOver() async throws {
        let first = AuditChainer(conninfo: conninfo, standbyInterval: .milliseconds(50))
        let second = AuditChainer(conninfo: conninfo, standbyInterval: .milliseconds(50))
        first.start()
        second.start()
        defer {
            first.stop()
            second.stop()
        }
        try Self.waitUntil("both chainers started") { first.role != .off && second.role != .off }
        let connection = try Connection(conninfo: conninfo)
        var active = 0
        for _ in 0..<20 {
            let roles = [first.role, second.role]
            #expect(roles.filter { $0 == .active }.count <= 1, "never two active chainers: \(roles)")
            active = max(active, roles.filter { $0 == .active }.count)
            for index in 0..<10 { try Self.write(connection, "R\(index)") }
        }
        #expect(active == 1)
        // A chainer counts a batch once its transaction has returned: the trail can show every row sealed a moment
        // before the count does, so wait for both.
        try Self.waitUntil("every row sealed and counted") {
            try AuditChain.tail(connection).unsealed == 0 && first.sealedTotal + second.sealedTotal >= 200
        }
        #expect(
            [first.sealedTotal, second.sealedTotal].sorted() == [0, 200],
            "one chainer sealed everything: \(first.sealedTotal), \(second.sealedTotal)")
        let holders = try connection.queryOne(
            """
            SELECT count(*) AS n FROM pg_locks
            WHERE locktype = 'advisory' AND granted
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND ((classid::bigint << 32) | objid::bigint) = plenary_audit_chainer_key()
            """)?.decode("n", as: Int.self)
        #expect(holders == 1, "one session holds the chainer lock")

        // The active one stops; the standby takes over and seals what comes next.
        let (leader, standby) = first.role == .active ? (first, second) : (second, first)
        leader.stop()
        try Self.waitUntil("the standby took over") { standby.role == .active }
        for index in 0..<10 { try Self.write(connection, "T\(index)") }
        try Self.waitUntil("the new chainer sealed the rest") {
            try AuditChain.tail(connection).unsealed == 0 && standby.sealedTotal >= 10
        }
        #expect(standby.sealedTotal == 10)
        #expect(try AuditLog.verify(connection) == .intact(rows: 210))
    }
}
