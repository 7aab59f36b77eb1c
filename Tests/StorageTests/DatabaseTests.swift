import PlenaryCore
import PlenaryTestSupport
import Postgres
import Storage
import Testing

@Suite("Database error mapping")
struct DatabaseTests {
    @Test func triggerRefusalsAreConflictsAndUnexpectedErrorsAreIncidents() async throws {
        let database = Database(configuration: .init(conninfo: try TestCluster.makeDatabase()))
        defer { database.shutdown() }
        // plenary_refuse is the schema's one way to refuse a change from a trigger (Schema/0004).
        let refusal = await #expect(throws: DomainError.self) {
            try await database.write { connection in
                try connection.query("SELECT plenary_refuse('some_rule', 'start: session 5 would overlap session 4')")
            }
        }
        #expect(refusal?.kind == .conflict)
        #expect(refusal?.message == "start: session 5 would overlap session 4")

        let bug = await #expect(throws: DomainError.self) {
            try await database.read { connection in try connection.query("SELECT * FROM no_such_table") }
        }
        #expect(bug?.kind == .fault)
        #expect(bug?.message.contains("incident") == true)

        let unreachable = Database(configuration: .init(conninfo: "host=/nonexistent-dir dbname=x connect_timeout=1"))
        defer { unreachable.shutdown() }
        let down = await #expect(throws: DomainError.self) {
            try await unreachable.read { connection in try connection.query("SELECT 1") }
        }
        #expect(down?.kind == .unavailable)
    }
}
