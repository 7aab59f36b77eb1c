import PlenaryCore

/// One text-mode line a server sends, read.
public enum ReplyLine: Sendable, Equatable {
    /// `CODE-type key=value …`: a record, more lines follow.
    case record(ReplyCode, ReplyRecord)
    /// The last line of a reply: success with its summary, or a refusal (records are empty).
    case final(Reply)
    /// `220 product key=value …`, sent once on connect.
    case greeting(product: String, fields: [ReplyField])
    /// `650 EVENT key=value …`, sent any time after `watch`.
    case event([ReplyField])
}

/// Reads the text format back, for the CLI talking to a remote server and for round-trip tests.
///
/// Values come back as `.string` in their text form, and null fields are absent, since text mode does not carry
/// types: `decode(encode(r))` equals ``Reply/normalizedForText()``. A malformed line is a 500 BAD_SYNTAX naming
/// the line; it is the server's fault, not the user's, but the CLI still needs a value to report.
public enum ReplyDecoder {
    /// Reads one line (without its LF; a trailing CR is dropped).
    public static func decodeLine(_ line: String) -> Result<ReplyLine, PlenaryError> {
        Result { () throws(PlenaryError) -> ReplyLine in try readLine(Array(line.utf8)) }
    }

    /// Reads one complete reply: records, then exactly one final line.
    public static func decode(lines: [String]) -> Result<Reply, PlenaryError> {
        Result { () throws(PlenaryError) -> Reply in
            var records: [ReplyRecord] = []
            var recordCode: ReplyCode?
            for (position, text) in lines.enumerated() {
                let number = position + 1
                let decoded: ReplyLine
                do throws(PlenaryError) {
                    decoded = try readLine(Array(text.utf8))
                } catch {
                    throw .badSyntax("reply line \(number): \(error.message)")
                }
                switch decoded {
                case .record(let code, let record):
                    if let recordCode, recordCode != code {
                        throw .badSyntax("reply line \(number): code \(code.rawValue) after \(recordCode.rawValue)")
                    }
                    recordCode = code
                    records.append(record)
                case .final(var reply):
                    guard number == lines.count else {
                        throw .badSyntax("reply line \(number): final line followed by more lines")
                    }
                    if let recordCode, recordCode != reply.code {
                        throw .badSyntax(
                            "reply line \(number): final code \(reply.code.rawValue) after \(recordCode.rawValue)")
                    }
                    if reply.failure != nil, !records.isEmpty {
                        throw .badSyntax("reply line \(number): an error line after records")
                    }
                    reply.records = records
                    return reply
                case .greeting, .event:
                    throw .badSyntax("reply line \(number): a greeting or event line inside a reply")
                }
            }
            throw .badSyntax("reply: no final line")
        }
    }

    /// Reads a whole reply from bytes: LF-separated lines, a trailing LF optional.
    public static func decode(bytes: [UInt8]) -> Result<Reply, PlenaryError> {
        var lines = bytes.split(separator: ASCII.lineFeed, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        if lines.last == "" { lines.removeLast() }
        return decode(lines: lines)
    }

    private static func readLine(_ raw: [UInt8]) throws(PlenaryError) -> ReplyLine {
        var bytes = raw
        if bytes.last == ASCII.carriageReturn { bytes.removeLast() }
        guard bytes.count >= 4, bytes[0...2].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            bytes[3] == ASCII.dash || bytes[3] == ASCII.space
        else {
            throw .badSyntax("expected a three-digit code followed by - or a space")
        }
        let number = Int(String(decoding: bytes[0...2], as: UTF8.self)) ?? 0
        guard let code = ReplyCode(rawValue: number) else { throw .badSyntax("unknown reply code \(number)") }
        let rest = Array(bytes[4...])
        if bytes[3] == ASCII.dash {
            let (words, fields) = try keyValues(rest)
            guard words.count == 1 else { throw .badSyntax("a record line needs exactly one type word") }
            return .record(code, ReplyRecord(type: words[0], fields: fields))
        }
        switch code {
        case .greeting:
            let (words, fields) = try keyValues(rest)
            guard words.count == 1 else { throw .badSyntax("a greeting needs exactly one product word") }
            return .greeting(product: words[0], fields: fields)
        case .event:
            let (words, fields) = try keyValues(rest)
            guard words == ["EVENT"] else { throw .badSyntax("an event line starts with 650 EVENT") }
            return .event(fields)
        case _ where code.isSuccess:
            let (words, fields) = try keyValues(rest)
            guard words == [code.defaultToken] else {
                throw .badSyntax("a \(code.rawValue) line carries \(code.defaultToken)")
            }
            return .final(Reply(code: code, summary: fields))
        default:
            let tokenEnd = rest.firstIndex(of: ASCII.space) ?? rest.endIndex
            let token = String(decoding: rest[..<tokenEnd], as: UTF8.self)
            guard !token.isEmpty else { throw .badSyntax("an error line needs a token after its code") }
            let messageStart = tokenEnd < rest.endIndex ? tokenEnd + 1 : tokenEnd
            let message = String(decoding: rest[messageStart...], as: UTF8.self)
            return .final(.error(PlenaryError(code: code, token: token, message: message)))
        }
    }

    /// The leading words and the `key=value` fields of a line's remainder, read with the request grammar.
    private static func keyValues(_ bytes: [UInt8]) throws(PlenaryError) -> ([String], [ReplyField]) {
        let request: RawRequest
        switch LineParser.parse(bytes) {
        case .success(let parsed): request = parsed
        case .failure(let error): throw .badSyntax(error.message)
        }
        var fields: [ReplyField] = []
        for argument in request.arguments {
            guard let key = argument.key else {
                throw .badSyntax("unexpected value \(QuotedValue.forMessage(argument.value)) among key=value fields")
            }
            fields.append(ReplyField(key, .string(argument.value)))
        }
        return (request.words, fields)
    }
}
