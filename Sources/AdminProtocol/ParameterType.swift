import PlenaryCore

/// What a parameter's value must look like. Each type checks a value, names itself for help, and supplies the
/// placeholder shown in usage lines.
public indirect enum ParameterType: Sendable {
    /// One line of text: non-empty, no control characters.
    case string
    /// Free text, possibly long and multi-line (escaped on the line); may be empty, may not hold NUL.
    case text
    /// An identifier or code (`CTOC/COP`, `WG.4`): non-empty, no spaces or control characters.
    case identifier
    /// A decimal integer, optionally within a range.
    case integer(range: ClosedRange<Int>?)
    /// `true` or `false`.
    case boolean
    /// An ISO 8601 day, `YYYY-MM-DD`, that exists in the calendar.
    case date
    /// One of a fixed set of lower-case words, matched case-sensitively.
    case choice([String])
    /// Comma-separated items of the element type; an empty value is an empty list.
    case list(ParameterType)
    /// A type checked by `validate`, which returns the broken rule (`must be a document symbol`) or nil.
    /// `name` is shown in help.
    case custom(name: String, validate: @Sendable (String) -> String?)

    /// An integer without bounds.
    public static var integer: ParameterType { .integer(range: nil) }

    /// The name help shows: `integer 1…999`, `date YYYY-MM-DD`, `one of regular|special|resumed`.
    public var displayName: String {
        switch self {
        case .string: "string"
        case .text: "text"
        case .identifier: "identifier"
        case .integer(let range?): "integer \(range.lowerBound)…\(range.upperBound)"
        case .integer(nil): "integer"
        case .boolean: "boolean true|false"
        case .date: "date YYYY-MM-DD"
        case .choice(let options): "one of \(options.joined(separator: "|"))"
        case .list(let element): "comma-separated list of \(element.displayName)"
        case .custom(let name, _): name
        }
    }

    /// The placeholder for a value in a usage line; `key` names string-like parameters (`symbol=SYMBOL`).
    public func placeholder(key: String) -> String {
        switch self {
        case .string, .identifier, .custom: key.uppercased()
        case .text: "TEXT"
        case .integer: "N"
        case .boolean: "true|false"
        case .date: "DATE"
        case .choice(let options): options.joined(separator: "|")
        case .list(let element): element.placeholder(key: key) + ",…"
        }
    }

    /// The rule `value` breaks, phrased to follow `KEY: ` (`must be a date YYYY-MM-DD`), or nil when it is valid.
    public func violation(of value: String) -> String? {
        switch self {
        case .string:
            if value.isEmpty { return "must not be empty" }
            if value.unicodeScalars.contains(where: Self.isControl) {
                return "must be one line without control characters"
            }
            return nil
        case .text:
            return value.unicodeScalars.contains("\u{0}") ? "must not contain NUL (\\u0000)" : nil
        case .identifier:
            if value.isEmpty { return "must not be empty" }
            if value.unicodeScalars.contains(where: { Self.isControl($0) || $0.properties.isWhitespace }) {
                return "must be an identifier without spaces or control characters"
            }
            return nil
        case .integer(let range):
            let rule = range.map { "must be an integer \($0.lowerBound)…\($0.upperBound)" } ?? "must be an integer"
            guard let number = Self.integer(value) else { return rule }
            if let range, !range.contains(number) { return rule }
            return nil
        case .boolean:
            return Self.boolean(value) == nil ? "must be true or false" : nil
        case .date:
            return CalendarDate(iso: value) == nil ? "must be a date YYYY-MM-DD" : nil
        case .choice(let options):
            return options.contains(value) ? nil : "must be one of \(options.joined(separator: "|"))"
        case .list(let element):
            for (position, item) in Self.items(value).enumerated() {
                if let rule = element.violation(of: item) {
                    return "item \(position + 1) \(rule)"
                }
            }
            return nil
        case .custom(_, let validate):
            return validate(value)
        }
    }

    /// Decimal digits with an optional leading minus; refuses `+5`, spaces and overflow.
    static func integer(_ text: String) -> Int? {
        let digits = text.utf8.first == ASCII.dash ? text.utf8.dropFirst() : text.utf8[...]
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        return Int(text)
    }

    static func boolean(_ text: String) -> Bool? {
        switch text {
        case "true": true
        case "false": false
        default: nil
        }
    }

    /// The items of a list value; an empty value is the empty list rather than one empty item.
    static func items(_ text: String) -> [String] {
        text.isEmpty ? [] : text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}"
    }
}
