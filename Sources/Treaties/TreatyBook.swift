import PlenaryCore

/// Where a participant stands towards an instrument on a day: derived from its acts, never stored.
public enum PartyStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Party: the instrument is in force for it (Vienna Convention on the Law of Treaties, article 2(1)(g)).
    case party
    /// Contracting: it has deposited its instrument, and the instrument is not yet in force for it.
    case contracting
    /// Signatory: it has signed, and deposited nothing.
    case signatory
    /// Denounced: its denunciation (of this instrument, or of the Convention a Protocol supplements) took effect.
    case denounced
}

/// A declaration, reservation or notification, and its withdrawal if any.
public struct Statement: Sendable, Hashable, Codable {
    /// The act that made it.
    public var action: TreatyAction
    /// The day it was withdrawn, if it was by the day asked about.
    public var withdrawn: CalendarDate?
}

/// One participant's standing towards one instrument on one day.
public struct Standing: Sendable, Hashable, Codable {
    /// The instrument's code.
    public var instrument: String
    /// The participant.
    public var participant: Participant
    /// Derived status.
    public var status: PartyStatus
    /// The day it signed.
    public var signature: CalendarDate?
    /// Its (latest) instrument of consent.
    public var consent: TreatyAction?
    /// The day the instrument entered (or enters) into force for it; nil while the instrument's own date is unknown.
    public var inForce: CalendarDate?
    /// The day its denunciation was received, if any.
    public var denunciationReceived: CalendarDate?
    /// The day that denunciation takes effect.
    public var denunciationEffective: CalendarDate?
    /// Its declarations, reservations and notifications, with their withdrawals.
    public var statements: [Statement]

    /// The depositary's form of the consent: `2003-05-01`, `2003-05-01 a`, `2004-03-10 AA`.
    public var consentMarked: String? {
        guard let consent, let mark = consent.kind.mark else { return nil }
        return mark.isEmpty ? consent.date.description : "\(consent.date) \(mark)"
    }
}

/// A body's instruments and every act recorded against them, with everything the final clauses derive from them:
/// entry into force of each instrument, each participant's standing on any day, the parties as of any day and
/// their count over time. Pure: the registry reads the rows, the book does the rest.
public struct TreatyBook: Sendable {
    /// The instruments, Conventions first, each with its entry into force filled in.
    public private(set) var instruments: [Instrument]
    /// Every act, in the order entered.
    public let actions: [TreatyAction]
    private let lookup: @Sendable (String) -> Participant?

    /// Builds the book. `instruments` need not have their entry into force: the book derives it. Participants are
    /// named from `participants` (the reference list by default).
    public init(
        instruments: [Instrument], actions: [TreatyAction],
        participants: @escaping @Sendable (String) -> Participant? = ReferenceList.participant
    ) {
        self.actions = actions.sorted { $0.id < $1.id }
        self.lookup = participants
        let conventions = instruments.filter { $0.supplements == nil }.sorted { $0.code < $1.code }
        let protocols = instruments.filter { $0.supplements != nil }.sorted { $0.code < $1.code }
        var done: [String: Instrument] = [:]
        var ordered: [Instrument] = []
        for var instrument in conventions + protocols {
            let convention = instrument.supplements.flatMap { done[$0]?.inForce.date }
            instrument.inForce = EntryIntoForce.instrument(
                rule: instrument.rule, deposits: Self.deposits(of: instrument.code, in: self.actions, participants),
                recorded: instrument.recordedInForce, isProtocol: instrument.supplements != nil,
                convention: convention)
            done[instrument.code] = instrument
            ordered.append(instrument)
        }
        self.instruments = ordered
    }

    static func deposits(
        of code: String, in actions: [TreatyAction], _ participants: (String) -> Participant?
    ) -> [CountedDeposit] {
        actions.filter { $0.instrument == code && $0.kind.isConsent }.map {
            CountedDeposit(
                participant: $0.participant, kind: participants($0.participant)?.kind ?? .state, date: $0.date,
                order: $0.id)
        }
    }

    /// The instrument `code`, or nil.
    public func instrument(_ code: String) -> Instrument? { instruments.first { $0.code == code } }

    /// The counted place of the instrument of consent with id `action` (1 for the first counted), or nil.
    public func position(of action: Int, on code: String) -> Int? {
        EntryIntoForce.position(of: action, in: Self.deposits(of: code, in: actions, lookup))
    }

    /// The standing of `participant` towards instrument `code` on `day`, or nil when it had done nothing by then
    /// that makes it a signatory, contracting State, party or denouncer.
    public func standing(of participant: String, on code: String, asOf day: CalendarDate) -> Standing? {
        guard let instrument = instrument(code) else { return nil }
        let acts = actions.filter { $0.participant == participant && $0.date <= day }
        let own = acts.filter { $0.instrument == code }
        let signature = own.first { $0.kind == .signature }?.date
        let consent = own.filter(\.kind.isConsent).max { ($0.date, $0.id) < ($1.date, $1.id) }
        guard consent != nil || signature != nil else { return nil }
        let who = lookup(participant) ?? Participant(code: participant, name: participant, kind: .state)
        let withdrawals = Dictionary(
            own.filter { $0.kind == .withdrawal }.compactMap { act in act.withdraws.map { ($0, act.date) } },
            uniquingKeysWith: min)
        let statements = own.filter(\.kind.isStatement).map { Statement(action: $0, withdrawn: withdrawals[$0.id]) }
        var standing = Standing(
            instrument: code, participant: who, status: .signatory, signature: signature, consent: consent,
            inForce: nil, denunciationReceived: nil, denunciationEffective: nil, statements: statements)
        guard let consent else { return standing }
        standing.inForce = instrument.inForce.date.map {
            EntryIntoForce.forParticipant(deposit: consent.date, inForce: $0, rule: instrument.rule)
        }
        // Denouncing the Convention denounces its Protocols: either instrument's denunciation counts.
        let denouncing = [code] + (instrument.supplements.map { [$0] } ?? [])
        let denunciation =
            acts.filter { $0.kind == .denunciation && denouncing.contains($0.instrument) && $0.date >= consent.date }
            .min { ($0.date, $0.id) < ($1.date, $1.id) }
        if let denunciation {
            let effective = TreatyAction.denunciationEffective(denunciation.date)
            standing.denunciationReceived = denunciation.date
            standing.denunciationEffective = effective
            if effective <= day {
                standing.status = .denounced
                return standing
            }
        }
        standing.status = standing.inForce.map { $0 <= day ? .party : .contracting } ?? .contracting
        return standing
    }

    /// Every participant's standing towards `code` on `day`, by name; with `status`, only those standing so.
    public func standings(on code: String, asOf day: CalendarDate, status: PartyStatus? = nil) -> [Standing] {
        let participants = Set(actions.filter { $0.instrument == code }.map(\.participant))
        return participants.compactMap { standing(of: $0, on: code, asOf: day) }
            .filter { status == nil || $0.status == status }
            .sorted { ($0.participant.name, $0.participant.code) < ($1.participant.name, $1.participant.code) }
    }

    /// `participant`'s standing towards every instrument it has acted on by `day`, Conventions first.
    public func standings(of participant: String, asOf day: CalendarDate) -> [Standing] {
        instruments.compactMap { standing(of: participant, on: $0.code, asOf: day) }
    }

    /// How many participants were party to `code` on `day`, and how many of them States.
    public func partyCount(on code: String, asOf day: CalendarDate) -> (parties: Int, states: Int) {
        let parties = standings(on: code, asOf: day, status: .party)
        return (parties.count, parties.filter { $0.participant.kind == .state }.count)
    }

    /// The count of parties to `code` over time: one entry per day on which it changed, in date order.
    public func partyCountHistory(on code: String) -> [(date: CalendarDate, parties: Int)] {
        guard let instrument = instrument(code) else { return [] }
        let denouncing = [code] + (instrument.supplements.map { [$0] } ?? [])
        var days = Set<CalendarDate>()
        for act in actions {
            if act.instrument == code, act.kind.isConsent, let inForce = instrument.inForce.date {
                days.insert(EntryIntoForce.forParticipant(deposit: act.date, inForce: inForce, rule: instrument.rule))
            } else if act.kind == .denunciation, denouncing.contains(act.instrument) {
                days.insert(TreatyAction.denunciationEffective(act.date))
            }
        }
        var history: [(date: CalendarDate, parties: Int)] = []
        for day in days.sorted() {
            let count = partyCount(on: code, asOf: day).parties
            if history.last?.parties != count { history.append((day, count)) }
        }
        return history
    }
}
