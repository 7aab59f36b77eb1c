import Bodies
import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Sessions
import Storage
import Testing
import WorkingGroups

/// A database of the test's own (cloned from the migrated template), its bodies, and every service over it. The
/// pool is closed when the last reference goes.
final class Conference: Sendable {
    let base: TestConference
    var conninfo: String { base.conninfo }
    var database: Database { base.database }
    let sessions: SessionRegistry
    let agendas: AgendaRegistry
    let calendar: BodyCalendar
    let groups: WorkingGroupRegistry
    let meetings: MeetingRegistry

    static let clerk = TestConference.clerk

    /// Creates the database with the given bodies, all in Europe/Vienna.
    init(bodies: [String] = ["CTOC/COP"], today: CalendarDate? = nil) async throws {
        let base = try await TestConference(bodies: bodies)
        self.base = base
        let database = base.database
        let clock = today.map { CalendarClock(today: $0) } ?? .system
        sessions = SessionRegistry(database: database)
        agendas = AgendaRegistry(database: database, clock: clock)
        calendar = BodyCalendar(database: database, clock: clock)
        groups = WorkingGroupRegistry(database: database, clock: clock)
        meetings = MeetingRegistry(database: database)
    }

    /// A connection outside the pool, for SQL a service would never send.
    func connection() throws -> Connection { try base.connection() }

    /// Schedules a regular session in Vienna.
    @discardableResult
    func schedule(
        _ number: Int, _ start: String, _ end: String, body: String = "CTOC/COP", kind: SessionKind = .regular
    ) async throws -> Session {
        try await sessions.schedule(
            SessionPlan(number: number, kind: kind, venue: "Vienna, Austria", start: day(start), end: day(end)),
            body: body, by: Conference.clerk)
    }

    /// The audit rows of one entity kind, oldest first.
    func audit(_ entity: String) throws -> [AuditRecord] {
        try AuditLog.list(try AuditChain.sealed(try connection()), entity: entity, limit: 1000).reversed()
    }
}

/// The id of a body's row, for raw SQL.
func bodyID(_ connection: Connection, _ code: String = "CTOC/COP") throws -> Int {
    try connection.queryOne("SELECT id FROM bodies WHERE code = $1", [code])!.decode("id")
}
