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

/// Which rule set a document's due day: the provisional agenda's (rule 9 of the rules of procedure: 60 days before a
/// regular session, 30 before a special one) or the pre-session documents' (the six-week rule, 42 days), with the
/// days the body's rule gives it. Written `provisional-agenda-60`, `pre-session-42`.
public struct DueRule: Sendable, Hashable, CustomStringConvertible {
    /// Which of the two rules.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// The session's provisional agenda, known by its title whatever its serial.
        case provisionalAgenda = "provisional-agenda"
        /// Every other main or information document of the session, and their addenda.
        case preSession = "pre-session"
    }

    /// Which rule.
    public var kind: Kind
    /// Days before the opening.
    public var days: Int

    /// Creates a rule reference.
    public init(_ kind: Kind, days: Int) {
        self.kind = kind
        self.days = days
    }

    /// `provisional-agenda-60`, `pre-session-42`.
    public var description: String { "\(kind.rawValue)-\(days)" }
}

/// One document of the report, with the languages late, missing or due under it.
public struct DeadlineDocument: Sendable, Hashable {
    /// How bad a state is, worst first: a version still `missing` after its day is outstanding and further past it
    /// than any version issued (`late`), which is history; `due` is not past its day at all.
    public static let statesWorstFirst = ["missing", "late", "due"]

    /// The document.
    public var symbol: DocumentSymbol
    /// Its title.
    public var title: String
    /// The day it was due, in every language.
    public var due: CalendarDate
    /// The rule that set that day.
    public var rule: DueRule
    /// Its languages late, missing or due, in the UN order (ar zh en fr ru es).
    public var entries: [DeadlineEntry]

    /// Creates a document of the report; `entries` are its languages, in the UN order.
    public init(symbol: DocumentSymbol, title: String, due: CalendarDate, rule: DueRule, entries: [DeadlineEntry]) {
        self.symbol = symbol
        self.title = title
        self.due = due
        self.rule = rule
        self.entries = entries
    }

    /// The worst state among its languages (``statesWorstFirst``).
    public var state: String {
        Self.statesWorstFirst.first { state in entries.contains { $0.state == state } } ?? "due"
    }

    /// Days past the due day of its worst languages (the most, for versions issued late), or the days left when
    /// the worst is `due`.
    public var daysLate: Int {
        let state = self.state
        return entries.filter { $0.state == state }.map(\.daysLate).max() ?? 0
    }

    /// Its languages in `state`, in the UN order.
    public func languages(_ state: String) -> [Language] {
        entries.filter { $0.state == state }.map(\.language)
    }
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
    /// Every document with a language late, missing or due, by due day and then symbol.
    public var documents: [DeadlineDocument]

    /// Every late, missing or due version, document by document (``documents``' order) and in the UN order of
    /// languages under each.
    public var entries: [DeadlineEntry] { documents.flatMap(\.entries) }
}
