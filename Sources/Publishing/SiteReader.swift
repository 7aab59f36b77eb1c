import Bodies
import Decisions
import Documents
import PlenaryCore
import Sessions
import Storage
import Treaties
import WorkingGroups

/// Reads what the site shows through the service modules' own registries — the same reads the commands make —
/// never through SQL of its own, so the pages follow every rule and change of the services.
public struct SiteReader: Sendable {
    let bodies: BodyRegistry
    let sessions: SessionRegistry
    let agendas: AgendaRegistry
    let groups: WorkingGroupRegistry
    let meetings: MeetingRegistry
    let decisions: DecisionRegistry
    let documents: DocumentRegistry
    let calendar: BodyCalendar
    let treaties: TreatyRegistry
    let database: Database
    /// The day statuses and "upcoming" are read for; each body's own today when nil.
    public let today: CalendarDate?

    /// Creates the reader over `database`. Give `today` to publish the record as of a fixed day (the same record
    /// and day give the same bytes).
    public init(database: Database, today: CalendarDate? = nil) {
        let clock = today.map { CalendarClock(today: $0) } ?? .system
        self.today = today
        self.database = database
        bodies = BodyRegistry(database: database)
        sessions = SessionRegistry(database: database)
        agendas = AgendaRegistry(database: database, clock: clock)
        groups = WorkingGroupRegistry(database: database, clock: clock)
        meetings = MeetingRegistry(database: database)
        decisions = DecisionRegistry(database: database, clock: clock)
        documents = DocumentRegistry(database: database, clock: clock)
        calendar = BodyCalendar(database: database, clock: clock)
        treaties = TreatyRegistry(database: database, clock: clock)
    }

    /// The day each body's pages are published as of: `today` when fixed, else the body's own today in its time
    /// zone (statuses, "upcoming" and the current texts depend on it).
    public func days(of bodies: [Body]) -> [String: CalendarDate] {
        Dictionary(
            bodies.map { ($0.code, today ?? CalendarClock.system.today(in: $0.timeZone)) },
            uniquingKeysWith: { first, _ in first })
    }

    /// The head of the audit trail once everything committed before is sealed: what a publication reads is at
    /// least this history.
    public func trailHead() async throws(DomainError) -> AuditAnchor {
        try await database.read { connection in
            try AuditChain.catchUp(connection)
            return try AuditLog.anchor(connection)
        }
    }

    /// Whether the trail still holds `anchor` (``AuditLog/holds(_:anchor:)``).
    public func trailHolds(_ anchor: AuditAnchor) async throws(DomainError) -> Bool {
        try await database.read { connection in try AuditLog.holds(connection, anchor: anchor) }
    }

    /// The bodies named (all when nil), by code; 550 for a code the registry does not hold.
    public func bodyList(_ codes: [String]?) async throws(DomainError) -> [Body] {
        guard let codes else { return try await bodies.list().sorted { $0.code < $1.code } }
        var found: [Body] = []
        for code in Set(codes).sorted() { found.append(try await bodies.get(code: code)) }
        return found
    }

    /// Everything about a body except its documents: what the front page, the data file, the calendar, the
    /// decision pages and the working-group pages need.
    public struct BodyRecord: Sendable {
        /// The body.
        public var body: Body
        /// Every session part.
        public var sessions: [Session]
        /// Its working groups.
        public var groups: [WorkingGroup]
        /// Their meetings.
        public var meetings: [Meeting]
        /// The whole calendar, for calendar.ics.
        public var calendar: CalendarView
        /// The events not yet over.
        public var upcoming: [CalendarEntry]
        /// Its adopted decisions and resolutions, with their statuses on the reader's day.
        public var decisions: [Decision]
        /// Every link of its decisions.
        public var links: [DecisionLink]
    }

    /// Reads a body's record (without documents).
    public func record(_ body: Body) async throws(DomainError) -> BodyRecord {
        let code = body.code
        let all = try await calendar.calendar(body: code)
        let upcoming = try await calendar.calendar(body: code, upcoming: true, today: today)
        return BodyRecord(
            body: body, sessions: try await sessions.list(body: code), groups: try await groups.list(body: code),
            meetings: try await meetings.list(body: code), calendar: all, upcoming: upcoming.entries,
            decisions: try await decisions.list(body: code, filter: DecisionFilter(on: today)).filter {
                $0.stage == .adopted && $0.citation != nil
            },
            links: try await decisions.allLinks(body: code))
    }

    /// A body's instruments, the Convention first, with their parties counted on the reader's day — what
    /// `instrument list` answers.
    public func instruments(body: String) async throws(DomainError) -> [InstrumentSummary] {
        try await treaties.instruments(body: body, on: today)
    }

    /// The agenda of a session; nil when none is recorded.
    public func agenda(body: String, session: Int) async -> Agenda? {
        guard let agenda = try? await agendas.agenda(body: body, session: session), !agenda.items.isEmpty else {
            return nil
        }
        return agenda
    }

    /// A group's renames, oldest first.
    public func renames(body: String, group: String) async throws(DomainError) -> [WorkingGroupRename] {
        try await groups.renames(body: body, code: group)
    }

    /// The decisions that established or changed a group.
    public func acts(body: String, group: String) async throws(DomainError) -> [WorkingGroupAct] {
        try await decisions.workingGroupActs(body: body, code: group, on: today)
    }

    /// One page of a body's documents in symbol order, `limit` at a time after `cursor`.
    public func documentPage(
        body: String, after cursor: String?, limit: Int = 1000
    ) async throws(DomainError) -> DocumentPage {
        try await documents.list(body: body, after: cursor, limit: limit, today: today)
    }

    /// Every document of a body that passes `filter`, in symbol order.
    public func allDocuments(body: String, filter: DocumentFilter) async throws(DomainError) -> [Document] {
        var found: [Document] = []
        var cursor: String?
        repeat {
            let page = try await documents.list(body: body, filter: filter, after: cursor, limit: 1000, today: today)
            found += page.documents
            cursor = page.next
        } while cursor != nil
        return found
    }

    /// The documents that revise, correct, add to or amend any of `symbols`.
    public func derived(from symbols: [DocumentSymbol]) async throws(DomainError) -> [Document] {
        try await documents.derived(from: symbols)
    }

    /// The document registered under `symbol`, or 550.
    public func document(_ symbol: DocumentSymbol) async throws(DomainError) -> Document {
        try await documents.get(symbol)
    }

    /// Which of `symbols` the registry holds (as unmarked symbol texts).
    public func registered(_ symbols: [String]) async -> Set<String> {
        let parsed = symbols.compactMap { try? DocumentSymbol($0) }
        var found: Set<String> = []
        for case .success(let document) in await documents.get(parsed) {
            found.insert(DocumentRules.unmarked(document.symbol).description)
        }
        return found
    }
}
