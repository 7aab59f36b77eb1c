import PlenaryCore

/// Where a document is filed: a session of its body, or a meeting of one of the body's working groups.
public enum DocumentPlacement: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Session `number` of the body (its first part).
    case session(Int)
    /// Meeting `number` of working group `workingGroup` (`WG.4`).
    case meeting(workingGroup: String, number: Int)

    /// `session 4`, `meeting 2 of WG.4`.
    public var description: String {
        switch self {
        case .session(let number): "session \(number)"
        case .meeting(let group, let number): "meeting \(number) of \(group)"
        }
    }
}

/// A series the registry allocates serials in: the main series and the special ones a session produces.
public enum DocumentSeries: String, Sendable, Hashable, Codable, CaseIterable {
    /// `CTOC/COP/2008/19`.
    case main
    /// `CTOC/COP/2008/L.5`.
    case limited = "L"
    /// `CTOC/COP/2008/CRP.1`.
    case conferenceRoomPaper = "CRP"
    /// `CTOC/COP/2008/INF/1`.
    case information = "INF"
    /// `CTOC/COP/2008/WP.1`.
    case workingPaper = "WP"

    /// The series a base symbol (no modifier) is numbered in, or nil when the registry does not allocate it.
    public init?(of symbol: DocumentSymbol) {
        guard symbol.modifiers.isEmpty, symbol.serial != nil else { return nil }
        switch symbol.documentType {
        case .main: self = .main
        case .limited: self = .limited
        case .conferenceRoomPaper: self = .conferenceRoomPaper
        case .information: self = .information
        case .workingPaper: self = .workingPaper
        default: return nil
        }
    }

    /// The symbol of serial `serial` in this series, after `issuer` and `period`: `CTOC/COP/2008/CRP.3`.
    public func symbol(issuer: String, period: String, serial: Int) throws(DomainError) -> DocumentSymbol {
        let head = period.isEmpty ? issuer : "\(issuer)/\(period)"
        let tail =
            switch self {
            case .main: "\(serial)"
            case .information: "INF/\(serial)"
            default: "\(rawValue).\(serial)"
            }
        return try DocumentSymbol("\(head)/\(tail)")
    }
}

/// What a document with a modifier is to its parent.
public enum DocumentRelation: String, Sendable, Hashable, Codable, CaseIterable {
    /// `Rev.n`: replaces the parent's text.
    case revision
    /// `Corr.n`: corrects the parent, possibly in some languages only.
    case corrigendum
    /// `Add.n`: adds to the parent.
    case addendum
    /// `Amend.n`: amends the parent.
    case amendment

    /// The relation a modifier expresses; nil for `Summary`.
    public init?(_ modifier: DocumentSymbol.Modifier) {
        switch modifier {
        case .revision: self = .revision
        case .corrigendum: self = .corrigendum
        case .addendum: self = .addendum
        case .amendment: self = .amendment
        case .summary: return nil
        }
    }

    /// The modifier numbered `number`: `Rev.2`.
    public func modifier(_ number: Int) -> DocumentSymbol.Modifier {
        switch self {
        case .revision: .revision(number)
        case .corrigendum: .corrigendum(number)
        case .addendum: .addendum(number)
        case .amendment: .amendment(number)
        }
    }
}

/// A session document as the registry keeps it.
public struct Document: Sendable, Hashable, Codable {
    /// The symbol, with the reissue mark when it was reissued.
    public var symbol: DocumentSymbol
    /// The code of the body that issues it.
    public var body: String
    /// The session or meeting it is filed under.
    public var placement: DocumentPlacement
    /// What the symbol says the document is.
    public var type: DocumentSymbol.DocumentType
    /// General, limited or restricted: from the symbol where it says so.
    public var distribution: DocumentSymbol.Distribution
    /// The title.
    public var title: String
    /// The agenda items it is issued under (`4`, `4 (a)`).
    public var agendaItems: [String]
    /// The language it was written in.
    public var originalLanguage: Language
    /// The date of issue of the document as a whole.
    public var issuedOn: CalendarDate?
    /// The document it revises, corrects, adds to or amends, and how.
    public var parent: DocumentSymbol?
    /// Which of revision, corrigendum, addendum or amendment it is, when it has a parent.
    public var relation: DocumentRelation?
    /// The latest revision that replaces this text, if any: the current text is that one.
    public var supersededBy: DocumentSymbol?
    /// The six language versions, in UN order.
    public var versions: [LanguageVersion]
    /// The day it was withdrawn (`doc withdraw`): its symbol stays taken, and it leaves every report.
    public var withdrawnOn: CalendarDate? = nil
    /// Why it was withdrawn.
    public var withdrawnReason: String? = nil

    /// The languages the document is to exist in.
    public var requiredLanguages: [Language] { versions.filter(\.required).map(\.language) }

    /// The required languages not yet issued.
    public var missingLanguages: [Language] {
        versions.filter { $0.required && $0.status != .issued }.map(\.language)
    }
}

/// What `doc register` and `doc allocate` are given besides the symbol.
public struct DocumentDraft: Sendable, Hashable {
    /// The title.
    public var title: String
    /// Where it is filed.
    public var placement: DocumentPlacement
    /// Agenda items it is issued under.
    public var agendaItems: [String]
    /// General, limited or restricted; left out, it follows the symbol (general when the symbol does not say).
    public var distribution: DocumentSymbol.Distribution?
    /// The original language (English when left out).
    public var originalLanguage: Language
    /// The languages it is to exist in (all six when left out).
    public var languages: [Language]
    /// The date of issue.
    public var issuedOn: CalendarDate?

    /// Creates a draft registration.
    public init(
        title: String, placement: DocumentPlacement, agendaItems: [String] = [],
        distribution: DocumentSymbol.Distribution? = nil, originalLanguage: Language = .en,
        languages: [Language] = Language.allCases, issuedOn: CalendarDate? = nil
    ) {
        self.title = title
        self.placement = placement
        self.agendaItems = agendaItems
        self.distribution = distribution
        self.originalLanguage = originalLanguage
        self.languages = languages
        self.issuedOn = issuedOn
    }
}

/// The filters of `doc list`.
public struct DocumentFilter: Sendable, Hashable {
    /// Only documents of this session.
    public var session: Int?
    /// Only documents of this working group's meetings.
    public var workingGroup: String?
    /// Only documents of this meeting (with `workingGroup`).
    public var meeting: Int?
    /// Only documents of this type.
    public var type: DocumentSymbol.DocumentType?
    /// Only documents required in this language and not yet issued in it.
    public var missingLanguage: Language?
    /// Only documents with a required language late or missing against its deadline.
    public var late: Bool
    /// Only documents issued in every required language.
    public var complete: Bool

    /// Creates a filter.
    public init(
        session: Int? = nil, workingGroup: String? = nil, meeting: Int? = nil,
        type: DocumentSymbol.DocumentType? = nil, missingLanguage: Language? = nil, late: Bool = false,
        complete: Bool = false
    ) {
        self.session = session
        self.workingGroup = workingGroup
        self.meeting = meeting
        self.type = type
        self.missingLanguage = missingLanguage
        self.late = late
        self.complete = complete
    }
}

/// One page of a listing, and the cursor for the next (nil on the last page).
public struct DocumentPage: Sendable, Hashable {
    /// The documents of this page.
    public var documents: [Document]
    /// Pass as `after=` to read on; nil when nothing follows.
    public var next: String?
}
