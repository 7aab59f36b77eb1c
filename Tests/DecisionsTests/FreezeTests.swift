import Decisions
import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Sessions
import Storage
import Testing

/// Frozen means frozen: after adoption the database refuses any change to the row, whoever connects — the tests
/// connect as the cluster's superuser, who owns the tables.
@Suite("Decisions: adopted texts are frozen")
struct FreezeTests {
    let conference: Conference
    let adopted: Decision

    init() async throws {
        conference = try await Conference(today: day("2010-10-20"))
        try await conference.session(4, "2008-10-08", "2008-10-17")
        let draft = try await conference.draft(
            "Trafficking in human beings", session: 4, text: "The Conference decides to establish a working group.")
        adopted = try await conference.decisions.adopt(id: draft.id, on: day("2008-10-17"), by: Conference.clerk)
    }

    @Test(arguments: [
        ("title", "UPDATE decisions SET title = 'Rewritten' WHERE id = $1"),
        ("text", "UPDATE decisions SET wording = 'Rewritten' WHERE id = $1"),
        ("number", "UPDATE decisions SET serial = 9 WHERE id = $1"),
        ("number", "UPDATE decisions SET kind = 'resolution' WHERE id = $1"),
        ("adopted", "UPDATE decisions SET adopted_on = '2008-10-16' WHERE id = $1"),
        ("number", "UPDATE decisions SET stage = 'draft', serial = NULL, adopted_on = NULL WHERE id = $1"),
        ("id", "UPDATE decisions SET stage = 'withdrawn' WHERE id = $1"),
        ("id", "UPDATE decisions SET document = 'CTOC/COP/2008/L.9' WHERE id = $1"),
    ])
    func theDatabaseRefusesAnyUpdateOfAnAdoptedDecision(key: String, sql: String) throws {
        let connection = try conference.connection()
        let isSuperuser = try connection.queryOne("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        #expect(try isSuperuser?.decode("rolsuper", as: Bool.self) == true)
        let error = databaseRefuses(connection, sql, [adopted.id], sqlState: "PL551", constraint: "decisions_frozen")
        #expect(
            error?.message
                == "\(key): decision 4/1 of CTOC/COP was adopted on 2008-10-17; an adopted text is frozen; a later "
                + "decision amends or supersedes it")
        let row = try connection.queryOne(
            "SELECT title, wording, serial, adopted_on FROM decisions WHERE id = $1", [adopted.id])
        #expect(try row?.decode("title", as: String.self) == "Trafficking in human beings")
        #expect(try row?.decode("wording", as: String.self) == "The Conference decides to establish a working group.")
        #expect(try row?.decode("serial", as: Int.self) == 1)
    }

    @Test func noDecisionIsEverDeleted() throws {
        let connection = try conference.connection()
        databaseRefuses(
            connection, "DELETE FROM decisions WHERE id = $1", [adopted.id], sqlState: "PL551",
            constraint: "decisions_kept")
        databaseRefuses(connection, "TRUNCATE decisions CASCADE", sqlState: "PL551")
        #expect(try conference.count("decisions") == 1)
    }

    @Test func theServiceRefusesWith551NamingTheDecision() async throws {
        let error = await refused(.conflict, "title: decision 4/1 of CTOC/COP was adopted on 2008-10-17", "frozen") {
            try await conference.decisions.edit(
                id: adopted.id, change: DraftChange(title: "Rewritten"), by: Conference.clerk)
        }
        #expect(error?.token == "CONFLICT")
        await refused(.conflict, "text: decision 4/1 of CTOC/COP", "frozen") {
            try await conference.decisions.edit(id: adopted.id, change: DraftChange(text: "New"), by: Conference.clerk)
        }
        await refused(.conflict, "id: decision 4/1 of CTOC/COP was adopted") {
            try await conference.decisions.withdraw(id: adopted.id, by: Conference.clerk)
        }
        #expect(try await conference.decisions.get(id: adopted.id).title == "Trafficking in human beings")
        #expect(try conference.audit("decision").map(\.operation) == ["draft", "adopt"])
    }

    @Test func theDatabaseRefusesATakenNumberFromAnyWriter() throws {
        let connection = try conference.connection()
        let error = databaseRefuses(
            connection,
            """
            INSERT INTO decisions (body_id, kind, session_number, stage, serial, title, adopted_on, recorded)
            SELECT id, 'decision', 4, 'adopted', 1, 'Overwrite', '2008-10-16', true FROM bodies WHERE code = 'CTOC/COP'
            """,
            sqlState: "PL551", constraint: "decisions_number_key")
        #expect(error?.message.hasPrefix("number: decision 4/1 of CTOC/COP is already taken") == true)
        // With the trigger off, the unique constraint still holds.
        try connection.simpleQuery("ALTER TABLE decisions DISABLE TRIGGER decisions_rules")
        databaseRefuses(
            connection,
            """
            INSERT INTO decisions (body_id, kind, session_number, stage, serial, title, adopted_on, recorded)
            SELECT id, 'decision', 4, 'adopted', 1, 'Overwrite', '2008-10-16', true FROM bodies WHERE code = 'CTOC/COP'
            """,
            sqlState: SQLState.uniqueViolation, constraint: "decisions_number_key")
        try connection.simpleQuery("ALTER TABLE decisions ENABLE TRIGGER decisions_rules")
        #expect(try conference.count("decisions") == 1)
    }
}
