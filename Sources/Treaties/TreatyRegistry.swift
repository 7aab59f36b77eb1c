import Foundation
import PlenaryCore
import Postgres
import Sessions
import Storage

/// What an act changed: the act, where its participant now stands, and the instrument's entry into force.
public struct TreatyOutcome: Sendable, Hashable {
    /// The act as recorded.
    public var action: TreatyAction
    /// The instrument after it.
    public var instrument: Instrument
    /// The participant's standing on the act's day (nil for an act that makes no standing by itself).
    public var standing: Standing?
    /// For an instrument of consent: its place among the counted ones (a REIO's is not counted).
    public var position: Int?
}

/// An instrument with the number of its parties on a day.
public struct InstrumentSummary: Sendable, Hashable {
    /// The instrument.
    public var instrument: Instrument
    /// The day counted.
    public var day: CalendarDate
    /// How many were party on that day.
    public var parties: Int
    /// How many of them States.
    public var states: Int
}

/// The registry a treaty section keeps: the body's instruments and every act of every participant, with the
/// derived standings (Schema/0011_treaties.sql holds the rules; ``TreatyBook`` derives the rest).
///
/// Every act is one transaction with its audit row; the database locks the Convention's row for every act of its
/// family, so concurrent acts take turns and the outcome read back in the same transaction (the act's counted
/// place, the instrument's entry into force) is the one the commit makes true.
public struct TreatyRegistry: Sendable {
    let database: Database
    let clock: CalendarClock

    /// Creates the registry; `clock` is "today" for reads without `as-of`.
    public init(database: Database, clock: CalendarClock = .system) {
        self.database = database
        self.clock = clock
    }

    // MARK: - Instruments

    /// Adds an instrument (a Protocol names the Convention it supplements). 504 for a malformed field, 550 for
    /// an unknown body or Convention, 551 for a code already taken or a Protocol of a Protocol.
    @discardableResult
    public func add(_ draft: InstrumentDraft, body: String, by actor: Actor) async throws(DomainError) -> Instrument {
        try TreatyRules.validate(draft)
        return try await database.write(explaining: { Self.explain($0, body: body) }) { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            var parent: Int?
            if let code = draft.supplements {
                guard
                    let row = try connection.queryOne(
                        "SELECT id FROM instruments WHERE body_id = $1 AND code = $2", [owner.id, code])
                else { throw DomainError.notFound("supplements: \(body) has no instrument \(code)") }
                parent = try row.decode("id")
            }
            try connection.query(
                """
                INSERT INTO instruments (body_id, code, title, adopted_on, adopted_by, supplements_id, signature_place,
                    signature_from, signature_until, depositary, texts, threshold, eif_days, later_days,
                    recorded_in_force)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                """,
                [
                    owner.id, draft.code, draft.title, draft.adoptedOn, draft.adoptedBy, parent, draft.signaturePlace,
                    draft.signatureFrom, draft.signatureUntil, draft.depositary, draft.texts, draft.rule.threshold,
                    draft.rule.days, draft.rule.laterDays, draft.recordedInForce,
                ])
            let book = try Self.book(connection, body: owner)
            let added = book.instrument(draft.code)!
            try AuditLog.record(
                connection, actor: actor, entity: "instrument", id: added.auditID, operation: "add", after: added)
            return added
        }
    }

    /// The instrument `code` of `body` with the number of its parties on `day` (today in the body's zone when nil).
    public func instrument(
        body: String, code: String, on day: CalendarDate? = nil
    ) async throws(DomainError)
        -> InstrumentSummary
    {
        let clock = self.clock
        return try await database.read { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            let book = try Self.book(connection, body: owner)
            let day = day ?? clock.today(in: owner.timeZone)
            return try Self.summary(book, code: code, body: body, day: day)
        }
    }

    /// Every instrument of `body`, Conventions first, with its parties on `day` (today when nil).
    public func instruments(
        body: String, on day: CalendarDate? = nil
    ) async throws(DomainError)
        -> [InstrumentSummary]
    {
        let clock = self.clock
        return try await database.read { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            let book = try Self.book(connection, body: owner)
            let day = day ?? clock.today(in: owner.timeZone)
            return try book.instruments.map { try Self.summary(book, code: $0.code, body: body, day: day) }
        }
    }

    /// The parties to every instrument of `body` when session `session` opened (its first part's first day).
    public func atOpening(body: String, session: Int) async throws(DomainError) -> [InstrumentSummary] {
        try await database.read { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            guard
                let row = try connection.queryOne(
                    "SELECT min(start_date) AS opened FROM sessions WHERE body_id = $1 AND number = $2",
                    [owner.id, session]),
                let opened = try row.decode("opened", as: CalendarDate?.self)
            else { throw DomainError.notFound("session: \(body) has no session \(session)") }
            let book = try Self.book(connection, body: owner)
            return try book.instruments.map { try Self.summary(book, code: $0.code, body: body, day: opened) }
        }
    }

    // MARK: - Acts

    /// Records a signature on `date` (while the instrument is open for signature).
    @discardableResult
    public func sign(
        body: String, instrument: String, state: String, date: CalendarDate, by actor: Actor
    ) async throws(DomainError) -> TreatyOutcome {
        try await act(body: body, instrument: instrument, state: state, kind: .signature, date: date, by: actor)
    }

    /// Records the deposit of an instrument of ratification, acceptance, approval, accession or succession.
    @discardableResult
    public func deposit(
        body: String, instrument: String, state: String, kind: ActionKind, date: CalendarDate, by actor: Actor
    ) async throws(DomainError) -> TreatyOutcome {
        guard kind.isConsent else {
            throw .invalid("kind", "must be one of \(ActionKind.consents.map(\.rawValue).joined(separator: "|"))")
        }
        return try await act(body: body, instrument: instrument, state: state, kind: kind, date: date, by: actor)
    }

    /// Records a declaration, reservation or notification.
    @discardableResult
    public func declare(
        body: String, instrument: String, state: String, kind: ActionKind, date: CalendarDate, text: String,
        article: String?, by actor: Actor
    ) async throws(DomainError) -> TreatyOutcome {
        guard kind.isStatement else {
            throw .invalid("kind", "must be one of \(ActionKind.statements.map(\.rawValue).joined(separator: "|"))")
        }
        try TreatyRules.statement(text: text, article: article)
        return try await act(
            body: body, instrument: instrument, state: state, kind: kind, date: date, text: text, article: article,
            by: actor)
    }

    /// Records the withdrawal of declaration `declaration` (its id, as `party get` shows it).
    @discardableResult
    public func withdraw(
        body: String, instrument: String, state: String, declaration: Int, date: CalendarDate, by actor: Actor
    ) async throws(DomainError) -> TreatyOutcome {
        try await act(
            body: body, instrument: instrument, state: state, kind: .withdrawal, date: date, withdraws: declaration,
            by: actor)
    }

    /// Records a denunciation received on `date`; it takes effect one year later, and a Convention's denunciation
    /// denounces its Protocols.
    @discardableResult
    public func denounce(
        body: String, instrument: String, state: String, date: CalendarDate, by actor: Actor
    ) async throws(DomainError) -> TreatyOutcome {
        try await act(body: body, instrument: instrument, state: state, kind: .denunciation, date: date, by: actor)
    }

    func act(
        body: String, instrument code: String, state: String, kind: ActionKind, date: CalendarDate,
        text: String? = nil, article: String? = nil, withdraws: Int? = nil, by actor: Actor
    ) async throws(DomainError) -> TreatyOutcome {
        try TreatyRules.participant(state)
        let clock = self.clock
        return try await database.write(explaining: { Self.explain($0, body: body) }) { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            let today = clock.today(in: owner.timeZone)
            if date > today {
                throw DomainError.invalid("date", "must not be after today (\(today)), got \(date)")
            }
            guard
                let found = try connection.queryOne(
                    "SELECT id FROM instruments WHERE body_id = $1 AND code = $2", [owner.id, code])
            else { throw DomainError.notFound("instrument: \(body) has no instrument \(code)") }
            let row = try connection.queryOne(
                """
                INSERT INTO treaty_actions (instrument_id, participant, kind, acted_on, wording, article, withdraws_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id
                """,
                [try found.decode("id", as: Int.self), state, kind.rawValue, date, text, article, withdraws])
            let id: Int = try row!.decode("id")
            let book = try Self.book(connection, body: owner)
            let action = book.actions.first { $0.id == id }!
            let outcome = TreatyOutcome(
                action: action, instrument: book.instrument(code)!,
                standing: book.standing(of: state, on: code, asOf: today),
                position: kind.isConsent ? book.position(of: id, on: code) : nil)
            try AuditLog.record(
                connection, actor: actor, entity: "treaty", id: "\(body)/\(code)/\(state)", operation: kind.verb,
                after: action)
            return outcome
        }
    }

    // MARK: - Parties

    /// `state`'s standing towards every instrument of `body` on `day` (today when nil).
    public func party(
        body: String, state: String, on day: CalendarDate? = nil
    ) async throws(DomainError)
        -> [Standing]
    {
        try TreatyRules.participant(state)
        let clock = self.clock
        return try await database.read { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            let book = try Self.book(connection, body: owner)
            return book.standings(of: state, asOf: day ?? clock.today(in: owner.timeZone))
        }
    }

    /// The participants of `instrument` on `day` (today when nil), by name; with `status`, only those so.
    public func parties(
        body: String, instrument code: String, on day: CalendarDate? = nil, status: PartyStatus? = nil
    ) async throws(DomainError) -> (instrument: Instrument, day: CalendarDate, standings: [Standing]) {
        let clock = self.clock
        return try await database.read { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            let book = try Self.book(connection, body: owner)
            guard let instrument = book.instrument(code) else {
                throw DomainError.notFound("instrument: \(body) has no instrument \(code)")
            }
            let day = day ?? clock.today(in: owner.timeZone)
            return (instrument, day, book.standings(on: code, asOf: day, status: status))
        }
    }

    /// The count of parties to `instrument` over time: each day it changed.
    public func history(
        body: String, instrument code: String
    ) async throws(DomainError)
        -> [(date: CalendarDate, parties: Int)]
    {
        try await database.read { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            let book = try Self.book(connection, body: owner)
            guard book.instrument(code) != nil else {
                throw DomainError.notFound("instrument: \(body) has no instrument \(code)")
            }
            return book.partyCountHistory(on: code).map { ($0.date, $0.parties) }
        }
    }

    // MARK: - Rows

    static func summary(_ book: TreatyBook, code: String, body: String, day: CalendarDate) throws -> InstrumentSummary {
        guard let instrument = book.instrument(code) else {
            throw DomainError.notFound("code: \(body) has no instrument \(code)")
        }
        let count = book.partyCount(on: code, asOf: day)
        return InstrumentSummary(instrument: instrument, day: day, parties: count.parties, states: count.states)
    }

    /// Every instrument and act of `body`, as a book.
    static func book(_ connection: Connection, body: Body.Recorded) throws -> TreatyBook {
        let instruments = try connection.query(
            """
            SELECT i.code, i.title, i.adopted_on, i.adopted_by, p.code AS supplements, i.signature_place,
                   i.signature_from, i.signature_until, i.depositary, i.texts, i.threshold, i.eif_days, i.later_days,
                   i.recorded_in_force
            FROM instruments i LEFT JOIN instruments p ON p.id = i.supplements_id
            WHERE i.body_id = $1 ORDER BY i.id
            """,
            [body.id]
        ).rows.map { row in
            Instrument(
                body: body.code,
                terms: InstrumentDraft(
                    code: try row.decode("code"), title: try row.decode("title"),
                    adoptedOn: try row.decode("adopted_on"), adoptedBy: try row.decode("adopted_by"),
                    supplements: try row.decode("supplements", as: String?.self),
                    signaturePlace: try row.decode("signature_place", as: String?.self),
                    signatureFrom: try row.decode("signature_from", as: CalendarDate?.self),
                    signatureUntil: try row.decode("signature_until", as: CalendarDate?.self),
                    depositary: try row.decode("depositary"), texts: try row.decode("texts"),
                    rule: EntryIntoForceRule(
                        threshold: try row.decode("threshold"), days: try row.decode("eif_days"),
                        laterDays: try row.decode("later_days")),
                    recordedInForce: try row.decode("recorded_in_force", as: CalendarDate?.self)),
                inForce: .pending)
        }
        let actions = try connection.query(
            """
            SELECT a.id, i.code AS instrument, a.participant, a.kind, a.acted_on, a.wording, a.article, a.withdraws_id
            FROM treaty_actions a JOIN instruments i ON i.id = a.instrument_id
            WHERE i.body_id = $1 ORDER BY a.id
            """,
            [body.id]
        ).rows.map { row in
            let kind: String = try row.decode("kind")
            guard let kind = ActionKind(rawValue: kind) else {
                throw PostgresError(kind: .decoding, message: "treaty_actions: unknown kind \(kind)")
            }
            return TreatyAction(
                id: try row.decode("id"), instrument: try row.decode("instrument"),
                participant: try row.decode("participant"), kind: kind, date: try row.decode("acted_on"),
                text: try row.decode("wording", as: String?.self), article: try row.decode("article", as: String?.self),
                withdraws: try row.decode("withdraws_id", as: Int?.self))
        }
        return TreatyBook(instruments: instruments, actions: actions)
    }

    /// The database's refusals in the contract's words. Trigger refusals (PL551) carry their message already.
    static func explain(_ error: PostgresError, body: String) -> DomainError? {
        switch error.constraint {
        case "instruments_code_key": return .conflict("code: \(body) already has an instrument with that code")
        case "treaty_actions_signature_once": return .conflict("state: it already signed; a participant signs once")
        case "treaty_actions_withdrawn_once": return .conflict("declaration: it was already withdrawn")
        case "treaty_actions_participant_fkey":
            return .invalid("state", "not in the reference list (ISO 3166-1 alpha-3, EUU for the European Union)")
        case "treaty_actions_withdraws_id_fkey":
            return .notFound("declaration: no such declaration, reservation or notification")
        case "instruments_signature_period":
            return .invalid("signature-from", "the period must start on or after adoption and end after it starts")
        default: return nil
        }
    }
}

extension ActionKind {
    /// The audit trail's operation: the command's verb.
    var verb: String {
        switch self {
        case .signature: "sign"
        case .ratification, .acceptance, .approval, .accession, .succession: "deposit"
        case .declaration, .reservation, .notification: "declare"
        case .withdrawal: "withdraw"
        case .denunciation: "denounce"
        }
    }
}
