import PlenaryCore

/// The two spellings of a value on a line: bare when it is safe, JSON-quoted otherwise.
///
/// Used both ways: clients build request lines with it and the server writes reply values with it, so no value —
/// whatever it holds — can break a line, hide a character, or be read back differently.
public enum QuotedValue {
    /// Whether `value` may be written bare: non-empty, and no space, double quote, backslash, `=`, control
    /// character, Unicode space or separator, or invisible format character (bidi marks, zero-width joiners),
    /// so that what a reader sees is exactly what is there.
    public static func isBareSafe(_ value: String) -> Bool {
        guard !value.isEmpty else { return false }
        // Most values are ASCII (symbols, dates, codes, numbers): their bytes answer without decoding scalars.
        for byte in value.utf8 {
            if byte >= 0x80 { return value.unicodeScalars.allSatisfy(isBareSafe) }
            if !isBareSafeASCII(byte) { return false }
        }
        return true
    }

    /// Appends `value` as a token to `out`: bare when ``isBareSafe(_:)``, otherwise quoted; the bytes
    /// ``encode(_:)`` gives, without a `String` made for them.
    public static func append(_ value: String, to out: inout [UInt8]) {
        if isBareSafe(value) {
            out.append(contentsOf: value.utf8)
        } else {
            appendJSONString(value, to: &out)
        }
    }

    /// The value as a token: bare when ``isBareSafe(_:)``, otherwise ``quote(_:)``.
    public static func encode(_ value: String) -> String { isBareSafe(value) ? value : quote(value) }

    /// The value as a JSON string literal, escaping quotes, backslashes, control characters, line and paragraph
    /// separators, bidi controls and the byte order mark; every other character is kept as UTF-8.
    public static func quote(_ value: String) -> String {
        var bytes: [UInt8] = []
        appendJSONString(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads one token back: a quoted token is unescaped with JSON rules, a bare token is returned as it stands.
    /// A token that is empty, holds a raw control character, or is not exactly one token is a 500 BAD_SYNTAX.
    public static func decode(_ token: String) -> Result<String, PlenaryError> {
        let bytes = Array(token.utf8)
        guard !bytes.isEmpty else { return .failure(.badSyntax("value: empty token; write \"\" for an empty value")) }
        if let control = bytes.firstIndex(where: ASCII.isControl) {
            return .failure(
                .badSyntax("column \(control + 1): control character \(ASCII.hex(bytes[control])) not allowed"))
        }
        if bytes[0] == ASCII.quote {
            var scanner = Scanner(bytes: bytes)
            return Result { () throws(PlenaryError) -> String in
                let value = try scanner.quoted()
                if scanner.index != bytes.count {
                    throw .badSyntax("column \(scanner.index + 1): text after the closing quote")
                }
                return value
            }
        }
        if let bad = bytes.firstIndex(where: { $0 == ASCII.space || $0 == ASCII.quote }) {
            return .failure(
                .badSyntax("column \(bad + 1): a bare value may not hold a space or a double quote; quote it"))
        }
        return .success(token)
    }

    /// An error message made safe for one text line: control characters, separators and bidi controls become
    /// escapes; everything else, quotes and backslashes included, stays as written so messages remain readable.
    public static func sanitizeMessage(_ message: String) -> String {
        guard message.unicodeScalars.contains(where: { needsEscape($0) && !isQuoteOrBackslash($0) }) else {
            return message
        }
        var bytes: [UInt8] = []
        for scalar in message.unicodeScalars {
            if needsEscape(scalar), !isQuoteOrBackslash(scalar) {
                appendEscape(scalar, to: &bytes)
            } else {
                appendUTF8(scalar, to: &bytes)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A value for use inside an error message: as a token, and cut short so a long text cannot flood the line.
    static func forMessage(_ value: String, limit: Int = 60) -> String {
        guard value.count > limit else { return encode(value) }
        return encode(String(value.prefix(limit)) + "…")
    }

    private static func isBareSafeASCII(_ byte: UInt8) -> Bool {
        byte > ASCII.space && byte != ASCII.delete && byte != ASCII.quote && byte != ASCII.backslash
            && byte != ASCII.equals
    }

    private static func isBareSafe(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return isBareSafeASCII(UInt8(scalar.value)) }
        if needsEscape(scalar) { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator, .surrogate: return false
        default: return !scalar.properties.isWhitespace
        }
    }

    private static func isQuoteOrBackslash(_ scalar: Unicode.Scalar) -> Bool { scalar == "\"" || scalar == "\\" }

    /// Scalars written as escapes inside quoted values and JSON strings.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x22, 0x5C, 0x7F...0x9F: true
        // Line and paragraph separators end lines for some readers; bidi controls reorder what a terminal shows;
        // some decoders drop a byte order mark even inside a string.
        case 0x2028, 0x2029, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0xFEFF: true
        default: false
        }
    }

    /// Appends `value` as a JSON string literal, quotes included.
    static func appendJSONString(_ value: String, to bytes: inout [UInt8]) {
        bytes.append(ASCII.quote)
        for scalar in value.unicodeScalars {
            if needsEscape(scalar) {
                appendEscape(scalar, to: &bytes)
            } else {
                appendUTF8(scalar, to: &bytes)
            }
        }
        bytes.append(ASCII.quote)
    }

    private static func appendEscape(_ scalar: Unicode.Scalar, to bytes: inout [UInt8]) {
        let short: Character? =
            switch scalar {
            case "\"": "\""
            case "\\": "\\"
            case "\u{08}": "b"
            case "\u{0C}": "f"
            case "\n": "n"
            case "\r": "r"
            case "\t": "t"
            default: nil
            }
        bytes.append(ASCII.backslash)
        if let short {
            bytes.append(contentsOf: short.utf8)
            return
        }
        // Every scalar escaped here is in the Basic Multilingual Plane, so one \uXXXX suffices.
        let digits = Array("0123456789ABCDEF".utf8)
        bytes.append(UInt8(ascii: "u"))
        for shift in stride(from: 12, through: 0, by: -4) {
            bytes.append(digits[Int((scalar.value >> UInt32(shift)) & 0xF)])
        }
    }
}
