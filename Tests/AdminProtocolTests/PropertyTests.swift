import AdminProtocol
import Foundation
import PlenaryCore
import PropertyBased
import Testing

/// Generators biased towards what breaks lines: quotes, backslashes, `=`, spaces, commas, control characters,
/// bidi and separator characters, combining marks, astral scalars.
enum Gens {
    static let awkward: [Character] = [
        " ", "\"", "\\", "=", ",", "/", "-", "u", "D", "\n", "\r", "\r\n", "\t", "\u{0}", "\u{1B}", "\u{7F}",
        "\u{85}", "\u{A0}", "\u{AD}", "\u{200B}", "\u{200D}", "\u{200E}", "\u{200F}", "\u{202E}", "\u{2028}",
        "\u{2029}", "\u{2066}", "\u{FEFF}", "é", "e\u{301}", "\u{301}", "中", "😀", "👩‍👩‍👧", "\u{10FFFF}", "ا",
    ]

    static let character = Gen<Character>.oneOf(
        Gen.letterOrNumber,
        Gen<Character?>.element(of: awkward).map { $0! },
        Gen<Unicode.Scalar>.unicodeScalar(in: " "..."\u{D7FF}").map { Character($0) },
        Gen<Unicode.Scalar>.unicodeScalar(in: "\u{E000}"..."\u{10FFFF}").map { Character($0) })

    static let string = character.string(of: 0...12)

    static let key = Gen<Character?>.element(of: Array("abcdefghijklmnopqrstuvwxyz0123456789-")).map { $0! }
        .string(of: 1...6)

    static let argument = zip(key.optional(valueRate: 0.7), string).map { RawArgument(key: $0, value: $1) }

    static let request = zip(string.array(of: 0...3), argument.array(of: 0...4))
        .map { RawRequest(words: $0, arguments: $1) }
        .filter { !$0.words.isEmpty || !$0.arguments.isEmpty }

    /// Shell words: plain strings and `key=value` forms.
    static let shellWord = Gen<String>.oneOf(string, zip(key, string).map { "\($0)=\($1)" })

    static let date = Gen.int(in: -719_000...2_932_000).map { ReplyValue.date(CalendarDate(daysSinceEpoch: $0)) }

    static let scalarValue = Gen<ReplyValue>.oneOf(
        string.map { ReplyValue.string($0) }, Gen.int().map { ReplyValue.int($0) },
        Gen.bool.map { ReplyValue.bool($0) }, date, Gen.always(ReplyValue.null))

    static let value = Gen<ReplyValue>.oneOf(
        scalarValue, scalarValue, scalarValue.array(of: 0...3).map { ReplyValue.list($0) })

    /// Keys for fields; JSON reserves `code` and `ok` in the final object.
    static let fieldKey = key.filter { $0 != "code" && $0 != "ok" }

    static let fields = zip(fieldKey, value).map { ReplyField($0, $1) }.array(of: 0...5)

    static let record = zip(key, fields).map { ReplyRecord(type: $0, fields: $1) }

    static let success = zip(
        Gen<ReplyCode?>.element(of: [ReplyCode.ok, .created, .bye]).map { $0! }, record.array(of: 0...4), fields
    ).map { Reply(code: $0, records: $1, summary: $2) }

    static let token = Gen<Character?>.element(of: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ_")).map { $0! }.string(of: 1...15)

    static let failure = zip(
        Gen<ReplyCode>.case.filter { !$0.isSuccess && $0 != .event }, token, string
    ).map { Reply.error(PlenaryError(code: $0, token: $1, message: $2)) }

    static let reply = Gen<Reply>.oneOf(success, success, failure)

    /// Bytes drawn mostly from the grammar's own alphabet, so random lines get past the first byte.
    static let lineByte = Gen<UInt8>.oneOf(
        Gen.uint8(),
        Gen<UInt8?>.element(of: Array(#" "\=ku0D8E9Aa-,é/"#.utf8) + [0x0D, 0x0A, 0x00, 0xFF, 0xC3, 0xED, 0xF4]).map {
            $0!
        })
}

func sameScalars(_ lhs: String, _ rhs: String) -> Bool { Array(lhs.unicodeScalars) == Array(rhs.unicodeScalars) }

/// Runs a property's body, recording a thrown error as an issue. PropertyBased 2.0.1 discards errors thrown
/// from a body (its issue counter wraps the body in `try?`), so a bare `try` there could never fail a test.
func recording(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
    } catch {
        Issue.record(error, sourceLocation: sourceLocation)
    }
}

@Suite("Properties")
struct PropertyTests {
    @Test("a value encoded as a token decodes to the same scalars")
    func quotedValueRoundTrip() async {
        await propertyCheck(count: 1000, input: Gens.string) { value in recording { try Self.quoting(value) } }
    }

    private static func quoting(_ value: String) throws {
        let token = QuotedValue.encode(value)
        #expect(sameScalars(try QuotedValue.decode(token).get(), value))
        #expect(sameScalars(try QuotedValue.decode(QuotedValue.quote(value)).get(), value))
        #expect(!token.utf8.contains { $0 < 0x20 || $0 == 0x7F })
        #expect(!token.unicodeScalars.contains { $0 == "\u{2028}" || $0 == "\u{202E}" || $0 == "\u{85}" })
        if QuotedValue.isBareSafe(value) {
            #expect(token == value)
            #expect(!value.contains { " \"\\=".contains($0) })
        } else {
            // Bytes, not Characters: a combining mark after the opening quote joins it into one Character.
            #expect(token.utf8.first == UInt8(ascii: "\"") && token.utf8.last == UInt8(ascii: "\""))
            #expect(token.utf8.count >= 2)
        }
    }

    @Test("a request built into a line parses back to the same request")
    func requestRoundTrip() async {
        await propertyCheck(count: 1000, input: Gens.request) { request in
            recording { try Self.lineRoundTrip(request) }
        }
    }

    private static func lineRoundTrip(_ request: RawRequest) throws {
        let line = try LineBuilder.build(request).get()
        #expect(!line.utf8.contains { $0 < 0x20 || $0 == 0x7F })
        let parsed = try LineParser.parse(line).get()
        #expect(parsed == request)
        #expect(scalars(parsed) == scalars(request))
        #expect(try LineParser.parse(Array((line + "\r").utf8)).get() == request)
    }

    @Test("shell words sent to a remote server arrive as the same request")
    func wordsRoundTrip() async {
        await propertyCheck(count: 500, input: Gens.shellWord.array(of: 1...5)) { words in
            recording {
                guard case .success(let request) = LineParser.parse(words: words) else { return }
                try Self.lineRoundTrip(request)
            }
        }
    }

    @Test("a reply encoded as text decodes to its text form")
    func replyRoundTrip() async {
        await propertyCheck(count: 1000, input: Gens.reply) { reply in recording { try Self.textRoundTrip(reply) } }
    }

    private static func textRoundTrip(_ reply: Reply) throws {
        let bytes = ReplyEncoder.encode(reply, format: .text)
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        #expect(lines.count == (reply.failure == nil ? reply.records.count + 1 : 1) + 1)
        #expect(!bytes.contains { $0 < 0x20 && $0 != UInt8(ascii: "\n") })
        #expect(try ReplyDecoder.decode(bytes: bytes).get() == reply.normalizedForText())
    }

    @Test("a reply encoded as JSON is valid JSON, one object per line, with the values intact")
    func replyJSON() async {
        await propertyCheck(count: 300, input: Gens.reply) { reply in recording { try Self.json(reply) } }
    }

    private static func json(_ reply: Reply) throws {
        let objects = try jsonLines(ReplyEncoder.encode(reply, format: .json))
        if let failure = reply.failure {
            #expect(objects.count == 1)
            #expect(objects.first?["message"] as? String == failure.message)
            return
        }
        #expect(objects.count == reply.records.count + 1)
        for (object, record) in zip(objects, reply.records) {
            let fields = try #require(object["record"] as? [String: Any])
            // A key given twice leaves JSON readers to pick one, so only keys given once are compared.
            for field in record.fields where record.fields.count(where: { $0.key == field.key }) == 1 {
                if case .string(let text) = field.value { #expect(fields[field.key] as? String == text) }
            }
        }
        #expect(objects.last?["ok"] as? Bool == true)
    }

    @Test("the parser is total: any bytes give a request or a 5xx error")
    func parserTotal() async {
        await propertyCheck(count: 3000, input: Gens.lineByte.array(of: 0...80)) { bytes in
            recording { try Self.total(bytes) }
        }
        await propertyCheck(count: 1000, input: Gen.uint8().array(of: 0...80)) { bytes in
            recording { try Self.total(bytes) }
        }
    }

    private static func total(_ bytes: [UInt8]) throws {
        switch LineParser.parse(bytes) {
        case .success(let request):
            #expect(!request.words.isEmpty || !request.arguments.isEmpty)
            #expect(request.arguments.first.map { $0.key != nil } ?? true)
            // Whatever parses can be written back and parses the same.
            try lineRoundTrip(request)
        case .failure(let error):
            #expect(error.code == .badLine || error.code == .badArgument)
            #expect(!error.message.isEmpty)
            #expect(!error.message.contains("\n"))
        }
    }

    @Test("resolving any line against the catalog gives a command or a 5xx error")
    func resolveTotal() async {
        let word = Gen<String>.oneOf(
            Gen<String?>.element(of: [
                "doc", "get", "register", "help", "ping", "DOC", "symbol=A/1", "title=t", "session=4", "late=true",
                "x=1", "languages=en",
            ]).map { $0! },
            Gens.string)
        await propertyCheck(count: 1000, input: word.array(of: 1...5)) { words in
            guard case .success(let request) = LineParser.parse(words: words) else { return }
            switch Fixture.catalog.resolve(request) {
            case .success(let (spec, arguments)):
                for parameter in spec.parameters where parameter.required { #expect(arguments.has(parameter.name)) }
            case .failure(let error):
                #expect(error.code == .unknownCommand || error.code == .badArgument)
            }
        }
    }
}
