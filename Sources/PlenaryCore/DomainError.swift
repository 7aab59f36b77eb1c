/// A refusal by a service, in the domain's own words: which rule was broken and, where one is at fault, which
/// field of the domain. Services throw it and know nothing of the wire; PlenaryCommands alone turns it into a reply
/// code and an argument key (``PlenaryError/init(_:keys:)``), so a field renamed on the wire is renamed in one place.
public struct DomainError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What sort of refusal it is; each maps to one reply code.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// A value breaks a rule of its field (a malformed symbol, a blank name, an end before the start).
        case invalid
        /// The thing named does not exist.
        case notFound
        /// A rule of the domain forbids the change (a duplicate, a frozen text, an overlapping session).
        case conflict
        /// The database could not be reached or a timeout passed: nothing was done, and trying again may work.
        case unavailable
        /// Not a rule but a fault: logged under an incident id, which the message carries.
        case fault
    }

    /// What sort of refusal it is.
    public var kind: Kind
    /// The domain field at fault (`code`, `timezone`, `start` …), when the refusal concerns one.
    public var field: String?
    /// The rule broken, in words a person can act on; for a refusal with a field, what is wrong with its value.
    public var rule: String

    /// Creates a refusal.
    public init(_ kind: Kind, field: String? = nil, _ rule: String) {
        self.kind = kind
        self.field = field
        self.rule = rule
    }

    /// A value of `field` breaks `rule`.
    public static func invalid(_ field: String, _ rule: String) -> DomainError {
        DomainError(.invalid, field: field, rule)
    }

    /// The thing named does not exist; the message names it.
    public static func notFound(_ message: String) -> DomainError { DomainError(.notFound, message) }

    /// A rule of the domain forbids the change; the message names what and why.
    public static func conflict(_ message: String) -> DomainError { DomainError(.conflict, message) }

    /// The database is unreachable, or a timeout passed; nothing was done.
    public static func unavailable(_ message: String) -> DomainError { DomainError(.unavailable, message) }

    /// A fault (a bug, an unexpected database error), logged under `incident`.
    public static func fault(incident: String) -> DomainError {
        DomainError(.fault, "internal error; logged as incident \(incident)")
    }

    /// The refusal as one line: `field: rule`, or the rule alone.
    public var message: String { field.map { "\($0): \(rule)" } ?? rule }

    /// The kind and the message, for logs.
    public var description: String { "\(kind.rawValue): \(message)" }

    /// The SQLSTATE the schema's triggers raise (`plenary_refuse`, Schema/0004) when a rule of the domain forbids a
    /// change. Their message is already the contract's (key and rule), so it is passed on as a conflict unchanged.
    public static let refusalSQLState = "PL551"
}

extension PlenaryError {
    /// The reply a domain refusal is answered with: `invalid` → 504 naming the argument key, `notFound` → 550,
    /// `conflict` → 551, `unavailable` → 451, `fault` → 590. `keys` renames a domain field to the argument key of the
    /// command at hand where the two differ; a field it does not list is its own key.
    public init(_ refusal: DomainError, keys: [String: String] = [:]) {
        let field = refusal.field.map { keys[$0] ?? $0 }
        let message = field.map { "\($0): \(refusal.rule)" } ?? refusal.rule
        switch refusal.kind {
        case .invalid: self.init(code: .badArgument, token: "BAD_ARGUMENT", message: message)
        case .notFound: self.init(code: .notFound, token: "NOT_FOUND", message: message)
        case .conflict: self.init(code: .conflict, token: "CONFLICT", message: message)
        case .unavailable: self.init(code: .unavailable, token: "UNAVAILABLE", message: message)
        case .fault: self.init(code: .internal, token: "INTERNAL", message: message)
        }
    }
}
