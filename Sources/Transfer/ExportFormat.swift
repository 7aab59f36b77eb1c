/// The `plenary export` document, format `plenary-export` version 1: every record of the domain, keyed by its natural
/// key (a body's code, a session's number and part, a document's symbol, a decision's number) and never by a row
/// id, so a file loads into any database. Tokens and the audit trail are left out on purpose: secrets never leave
/// the database, and the trail of one database is not the history of another. Row bookkeeping (created and updated
/// times, counters) is left out too; counters follow from the records.
///
/// Every optional field is left out when it has no value, so two equal databases give the same bytes.
public struct ExportDocument: Sendable, Hashable, Codable {
    /// The name of the format, always ``ExportDocument/formatName``.
    public var format: String
    /// The version of the format, ``ExportDocument/currentVersion``.
    public var version: Int
    /// Treaty bodies.
    public var bodies: [BodyRecord]
    /// Per-body deadline rules for pre-session documents (bodies without one use the defaults).
    public var deadlineRules: [DeadlineRuleRecord]
    /// Sessions and the parts of resumed sessions.
    public var sessions: [SessionRecord]
    /// The agenda of each session that has one.
    public var agendas: [AgendaRecord]
    /// Working groups with the history of their names.
    public var workingGroups: [WorkingGroupRecord]
    /// Meetings of working groups.
    public var meetings: [MeetingRecord]
    /// The document registry: symbols, filing, lineage and the six language versions.
    public var documents: [DocumentRecord]
    /// Adopted decisions and resolutions, with what they do to earlier decisions, working groups and documents.
    public var decisions: [DecisionRecord]
    /// Drafts, tabled or withdrawn.
    public var drafts: [DraftRecord]
    /// Instruments: the Convention and its Protocols (left out of files written before they existed).
    public var instruments: [InstrumentRecord]
    /// Signatures, instruments of consent, declarations, withdrawals and denunciations.
    public var treatyActions: [TreatyActionRecord]

    /// `plenary-export`.
    public static let formatName = "plenary-export"
    /// The version this build writes and reads.
    public static let currentVersion = 1

    /// An empty document of the current version.
    public init(
        bodies: [BodyRecord] = [], deadlineRules: [DeadlineRuleRecord] = [], sessions: [SessionRecord] = [],
        agendas: [AgendaRecord] = [], workingGroups: [WorkingGroupRecord] = [], meetings: [MeetingRecord] = [],
        documents: [DocumentRecord] = [], decisions: [DecisionRecord] = [], drafts: [DraftRecord] = [],
        instruments: [InstrumentRecord] = [], treatyActions: [TreatyActionRecord] = []
    ) {
        self.format = Self.formatName
        self.version = Self.currentVersion
        self.bodies = bodies
        self.deadlineRules = deadlineRules
        self.sessions = sessions
        self.agendas = agendas
        self.workingGroups = workingGroups
        self.meetings = meetings
        self.documents = documents
        self.decisions = decisions
        self.drafts = drafts
        self.instruments = instruments
        self.treatyActions = treatyActions
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case format, version, bodies, sessions, agendas, meetings, documents, decisions, drafts, instruments
        case deadlineRules = "deadline_rules"
        case workingGroups = "working_groups"
        case treatyActions = "treaty_actions"
    }

    /// Decodes a document; the treaty sections, added after version 1 was first written, may be absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        format = try container.decode(String.self, forKey: .format)
        version = try container.decode(Int.self, forKey: .version)
        bodies = try container.decode([BodyRecord].self, forKey: .bodies)
        deadlineRules = try container.decode([DeadlineRuleRecord].self, forKey: .deadlineRules)
        sessions = try container.decode([SessionRecord].self, forKey: .sessions)
        agendas = try container.decode([AgendaRecord].self, forKey: .agendas)
        workingGroups = try container.decode([WorkingGroupRecord].self, forKey: .workingGroups)
        meetings = try container.decode([MeetingRecord].self, forKey: .meetings)
        documents = try container.decode([DocumentRecord].self, forKey: .documents)
        decisions = try container.decode([DecisionRecord].self, forKey: .decisions)
        drafts = try container.decode([DraftRecord].self, forKey: .drafts)
        instruments = try container.decodeIfPresent([InstrumentRecord].self, forKey: .instruments) ?? []
        treatyActions = try container.decodeIfPresent([TreatyActionRecord].self, forKey: .treatyActions) ?? []
    }

    /// The number of records, counting nested ones (agenda items, renames, language versions, links).
    public var recordCount: Int {
        bodies.count + deadlineRules.count + sessions.count + agendas.reduce(0) { $0 + 1 + $1.items.count }
            + workingGroups.reduce(0) { $0 + 1 + $1.renames.count } + meetings.count
            + documents.reduce(0) { $0 + 1 + $1.languages.count } + decisions.reduce(0) { $0 + 1 + $1.links.count }
            + drafts.count + instruments.count + treatyActions.count
    }
}

/// A treaty body.
public struct BodyRecord: Sendable, Hashable, Codable {
    /// `CTOC/COP`: the key.
    public var code: String
    /// The full name.
    public var name: String
    /// The treaty that set it up.
    public var treaty: String?
    /// Its home time zone (IANA).
    public var timezone: String

    /// Creates a record.
    public init(code: String, name: String, treaty: String? = nil, timezone: String) {
        self.code = code
        self.name = name
        self.treaty = treaty
        self.timezone = timezone
    }
}

/// When a body's pre-session documents and provisional agendas are due.
public struct DeadlineRuleRecord: Sendable, Hashable, Codable {
    /// The body's code: the key.
    public var body: String
    /// Days before the opening that pre-session documents are due.
    public var preSessionDays: Int
    /// Days before a regular session that its provisional agenda is due.
    public var agendaRegularDays: Int
    /// Days before a special session that its provisional agenda is due.
    public var agendaSpecialDays: Int

    /// Creates a record.
    public init(body: String, preSessionDays: Int, agendaRegularDays: Int, agendaSpecialDays: Int) {
        self.body = body
        self.preSessionDays = preSessionDays
        self.agendaRegularDays = agendaRegularDays
        self.agendaSpecialDays = agendaSpecialDays
    }

    enum CodingKeys: String, CodingKey {
        case body
        case preSessionDays = "pre_session_days"
        case agendaRegularDays = "agenda_regular_days"
        case agendaSpecialDays = "agenda_special_days"
    }
}

/// A session, or one part of a resumed session.
public struct SessionRecord: Sendable, Hashable, Codable {
    /// The body's code.
    public var body: String
    /// The session's number; with `body` and `part`, the key.
    public var number: Int
    /// 1 for the original, 2, 3 … for resumptions.
    public var part: Int
    /// `regular`, `special` or `resumed`.
    public var kind: String
    /// The title, when recorded.
    public var title: String?
    /// Where it is held.
    public var venue: String
    /// The zone its days are counted in.
    public var timezone: String
    /// `in-person`, `hybrid` or `online`.
    public var format: String
    /// First day, `YYYY-MM-DD`.
    public var start: String
    /// Last day, `YYYY-MM-DD`.
    public var end: String
    /// `scheduled`, `open`, `closed`, `postponed` or `cancelled`.
    public var status: String
    /// Why it reached its status, when a reason was given.
    public var reason: String?
    /// How many times its dates, venue, zone or format changed (the iCalendar SEQUENCE).
    public var revision: Int

    /// Creates a record.
    public init(
        body: String, number: Int, part: Int = 1, kind: String = "regular", title: String? = nil, venue: String,
        timezone: String, format: String = "in-person", start: String, end: String, status: String = "scheduled",
        reason: String? = nil, revision: Int = 0
    ) {
        self.body = body
        self.number = number
        self.part = part
        self.kind = kind
        self.title = title
        self.venue = venue
        self.timezone = timezone
        self.format = format
        self.start = start
        self.end = end
        self.status = status
        self.reason = reason
        self.revision = revision
    }
}

/// The agenda of a session: its items, and the day it was adopted.
public struct AgendaRecord: Sendable, Hashable, Codable {
    /// The body's code.
    public var body: String
    /// The session's number.
    public var session: Int
    /// The session's part (the agenda belongs to the original, part 1).
    public var part: Int
    /// The day the body adopted it; absent while it is provisional.
    public var adopted: String?
    /// Items and sub-items in agenda order.
    public var items: [AgendaItemRecord]

    /// Creates a record.
    public init(body: String, session: Int, part: Int = 1, adopted: String? = nil, items: [AgendaItemRecord]) {
        self.body = body
        self.session = session
        self.part = part
        self.adopted = adopted
        self.items = items
    }
}

/// One item (`4`) or sub-item (`4 (a)`) of an agenda.
public struct AgendaItemRecord: Sendable, Hashable, Codable {
    /// The item's number.
    public var item: Int
    /// The sub-item's letters; absent for an item.
    public var sub: String?
    /// The title.
    public var title: String
    /// When an amendment of the adopted agenda last changed or added it (UTC, ISO 8601 with microseconds).
    public var amendedAt: String?

    /// Creates a record.
    public init(item: Int, sub: String? = nil, title: String, amendedAt: String? = nil) {
        self.item = item
        self.sub = sub
        self.title = title
        self.amendedAt = amendedAt
    }

    enum CodingKeys: String, CodingKey {
        case item, sub, title
        case amendedAt = "amended_at"
    }
}

/// A working group, its current name, and every rename.
public struct WorkingGroupRecord: Sendable, Hashable, Codable {
    /// The body's code.
    public var body: String
    /// `WG.4`: with `body`, the key.
    public var code: String
    /// The current name (the last rename's `to`).
    public var name: String
    /// The mandate, when recorded.
    public var mandate: String?
    /// `interim` or `standing`.
    public var kind: String
    /// `decision 4/4`: the instrument that established it.
    public var establishedBy: String?
    /// The day it was established.
    public var establishedOn: String?
    /// The day it was dissolved.
    public var dissolvedOn: String?
    /// The instrument that dissolved it.
    public var dissolvedBy: String?
    /// Every rename, oldest first.
    public var renames: [RenameRecord]

    /// Creates a record.
    public init(
        body: String, code: String, name: String, mandate: String? = nil, kind: String = "interim",
        establishedBy: String? = nil, establishedOn: String? = nil, dissolvedOn: String? = nil,
        dissolvedBy: String? = nil, renames: [RenameRecord] = []
    ) {
        self.body = body
        self.code = code
        self.name = name
        self.mandate = mandate
        self.kind = kind
        self.establishedBy = establishedBy
        self.establishedOn = establishedOn
        self.dissolvedOn = dissolvedOn
        self.dissolvedBy = dissolvedBy
        self.renames = renames
    }

    enum CodingKeys: String, CodingKey {
        case body, code, name, mandate, kind, renames
        case establishedBy = "established_by"
        case establishedOn = "established_on"
        case dissolvedOn = "dissolved_on"
        case dissolvedBy = "dissolved_by"
    }

    /// The name the group was established with: the first rename's `from`, or its name when never renamed.
    public var originalName: String { renames.first?.from ?? name }
}

/// One rename of a working group.
public struct RenameRecord: Sendable, Hashable, Codable {
    /// The name before.
    public var from: String
    /// The name after.
    public var to: String
    /// The instrument, `decision 5/3`.
    public var by: String?
    /// The day of the rename.
    public var on: String?

    /// Creates a record.
    public init(from: String, to: String, by: String? = nil, on: String? = nil) {
        self.from = from
        self.to = to
        self.by = by
        self.on = on
    }
}

/// A meeting of a working group.
public struct MeetingRecord: Sendable, Hashable, Codable {
    /// The body's code.
    public var body: String
    /// The working group's code.
    public var wg: String
    /// The meeting's number within the group; with `body` and `wg`, the key.
    public var number: Int
    /// First day.
    public var start: String
    /// Last day.
    public var end: String
    /// Where it is held.
    public var venue: String
    /// The zone its days are counted in.
    public var timezone: String
    /// The session it is held in conjunction with (its number).
    public var withSession: Int?
    /// That session's part, when not the original.
    public var withSessionPart: Int?
    /// `scheduled` or `cancelled`.
    public var status: String
    /// Why it was cancelled, when a reason was given.
    public var reason: String?
    /// How many times its dates, venue, zone or session changed.
    public var revision: Int

    /// Creates a record.
    public init(
        body: String, wg: String, number: Int, start: String, end: String, venue: String, timezone: String,
        withSession: Int? = nil, withSessionPart: Int? = nil, status: String = "scheduled", reason: String? = nil,
        revision: Int = 0
    ) {
        self.body = body
        self.wg = wg
        self.number = number
        self.start = start
        self.end = end
        self.venue = venue
        self.timezone = timezone
        self.withSession = withSession
        self.withSessionPart = withSessionPart
        self.status = status
        self.reason = reason
        self.revision = revision
    }

    enum CodingKeys: String, CodingKey {
        case body, wg, number, start, end, venue, timezone, status, reason, revision
        case withSession = "with_session"
        case withSessionPart = "with_session_part"
    }
}

/// A registered document.
public struct DocumentRecord: Sendable, Hashable, Codable {
    /// The symbol, with `*` when it was reissued: the key (without the mark).
    public var symbol: String
    /// The issuing body's code.
    public var body: String
    /// The session it is filed under (its number), or absent for a meeting's document.
    public var session: Int?
    /// The working group whose meeting it is filed under.
    public var wg: String?
    /// That meeting's number.
    public var meeting: Int?
    /// The title.
    public var title: String
    /// The agenda items it is issued under (`4`, `4 (a)`).
    public var agendaItems: [String]
    /// `general`, `limited` or `restricted`.
    public var distribution: String
    /// The language it was written in.
    public var originalLanguage: String
    /// The date of issue of the document as a whole.
    public var issued: String?
    /// The document it revises, corrects, adds to or amends (its symbol, without a reissue mark).
    public var parent: String?
    /// `revision`, `corrigendum`, `addendum` or `amendment`, with `parent`.
    public var relation: String?
    /// The six language versions, in UN order (ar, zh, en, fr, ru, es).
    public var languages: [LanguageRecord]
    /// The day it was withdrawn, when it was (`doc withdraw`).
    public var withdrawn: String? = nil
    /// Why it was withdrawn, with `withdrawn`.
    public var withdrawnReason: String? = nil

    /// Creates a record.
    public init(
        symbol: String, body: String, session: Int? = nil, wg: String? = nil, meeting: Int? = nil, title: String,
        agendaItems: [String] = [], distribution: String = "general", originalLanguage: String = "en",
        issued: String? = nil, parent: String? = nil, relation: String? = nil, languages: [LanguageRecord]
    ) {
        self.symbol = symbol
        self.body = body
        self.session = session
        self.wg = wg
        self.meeting = meeting
        self.title = title
        self.agendaItems = agendaItems
        self.distribution = distribution
        self.originalLanguage = originalLanguage
        self.issued = issued
        self.parent = parent
        self.relation = relation
        self.languages = languages
    }

    enum CodingKeys: String, CodingKey {
        case symbol, body, session, wg, meeting, title, distribution, issued, parent, relation, languages, withdrawn
        case agendaItems = "agenda_items"
        case withdrawnReason = "withdrawn_reason"
        case originalLanguage = "original_language"
    }
}

/// One language version of a document.
public struct LanguageRecord: Sendable, Hashable, Codable {
    /// `ar`, `zh`, `en`, `fr`, `ru` or `es`.
    public var language: String
    /// Whether the document is to exist in this language.
    public var required: Bool
    /// `expected`, `submitted`, `translated` or `issued`.
    public var status: String
    /// The day it was issued (with status `issued`).
    public var date: String?
    /// Its file name or URL.
    public var file: String?
    /// Its size.
    public var bytes: Int?
    /// SHA-256 of the file, 64 hexadecimal digits.
    public var sha256: String?

    /// Creates a record.
    public init(
        language: String, required: Bool = true, status: String = "expected", date: String? = nil,
        file: String? = nil, bytes: Int? = nil, sha256: String? = nil
    ) {
        self.language = language
        self.required = required
        self.status = status
        self.date = date
        self.file = file
        self.bytes = bytes
        self.sha256 = sha256
    }
}

/// An adopted decision or resolution.
public struct DecisionRecord: Sendable, Hashable, Codable {
    /// The body's code.
    public var body: String
    /// `decision` or `resolution`.
    public var kind: String
    /// `4/7`, `49/221 B`: with `body` and `kind`, the key.
    public var number: String
    /// The part of the session that adopted it.
    public var part: Int
    /// The title.
    public var title: String
    /// The adopted text, when recorded.
    public var text: String?
    /// The agenda item it was adopted under.
    public var agendaItem: String?
    /// The limited-distribution document that carried the draft.
    public var document: String?
    /// The day of adoption.
    public var adopted: String
    /// The last day it applies, for a decision adopted for a period.
    public var ends: String?
    /// Entered from the record rather than adopted through Plenary.
    public var recorded: Bool
    /// What it does to earlier decisions, working groups and documents.
    public var links: [LinkRecord]

    /// Creates a record.
    public init(
        body: String, kind: String = "decision", number: String, part: Int = 1, title: String, text: String? = nil,
        agendaItem: String? = nil, document: String? = nil, adopted: String, ends: String? = nil,
        recorded: Bool = true, links: [LinkRecord] = []
    ) {
        self.body = body
        self.kind = kind
        self.number = number
        self.part = part
        self.title = title
        self.text = text
        self.agendaItem = agendaItem
        self.document = document
        self.adopted = adopted
        self.ends = ends
        self.recorded = recorded
        self.links = links
    }

    enum CodingKeys: String, CodingKey {
        case body, kind, number, part, title, text, document, adopted, ends, recorded, links
        case agendaItem = "agenda_item"
    }
}

/// One act of a decision: on an earlier decision (`decision`), a working group (`wg`) or a document (`document`).
public struct LinkRecord: Sendable, Hashable, Codable {
    /// `amends`, `supersedes`, `recalls`, `establishes`, `renames`, `makes-standing`, `dissolves`, `considers`.
    public var relation: String
    /// The decision acted on, `decision 1/1`.
    public var decision: String?
    /// The working group acted on, `WG.4`.
    public var wg: String?
    /// The document considered.
    public var document: String?

    /// Creates a record.
    public init(relation: String, decision: String? = nil, wg: String? = nil, document: String? = nil) {
        self.relation = relation
        self.decision = decision
        self.wg = wg
        self.document = document
    }

    /// What it points at, as text: the sort key among a decision's links.
    public var target: String { decision ?? wg ?? document ?? "" }
}

/// A draft decision or resolution, tabled or withdrawn. Drafts have no number, so they are matched by content.
public struct DraftRecord: Sendable, Hashable, Codable {
    /// The body's code.
    public var body: String
    /// `decision` or `resolution`.
    public var kind: String
    /// The session it was tabled at.
    public var session: Int
    /// That session's part.
    public var part: Int
    /// The title.
    public var title: String
    /// The draft text.
    public var text: String?
    /// The agenda item it was tabled under.
    public var agendaItem: String?
    /// The limited-distribution document that carries it.
    public var document: String?
    /// The last day it would apply.
    public var ends: String?
    /// Whether it was withdrawn.
    public var withdrawn: Bool
    /// Why it was withdrawn, when a reason was given.
    public var reason: String?

    /// Creates a record.
    public init(
        body: String, kind: String = "decision", session: Int, part: Int = 1, title: String, text: String? = nil,
        agendaItem: String? = nil, document: String? = nil, ends: String? = nil, withdrawn: Bool = false,
        reason: String? = nil
    ) {
        self.body = body
        self.kind = kind
        self.session = session
        self.part = part
        self.title = title
        self.text = text
        self.agendaItem = agendaItem
        self.document = document
        self.ends = ends
        self.withdrawn = withdrawn
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case body, kind, session, part, title, text, document, ends, withdrawn, reason
        case agendaItem = "agenda_item"
    }
}
