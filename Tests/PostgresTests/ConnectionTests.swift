import Foundation
import PlenaryTestSupport
import Postgres
import Testing

@Suite("Connection against a real PostgreSQL")
struct ConnectionTests {
    let conninfo: String

    init() throws {
        conninfo = try TestCluster.makeDatabase(migrated: false)
    }

    @Test func connectFailureCarriesLibpqMessage() {
        #expect {
            _ = try Connection(conninfo: "host=/nonexistent-dir port=1 dbname=x connect_timeout=1")
        } throws: { error in
            guard let error = error as? PostgresError else { return false }
            return error.kind == .connection && error.message.contains("/nonexistent-dir")
        }
    }

    @Test func malformedConninfoIsAConnectionError() {
        #expect(throws: PostgresError.self) { _ = try Connection(conninfo: "postgresql://[bad") }
    }

    @Test func decodesEverySupportedTypeAndNull() throws {
        let connection = try Connection(conninfo: conninfo)
        let row = try #require(
            try connection.queryOne(
                """
                SELECT 'héllo'::text AS t, 42::int4 AS i4, 9007199254740993::int8 AS i8, -7::int2 AS i2,
                       true AS b, false AS f, 2.5::float8 AS d, DATE '2008-10-08' AS day,
                       TIMESTAMPTZ '2008-10-08 09:30:15.123456+02' AS at,
                       'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS id,
                       '\\x00ff10'::bytea AS bytes, ARRAY['en','fr','a "q"', 'b,c']::text[] AS langs,
                       ARRAY[1,2,3]::int[] AS numbers, NULL::text AS nothing, NULL::int AS no_int,
                       ARRAY[]::text[] AS empty
                """))
        #expect(try row.decode("t", as: String.self) == "héllo")
        #expect(try row.decode("i4", as: Int.self) == 42)
        #expect(try row.decode("i8", as: Int64.self) == 9_007_199_254_740_993)
        #expect(try row.decode("i2", as: Int32.self) == -7)
        #expect(try row.decode("b", as: Bool.self) == true)
        #expect(try row.decode("f", as: Bool.self) == false)
        #expect(try row.decode("d", as: Double.self) == 2.5)
        #expect(try row.decode("day", as: PostgresDate.self) == PostgresDate(year: 2008, month: 10, day: 8))
        let at = try row.decode("at", as: Date.self)
        #expect(abs(at.timeIntervalSince1970 - 1_223_451_015.123456) < 0.000_001)
        #expect(try row.decode("id", as: UUID.self) == UUID(uuidString: "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"))
        #expect(try row.decode("bytes", as: PostgresBytes.self).bytes == [0x00, 0xff, 0x10])
        #expect(try row.decode("langs", as: [String].self) == ["en", "fr", "a \"q\"", "b,c"])
        #expect(try row.decode("numbers", as: [Int].self) == [1, 2, 3])
        #expect(try row.decode("empty", as: [String].self) == [])
        #expect(try row.decode("nothing", as: String?.self) == nil)
        #expect(try row.decode("no_int", as: Int?.self) == nil)
        #expect(try row.decode("t", as: String?.self) == "héllo")
        #expect(throws: PostgresError.self) { try row.decode("nothing", as: String.self) }
        #expect(throws: PostgresError.self) { try row.decode("t", as: Int.self) }
        #expect(throws: PostgresError.self) { try row.decode("no_such_column", as: String.self) }
    }

    @Test func integersDecodeFromTheirBytesToTheLimitsAndNoFurther() throws {
        let connection = try Connection(conninfo: conninfo)
        let row = try #require(
            try connection.queryOne(
                """
                SELECT 9223372036854775807::int8 AS max, (-9223372036854775807 - 1)::int8 AS min, 0 AS zero,
                       '9223372036854775808' AS over, '-9223372036854775809' AS under, '' AS empty, '-' AS sign,
                       '12a' AS mixed, '+7' AS plus, ' 1' AS spaced, 'true' AS word, 'x' AS letter, 'ab' AS two
                """))
        #expect(try row.decode("max", as: Int.self) == Int.max)
        #expect(try row.decode("min", as: Int.self) == Int.min)
        #expect(try row.decode("zero", as: Int.self) == 0)
        #expect(try row.decode("plus", as: Int.self) == 7)
        for column in ["over", "under", "empty", "sign", "mixed", "spaced"] {
            #expect(throws: PostgresError.self, "\(column)") { try row.decode(column, as: Int.self) }
        }
        // Booleans: `t`/`f` from the bytes, the longer spellings as before, anything else refused.
        #expect(try row.decode("word", as: Bool.self) == true)
        #expect(throws: PostgresError.self) { try row.decode("letter", as: Bool.self) }
        #expect(throws: PostgresError.self) { try row.decode("two", as: Bool.self) }
        #expect(try row.text("mixed") == "12a")
    }

    @Test func parametersRoundTripThroughTheServer() throws {
        let connection = try Connection(conninfo: conninfo)
        let when = Date(timeIntervalSince1970: 1_223_451_015.5)
        let id = UUID()
        let bytes = PostgresBytes([0, 1, 2, 254, 255])
        let row = try #require(
            try connection.queryOne(
                """
                SELECT $1::text AS t, $2::int8 AS i, $3::bool AS b, $4::date AS day, $5::timestamptz AS at,
                       $6::uuid AS id, $7::bytea AS bytes, $8::text[] AS list, $9::text AS nothing,
                       $10::float8 AS d
                """,
                [
                    "quote ' and \" and \\ and ; -- and \u{202E}rtl", Int.max, true,
                    PostgresDate(year: 2004, month: 2, day: 29), when, id, bytes,
                    ["a", "b \"c\"", "d\\e", ""], String?.none, 0.1,
                ]))
        #expect(try row.decode("t", as: String.self) == "quote ' and \" and \\ and ; -- and \u{202E}rtl")
        #expect(try row.decode("i", as: Int.self) == Int.max)
        #expect(try row.decode("b", as: Bool.self))
        #expect(try row.decode("day", as: PostgresDate.self) == PostgresDate(year: 2004, month: 2, day: 29))
        #expect(try row.decode("at", as: Date.self) == when)
        #expect(try row.decode("id", as: UUID.self) == id)
        #expect(try row.decode("bytes", as: PostgresBytes.self) == bytes)
        #expect(try row.decode("list", as: [String].self) == ["a", "b \"c\"", "d\\e", ""])
        #expect(try row.decode("nothing", as: String?.self) == nil)
        #expect(try row.decode("d", as: Double.self) == 0.1)
    }

    @Test func preparedStatementsAreCachedPerConnection() throws {
        let connection = try Connection(conninfo: conninfo)
        for value in 1...5 { try connection.query("SELECT $1::int AS v", [value]) }
        try connection.query("SELECT 1")
        #expect(connection.preparedStatementCount == 2)
    }

    @Test func uniqueViolationCarriesSQLStateAndConstraint() throws {
        let connection = try Connection(conninfo: conninfo)
        try connection.simpleQuery(
            "CREATE TABLE bodies_u (code text, CONSTRAINT bodies_u_code_key UNIQUE (code))")
        try connection.query("INSERT INTO bodies_u VALUES ($1)", ["CTOC/COP"])
        do {
            try connection.query("INSERT INTO bodies_u VALUES ($1)", ["CTOC/COP"])
            Issue.record("a duplicate was accepted")
        } catch {
            #expect(error.kind == .server)
            #expect(error.sqlState == "23505")
            #expect(error.isUniqueViolation)
            #expect(error.constraint == "bodies_u_code_key")
            #expect(error.table == "bodies_u")
            #expect(error.detail?.contains("CTOC/COP") == true)
            #expect(!error.isTransient)
        }
    }

    @Test func transactionRollsBackOnAThrownError() throws {
        struct Refusal: Error {}
        let connection = try Connection(conninfo: conninfo)
        try connection.simpleQuery("CREATE TABLE rolled (n int)")
        #expect(throws: Refusal.self) {
            try connection.transaction { connection in
                try connection.query("INSERT INTO rolled VALUES (1)")
                throw Refusal()
            }
        }
        #expect(!connection.isInTransaction)
        // A server error inside the body rolls back too, and the connection stays usable.
        #expect(throws: PostgresError.self) {
            try connection.transaction { connection in
                try connection.query("INSERT INTO rolled VALUES (2)")
                try connection.query("INSERT INTO rolled VALUES ('not a number')")
            }
        }
        try connection.transaction { connection in try connection.query("INSERT INTO rolled VALUES (3)") }
        let rows = try connection.query("SELECT n FROM rolled ORDER BY n").rows
        #expect(try rows.map { try $0.decode("n", as: Int.self) } == [3])
    }

    @Test func queriesRunInOnePipelineInOrderAndReportTheFirstFailure() throws {
        let connection = try Connection(conninfo: conninfo)
        try connection.simpleQuery("CREATE TABLE piped (n int PRIMARY KEY)")
        let statements = (1...50).map { Statement("INSERT INTO piped VALUES ($1) RETURNING n", [$0]) }
        let results = try connection.queries(statements)
        #expect(results.count == 50)
        #expect(try results.last?.rows.first?.decode("n", as: Int.self) == 50)
        #expect(throws: PostgresError.self) {
            _ = try connection.queries([
                Statement("INSERT INTO piped VALUES (1000)"), Statement("INSERT INTO piped VALUES (1)"),
            ])
        }
        // The pipeline is one implicit transaction: the failure rolled back the insert before it. The connection
        // leaves pipeline mode cleanly and keeps working.
        #expect(connection.isHealthy)
        let count = try connection.queryOne("SELECT count(*)::int AS c FROM piped")
        #expect(try count?.decode("c", as: Int.self) == 50)
    }

    @Test func thePreparedStatementCacheIsBoundedAndFreesWhatItDrops() throws {
        let connection = try Connection(conninfo: conninfo, preparedStatementLimit: 8)
        let server = "SELECT count(*)::int AS c FROM pg_prepared_statements"
        for round in 0..<3 {
            for n in 1...20 {
                let row = try connection.queryOne("SELECT $1::int + \(n) AS v", [round])
                #expect(try row?.decode("v", as: Int.self) == round + n)
            }
        }
        #expect(connection.preparedStatementCount == 8)
        // On the server too: the ones dropped were deallocated (the count statement itself is one of the eight).
        #expect(try connection.queryOne(server)?.decode("c", as: Int.self) == 8)
        // A statement still cached is reused, not prepared again; inside a transaction eviction works as well.
        try connection.transaction { connection in
            for n in 21...30 { try connection.query("SELECT \(n) AS v") }
        }
        #expect(connection.preparedStatementCount == 8)
        #expect(try connection.queryOne(server)?.decode("c", as: Int.self) == 8)
    }

    @Test func copyLoadsRowsWithEscapesAndNulls() throws {
        let connection = try Connection(conninfo: conninfo)
        try connection.simpleQuery("CREATE TABLE copied (n int, title text)")
        let rows: [[String?]] = (1...5000).map { [String($0), $0 % 10 == 0 ? nil : "tab\there\nnew\\line \($0)"] }
        let loaded = try connection.copyFrom("COPY copied (n, title) FROM STDIN", rows: rows)
        #expect(loaded == 5000)
        let nulls = try connection.queryOne("SELECT count(*)::int AS c FROM copied WHERE title IS NULL")
        #expect(try nulls?.decode("c", as: Int.self) == 500)
        let one = try connection.queryOne("SELECT title FROM copied WHERE n = 7")
        #expect(try one?.decode("title", as: String.self) == "tab\there\nnew\\line 7")
        // A bad row fails the whole COPY and loads nothing.
        #expect(throws: PostgresError.self) {
            try connection.copyFrom("COPY copied (n, title) FROM STDIN", rows: [["1", "ok"], ["x", "bad"]])
        }
        let total = try connection.queryOne("SELECT count(*)::int AS c FROM copied")
        #expect(try total?.decode("c", as: Int.self) == 5000)
    }

    @Test func listenReceivesNotifications() throws {
        let listener = try Connection(conninfo: conninfo)
        try listener.listen("plenary_events")
        let sender = try Connection(conninfo: conninfo)
        try sender.notify("plenary_events", payload: "doc registered")
        let received = try listener.waitForNotifications(timeout: 5)
        #expect(received.map(\.payload) == ["doc registered"])
        #expect(received.first?.channel == "plenary_events")
        #expect(try listener.waitForNotifications(timeout: 0.1).isEmpty)
    }

    @Test func cancelStopsARunningStatement() throws {
        let connection = try Connection(conninfo: conninfo)
        let canceller = connection.cancelHandle
        let thread = Thread {
            Thread.sleep(forTimeInterval: 0.3)
            canceller.cancel()
        }
        thread.start()
        let started = Date()
        #expect {
            try connection.query("SELECT pg_sleep(20)")
        } throws: { error in
            (error as? PostgresError)?.kind == .cancelled && (error as? PostgresError)?.sqlState == "57014"
        }
        #expect(Date().timeIntervalSince(started) < 10)
        #expect(try connection.queryOne("SELECT 1 AS one")?.decode("one", as: Int.self) == 1)
    }
}
