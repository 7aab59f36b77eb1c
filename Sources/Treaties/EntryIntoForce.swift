import PlenaryCore

/// An instrument's entry into force, as the deposits known and the record give it.
public struct InstrumentEntry: Sendable, Hashable, Codable {
    /// Where the date in use comes from.
    public enum Basis: String, Sendable, Hashable, Codable {
        /// From the deposits, by the rule (and the record, if any, agrees).
        case derived
        /// From the record: the deposits known do not reach the threshold, or disagree (see ``agrees``).
        case recorded
        /// Not in force, and no date known.
        case pending
    }

    /// The date in use: the recorded one when there is one, otherwise the derived one.
    public var date: CalendarDate?
    /// Where ``date`` comes from.
    public var basis: Basis
    /// The date the deposits known give by the rule, when they reach the threshold.
    public var derived: CalendarDate?
    /// The date recorded with the instrument.
    public var recorded: CalendarDate?
    /// The day the threshold-th counted instrument was deposited.
    public var thresholdDeposit: CalendarDate?
    /// How many counted instruments are known (States' first instruments of consent; a REIO's is not counted).
    public var counted: Int
    /// Whether the recorded date agrees with the derived one; nil unless both exist. `false` is the flag: the
    /// record stands, and `instrument get` shows both.
    public var agrees: Bool?

    /// No deposits, no record.
    public static let pending = InstrumentEntry(
        date: nil, basis: .pending, derived: nil, recorded: nil, thresholdDeposit: nil, counted: 0, agrees: nil)
}

/// One instrument of consent, as entry into force counts it.
public struct CountedDeposit: Sendable, Hashable {
    /// The depositor.
    public var participant: String
    /// State or REIO.
    public var kind: ParticipantKind
    /// The day of deposit.
    public var date: CalendarDate
    /// The order it was entered in, to break ties on one day.
    public var order: Int

    /// Creates one.
    public init(participant: String, kind: ParticipantKind, date: CalendarDate, order: Int) {
        self.participant = participant
        self.kind = kind
        self.date = date
        self.order = order
    }
}

/// Article 38 of the Convention (and the Protocols' entry-into-force articles), as arithmetic on dates. Pure.
///
/// - The instrument enters into force on the 90th day after the deposit of the 40th instrument of ratification,
///   acceptance, approval or accession; an instrument of a REIO is not counted in addition to its member States'
///   (Plenary counts a State's first instrument once; a REIO's never).
/// - A Protocol never before the Convention: the later of its own date and the Convention's.
/// - For a depositor after the 40th, the 30th day after its own deposit — and never before the instrument itself
///   is in force (a treaty is in force for no one before it is in force): the later of the two. For the first 40
///   the later is always the instrument's own date, so one formula serves every depositor.
public enum EntryIntoForce {
    /// The counted deposits in deposit order: each State's first instrument of consent (a State that denounced
    /// and joined again is counted once), no REIO's.
    public static func counted(_ deposits: [CountedDeposit]) -> [CountedDeposit] {
        var seen = Set<String>()
        return deposits.sorted { ($0.date, $0.order) < ($1.date, $1.order) }.filter { deposit in
            deposit.kind == .state && seen.insert(deposit.participant).inserted
        }
    }

    /// The instrument's entry into force from `deposits` (its instruments of consent), `recorded` (a date known
    /// from the record) and, for a Protocol, `convention` (the Convention's date in use, nil when unknown).
    public static func instrument(
        rule: EntryIntoForceRule, deposits: [CountedDeposit], recorded: CalendarDate?, isProtocol: Bool,
        convention: CalendarDate?
    ) -> InstrumentEntry {
        let counted = counted(deposits)
        let threshold = counted.count >= rule.threshold ? counted[rule.threshold - 1].date : nil
        var derived = threshold.map { $0.adding(days: rule.days) }
        if isProtocol, let own = derived {
            // A Protocol whose Convention has no known date cannot be placed in time yet.
            derived = convention.map { max(own, $0) }
        }
        let agrees = derived.flatMap { derived in recorded.map { $0 == derived } }
        let basis: InstrumentEntry.Basis =
            if derived != nil && agrees != false { .derived } else if recorded != nil { .recorded } else { .pending }
        return InstrumentEntry(
            date: recorded ?? derived, basis: basis, derived: derived, recorded: recorded, thresholdDeposit: threshold,
            counted: counted.count, agrees: agrees)
    }

    /// The day the instrument enters into force for a participant that deposited on `deposit`, given the
    /// instrument's own date `inForce`: the later of its `laterDays`-th day and that date.
    public static func forParticipant(
        deposit: CalendarDate, inForce: CalendarDate, rule: EntryIntoForceRule
    ) -> CalendarDate {
        max(deposit.adding(days: rule.laterDays), inForce)
    }

    /// The 1-based place of the deposit entered as `order` among the counted deposits, or nil when it is not
    /// counted (a REIO's, or a State's second instrument).
    public static func position(of order: Int, in deposits: [CountedDeposit]) -> Int? {
        counted(deposits).firstIndex { $0.order == order }.map { $0 + 1 }
    }
}
