import Foundation
import PlenaryTestSupport
import Postgres
import Testing

/// Issue 9, item 2: Plenary killed with SIGKILL — no shutdown, no last words — in the middle of a burst of writes.
/// Each write is one transaction with its audit row, so the database holds whole commands or none of one.
@Suite("Plenary killed")
struct KillTests {
    @Test func afterKillNineEveryAcknowledgedWriteIsThereAndNothingIsHalfWritten() throws {
        let database = try TestCluster.makeDatabase()
        let server = try ServerProcess(databaseURL: database)
        let token = try #require(server.bootstrapToken)
        let load = Load(ports: [server.port], token: token, clients: 8, reconnect: false)
        #expect(load.waitFor(more: setting("PLENARY_RELIABILITY_COMMANDS_BEFORE_KILL", 1_000)), "the burst runs")
        server.kill()
        let outcomes = load.stop()
        let audit = try LoadAudit(outcomes, database: database)
        #expect(audit.lost.isEmpty, "acknowledged writes missing: \(audit.lost)")
        #expect(audit.otherCodes.isEmpty, "\(audit.otherCodes)")
        #expect(audit.unanswered > 0, "the kill cut commands off")

        // A new server on the same database: nothing to repair, the chain holds, and it serves at once.
        let again = try ServerProcess(databaseURL: database)
        defer { again.stop() }
        try expectWholeAndChained(database, port: again.port, token: token)
        let client = try ProtocolClient.authenticated(port: again.port, token: token)
        #expect(client.last("body add code=AFTER name=After") == "201 OK body=AFTER")
        print("reliability: plenary killed (SIGKILL) during a burst of writes from 8 clients: \(audit)")
    }
}
