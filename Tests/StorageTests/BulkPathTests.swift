import Foundation
import PlenaryTestSupport
import Postgres
import Testing

/// Issue 13, item 5: `plenary import` checks the document rules set-based and lets the row trigger stand aside for
/// its own chunks only; every other way a row arrives still meets the trigger.
@Suite("Bulk paths keep the database's rules")
struct BulkPathTests {
    let connection: Connection

    init() throws {
        connection = try Connection(conninfo: try TestCluster.makeDatabase())
        try connection.simpleQuery(
            """
            INSERT INTO bodies (code, name, timezone) VALUES ('CTOC/COP', 'Conference of the Parties', 'UTC');
            INSERT INTO sessions (body_id, number, venue, timezone, start_date, end_date)
            SELECT id, 4, 'Vienna', 'UTC', '2008-10-08', '2008-10-17' FROM bodies;
            """)
    }

    func insert(_ symbol: String, serial: Int) throws {
        try connection.query(
            """
            INSERT INTO documents (body_id, symbol, sort_key, session_id, series, issuer, period, serial, doc_type,
                                   distribution, title)
            SELECT b.id, $1, $1, s.id, 'main', 'CTOC/COP', $2, $3, 'main', 'general', 'A paper'
            FROM bodies b JOIN sessions s ON s.body_id = b.id
            """,
            [symbol, String(symbol.split(separator: "/")[2]), serial])
    }

    @Test func aBadRowByPlainSQLIsStillRefusedByTheDatabase() throws {
        try insert("CTOC/COP/2008/1", serial: 1)
        #expect(
            try connection.queryOne("SELECT last_serial FROM document_counters")?.decode("last_serial", as: Int.self)
                == 1, "the trigger moved the counter")
        #expect(throws: PostgresError.self, "a symbol whose year is not its session's") {
            try insert("CTOC/COP/2010/2", serial: 2)
        }
        // The import's setting left at session level, naming an earlier transaction, lets nothing through later.
        try connection.simpleQuery("SELECT set_config('plenary.rows_checked', txid_current()::text, false)")
        #expect(throws: PostgresError.self, "a stale setting does not stand the trigger aside") {
            try insert("CTOC/COP/2010/3", serial: 3)
        }
        try connection.simpleQuery("SELECT set_config('plenary.rows_checked', '12345', false)")
        #expect(throws: PostgresError.self, "nor does one naming another transaction") {
            try insert("CTOC/COP/2010/4", serial: 4)
        }
        // The rules that stand aside since Schema/0016 too: an agenda item the session does not have, and an issue
        // date with no language version issued (checked at commit).
        let noItem = #expect(throws: PostgresError.self) {
            try connection.query(
                """
                INSERT INTO documents (body_id, symbol, sort_key, session_id, series, issuer, period, serial,
                                       doc_type, distribution, title, agenda_items)
                SELECT b.id, 'CTOC/COP/2008/5', 'CTOC/COP/2008/5', s.id, 'main', 'CTOC/COP', '2008', 5, 'main',
                       'general', 'A paper', ARRAY['9']
                FROM bodies b JOIN sessions s ON s.body_id = b.id
                """)
        }
        #expect(noItem?.constraint == "documents_agenda_item_exists")
        let notIssued = #expect(throws: PostgresError.self) {
            try connection.query(
                """
                INSERT INTO documents (body_id, symbol, sort_key, session_id, series, issuer, period, serial,
                                       doc_type, distribution, title, issued_on)
                SELECT b.id, 'CTOC/COP/2008/6', 'CTOC/COP/2008/6', s.id, 'main', 'CTOC/COP', '2008', 6, 'main',
                       'general', 'A paper', '2008-10-01'
                FROM bodies b JOIN sessions s ON s.body_id = b.id
                """)
        }
        #expect(notIssued?.constraint == "documents_issued_in_a_language")
        #expect(
            try connection.queryOne("SELECT count(*) AS n FROM documents")?.decode("n", as: Int.self) == 1)
    }

    @Test func aLanguageVersionTakesItsTimeFromTheDefaultAndKeepsItsRulesOnUpdate() throws {
        try insert("CTOC/COP/2008/1", serial: 1)
        try connection.simpleQuery(
            """
            INSERT INTO document_versions (document_id, language, required, status)
            SELECT id, 'en', true, 'submitted' FROM documents
            """)
        #expect(
            try connection.queryOne("SELECT updated_at IS NOT NULL AS set FROM document_versions")?
                .decode("set", as: Bool.self) == true)
        #expect(throws: PostgresError.self, "a version never goes back") {
            try connection.simpleQuery("UPDATE document_versions SET status = 'expected'")
        }
    }
}
