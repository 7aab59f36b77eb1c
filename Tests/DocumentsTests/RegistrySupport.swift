import Bodies
import Documents
import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Sessions
import Storage
import Testing
import WorkingGroups

/// A database of the test's own with CTOC/COP, its fourth session (Vienna, 8-17 October 2008), its fifth (2010) and
/// the Working Group on Trafficking in Persons (WG.4) with a meeting in January 2010, and the registry over it.
final class Secretariat: Sendable {
    let conninfo: String
    let database: Database
    let documents: DocumentRegistry

    static let clerk = Actor(name: "clerk", role: .secretariat)

    init(today: String = "2008-10-01") async throws {
        conninfo = try TestCluster.makeDatabase()
        database = Database(configuration: ConnectionPool.Configuration(conninfo: conninfo, size: 4))
        documents = DocumentRegistry(database: database, clock: CalendarClock(today: day(today)))
        let admin = Actor(name: "admin", role: .admin)
        _ = try await BodyRegistry(database: database).add(
            Body(code: "CTOC/COP", name: "Conference of the Parties", timeZone: "Europe/Vienna"), by: admin)
        let sessions = SessionRegistry(database: database)
        _ = try await sessions.schedule(
            SessionPlan(
                number: 4, venue: "Vienna, Austria", start: day("2008-10-08"), end: day("2008-10-17")),
            body: "CTOC/COP", by: Self.clerk)
        _ = try await sessions.schedule(
            SessionPlan(
                number: 5, venue: "Vienna, Austria", start: day("2010-10-18"), end: day("2010-10-22")),
            body: "CTOC/COP", by: Self.clerk)
        _ = try await WorkingGroupRegistry(database: database).establish(
            WorkingGroupCharter(code: "WG.4", name: "Working Group on Trafficking in Persons"), body: "CTOC/COP",
            by: Self.clerk)
        _ = try await MeetingRegistry(database: database).schedule(
            MeetingPlan(start: day("2010-01-27"), end: day("2010-01-29"), venue: "Vienna, Austria"),
            body: "CTOC/COP", workingGroup: "WG.4", by: Self.clerk)
    }

    deinit { database.shutdown() }

    func connection() throws -> Connection { try Connection(conninfo: conninfo) }

    /// Registers `symbol` under session 4 (or `placement`).
    @discardableResult
    func register(
        _ symbol: String, _ title: String = "A document", placement: DocumentPlacement = .session(4),
        languages: [Language] = Language.allCases
    ) async throws -> Document {
        try await documents.register(
            symbol: try DocumentSymbol(symbol), DocumentDraft(title: title, placement: placement, languages: languages),
            by: Self.clerk)
    }

    /// How many rows `table` holds.
    func count(_ table: String) throws -> Int {
        try connection().queryOne("SELECT count(*) AS n FROM \(table)")!.decode("n")
    }

    /// Documents, versions, counters and audit rows: what a refusal must leave as it was.
    func footprint() throws -> [Int] {
        try ["documents", "document_versions", "document_counters", "audit_log"].map(count)
    }
}
