import Foundation
import PlenaryTestSupport
import Postgres
import Testing

/// The round trips a transaction costs: BEGIN carried by the first statement, statements queued for the COMMIT and
/// sent with it, independent statements in one pipeline — and that none of it changes what commits or rolls back.
@Suite("Connection: fewer round trips, same transactions")
struct RoundTripTests {
    let conninfo: String

    init() throws {
        conninfo = try TestCluster.makeDatabase(migrated: false)
        let setup = try Connection(conninfo: conninfo)
        try setup.simpleQuery("CREATE TABLE ledger (n integer PRIMARY KEY CHECK (n > 0))")
    }

    func count(_ connection: Connection) throws -> Int {
        try connection.queryOne("SELECT count(*) AS n FROM ledger")!.decode("n")
    }

    @Test func statementsQueuedForTheCommitCommitWithTheRest() throws {
        let connection = try Connection(conninfo: conninfo)
        let other = try Connection(conninfo: conninfo)
        try connection.transaction { connection in
            try connection.query("INSERT INTO ledger VALUES (1)")
            try connection.queryAtCommit("INSERT INTO ledger VALUES ($1)", [2])
            try connection.queryAtCommit("INSERT INTO ledger VALUES ($1)", [3])
            // Queued, not sent: the transaction itself does not see them yet, nor does anyone else.
            #expect(try count(connection) == 1)
            #expect(try count(other) == 0)
        }
        #expect(try count(other) == 3)
        #expect(!connection.isInTransaction)
    }

    @Test func aQueuedStatementThatFailsRollsTheWholeTransactionBack() throws {
        let connection = try Connection(conninfo: conninfo)
        #expect(throws: PostgresError.self) {
            try connection.transaction { connection in
                try connection.query("INSERT INTO ledger VALUES (1)")
                try connection.queryAtCommit("INSERT INTO ledger VALUES ($1)", [-1])
                try connection.queryAtCommit("INSERT INTO ledger VALUES ($1)", [5])
            }
        }
        #expect(!connection.isInTransaction)
        #expect(try count(connection) == 0)
        // The connection goes on working, in and out of transactions.
        try connection.transaction { connection in try connection.query("INSERT INTO ledger VALUES (7)") }
        #expect(try count(connection) == 1)
    }

    @Test func aTransactionOfQueuedStatementsOnlyIsOneTransaction() throws {
        let connection = try Connection(conninfo: conninfo)
        try connection.transaction { connection in
            try connection.queryAtCommit("INSERT INTO ledger VALUES ($1)", [1])
            try connection.queryAtCommit("INSERT INTO ledger VALUES ($1)", [2])
        }
        #expect(try count(connection) == 2)
        #expect(throws: PostgresError.self) {
            try connection.transaction { connection in
                try connection.queryAtCommit("INSERT INTO ledger VALUES ($1)", [3])
                try connection.queryAtCommit("INSERT INTO ledger VALUES ($1)", [1])
            }
        }
        #expect(try count(connection) == 2, "the duplicate took the row before it down with it")
    }

    @Test func aBodyThatThrowsBeforeAnyStatementLeavesNothingOpen() throws {
        struct Refused: Error {}
        let connection = try Connection(conninfo: conninfo)
        #expect(throws: Refused.self) {
            try connection.transaction { connection -> Void in
                try connection.queryAtCommit("INSERT INTO ledger VALUES ($1)", [1])
                throw Refused()
            }
        }
        #expect(!connection.isInTransaction)
        #expect(try count(connection) == 0)
    }

    @Test func outsideATransactionAQueuedStatementRunsAtOnce() throws {
        let connection = try Connection(conninfo: conninfo)
        try connection.queryAtCommit("INSERT INTO ledger VALUES ($1)", [4])
        #expect(try count(Connection(conninfo: conninfo)) == 1)
    }

    @Test func independentStatementsRunInOnePipelineInsideTheTransaction() throws {
        let connection = try Connection(conninfo: conninfo)
        let results = try connection.transaction { connection in
            try connection.queries([
                Statement("INSERT INTO ledger VALUES ($1) RETURNING n", [10]),
                Statement("SELECT txid_current_if_assigned() IS NOT NULL AS inside"),
                Statement("SELECT count(*) AS n FROM ledger"),
            ])
        }
        #expect(try results[0].rows[0].decode("n", as: Int.self) == 10)
        #expect(try results[1].rows[0].decode("inside", as: Bool.self), "the pipeline ran inside the transaction")
        #expect(try results[2].rows[0].decode("n", as: Int.self) == 1)
        #expect(throws: PostgresError.self) {
            try connection.transaction { connection in
                _ = try connection.queries([
                    Statement("INSERT INTO ledger VALUES ($1)", [11]),
                    Statement("INSERT INTO ledger VALUES ($1)", [0]),
                ])
            }
        }
        #expect(try count(connection) == 1, "the failed pipeline's transaction rolled back")
    }
}
