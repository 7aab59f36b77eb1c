import Bodies
import Decisions
import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Sessions
import Storage
import Testing
import WorkingGroups

/// A database of the test's own (cloned from the migrated template), its bodies, and the services over it. The
/// pool is closed when the last reference goes.
final class Conference: Sendable {
    let base: TestConference
    var conninfo: String { base.conninfo }
    var database: Database { base.database }
    let sessions: SessionRegistry
    let groups: WorkingGroupRegistry
    let decisions: DecisionRegistry

    static let clerk = TestConference.clerk

    /// Creates the database with the given bodies, all in Europe/Vienna; `today` fixes the clock.
    init(bodies: [String] = ["CTOC/COP"], today: CalendarDate? = nil) async throws {
        let base = try await TestConference(bodies: bodies)
        self.base = base
        let database = base.database
        let clock = today.map { CalendarClock(today: $0) } ?? .system
        sessions = SessionRegistry(database: database)
        groups = WorkingGroupRegistry(database: database, clock: clock)
        decisions = DecisionRegistry(database: database, clock: clock)
    }

    /// A connection outside the pool, for SQL a service would never send. Tests run as the cluster's superuser.
    func connection() throws -> Connection { try base.connection() }

    /// Schedules a regular session in Vienna and moves it to `status` (open, or open then closed).
    @discardableResult
    func session(
        _ number: Int, _ start: String, _ end: String, body: String = "CTOC/COP", status: SessionStatus = .closed
    ) async throws -> Session {
        var session = try await sessions.schedule(
            SessionPlan(number: number, venue: "Vienna, Austria", start: day(start), end: day(end)), body: body,
            by: Conference.clerk)
        if status == .open || status == .closed {
            session = try await sessions.open(body: body, number: number, by: Conference.clerk)
        }
        if status == .closed { session = try await sessions.close(body: body, number: number, by: Conference.clerk) }
        return session
    }

    /// Tables a draft at `session` of CTOC/COP.
    func draft(
        _ title: String, session: Int, kind: DecisionKind = .decision, text: String? = nil, body: String = "CTOC/COP",
        ends: String? = nil
    ) async throws -> Decision {
        try await decisions.draft(
            DecisionDraft(kind: kind, session: session, title: title, text: text, endsOn: ends.map(day)), body: body,
            by: Conference.clerk)
    }

    /// Enters a decision from the record: `record("decision 4/4", "Trafficking in human beings", on: "2008-10-17")`.
    @discardableResult
    func record(
        _ citation: String, _ title: String, on date: String, text: String? = nil, ends: String? = nil,
        body: String = "CTOC/COP"
    ) async throws -> Decision {
        let citation = try DecisionCitation.parse(citation, key: "test")
        return try await decisions.record(
            RecordedDecision(
                kind: citation.kind, number: citation.number, title: title, adoptedOn: day(date), text: text,
                endsOn: ends.map(day)),
            body: body, session: citation.number.session, by: Conference.clerk)
    }

    /// Links two decisions, or a decision to a working group or document, as `decision link` does.
    @discardableResult
    func link(
        _ from: String, _ relation: DecisionRelation, _ to: String, body: String = "CTOC/COP"
    ) async throws -> DecisionLink {
        let source = try DecisionCitation.parse(from, key: "test")
        return try await decisions.link(
            body: body, number: source.number, kind: source.kind, relation: relation,
            to: try LinkTarget.parse(to, for: relation), by: Conference.clerk)
    }

    /// The audit rows of one entity kind, oldest first.
    func audit(_ entity: String) throws -> [AuditRecord] {
        try AuditLog.list(try AuditChain.sealed(try connection()), entity: entity, limit: 1000).reversed()
    }

    /// How many rows `table` holds.
    func count(_ table: String) throws -> Int {
        try connection().queryOne("SELECT count(*) AS n FROM \(table)")!.decode("n")
    }
}

/// `4/4` as a number; traps on a typo in a test.
func number(_ text: String) -> DecisionNumber {
    guard let number = DecisionNumber(parsing: text) else { fatalError("not a decision number: \(text)") }
    return number
}
