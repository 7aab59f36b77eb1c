/// Decisions and resolutions are numbered in separate series: decision 5/1 and resolution 5/1 may both exist.
public enum DecisionKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A decision, `decision 4/4`.
    case decision
    /// A resolution, `resolution 5/3`.
    case resolution
}

/// The number of an adopted decision or resolution: `session/serial`, with a letter where one number covers several
/// texts (`49/221 B`). Decision 4/4 is the fourth decision of the fourth session.
public struct DecisionNumber: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The number of the session that adopted it.
    public var session: Int
    /// Its place in the series of its kind at that session, from 1.
    public var serial: Int
    /// `A`, `B` … for the lettered parts of one number; nil for a whole number.
    public var letter: String?

    /// Creates a number; `letter` must be one upper-case letter when given (see ``init(parsing:)``).
    public init(session: Int, serial: Int, letter: String? = nil) {
        self.session = session
        self.serial = serial
        self.letter = letter
    }

    /// Reads `4/4`, `49/221 B` or `49/221B`: numbers 1 to 9999 without leading zeros, then at most one upper-case
    /// letter. Nil when it is not one (`4-4`, `0/1`, `4/4 b`).
    public init?(parsing text: some StringProtocol) {
        var text = Substring(text)
        var letter: String?
        if let last = text.unicodeScalars.last, ("A"..."Z").contains(last) {
            letter = String(last)
            text = text.dropLast()
            if text.hasSuffix(" ") { text = text.dropLast() }
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let session = Self.number(parts[0]), let serial = Self.number(parts[1]) else {
            return nil
        }
        self.init(session: session, serial: serial, letter: letter)
    }

    private static func number(_ text: Substring) -> Int? {
        guard (1...4).contains(text.utf8.count), text.first != "0", text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 })
        else { return nil }
        return Int(text)
    }

    /// Reads a number given under `key`, or 504 naming the key and the form.
    public static func parse(_ text: String, key: String = "number") throws(DomainError) -> DecisionNumber {
        guard let number = DecisionNumber(parsing: text) else {
            throw .invalid(key, "\(DecisionNumber.rule), got \(text)")
        }
        return number
    }

    /// The form, phrased to follow "KEY: ".
    public static let rule = "must be a number session/serial such as 4/4, or 49/221 B for a lettered part"

    /// `4/4`, `49/221 B`.
    public var description: String { "\(session)/\(serial)" + (letter.map { " \($0)" } ?? "") }

    /// The letter as the database stores it: `''` for a whole number.
    public var storedLetter: String { letter ?? "" }

    /// Orders by session, then serial, then letter (a whole number before its parts).
    public static func < (lhs: DecisionNumber, rhs: DecisionNumber) -> Bool {
        (lhs.session, lhs.serial, lhs.storedLetter) < (rhs.session, rhs.serial, rhs.storedLetter)
    }

    /// Decodes from `4/4`.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let number = DecisionNumber(parsing: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a decision number: \(text)"))
        }
        self = number
    }

    /// Encodes as `4/4`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// How the Conference cites one of its decisions: `decision 4/4`, `resolution 5/3`, `resolution 49/221 B` (a
/// DECISION-REF of the contract). Decisions link by it, and working groups record the instruments that establish,
/// rename and dissolve them in it; the database checks the same form (`plenary_is_decision_reference`, Schema/0009).
public struct DecisionCitation: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Decision or resolution.
    public var kind: DecisionKind
    /// Its number.
    public var number: DecisionNumber

    /// Creates a citation.
    public init(kind: DecisionKind, number: DecisionNumber) {
        self.kind = kind
        self.number = number
    }

    /// Creates the citation of `kind session/serial`, or of its lettered part.
    public init(kind: DecisionKind, session: Int, serial: Int, letter: String? = nil) {
        self.init(kind: kind, number: DecisionNumber(session: session, serial: serial, letter: letter))
    }

    /// Reads `decision 4/4` (the kind in any case, one space, the number); nil when it is not one.
    public init?(parsing text: String) {
        guard let space = text.firstIndex(of: " "),
            let kind = DecisionKind(rawValue: text[..<space].lowercased()),
            let number = DecisionNumber(parsing: text[text.index(after: space)...])
        else { return nil }
        self.init(kind: kind, number: number)
    }

    /// Reads a citation given under `key`, or 504 naming the key and the form.
    public static func parse(_ text: String, key: String) throws(DomainError) -> DecisionCitation {
        guard let citation = DecisionCitation(parsing: text) else {
            throw .invalid(key, "\(DecisionCitation.rule), got \(text)")
        }
        return citation
    }

    /// The form, phrased to follow "KEY: ".
    public static let rule = "must be a reference such as \"decision 4/4\" or \"resolution 5/3\""

    /// `decision 4/4`.
    public var description: String { "\(kind.rawValue) \(number)" }

    /// Decodes from `decision 4/4`.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let citation = DecisionCitation(parsing: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a decision reference: \(text)"))
        }
        self = citation
    }

    /// Encodes as `decision 4/4`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
