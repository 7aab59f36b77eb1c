import PlenaryCore

/// The shape of each field of a decision, checked before any round trip and naming the key at fault. The database
/// holds the same limits as CHECK constraints (Schema/0007_decisions.sql).
public enum DecisionRules {
    /// The longest title, in characters.
    public static let titleLimit = 1000
    /// The longest text, in characters.
    public static let textLimit = 200_000

    /// Checks every field of a draft, naming the first one at fault; returns it with the agenda item in its
    /// canonical form (`4 (a)`).
    public static func validate(_ draft: DecisionDraft) throws(DomainError) -> DecisionDraft {
        var draft = draft
        guard (1...9999).contains(draft.session) else { throw .invalid("session", "must be 1 to 9999") }
        try title(draft.title)
        try text(draft.text)
        draft.agendaItem = try agendaItem(draft.agendaItem)
        try document(draft.document)
        return draft
    }

    /// Checks every field of a recorded decision, and that its number is one of `session`, naming the first key at
    /// fault; returns it with the agenda item in its canonical form.
    public static func validate(_ entry: RecordedDecision, session: Int) throws(DomainError) -> RecordedDecision {
        var entry = entry
        if entry.number.session != session {
            throw .invalid(
                "number", "\(entry.number) is a number of session \(entry.number.session), not of session \(session)")
        }
        try title(entry.title)
        try text(entry.text)
        entry.agendaItem = try agendaItem(entry.agendaItem)
        try document(entry.document)
        if let ends = entry.endsOn, ends < entry.adoptedOn {
            throw .invalid("ends", "must not be before adopted=\(entry.adoptedOn)")
        }
        return entry
    }

    /// Checks the fields a draft edit changes; returns it with the agenda item in its canonical form.
    public static func validate(_ change: DraftChange) throws(DomainError) -> DraftChange {
        if change.isEmpty {
            throw .invalid("title", "give at least one of title, text, agenda-item, document, ends to change")
        }
        var change = change
        if let value = change.title { try title(value) }
        try text(change.text)
        change.agendaItem = try agendaItem(change.agendaItem)
        try document(change.document)
        return change
    }

    /// A title: not blank, at most ``titleLimit`` characters.
    public static func title(_ value: String) throws(DomainError) {
        if value.allSatisfy(\.isWhitespace) { throw .invalid("title", "must not be blank") }
        if value.unicodeScalars.count > titleLimit {
            throw .invalid("title", "must be at most \(titleLimit) characters")
        }
    }

    /// A text, when given: not blank, at most ``textLimit`` characters.
    public static func text(_ value: String?) throws(DomainError) {
        guard let value else { return }
        if value.allSatisfy(\.isWhitespace) { throw .invalid("text", "must not be blank when given") }
        if value.unicodeScalars.count > textLimit {
            throw .invalid("text", "must be at most \(textLimit) characters")
        }
    }

    /// An agenda item `4`, `4 (a)` or `4(a)`, returned as `4 (a)`; nil stays nil.
    public static func agendaItem(_ value: String?) throws(DomainError) -> String? {
        guard let value else { return nil }
        guard let match = value.wholeMatch(of: /([1-9][0-9]{0,2}) ?(?:\(([a-z]{1,2})\))?/) else {
            throw .invalid("agenda-item", "must be an agenda item such as 4 or 4 (a), got \(value)")
        }
        return match.2.map { "\(match.1) (\($0))" } ?? String(match.1)
    }

    /// A limited-distribution document symbol, `CTOC/COP/2008/L.5` (an `L.n` component, then revisions or
    /// corrigenda at most): drafts circulate as L documents.
    public static func document(_ value: String?) throws(DomainError) {
        guard let value else { return }
        let limited =
            /[A-Z][A-Za-z0-9.]*(\/[A-Za-z0-9.]+)*\/L\.[1-9][0-9]{0,3}(\/(Rev|Corr|Add|Amend)\.[1-9][0-9]{0,2})*\*?/
        guard value.unicodeScalars.count <= 200, value.wholeMatch(of: limited) != nil else {
            throw .invalid(
                "document", "must be a limited-distribution document such as CTOC/COP/2008/L.5, got \(value)")
        }
    }

    /// Whether `document` is in `body`'s own series (`CTOC/COP/…` for CTOC/COP); 504 naming the key when not.
    public static func document(_ value: String?, of body: String) throws(DomainError) {
        guard let value else { return }
        if !value.hasPrefix(body + "/") {
            throw .invalid("document", "\(value) is not a document of \(body)")
        }
    }

    /// The rule a UN document symbol breaks (`CTOC/COP/2008/19`, `A/RES/55/25`, `CTOC/COP/2010/12*`), or nil.
    public static func symbolViolation(_ symbol: String) -> String? {
        let shape = /[A-Z][A-Za-z0-9.]*(\/[A-Za-z0-9.()\-]+)*\*?/
        guard symbol.unicodeScalars.count <= 200, symbol.wholeMatch(of: shape) != nil else {
            return "must be a document symbol such as CTOC/COP/2008/19, got \(symbol)"
        }
        return nil
    }

    /// The rule a working group's code breaks (it must read like `WG.4`: letters, a dot, a number), or nil.
    public static func workingGroupCodeViolation(_ code: String) -> String? {
        guard code.wholeMatch(of: /[A-Z][A-Za-z]{0,9}\.[1-9][0-9]{0,3}/) != nil else {
            return "must be a subsidiary-body code such as WG.4, got \(code)"
        }
        return nil
    }

    /// A withdrawal's reason, when given: not blank, at most 1000 characters.
    public static func reason(_ value: String?) throws(DomainError) {
        guard let value else { return }
        if value.allSatisfy(\.isWhitespace) || value.unicodeScalars.count > 1000 {
            throw .invalid("reason", "must be 1 to 1000 characters")
        }
    }
}
