import AdminProtocol
import PlenaryCore

/// Reads the protocol's JSON mode (`hello format=json`) back into replies, keeping what text mode loses: numbers,
/// booleans, nulls and lists come back typed, so a client re-encoding a reply gets the server's JSON exactly.
///
/// Members are read in the order the server wrote them (Foundation's JSONSerialization would not keep it), so a
/// record's fields keep their order too. A line that is not the protocol's JSON is a 500 BAD_SYNTAX naming why.
public enum JSONReplyDecoder {
    /// Reads one JSON-mode line (without its LF).
    public static func decodeLine(_ line: [UInt8]) -> Result<ReplyLine, PlenaryError> {
        Result { () throws(PlenaryError) -> ReplyLine in
            var reader = JSONReader(bytes: line)
            let value = try reader.document()
            guard case .object(let members) = value else { throw .badSyntax("a JSON reply line must be an object") }
            return try replyLine(members)
        }
    }

    /// Reads one JSON-mode line given as a string.
    public static func decodeLine(_ line: String) -> Result<ReplyLine, PlenaryError> { decodeLine(Array(line.utf8)) }

    private static func replyLine(_ members: [(key: String, value: JSONValue)]) throws(PlenaryError) -> ReplyLine {
        func member(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }
        guard case .number(let number)? = member("code") else { throw .badSyntax("a JSON reply line needs a code") }
        guard let code = ReplyCode(rawValue: number) else { throw .badSyntax("unknown reply code \(number)") }
        if let record = member("record") {
            guard case .string(let type)? = member("type"), case .object(let fields) = record else {
                throw .badSyntax("a JSON record line needs a type and a record object")
            }
            return .record(code, ReplyRecord(type: type, fields: try replyFields(fields)))
        }
        if let event = member("event") {
            guard case .object(let fields) = event else { throw .badSyntax("a JSON event line needs an event object") }
            return .event(try replyFields(fields))
        }
        if case .string(let token)? = member("error") {
            guard case .string(let message)? = member("message") else {
                throw .badSyntax("a JSON error line needs a message")
            }
            return .final(.error(PlenaryError(code: code, token: token, message: message)))
        }
        if case .bool(true)? = member("ok") {
            // Only the first code and ok are the line's own: a server that puts a summary field of the same name
            // after them (body add's `code`) still means it as a field.
            var summary = members
            for key in ["code", "ok"] {
                if let first = summary.firstIndex(where: { $0.key == key }) { summary.remove(at: first) }
            }
            return .final(Reply(code: code, summary: try replyFields(summary)))
        }
        if code == .greeting, case .string(let product)? = member("product") {
            let fields = members.filter { $0.key != "code" && $0.key != "product" }
            return .greeting(product: product, fields: try replyFields(fields))
        }
        throw .badSyntax("a JSON reply line needs record, event, error or ok")
    }

    private static func replyFields(
        _ members: [(key: String, value: JSONValue)]
    ) throws(PlenaryError) -> [ReplyField] {
        var fields: [ReplyField] = []
        for member in members { fields.append(ReplyField(member.key, try replyValue(member.value, key: member.key))) }
        return fields
    }

    private static func replyValue(_ value: JSONValue, key: String) throws(PlenaryError) -> ReplyValue {
        switch value {
        case .string(let text): return .string(text)
        case .number(let number): return .int(number)
        case .bool(let flag): return .bool(flag)
        case .null: return .null
        case .array(let items):
            var values: [ReplyValue] = []
            for item in items { values.append(try replyValue(item, key: key)) }
            return .list(values)
        case .object: throw .badSyntax("\(key): a reply value is never an object")
        }
    }
}

/// A JSON value whose object members keep their order.
enum JSONValue: Sendable {
    case string(String)
    case number(Int)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])
}

/// A strict RFC 8259 reader for one line, limited to what the protocol sends: integers only, nesting at most
/// `maximumDepth` deep so a hostile line cannot exhaust the stack.
struct JSONReader {
    static let maximumDepth = 16

    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// One value and nothing after it but white space.
    mutating func document() throws(PlenaryError) -> JSONValue {
        let value = try value(depth: 0)
        skipSpace()
        guard index == bytes.count else { throw failure("text after the JSON value") }
        return value
    }

    private func failure(_ message: String) -> PlenaryError { .badSyntax("JSON column \(index + 1): \(message)") }

    private mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private mutating func value(depth: Int) throws(PlenaryError) -> JSONValue {
        guard depth < Self.maximumDepth else { throw failure("nested too deeply") }
        skipSpace()
        guard index < bytes.count else { throw failure("a value is missing") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw failure("unexpected character")
        }
    }

    private mutating func literal(_ word: String, _ value: JSONValue) throws(PlenaryError) -> JSONValue {
        let expected = Array(word.utf8)
        guard bytes.count - index >= expected.count, Array(bytes[index..<(index + expected.count)]) == expected else {
            throw failure("unexpected character")
        }
        index += expected.count
        return value
    }

    private mutating func number() throws(PlenaryError) -> JSONValue {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let digitsStart = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        guard index > digitsStart else { throw failure("a number needs digits") }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
            throw failure("the protocol sends whole numbers only")
        }
        guard let number = Int(String(decoding: bytes[start..<index], as: UTF8.self)) else {
            throw failure("number out of range")
        }
        return .number(number)
    }

    private mutating func array(depth: Int) throws(PlenaryError) -> JSONValue {
        index += 1
        var items: [JSONValue] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            items.append(try value(depth: depth + 1))
            skipSpace()
            guard index < bytes.count else { throw failure("unterminated array") }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            }
            guard bytes[index] == UInt8(ascii: ",") else { throw failure("expected , or ]") }
            index += 1
        }
    }

    private mutating func object(depth: Int) throws(PlenaryError) -> JSONValue {
        index += 1
        var members: [(key: String, value: JSONValue)] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a key") }
            // A repeated key is kept, in order: see the final line's summary above.
            let key = try string()
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("expected :") }
            index += 1
            members.append((key, try value(depth: depth + 1)))
            skipSpace()
            guard index < bytes.count else { throw failure("unterminated object") }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            guard bytes[index] == UInt8(ascii: ",") else { throw failure("expected , or }") }
            index += 1
        }
    }

    /// A string literal from its opening quote, with JSON's escapes; raw control characters are refused.
    private mutating func string() throws(PlenaryError) -> String {
        index += 1
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else { throw failure("unterminated string") }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try escape(into: &out)
            case 0x00..<0x20:
                throw failure("raw control character in a string")
            default:
                out.append(byte)
                index += 1
            }
        }
    }

    private mutating func escape(into out: inout [UInt8]) throws(PlenaryError) {
        guard index + 1 < bytes.count else { throw failure("unterminated escape") }
        let simple: UInt8? =
            switch bytes[index + 1] {
            case UInt8(ascii: "\""): UInt8(ascii: "\"")
            case UInt8(ascii: "\\"): UInt8(ascii: "\\")
            case UInt8(ascii: "/"): UInt8(ascii: "/")
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "n"): 0x0A
            case UInt8(ascii: "r"): 0x0D
            case UInt8(ascii: "t"): 0x09
            default: nil
            }
        if let simple {
            out.append(simple)
            index += 2
            return
        }
        guard bytes[index + 1] == UInt8(ascii: "u") else { throw failure("unknown escape") }
        var scalar = try hex4(at: index + 2)
        index += 6
        if (0xD800...0xDBFF).contains(scalar) {
            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            else { throw failure("lone surrogate") }
            let low = try hex4(at: index + 2)
            guard (0xDC00...0xDFFF).contains(low) else { throw failure("lone surrogate") }
            index += 6
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        } else if (0xDC00...0xDFFF).contains(scalar) {
            throw failure("lone surrogate")
        }
        guard let character = Unicode.Scalar(scalar) else { throw failure("invalid \\u escape") }
        out.append(contentsOf: Array(String(Character(character)).utf8))
    }

    private func hex4(at offset: Int) throws(PlenaryError) -> UInt32 {
        guard offset + 4 <= bytes.count else { throw failure("\\u needs four hex digits") }
        var value: UInt32 = 0
        for byte in bytes[offset..<(offset + 4)] {
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw failure("\\u needs four hex digits")
            }
            value = value << 4 | digit
        }
        return value
    }
}
