import PlenaryCore

/// When a body's pre-session documents are due, in days before the opening. Configuration, not code: which rule
/// binds which body is the body's own business.
public struct DeadlineRule: Sendable, Hashable, Codable {
    /// Pre-session documents in all required languages: six weeks by default (the UN six-week rule).
    public var preSessionDays: Int
    /// The provisional agenda of a regular session: 60 days by default (rules of procedure, rule 9).
    public var agendaRegularDays: Int
    /// The provisional agenda of a special session: 30 days by default.
    public var agendaSpecialDays: Int

    /// The defaults a body without a rule of its own takes.
    public static let standard = DeadlineRule(preSessionDays: 42, agendaRegularDays: 60, agendaSpecialDays: 30)

    /// Creates a rule.
    public init(preSessionDays: Int, agendaRegularDays: Int, agendaSpecialDays: Int) {
        self.preSessionDays = preSessionDays
        self.agendaRegularDays = agendaRegularDays
        self.agendaSpecialDays = agendaSpecialDays
    }
}

/// One language of one document that is late or missing.
public struct DeadlineEntry: Sendable, Hashable {
    /// The document.
    public var symbol: DocumentSymbol
    /// Its title.
    public var title: String
    /// The language late or missing.
    public var language: Language
    /// Where that version stands today (a version issued after the report's day may stand further than `state`).
    public var status: VersionStatus
    /// The day it was due.
    public var due: CalendarDate
    /// The day it was issued, when it was issued late.
    public var issuedOn: CalendarDate?
    /// Days past the due day: at issue, or until today for one still missing; for one due soon, the days left.
    public var daysLate: Int
    /// `late` (issued after the due day), `missing` (not issued as of the report's day, the due day past) or `due`
    /// (not issued, due within the days asked for).
    public var state: String
}

/// What `doc deadlines` reports for a session.
public struct DeadlineReport: Sendable, Hashable {
    /// The body's code.
    public var body: String
    /// The session's number.
    public var session: Int
    /// The day it opens.
    public var opening: CalendarDate
    /// The day the report is for.
    public var today: CalendarDate
    /// The rule applied.
    public var rule: DeadlineRule
    /// Every late or missing version, by symbol and language.
    public var entries: [DeadlineEntry]
}
