import PlenaryCore

/// Reads command lines (the admin protocol's door) and shell words (the CLI's door) into a ``RawRequest``.
///
/// Both functions are total: every input gives a request or a ``PlenaryError``, never a crash. Syntax errors are
/// 500 BAD_SYNTAX and name the 1-based byte column; a `key=value` whose key is malformed is 504 BAD_ARGUMENT naming
/// the key, because the operator meant an argument and should hear about the argument.
public enum LineParser {
    /// Parses one protocol line, without its LF; a single trailing CR is dropped.
    public static func parse(_ line: [UInt8]) -> Result<RawRequest, PlenaryError> {
        var bytes = line
        if bytes.last == ASCII.carriageReturn { bytes.removeLast() }
        if let bad = ASCII.firstInvalidUTF8(bytes) {
            return .failure(.badSyntax("column \(bad + 1): invalid UTF-8 (byte \(ASCII.hex(bytes[bad])))"))
        }
        // Raw control characters are refused everywhere, quoted or not: inside quotes they must be escaped.
        if let control = bytes.firstIndex(where: ASCII.isControl) {
            return .failure(
                .badSyntax(
                    "column \(control + 1): control character \(ASCII.hex(bytes[control])) not allowed; "
                        + "inside a quoted value write it as an escape such as \\t or \\u0009"))
        }
        var scanner = Scanner(bytes: bytes)
        return Result { () throws(PlenaryError) -> RawRequest in try scanner.request() }
    }

    /// Parses a protocol line given as a string (convenience for tests and clients).
    public static func parse(_ line: String) -> Result<RawRequest, PlenaryError> { parse(Array(line.utf8)) }

    /// Parses the words typed after `plenary`: each shell word is one token, split at its first `=` when the left
    /// part is a key, its value taken verbatim because the shell has already done the quoting.
    ///
    /// A word whose left part looks like a key that was mistyped (letters, digits, `-`, `_` only, as in `Body=x`
    /// or `agenda_item=3`) is refused with 504 naming it rather than passed on as a positional value, where it
    /// would only surface later as a confusing "unexpected positional value".
    public static func parse(words: [String]) -> Result<RawRequest, PlenaryError> {
        guard !words.isEmpty else { return .failure(.badSyntax("empty line: no command given")) }
        var leading: [String] = []
        var arguments: [RawArgument] = []
        for word in words {
            if let equals = word.utf8.firstIndex(of: ASCII.equals) {
                let left = word.utf8[..<equals]
                if ASCII.isKey(left) {
                    let key = String(decoding: left, as: UTF8.self)
                    let value = String(decoding: word.utf8[word.utf8.index(after: equals)...], as: UTF8.self)
                    arguments.append(RawArgument(key: key, value: value))
                    continue
                }
                if !left.isEmpty, left.allSatisfy(isKeyLike) {
                    return .failure(invalidKey(String(decoding: left, as: UTF8.self)))
                }
            }
            if arguments.isEmpty {
                leading.append(word)
            } else {
                arguments.append(RawArgument(key: nil, value: word))
            }
        }
        return .success(RawRequest(words: leading, arguments: arguments))
    }

    /// Whether `text` is a valid key: one or more lower-case ASCII letters, digits or dashes.
    public static func isValidKey(_ text: String) -> Bool { ASCII.isKey(text) }

    static func invalidKey(_ key: String) -> PlenaryError {
        .badArgument(
            QuotedValue.encode(key), "not a valid key; keys are lower-case letters, digits and - (as in agenda-item)")
    }

    private static func isKeyLike(_ byte: UInt8) -> Bool {
        ASCII.isKeyByte(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_")
    }
}

/// Walks a line that is already known to be valid UTF-8 without raw control characters.
struct Scanner {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    private var atEnd: Bool { index >= bytes.count }

    private mutating func skipSpaces() {
        while index < bytes.count, bytes[index] == ASCII.space { index += 1 }
    }

    mutating func request() throws(PlenaryError) -> RawRequest {
        var words: [String] = []
        var arguments: [RawArgument] = []
        skipSpaces()
        if atEnd { throw .badSyntax("empty line") }
        while !atEnd {
            let argument = try token()
            if argument.key == nil, arguments.isEmpty {
                words.append(argument.value)
            } else {
                arguments.append(argument)
            }
            skipSpaces()
        }
        return RawRequest(words: words, arguments: arguments)
    }

    /// Reads one token: a quoted value, `key=value`, or a bare value.
    private mutating func token() throws(PlenaryError) -> RawArgument {
        if bytes[index] == ASCII.quote {
            let value = try quoted()
            try expectSeparator()
            return RawArgument(key: nil, value: value)
        }
        let start = index
        var equals: Int?
        while !atEnd, bytes[index] != ASCII.space {
            let byte = bytes[index]
            if byte == ASCII.equals, equals == nil {
                equals = index
                index += 1
                if !atEnd, bytes[index] == ASCII.quote { break }
                continue
            }
            if byte == ASCII.quote {
                throw .badSyntax(
                    "column \(index + 1): a double quote inside a bare value; quote the whole value instead")
            }
            index += 1
        }
        guard let equals else {
            return RawArgument(key: nil, value: String(decoding: bytes[start..<index], as: UTF8.self))
        }
        let key = String(decoding: bytes[start..<equals], as: UTF8.self)
        guard ASCII.isKey(bytes[start..<equals]) else {
            // `=1` has no key to name, so the message names the whole token instead.
            throw LineParser.invalidKey(key.isEmpty ? String(decoding: bytes[start..<index], as: UTF8.self) : key)
        }
        if !atEnd, bytes[index] == ASCII.quote {
            let value = try quoted()
            try expectSeparator()
            return RawArgument(key: key, value: value)
        }
        return RawArgument(key: key, value: String(decoding: bytes[(equals + 1)..<index], as: UTF8.self))
    }

    private func expectSeparator() throws(PlenaryError) {
        if !atEnd, bytes[index] != ASCII.space {
            throw .badSyntax("column \(index + 1): expected a space after the closing quote")
        }
    }

    /// Reads a JSON string starting at the opening quote; leaves `index` after the closing quote.
    mutating func quoted() throws(PlenaryError) -> String {
        let open = index
        index += 1
        var out: [UInt8] = []
        while true {
            guard !atEnd else {
                throw .badSyntax("column \(open + 1): unterminated quoted value (no closing quote)")
            }
            let byte = bytes[index]
            if byte == ASCII.quote {
                index += 1
                return String(decoding: out, as: UTF8.self)
            }
            if byte == ASCII.backslash {
                try escape(into: &out, open: open)
            } else {
                out.append(byte)
                index += 1
            }
        }
    }

    private mutating func escape(into out: inout [UInt8], open: Int) throws(PlenaryError) {
        let column = index + 1
        guard index + 1 < bytes.count else {
            throw .badSyntax("column \(open + 1): unterminated quoted value (ends in a backslash)")
        }
        let simple: UInt8? =
            switch bytes[index + 1] {
            case ASCII.quote: ASCII.quote
            case ASCII.backslash: ASCII.backslash
            case UInt8(ascii: "/"): UInt8(ascii: "/")
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "n"): ASCII.lineFeed
            case UInt8(ascii: "r"): ASCII.carriageReturn
            case UInt8(ascii: "t"): 0x09
            default: nil
            }
        if let simple {
            out.append(simple)
            index += 2
            return
        }
        guard bytes[index + 1] == UInt8(ascii: "u") else {
            let shown = String(decoding: escapedCharacter(at: index + 1), as: UTF8.self)
            throw .badSyntax(
                "column \(column): unknown escape \\\(shown); use \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX")
        }
        let first = try hex4(at: index + 2, column: column)
        index += 6
        switch first {
        case 0xD800...0xDBFF:
            // A high surrogate means nothing alone: JSON spells scalars above U+FFFF as a pair.
            guard index + 1 < bytes.count, bytes[index] == ASCII.backslash, bytes[index + 1] == UInt8(ascii: "u"),
                let second = try? hex4(at: index + 2, column: index + 1), (0xDC00...0xDFFF).contains(second)
            else {
                throw .badSyntax(
                    "column \(column): lone surrogate \\u\(hexString(first)); "
                        + "a high surrogate must be followed by a low one (\\uDC00-\\uDFFF)")
            }
            index += 6
            let scalar = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            appendUTF8(Unicode.Scalar(scalar) ?? "\u{FFFD}", to: &out)
        case 0xDC00...0xDFFF:
            throw .badSyntax(
                "column \(column): lone surrogate \\u\(hexString(first)); a low surrogate must follow a high one")
        default:
            appendUTF8(Unicode.Scalar(first) ?? "\u{FFFD}", to: &out)
        }
    }

    /// The whole UTF-8 character at `offset`, so a message never shows half of one.
    private func escapedCharacter(at offset: Int) -> ArraySlice<UInt8> {
        var end = offset + 1
        while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
        return bytes[offset..<end]
    }

    private func hex4(at offset: Int, column: Int) throws(PlenaryError) -> UInt32 {
        var value: UInt32 = 0
        for position in offset..<(offset + 4) {
            guard position < bytes.count, let digit = ASCII.hexValue(bytes[position]) else {
                throw .badSyntax("column \(column): \\u must be followed by four hex digits")
            }
            value = value << 4 | digit
        }
        return value
    }

    private func hexString(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
