import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Storage
import Testing

@Suite("Audit trail")
struct AuditLogTests {
    let conninfo: String

    init() throws {
        conninfo = try TestCluster.makeDatabase()
    }

    func write(_ connection: Connection, _ count: Int, actor: String = "clerk") throws {
        for index in 0..<count {
            try connection.transaction { connection in
                try AuditLog.record(
                    connection, actor: Actor(name: actor, role: .secretariat), entity: "body", id: "B\(index)",
                    operation: "add", after: ["code": "B\(index)", "note": "quote \" and \\ and ; --"])
            }
        }
        // Writers leave their rows unsealed; with no server's chainer here, seal them as the CLI does.
        try AuditChain.catchUp(connection)
    }

    @Test func rowsAreChainedAndVerify() throws {
        let connection = try Connection(conninfo: conninfo)
        #expect(try AuditLog.verify(connection) == .intact(rows: 0))
        try write(connection, 25)
        #expect(try AuditLog.verify(connection, batch: 7) == .intact(rows: 25))
        let newest = try AuditLog.list(connection, limit: 2)
        #expect(newest.map(\.seq) == [25, 24])
        #expect(newest[0].actor == "clerk")
        #expect(newest[0].after == #"{"code": "B24", "note": "quote \" and \\ and ; --"}"#)
        #expect(try AuditLog.list(connection, entity: "body:B3").map(\.seq) == [4])
        #expect(try AuditLog.list(connection, entity: "body", since: 20).count == 5)
    }

    @Test func theDatabaseRefusesUpdateDeleteAndTruncate() throws {
        let connection = try Connection(conninfo: conninfo)
        try write(connection, 2)
        for statement in [
            "UPDATE audit_log SET actor = 'someone else' WHERE seq = 1", "DELETE FROM audit_log WHERE seq = 2",
            "TRUNCATE audit_log",
        ] {
            #expect(throws: PostgresError.self, "\(statement) was allowed") { try connection.simpleQuery(statement) }
        }
        #expect(try AuditLog.verify(connection) == .intact(rows: 2))
    }

    @Test func aRowAlteredBySuperuserSQLIsFoundByNumber() throws {
        let connection = try Connection(conninfo: conninfo)
        try write(connection, 5)
        // A superuser can switch the guard off; the chain still gives the edit away.
        try connection.simpleQuery(
            """
            ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
            UPDATE audit_log SET actor = 'intruder' WHERE seq = 3;
            ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;
            """)
        guard case .broken(let seq, let reason) = try AuditLog.verify(connection) else {
            Issue.record("an altered row verified")
            return
        }
        #expect(seq == 3)
        #expect(reason.contains("altered"))
    }

    @Test func aDeletedRowIsAGap() throws {
        let connection = try Connection(conninfo: conninfo)
        try write(connection, 4)
        try connection.simpleQuery(
            """
            ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
            DELETE FROM audit_log WHERE seq = 2;
            ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;
            """)
        #expect(try AuditLog.verify(connection) == .broken(seq: 2, reason: "row 2 is missing (next is 3)"))
    }

    @Test func concurrentWritersGetAGaplessChain() async throws {
        let conninfo = self.conninfo
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    let connection = try Connection(conninfo: conninfo)
                    try self.write(connection, 20, actor: "writer\(writer)")
                }
            }
            try await group.waitForAll()
        }
        let connection = try Connection(conninfo: conninfo)
        #expect(try AuditLog.verify(connection) == .intact(rows: 160))
        let seqs = try connection.query("SELECT seq FROM audit_log ORDER BY seq").rows.map {
            try $0.decode("seq", as: Int.self)
        }
        #expect(seqs == Array(1...160))
    }

    @Test func aRolledBackChangeLeavesNoAuditRow() throws {
        let connection = try Connection(conninfo: conninfo)
        // The audit row goes with the COMMIT; a statement queued after it fails exactly when the row reached the
        // server inside this transaction (then there is one row to see, and 1/0 refuses). So the INSERT and the
        // chain's head update really run, and the failure rolls them back with everything else.
        #expect(throws: PostgresError.self) {
            try connection.transaction { connection in
                try AuditLog.record(
                    connection, actor: Actor(name: "clerk", role: .admin), entity: "body", id: "X", operation: "add",
                    after: ["code": "X"])
                try connection.queryAtCommit("SELECT 1 / (SELECT count(*)::int - 1 FROM audit_log) AS refused")
            }
        }
        #expect(try connection.queryOne("SELECT count(*)::int AS n FROM audit_log")?.decode("n", as: Int.self) == 0)
        try write(connection, 1)
        // The head moved back too: the next row is seq 1 and chains from the start.
        #expect(try connection.queryOne("SELECT seq FROM audit_log")?.decode("seq", as: Int.self) == 1)
        #expect(try AuditLog.verify(connection) == .intact(rows: 1))
    }
}
