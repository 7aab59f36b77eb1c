import Foundation
import PlenaryCore
import Treaties

/// An instrument of a body (Schema/0011): its key is the body and the code. Its entry into force is exported only
/// as recorded; the derived one follows from the acts.
public struct InstrumentRecord: Sendable, Hashable, Codable {
    /// The body's code.
    public var body: String
    /// The instrument's code: the key within the body.
    public var code: String
    /// The title.
    public var title: String
    /// The day adopted.
    public var adopted: String
    /// The adopting resolution.
    public var by: String
    /// The Convention it supplements, for a Protocol.
    public var supplements: String?
    /// Where it was open for signature.
    public var signaturePlace: String?
    /// First day open for signature.
    public var signatureFrom: String?
    /// Last day open for signature.
    public var signatureUntil: String?
    /// The depositary.
    public var depositary: String
    /// Its texts (document symbols), left out when none.
    public var texts: [String]?
    /// Counted instruments that bring it into force.
    public var threshold: Int
    /// In force on this day after the threshold-th deposit.
    public var eifDays: Int
    /// For a later depositor, in force on this day after its deposit.
    public var laterDays: Int
    /// The recorded date of entry into force.
    public var inForce: String?

    /// Creates a record.
    public init(
        body: String, code: String, title: String, adopted: String, by: String, supplements: String? = nil,
        signaturePlace: String? = nil, signatureFrom: String? = nil, signatureUntil: String? = nil,
        depositary: String = Instrument.secretaryGeneral, texts: [String]? = nil, threshold: Int = 40,
        eifDays: Int = 90, laterDays: Int = 30, inForce: String? = nil
    ) {
        self.body = body
        self.code = code
        self.title = title
        self.adopted = adopted
        self.by = by
        self.supplements = supplements
        self.signaturePlace = signaturePlace
        self.signatureFrom = signatureFrom
        self.signatureUntil = signatureUntil
        self.depositary = depositary
        self.texts = texts
        self.threshold = threshold
        self.eifDays = eifDays
        self.laterDays = laterDays
        self.inForce = inForce
    }

    /// `UNTOC of CTOC/COP`.
    public var label: String { "instrument \(code) of \(body)" }

    enum CodingKeys: String, CodingKey {
        case body, code, title, adopted, by, supplements, depositary, texts, threshold
        case signaturePlace = "signature_place"
        case signatureFrom = "signature_from"
        case signatureUntil = "signature_until"
        case eifDays = "eif_days"
        case laterDays = "later_days"
        case inForce = "in_force"
    }
}

/// Which declaration a withdrawal withdraws: acts have no natural number, so the declaration is named by its kind,
/// day and article (the first such of the participant on the instrument).
public struct WithdrawnStatement: Sendable, Hashable, Codable {
    /// declaration, reservation or notification.
    public var kind: String
    /// The day it was made.
    public var date: String
    /// The article it concerns.
    public var article: String?

    /// Creates one.
    public init(kind: String, date: String, article: String? = nil) {
        self.kind = kind
        self.date = date
        self.article = article
    }
}

/// One act of a participant on an instrument. Acts are history with no number: one the database holds as many
/// times as the file does is already there.
public struct TreatyActionRecord: Sendable, Hashable, Codable {
    /// The body's code.
    public var body: String
    /// The instrument's code.
    public var instrument: String
    /// The participant's code (ISO 3166-1 alpha-3, EUU for the European Union).
    public var state: String
    /// What was done (signature, ratification, …, denunciation).
    public var kind: String
    /// The day.
    public var date: String
    /// The text of a declaration, reservation or notification.
    public var text: String?
    /// The article it concerns.
    public var article: String?
    /// For a withdrawal: what it withdraws.
    public var withdraws: WithdrawnStatement?

    /// Creates a record.
    public init(
        body: String, instrument: String, state: String, kind: String, date: String, text: String? = nil,
        article: String? = nil, withdraws: WithdrawnStatement? = nil
    ) {
        self.body = body
        self.instrument = instrument
        self.state = state
        self.kind = kind
        self.date = date
        self.text = text
        self.article = article
        self.withdraws = withdraws
    }

    /// `ratification of UNTOC of CTOC/COP by ITA on 2006-08-02`.
    public var label: String { "\(kind) of \(instrument) of \(body) by \(state) on \(date)" }
}

extension ExportDocument {
    /// The order acts load in, so each meets the triggers with what it relies on already there: by day; on one day
    /// the Convention before its Protocols, then signature, instruments of consent, statements, withdrawals,
    /// denunciations.
    static func actionKey(_ action: TreatyActionRecord, protocols: Set<String>) -> [String] {
        let rank = ActionKind(rawValue: action.kind).flatMap { ActionKind.allCases.firstIndex(of: $0) } ?? 99
        return [
            action.body, action.date, protocols.contains("\(action.body) \(action.instrument)") ? "1" : "0",
            String(format: "%02d", rank), action.instrument, action.state, action.article ?? "", action.text ?? "",
        ]
    }

    /// The instruments' and acts' sections in load order.
    func normalizedTreaties() -> (instruments: [InstrumentRecord], actions: [TreatyActionRecord]) {
        let protocols = Set(instruments.filter { $0.supplements != nil }.map { "\($0.body) \($0.code)" })
        let instruments = instruments.sorted {
            ($0.body, $0.supplements == nil ? 0 : 1, $0.code) < ($1.body, $1.supplements == nil ? 0 : 1, $1.code)
        }
        let actions = treatyActions.map { (Self.actionKey($0, protocols: protocols), $0) }.sorted {
            $0.0.lexicographicallyPrecedes($1.0)
        }.map(\.1)
        return (instruments, actions)
    }
}

extension ImportPlan {
    /// Instruments by body and code (a different record under a taken key is refused); acts by content and
    /// multiplicity, like drafts. Every act's instrument, and every Protocol's Convention, must be in the file or
    /// the database. Loaded in the order ``ExportDocument/normalized()`` gives, so the triggers see what each act
    /// relies on.
    static func planTreaties(
        file: ExportDocument, existing: ExportDocument, known: KnownKeys, into plan: inout ImportPlan
    ) throws(TransferError) {
        let top = RecordPath()
        let instruments = Set((file.instruments + existing.instruments).map { "\($0.body) \($0.code)" })
        for (index, instrument) in file.instruments.enumerated() {
            try known.body(instrument.body, top.key("instruments").index(index), instrument.label)
            if let parent = instrument.supplements, !instruments.contains("\(instrument.body) \(parent)") {
                throw missing(
                    top.key("instruments").index(index).key("supplements"),
                    "\(instrument.body) has no instrument \(parent)", instrument.label)
            }
        }
        let protocols = Set(
            (file.instruments + existing.instruments).filter { $0.supplements != nil }.map { "\($0.body) \($0.code)" })
        plan.instruments = try merge(
            file.instruments, existing.instruments, path: top.key("instruments"), key: { "\($0.body) \($0.code)" },
            label: \.label, skipped: &plan.skipped["instruments", default: 0]
        ).sorted {
            ($0.record.body, $0.record.supplements == nil ? 0 : 1, $0.record.code)
                < ($1.record.body, $1.record.supplements == nil ? 0 : 1, $1.record.code)
        }
        for (index, action) in file.treatyActions.enumerated()
        where !instruments.contains("\(action.body) \(action.instrument)") {
            throw missing(
                top.key("treaty_actions").index(index).key("instrument"),
                "\(action.body) has no instrument \(action.instrument)", action.label)
        }
        var held: [TreatyActionRecord: Int] = [:]
        for action in existing.treatyActions { held[action, default: 0] += 1 }
        var new: [Placed<TreatyActionRecord>] = []
        for (index, action) in file.treatyActions.enumerated() {
            if let count = held[action], count > 0 {
                held[action] = count - 1
                plan.skipped["treaty_actions", default: 0] += 1
            } else {
                new.append(Placed(index: index, record: action))
            }
        }
        plan.treatyActions = new.map { (ExportDocument.actionKey($0.record, protocols: protocols), $0) }.sorted {
            $0.0.lexicographicallyPrecedes($1.0)
        }.map(\.1)
    }
}

extension ExportValidator {
    /// The instruments' and acts' values, by the Treaties module's own rules.
    static func validateTreaties(_ document: ExportDocument) throws(TransferError) {
        let top = RecordPath()
        var keys = Set<String>()
        for (index, instrument) in document.instruments.enumerated() {
            let check = Check(path: top.key("instruments").index(index), record: instrument.label)
            try check.bodyCode(instrument.body)
            let adopted = try check.date(instrument.adopted, "adopted")
            let from = try instrument.signatureFrom.map { value throws(TransferError) in
                try check.date(value, "signature_from")
            }
            let until = try instrument.signatureUntil.map { value throws(TransferError) in
                try check.date(value, "signature_until")
            }
            let inForce = try instrument.inForce.map { value throws(TransferError) in try check.date(value, "in_force")
            }
            try check.rule([
                "code": "code", "title": "title", "by": "by", "signature-place": "signature_place",
                "signature-from": "signature_from", "signature-until": "signature_until", "depositary": "depositary",
                "texts": "texts", "threshold": "threshold", "eif-days": "eif_days", "later-days": "later_days",
                "in-force": "in_force",
            ]) { () throws(DomainError) in
                try TreatyRules.validate(
                    InstrumentDraft(
                        code: instrument.code, title: instrument.title, adoptedOn: adopted, adoptedBy: instrument.by,
                        supplements: instrument.supplements, signaturePlace: instrument.signaturePlace,
                        signatureFrom: from, signatureUntil: until, depositary: instrument.depositary,
                        texts: instrument.texts ?? [],
                        rule: EntryIntoForceRule(
                            threshold: instrument.threshold, days: instrument.eifDays, laterDays: instrument.laterDays),
                        recordedInForce: inForce))
            }
            guard keys.insert("\(instrument.body) \(instrument.code)").inserted else {
                throw TransferError(
                    path: check.path, reason: "repeats a record earlier in the file", record: check.record)
            }
        }
        for (index, action) in document.treatyActions.enumerated() {
            let check = Check(path: top.key("treaty_actions").index(index), record: action.label)
            try check.bodyCode(action.body)
            guard let kind = ActionKind(rawValue: action.kind) else {
                throw check.fault("kind", check.choices(ActionKind.allCases.map(\.rawValue), action.kind))
            }
            _ = try check.date(action.date, "date")
            try check.rule(["state": "state", "text": "text", "article": "article"]) { () throws(DomainError) in
                try TreatyRules.participant(action.state)
                if kind.isStatement {
                    guard let text = action.text else { throw .invalid("text", "required for a \(kind.rawValue)") }
                    try TreatyRules.statement(text: text, article: action.article)
                } else if action.text != nil || action.article != nil {
                    throw .invalid(
                        action.text != nil ? "text" : "article",
                        "only a declaration, reservation or "
                            + "notification has one")
                }
            }
            if (kind == .withdrawal) != (action.withdraws != nil) {
                throw check.fault(
                    "withdraws", kind == .withdrawal ? "required for a withdrawal" : "only a withdrawal has one")
            }
            if let withdrawn = action.withdraws {
                if ActionKind(rawValue: withdrawn.kind)?.isStatement != true {
                    throw check.fault("withdraws", check.choices(ActionKind.statements.map(\.rawValue), withdrawn.kind))
                }
                _ = try check.date(withdrawn.date, "withdraws")
            }
        }
    }
}
