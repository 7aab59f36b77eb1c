import Bodies
import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Sessions
import Storage
import Testing
import Treaties

/// A database of the test's own with CTOC/COP, the Convention (UNTOC) and two Protocols (TIP, FIR) as the seed
/// page and the final clauses give them, and the treaty registry over it.
final class TreatySection: Sendable {
    let conninfo: String
    let database: Database
    let treaties: TreatyRegistry
    let sessions: SessionRegistry

    static let clerk = Actor(name: "clerk", role: .secretariat)

    /// `recorded`: add the instruments with the recorded dates of entry into force of the seed page.
    init(recorded: Bool = true, today: CalendarDate = day("2026-01-01")) async throws {
        conninfo = try TestCluster.makeDatabase()
        database = Database(configuration: ConnectionPool.Configuration(conninfo: conninfo, size: 4))
        treaties = TreatyRegistry(database: database, clock: CalendarClock(today: today))
        sessions = SessionRegistry(database: database)
        _ = try await BodyRegistry(database: database).add(
            Body(code: "CTOC/COP", name: "Conference of the Parties", timeZone: "Europe/Vienna"),
            by: Actor(name: "admin", role: .admin))
        try await treaties.add(
            InstrumentDraft(
                code: "UNTOC", title: "United Nations Convention against Transnational Organized Crime",
                adoptedOn: day("2000-11-15"), adoptedBy: "General Assembly resolution 55/25",
                signaturePlace: "Palermo, then United Nations Headquarters, New York",
                signatureFrom: day("2000-12-12"), signatureUntil: day("2002-12-12"),
                recordedInForce: recorded ? day("2003-09-29") : nil),
            body: "CTOC/COP", by: Self.clerk)
        try await treaties.add(
            InstrumentDraft(
                code: "TIP", title: "Trafficking in Persons Protocol", adoptedOn: day("2000-11-15"),
                adoptedBy: "General Assembly resolution 55/25", supplements: "UNTOC",
                signatureFrom: day("2000-12-12"), signatureUntil: day("2002-12-12"),
                recordedInForce: recorded ? day("2003-12-25") : nil),
            body: "CTOC/COP", by: Self.clerk)
        try await treaties.add(
            InstrumentDraft(
                code: "FIR", title: "Firearms Protocol", adoptedOn: day("2001-05-31"),
                adoptedBy: "General Assembly resolution 55/255", supplements: "UNTOC",
                signatureFrom: day("2001-06-30"), signatureUntil: day("2002-12-12"),
                recordedInForce: recorded ? day("2005-07-03") : nil),
            body: "CTOC/COP", by: Self.clerk)
    }

    deinit { database.shutdown() }

    /// A connection outside the pool, for SQL a service would never send. Tests run as the cluster's superuser.
    func connection() throws -> Connection { try Connection(conninfo: conninfo) }

    @discardableResult
    func sign(_ state: String, _ date: String, on instrument: String = "UNTOC") async throws -> TreatyOutcome {
        try await treaties.sign(body: "CTOC/COP", instrument: instrument, state: state, date: day(date), by: Self.clerk)
    }

    @discardableResult
    func deposit(
        _ state: String, _ kind: ActionKind, _ date: String, on instrument: String = "UNTOC"
    ) async throws -> TreatyOutcome {
        try await treaties.deposit(
            body: "CTOC/COP", instrument: instrument, state: state, kind: kind, date: day(date), by: Self.clerk)
    }

    /// How many acts are recorded, and how many audit rows: what "nothing written" is measured by.
    func written() throws -> [Int] {
        let connection = try connection()
        return [
            try connection.queryOne("SELECT count(*) AS n FROM treaty_actions")!.decode("n"),
            try connection.queryOne("SELECT count(*) AS n FROM audit_log")!.decode("n"),
        ]
    }
}

/// Expects `body` to fail with `code` and a message containing every fragment, and to write nothing.
func refused(
    _ section: TreatySection, _ code: ReplyCode, _ fragments: String...,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async throws {
    let before = try section.written()
    do {
        try await body()
        Issue.record("expected \(code.rawValue) containing \(fragments)", sourceLocation: sourceLocation)
    } catch let refusal as DomainError {
        let error = PlenaryError(refusal)
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
        }
    }
    #expect(try section.written() == before, "a refusal wrote something", sourceLocation: sourceLocation)
}

/// Expects plain SQL to be refused by the database with a message containing `fragment`.
func refusedSQL(
    _ connection: Connection, _ sql: String, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    do {
        try connection.simpleQuery(sql)
        Issue.record("expected the database to refuse: \(sql)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.message.contains(fragment), "\(error.message)", sourceLocation: sourceLocation)
    }
}
