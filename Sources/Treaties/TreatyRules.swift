import PlenaryCore

/// The shape of each field, checked before any round trip and naming the key at fault. The database holds the same
/// limits as CHECK constraints, and the final clauses' rules as triggers (Schema/0011_treaties.sql).
public enum TreatyRules {
    /// Checks an instrument before it is added, naming the first key at fault.
    public static func validate(_ draft: InstrumentDraft) throws(DomainError) {
        if draft.code.wholeMatch(of: /[A-Z][A-Z0-9-]{0,15}/) == nil {
            throw .invalid(
                "code", "must be 1 to 16 upper-case letters, digits or dashes such as UNTOC, got \(draft.code)")
        }
        try text("title", draft.title, limit: 1000)
        try text("by", draft.adoptedBy, limit: 200)
        if let place = draft.signaturePlace { try text("signature-place", place, limit: 500) }
        try text("depositary", draft.depositary, limit: 500)
        switch (draft.signatureFrom, draft.signatureUntil) {
        case (nil, nil): break
        case (nil, _): throw .invalid("signature-from", "required with signature-until=")
        case (_, nil): throw .invalid("signature-until", "required with signature-from=")
        case (let from?, let until?):
            if from < draft.adoptedOn {
                throw .invalid("signature-from", "must not be before adopted=\(draft.adoptedOn), got \(from)")
            }
            if until < from { throw .invalid("signature-until", "must not be before signature-from=\(from)") }
        }
        if !(1...1000).contains(draft.rule.threshold) { throw .invalid("threshold", "must be 1 to 1000") }
        if !(0...3650).contains(draft.rule.days) { throw .invalid("eif-days", "must be 0 to 3650") }
        if !(0...draft.rule.days).contains(draft.rule.laterDays) {
            throw .invalid("later-days", "must be 0 to eif-days (\(draft.rule.days))")
        }
        if let inForce = draft.recordedInForce, inForce <= draft.adoptedOn {
            throw .invalid("in-force", "must be after adopted=\(draft.adoptedOn), got \(inForce)")
        }
        if draft.texts.count > 50 { throw .invalid("texts", "at most 50 document symbols") }
        for symbol in draft.texts
        where symbol.wholeMatch(of: /[A-Z][A-Za-z0-9.]*(\/[A-Za-z0-9.()\-]+)*\*?/) == nil {
            throw .invalid("texts", "must be document symbols such as A/RES/55/25, got \(symbol)")
        }
    }

    /// 504 naming `state` unless `code` is on the reference list.
    public static func participant(_ code: String) throws(DomainError) {
        if let rule = ReferenceList.violation(code) { throw .invalid("state", rule) }
    }

    /// The text of a declaration: not blank, at most 20,000 characters.
    public static func statement(text value: String, article: String?) throws(DomainError) {
        try text("text", value, limit: 20_000)
        if let article, article.wholeMatch(of: /[1-9][0-9]{0,2}( ?\([0-9a-z]{1,4}\))*/) == nil {
            throw .invalid("article", "must be an article such as 35 or 35(2), got \(article)")
        }
    }

    static func text(_ key: String, _ value: String, limit: Int) throws(DomainError) {
        if value.allSatisfy(\.isWhitespace) { throw .invalid(key, "must not be blank") }
        if value.unicodeScalars.count > limit { throw .invalid(key, "must be at most \(limit) characters") }
    }
}
