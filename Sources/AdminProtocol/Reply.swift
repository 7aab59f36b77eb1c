import PlenaryCore

/// One value in a reply. Text mode writes every kind as text; JSON mode keeps numbers, booleans and nulls.
public enum ReplyValue: Sendable, Hashable {
    /// Text.
    case string(String)
    /// A whole number.
    case int(Int)
    /// A flag.
    case bool(Bool)
    /// A day, written `YYYY-MM-DD`.
    case date(CalendarDate)
    /// Several values; text mode joins them with commas.
    case list([ReplyValue])
    /// Nothing: left out in text mode, `null` in JSON.
    case null

    /// The value as text mode writes it (before quoting), or nil for null, which text mode leaves out.
    public var textForm: String? {
        switch self {
        case .string(let text): text
        case .int(let number): String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .date(let date): date.description
        case .list(let items): items.compactMap(\.textForm).joined(separator: ",")
        case .null: nil
        }
    }
}

extension ReplyValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByNilLiteral
{
    /// A string value from a literal.
    public init(stringLiteral value: String) { self = .string(value) }
    /// An integer value from a literal.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// A boolean value from a literal.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// A list value from a literal.
    public init(arrayLiteral elements: ReplyValue...) { self = .list(elements) }
    /// Null from `nil`.
    public init(nilLiteral: ()) { self = .null }
}

extension ReplyValue {
    /// `.string(value)`, or `.null` when `value` is nil: for optional columns.
    public static func optional(_ value: String?) -> ReplyValue { value.map(ReplyValue.string) ?? .null }

    /// `.int(value)`, or `.null` when `value` is nil.
    public static func optional(_ value: Int?) -> ReplyValue { value.map(ReplyValue.int) ?? .null }

    /// `.date(value)`, or `.null` when `value` is nil.
    public static func optional(_ value: CalendarDate?) -> ReplyValue { value.map(ReplyValue.date) ?? .null }
}

/// A `key=value` pair of a record or of the final line. Keys are lower-case letters, digits and dashes.
public struct ReplyField: Sendable, Hashable {
    /// The key.
    public var key: String
    /// The value.
    public var value: ReplyValue

    /// Creates a field.
    public init(_ key: String, _ value: ReplyValue) {
        self.key = key
        self.value = value
    }
}

/// One record of a reply, such as one session of a list: its type and its fields, in order.
public struct ReplyRecord: Sendable, Hashable {
    /// The kind of thing (`session`, `document`): a lower-case word.
    public var type: String
    /// The fields, in the order they are written.
    public var fields: [ReplyField]

    /// Creates a record.
    public init(type: String, fields: [ReplyField]) {
        self.type = type
        self.fields = fields
    }

    /// Creates a record from literal pairs: `ReplyRecord("session", ["body": "CTOC/COP", "number": 4])`.
    public init(_ type: String, _ fields: KeyValuePairs<String, ReplyValue>) {
        self.init(type: type, fields: fields.map { ReplyField($0.key, $0.value) })
    }

    /// The first value under `key`, if any.
    public subscript(key: String) -> ReplyValue? { fields.first { $0.key == key }?.value }
}

/// A command's answer: records, then a final line with a summary, or a refusal.
///
/// A refusal is made with ``error(_:)``; its ``failure`` carries code, token and message, and any records or
/// summary are not sent.
public struct Reply: Sendable, Equatable {
    /// The code of every line: 200 or 201 for success, 221 for `quit`, or the refusal's code.
    public var code: ReplyCode
    /// The records, each sent on its own line before the final one.
    public var records: [ReplyRecord]
    /// The `key=value` pairs of the final line (`count=2`, `symbol=…`).
    public var summary: [ReplyField]
    /// The refusal, when this reply is one.
    public var failure: PlenaryError?

    /// Creates a successful reply.
    public init(code: ReplyCode = .ok, records: [ReplyRecord] = [], summary: [ReplyField] = []) {
        self.code = code
        self.records = records
        self.summary = summary
        self.failure = nil
    }

    /// A refusal.
    public static func error(_ error: PlenaryError) -> Reply {
        var reply = Reply(code: error.code)
        reply.failure = error
        return reply
    }

    /// 200 with the given summary.
    public static func ok(_ summary: [ReplyField] = []) -> Reply { Reply(code: .ok, summary: summary) }

    /// 201 with the given summary, for something created.
    public static func created(_ summary: [ReplyField]) -> Reply { Reply(code: .created, summary: summary) }

    /// 200 with the records and `count=N` first in the summary.
    public static func list(_ records: [ReplyRecord], summary: [ReplyField] = []) -> Reply {
        Reply(code: .ok, records: records, summary: [ReplyField("count", .int(records.count))] + summary)
    }

    /// 221 BYE, the answer to `quit`.
    public static var bye: Reply { Reply(code: .bye) }

    /// Whether this is a success rather than a refusal.
    public var isSuccess: Bool { failure == nil && code.isSuccess }

    /// The token after the code on the final line: `OK`, `BYE`, or the refusal's.
    public var token: String { failure?.token ?? code.defaultToken }

    /// The reply as it reads back from text mode: every value a string in its text form, null fields dropped,
    /// an error message made one line. `ReplyDecoder.decode(encode(r, .text)) == r.normalizedForText()`.
    public func normalizedForText() -> Reply {
        if let failure {
            return .error(
                PlenaryError(
                    code: failure.code, token: failure.token, message: QuotedValue.sanitizeMessage(failure.message)))
        }
        func normalize(_ fields: [ReplyField]) -> [ReplyField] {
            fields.compactMap { field in field.value.textForm.map { ReplyField(field.key, .string($0)) } }
        }
        return Reply(
            code: code, records: records.map { ReplyRecord(type: $0.type, fields: normalize($0.fields)) },
            summary: normalize(summary))
    }
}

extension ReplyCode {
    /// The token a line with this code carries when no error supplies one.
    var defaultToken: String {
        switch self {
        case .ok, .created: "OK"
        case .greeting: "GREETING"
        case .bye: "BYE"
        case .closing: "CLOSING"
        case .unavailable: "UNAVAILABLE"
        case .badLine: "BAD_SYNTAX"
        case .unknownCommand: "UNKNOWN_COMMAND"
        case .badArgument: "BAD_ARGUMENT"
        case .authentication: "AUTH_REQUIRED"
        case .forbidden: "FORBIDDEN"
        case .notFound: "NOT_FOUND"
        case .conflict: "CONFLICT"
        case .internal: "INTERNAL"
        case .event: "EVENT"
        }
    }
}
