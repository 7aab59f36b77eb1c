import PlenaryCore

/// Where a text is in its life: tabled as a draft, adopted (or entered from the record as adopted), or withdrawn.
public enum DecisionStage: String, Sendable, Hashable, Codable, CaseIterable {
    /// Tabled; edited freely.
    case draft
    /// Adopted: numbered, and its number, title, text and date are frozen.
    case adopted
    /// A draft taken back before adoption; kept for the record.
    case withdrawn
}

/// Where a decision stands on a given day, derived from its links and dates and never typed in
/// (`plenary_decision_status`, Schema/0007).
public enum DecisionStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Not adopted yet.
    case draft
    /// Taken back before adoption.
    case withdrawn
    /// Adopted after the day asked about.
    case notYetAdopted = "not-yet-adopted"
    /// Adopted, not superseded, not past its end date.
    case inForce = "in-force"
    /// A later decision superseded it.
    case superseded
    /// Past the end date it was adopted with.
    case elapsed
}

/// A decision or resolution of a body, at any stage. Encodable for the audit trail, which keeps what was decided and
/// not its status, since that changes with the day.
public struct Decision: Sendable, Hashable, Encodable {
    /// The row id: how a draft is named until it has a number.
    public var id: Int
    /// The body's code.
    public var body: String
    /// Decision or resolution.
    public var kind: DecisionKind
    /// The number of the session it belongs to.
    public var session: Int
    /// The part of that session it was tabled at, or adopted at; 1 unless the session was resumed.
    public var sessionPart: Int
    /// Draft, adopted or withdrawn.
    public var stage: DecisionStage
    /// Its number once adopted.
    public var number: DecisionNumber?
    /// The title.
    public var title: String
    /// The text.
    public var text: String?
    /// The agenda item it was tabled under, `4` or `4 (a)`.
    public var agendaItem: String?
    /// The limited-distribution document that carries the draft, e.g. `CTOC/COP/2008/L.5`.
    public var document: String?
    /// The day it was adopted.
    public var adoptedOn: CalendarDate?
    /// The last day it applies, if it was adopted for a period.
    public var endsOn: CalendarDate?
    /// Whether it was entered from the record (`decision record`) rather than adopted through Plenary.
    public var recorded: Bool
    /// Why a withdrawn draft was withdrawn, when a reason was given.
    public var withdrawnReason: String?
    /// Where it stands on the day it was read for (today unless asked otherwise).
    public var status: DecisionStatus

    /// Creates a decision value.
    public init(
        id: Int, body: String, kind: DecisionKind, session: Int, sessionPart: Int = 1, stage: DecisionStage,
        number: DecisionNumber? = nil, title: String, text: String? = nil, agendaItem: String? = nil,
        document: String? = nil, adoptedOn: CalendarDate? = nil, endsOn: CalendarDate? = nil, recorded: Bool = false,
        withdrawnReason: String? = nil, status: DecisionStatus
    ) {
        self.id = id
        self.body = body
        self.kind = kind
        self.session = session
        self.sessionPart = sessionPart
        self.stage = stage
        self.number = number
        self.title = title
        self.text = text
        self.agendaItem = agendaItem
        self.document = document
        self.adoptedOn = adoptedOn
        self.endsOn = endsOn
        self.recorded = recorded
        self.withdrawnReason = withdrawnReason
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case id, body, kind, session, sessionPart, stage, number, title, text, agendaItem, document, adoptedOn, endsOn
        case recorded, withdrawnReason
    }

    /// How the Conference cites it once adopted: `decision 4/4`.
    public var citation: DecisionCitation? { number.map { DecisionCitation(kind: kind, number: $0) } }

    /// `decision 4/4 of CTOC/COP`, or `draft 17 (decision, session 4 of CTOC/COP)`: how messages name it, in the
    /// words of `plenary_decision_name` (Schema/0007).
    public var label: String {
        if let citation { return "\(citation) of \(body)" }
        return "draft \(id) (\(kind.rawValue), session \(session) of \(body))"
    }

    /// `CTOC/COP/decision/4/4` once adopted, `CTOC/COP/draft/17` before: its id in the audit trail.
    public var auditID: String {
        if let number { return "\(body)/\(kind.rawValue)/\(number)" }
        return "\(body)/draft/\(id)"
    }
}

/// What is needed to table a draft.
public struct DecisionDraft: Sendable, Hashable {
    /// Decision or resolution.
    public var kind: DecisionKind
    /// The number of the session it is tabled at.
    public var session: Int
    /// The title.
    public var title: String
    /// The text, if already written.
    public var text: String?
    /// The agenda item, `4` or `4 (a)`.
    public var agendaItem: String?
    /// The limited-distribution document carrying it, e.g. `CTOC/COP/2008/L.5`.
    public var document: String?
    /// The last day it is to apply, if adopted for a period.
    public var endsOn: CalendarDate?

    /// Creates a draft.
    public init(
        kind: DecisionKind, session: Int, title: String, text: String? = nil, agendaItem: String? = nil,
        document: String? = nil, endsOn: CalendarDate? = nil
    ) {
        self.kind = kind
        self.session = session
        self.title = title
        self.text = text
        self.agendaItem = agendaItem
        self.document = document
        self.endsOn = endsOn
    }
}

/// What an edit of a draft changes; nil leaves a field as it is.
public struct DraftChange: Sendable, Hashable {
    /// The new title.
    public var title: String?
    /// The new text.
    public var text: String?
    /// The new agenda item.
    public var agendaItem: String?
    /// The new carrying document.
    public var document: String?
    /// The new end date.
    public var endsOn: CalendarDate?

    /// Creates a change.
    public init(
        title: String? = nil, text: String? = nil, agendaItem: String? = nil, document: String? = nil,
        endsOn: CalendarDate? = nil
    ) {
        self.title = title
        self.text = text
        self.agendaItem = agendaItem
        self.document = document
        self.endsOn = endsOn
    }

    /// Whether it changes nothing.
    public var isEmpty: Bool {
        title == nil && text == nil && agendaItem == nil && document == nil && endsOn == nil
    }
}

/// A decision already adopted, entered from the record with its known number (`decision record`).
public struct RecordedDecision: Sendable, Hashable {
    /// Decision or resolution.
    public var kind: DecisionKind
    /// Its number; the session is the number's.
    public var number: DecisionNumber
    /// The title.
    public var title: String
    /// The day it was adopted, a day of its session.
    public var adoptedOn: CalendarDate
    /// The text, if at hand.
    public var text: String?
    /// The agenda item it was adopted under.
    public var agendaItem: String?
    /// The limited-distribution document that carried the draft.
    public var document: String?
    /// The last day it applies, if adopted for a period.
    public var endsOn: CalendarDate?

    /// Creates an entry.
    public init(
        kind: DecisionKind, number: DecisionNumber, title: String, adoptedOn: CalendarDate, text: String? = nil,
        agendaItem: String? = nil, document: String? = nil, endsOn: CalendarDate? = nil
    ) {
        self.kind = kind
        self.number = number
        self.title = title
        self.adoptedOn = adoptedOn
        self.text = text
        self.agendaItem = agendaItem
        self.document = document
        self.endsOn = endsOn
    }
}

/// Which decisions `list` returns; nil matches everything.
public struct DecisionFilter: Sendable, Hashable {
    /// Only those of this session.
    public var session: Int?
    /// Only decisions, or only resolutions.
    public var kind: DecisionKind?
    /// Only those standing so on `on`.
    public var status: DecisionStatus?
    /// The day statuses are derived for; today in the body's zone when nil. Decisions adopted later are left out.
    public var on: CalendarDate?
    /// Only those whose title or text matches these words (PostgreSQL web-search syntax): a topic.
    public var topic: String?
    /// Only those that established or changed this working group (its code, `WG.4`).
    public var workingGroup: String?

    /// Creates a filter.
    public init(
        session: Int? = nil, kind: DecisionKind? = nil, status: DecisionStatus? = nil, on: CalendarDate? = nil,
        topic: String? = nil, workingGroup: String? = nil
    ) {
        self.session = session
        self.kind = kind
        self.status = status
        self.on = on
        self.topic = topic
        self.workingGroup = workingGroup
    }
}
