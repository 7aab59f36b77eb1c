import Decisions
import Documents
import PlenaryCore
import Sessions
import WorkingGroups

/// One treaty instrument as a body's front page lists it: the Convention or a Protocol, how it was adopted, when
/// it entered into force, its texts per language and its party count, as the Treaties registry holds them.
public struct PublishedInstrument: Sendable, Hashable {
    /// Where a date of entry into force comes from: the record (the seed page, the depositary's notice) or the
    /// deposits counted under the instrument's rule. A reader is told which.
    public enum ForceBasis: String, Sendable, Hashable {
        /// Entered from the record.
        case recorded
        /// Derived from the deposits known.
        case derived
    }

    /// The instrument's name.
    public var name: String
    /// The resolution that adopted it (`General Assembly resolution 55/25`).
    public var adoptedBy: String?
    /// The day it was adopted.
    public var adoptedOn: CalendarDate?
    /// The day it entered into force.
    public var entryIntoForce: CalendarDate?
    /// Where ``entryIntoForce`` comes from; nil when the page need not say.
    public var forceBasis: ForceBasis?
    /// The number of parties, when the parties registry has it.
    public var parties: Int?
    /// The texts: language → URL.
    public var texts: [Language: String]

    /// Creates a summary.
    public init(
        name: String, adoptedBy: String? = nil, adoptedOn: CalendarDate? = nil, entryIntoForce: CalendarDate? = nil,
        forceBasis: ForceBasis? = nil, parties: Int? = nil, texts: [Language: String] = [:]
    ) {
        self.name = name
        self.adoptedBy = adoptedBy
        self.adoptedOn = adoptedOn
        self.entryIntoForce = entryIntoForce
        self.forceBasis = forceBasis
        self.parties = parties
        self.texts = texts
    }
}

/// What a body's front page shows.
public struct FrontPageModel: Sendable, Hashable {
    /// The body.
    public var body: Body
    /// Its instruments, the Convention first (none when the Treaties registry holds none for the body).
    public var instruments: [PublishedInstrument]
    /// Every session part, in any order: the page groups them by number and lists them newest first.
    public var sessions: [Session]
    /// Its working groups.
    public var workingGroups: [WorkingGroup]
    /// Every meeting of its working groups.
    public var meetings: [Meeting]
    /// The calendar's events not yet over.
    public var upcoming: [CalendarEntry]
    /// Its adopted decisions and resolutions, for the machine-readable data.
    public var decisions: [Decision]

    /// Creates the model.
    public init(
        body: Body, instruments: [PublishedInstrument] = [], sessions: [Session], workingGroups: [WorkingGroup],
        meetings: [Meeting], upcoming: [CalendarEntry], decisions: [Decision]
    ) {
        self.body = body
        self.instruments = instruments
        self.sessions = sessions
        self.workingGroups = workingGroups
        self.meetings = meetings
        self.upcoming = upcoming
        self.decisions = decisions
    }
}

/// What a session's page shows.
public struct SessionPageModel: Sendable, Hashable {
    /// The body.
    public var body: Body
    /// The session's parts, first to last.
    public var parts: [Session]
    /// Its agenda, when one is recorded.
    public var agenda: Agenda?
    /// The documents filed under it (restricted ones are never published).
    public var documents: [Document]
    /// The decisions and resolutions adopted at it.
    public var decisions: [Decision]
    /// Working-group meetings held in conjunction with it.
    public var meetings: [Meeting]

    /// Creates the model.
    public init(
        body: Body, parts: [Session], agenda: Agenda?, documents: [Document], decisions: [Decision],
        meetings: [Meeting] = []
    ) {
        self.body = body
        self.parts = parts
        self.agenda = agenda
        self.documents = documents
        self.decisions = decisions
        self.meetings = meetings
    }
}

/// What a document's page shows.
public struct DocumentPageModel: Sendable, Hashable {
    /// The body.
    public var body: Body
    /// The document.
    public var document: Document
    /// The documents that revise, correct, add to or amend it.
    public var derived: [Document]

    /// Creates the model.
    public init(body: Body, document: Document, derived: [Document]) {
        self.body = body
        self.document = document
        self.derived = derived
    }
}

/// What a decision's page shows.
public struct DecisionPageModel: Sendable, Hashable {
    /// The body.
    public var body: Body
    /// The adopted decision or resolution.
    public var decision: Decision
    /// Its links: what it acts on (`from` is this decision) and what acts on it (`to` is this decision).
    public var links: [DecisionLink]
    /// The other decisions its links name, by citation, for their titles and statuses.
    public var related: [DecisionCitation: Decision]
    /// The documents of the site, by unmarked symbol text, that a link may point at; others are shown unlinked.
    public var publishedDocuments: Set<String>
    /// The body's working groups, by code, that a link may point at.
    public var workingGroups: Set<String>

    /// Creates the model.
    public init(
        body: Body, decision: Decision, links: [DecisionLink], related: [DecisionCitation: Decision],
        publishedDocuments: Set<String>, workingGroups: Set<String>
    ) {
        self.body = body
        self.decision = decision
        self.links = links
        self.related = related
        self.publishedDocuments = publishedDocuments
        self.workingGroups = workingGroups
    }
}

/// What a working group's page shows.
public struct WorkingGroupPageModel: Sendable, Hashable {
    /// The body.
    public var body: Body
    /// The group.
    public var group: WorkingGroup
    /// Its renames, oldest first.
    public var renames: [WorkingGroupRename]
    /// Its meetings.
    public var meetings: [Meeting]
    /// The documents of its meetings.
    public var documents: [Document]
    /// The decisions that established or changed it.
    public var acts: [WorkingGroupAct]
    /// The adopted decisions of the body, by citation, so the establishing decision can be linked.
    public var decisions: Set<DecisionCitation>

    /// Creates the model.
    public init(
        body: Body, group: WorkingGroup, renames: [WorkingGroupRename], meetings: [Meeting], documents: [Document],
        acts: [WorkingGroupAct], decisions: Set<DecisionCitation>
    ) {
        self.body = body
        self.group = group
        self.renames = renames
        self.meetings = meetings
        self.documents = documents
        self.acts = acts
        self.decisions = decisions
    }
}

/// One file of the site: its path from the root and its bytes.
public struct SiteFile: Sendable, Hashable {
    /// The path from the site's root, `/`-separated.
    public var path: String
    /// The content.
    public var bytes: [UInt8]

    /// Creates a file.
    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }
}
