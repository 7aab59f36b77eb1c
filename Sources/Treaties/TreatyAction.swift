import PlenaryCore

/// An act of a participant on an instrument, as the depositary records it.
public enum ActionKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Signature, while the instrument is open for it.
    case signature
    /// Ratification: consent after signature.
    case ratification
    /// Acceptance: consent after signature, marked (A).
    case acceptance
    /// Approval: consent after signature, marked (AA).
    case approval
    /// Accession: consent without signature, marked (a).
    case accession
    /// Succession: a new State's consent by succession, marked (d).
    case succession
    /// A declaration.
    case declaration
    /// A reservation.
    case reservation
    /// A notification (e.g. a designated authority).
    case notification
    /// The withdrawal of a declaration, reservation or notification.
    case withdrawal
    /// Denunciation, effective one year after its receipt.
    case denunciation

    /// The instruments of consent to be bound, in the depositary's order.
    public static let consents: [ActionKind] = [.ratification, .acceptance, .approval, .accession, .succession]
    /// The statements a participant makes and may withdraw.
    public static let statements: [ActionKind] = [.declaration, .reservation, .notification]

    /// Whether it is an instrument of consent to be bound.
    public var isConsent: Bool { Self.consents.contains(self) }

    /// Whether it is a declaration, reservation or notification.
    public var isStatement: Bool { Self.statements.contains(self) }

    /// The depositary's mark beside the date of a consent in the status table: ratification plain, acceptance
    /// (A), approval (AA), accession (a), succession (d); nil for other acts.
    public var mark: String? {
        switch self {
        case .ratification: ""
        case .acceptance: "A"
        case .approval: "AA"
        case .accession: "a"
        case .succession: "d"
        default: nil
        }
    }
}

/// One recorded act.
public struct TreatyAction: Sendable, Hashable, Codable {
    /// The row id; a declaration is withdrawn by it.
    public var id: Int
    /// The instrument's code.
    public var instrument: String
    /// The participant's code.
    public var participant: String
    /// What was done.
    public var kind: ActionKind
    /// The day: of signature, of deposit, of the depositary's receipt.
    public var date: CalendarDate
    /// The text of a declaration, reservation or notification.
    public var text: String?
    /// The article it concerns (`35(2)`).
    public var article: String?
    /// The declaration a withdrawal withdraws.
    public var withdraws: Int?

    /// Creates an act.
    public init(
        id: Int, instrument: String, participant: String, kind: ActionKind, date: CalendarDate, text: String? = nil,
        article: String? = nil, withdraws: Int? = nil
    ) {
        self.id = id
        self.instrument = instrument
        self.participant = participant
        self.kind = kind
        self.date = date
        self.text = text
        self.article = article
        self.withdraws = withdraws
    }

    /// The day a denunciation received on `received` takes effect: one year later (article 40); 29 February gives
    /// 28 February, as PostgreSQL's `date + interval '1 year'` does.
    public static func denunciationEffective(_ received: CalendarDate) -> CalendarDate {
        let year = received.year + 1
        let day = min(received.day, CalendarDate.daysIn(month: received.month, year: year))
        return CalendarDate(year: year, month: received.month, day: day)!
    }
}
