import PlenaryCore

/// Article 38 in numbers: how many counted instruments bring an instrument into force, on which day after the last
/// of them, and on which day after its own deposit for a later depositor.
public struct EntryIntoForceRule: Sendable, Hashable, Codable {
    /// The number of counted instruments (40 for the Convention and its Protocols).
    public var threshold: Int
    /// In force on this day after the deposit of the threshold-th instrument (the 90th).
    public var days: Int
    /// For a later depositor, in force on this day after its own deposit (the 30th).
    public var laterDays: Int

    /// Article 38: the 40th instrument, the 90th day, the 30th day.
    public static let article38 = EntryIntoForceRule(threshold: 40, days: 90, laterDays: 30)

    /// Creates a rule.
    public init(threshold: Int, days: Int, laterDays: Int) {
        self.threshold = threshold
        self.days = days
        self.laterDays = laterDays
    }
}

/// What `instrument add` gives: a Convention, or a Protocol that supplements one. An ``Instrument`` holds it as its
/// terms, so each field is declared once.
public struct InstrumentDraft: Sendable, Hashable, Codable {
    /// The code, e.g. `UNTOC`, `TIP`.
    public var code: String
    /// The full title.
    public var title: String
    /// The day it was adopted.
    public var adoptedOn: CalendarDate
    /// The adopting resolution, e.g. `General Assembly resolution 55/25`.
    public var adoptedBy: String
    /// The code of the Convention a Protocol supplements; nil for the Convention.
    public var supplements: String?
    /// Where it was open for signature.
    public var signaturePlace: String?
    /// The first day it was open for signature.
    public var signatureFrom: CalendarDate?
    /// The last day it was open for signature.
    public var signatureUntil: CalendarDate?
    /// Its depositary.
    public var depositary: String
    /// Its texts: document symbols.
    public var texts: [String]
    /// Its entry-into-force rule.
    public var rule: EntryIntoForceRule
    /// A known date of entry into force, from the record.
    public var recordedInForce: CalendarDate?

    /// Creates a draft; the depositary is the Secretary-General and the rule article 38's unless given.
    public init(
        code: String, title: String, adoptedOn: CalendarDate, adoptedBy: String, supplements: String? = nil,
        signaturePlace: String? = nil, signatureFrom: CalendarDate? = nil, signatureUntil: CalendarDate? = nil,
        depositary: String = Instrument.secretaryGeneral, texts: [String] = [], rule: EntryIntoForceRule = .article38,
        recordedInForce: CalendarDate? = nil
    ) {
        self.code = code
        self.title = title
        self.adoptedOn = adoptedOn
        self.adoptedBy = adoptedBy
        self.supplements = supplements
        self.signaturePlace = signaturePlace
        self.signatureFrom = signatureFrom
        self.signatureUntil = signatureUntil
        self.depositary = depositary
        self.texts = texts
        self.rule = rule
        self.recordedInForce = recordedInForce
    }
}

/// An instrument of a body as the registry holds it: the terms it was added with, and its entry into force derived
/// from the deposits known. The terms' fields read as its own (`instrument.title`), and it encodes flat, as one
/// object with `body` and `inForce` beside them (the audit trail's `after`).
@dynamicMemberLookup
public struct Instrument: Sendable, Hashable, Codable {
    /// The depositary of the Convention and its Protocols.
    public static let secretaryGeneral = "Secretary-General of the United Nations"

    /// The body whose instrument it is.
    public var body: String
    /// Its code, title, adoption, signature, depositary, texts, rule and recorded entry into force.
    public var terms: InstrumentDraft
    /// Its entry into force as the deposits and the record give it.
    public var inForce: InstrumentEntry

    /// Creates an instrument; ``TreatyBook`` fills in `inForce` from the acts.
    public init(body: String, terms: InstrumentDraft, inForce: InstrumentEntry = .pending) {
        self.body = body
        self.terms = terms
        self.inForce = inForce
    }

    /// A field of its terms.
    public subscript<Value>(dynamicMember field: WritableKeyPath<InstrumentDraft, Value>) -> Value {
        get { terms[keyPath: field] }
        set { terms[keyPath: field] = newValue }
    }

    /// `UNTOC of CTOC/COP`.
    public var label: String { "\(terms.code) of \(body)" }

    /// `CTOC/COP/UNTOC`: the audit trail's id.
    public var auditID: String { "\(body)/\(terms.code)" }

    private enum CodingKeys: String, CodingKey {
        case body, inForce
    }

    /// Decodes the flat object ``encode(to:)`` writes.
    public init(from decoder: any Decoder) throws {
        terms = try InstrumentDraft(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        body = try container.decode(String.self, forKey: .body)
        inForce = try container.decode(InstrumentEntry.self, forKey: .inForce)
    }

    /// One object: the terms' keys with `body` and `inForce`, as when the terms were fields of their own.
    public func encode(to encoder: any Encoder) throws {
        try terms.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(body, forKey: .body)
        try container.encode(inForce, forKey: .inForce)
    }
}
