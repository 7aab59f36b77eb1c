import AdminProtocol
import PlenaryCore
import Testing

/// A readable way to write the expected arguments of a parsed line.
private func keyed(_ key: String, _ value: String) -> RawArgument { RawArgument(key: key, value: value) }
private func positional(_ value: String) -> RawArgument { RawArgument(key: nil, value: value) }

/// The scalars of every word and value, so tests tell apart strings Swift's `==` calls canonically equal.
func scalars(_ request: RawRequest) -> [[Unicode.Scalar]] {
    request.words.map { Array($0.unicodeScalars) }
        + request.arguments.map { Array(($0.key ?? "\u{0}").unicodeScalars) + Array($0.value.unicodeScalars) }
}

struct ValidLine: Sendable, CustomTestStringConvertible {
    let line: String
    let words: [String]
    let arguments: [RawArgument]
    var testDescription: String { line.debugDescription }

    init(_ line: String, _ words: [String], _ arguments: [RawArgument] = []) {
        self.line = line
        self.words = words
        self.arguments = arguments
    }
}

struct InvalidLine: Sendable, CustomTestStringConvertible {
    let bytes: [UInt8]
    let code: ReplyCode
    let token: String
    /// Text the message must contain: the column, or the key.
    let mentions: [String]
    var testDescription: String { String(decoding: bytes, as: UTF8.self).debugDescription }

    init(_ line: String, _ code: ReplyCode, _ token: String, _ mentions: String...) {
        self.init(bytes: Array(line.utf8), code, token, mentions)
    }

    init(bytes: [UInt8], _ code: ReplyCode, _ token: String, _ mentions: [String]) {
        self.bytes = bytes
        self.code = code
        self.token = token
        self.mentions = mentions
    }
}

@Suite("LineParser: protocol lines")
struct LineParserTests {
    static let valid: [ValidLine] = [
        ValidLine("ping", ["ping"]),
        ValidLine("PING", ["PING"]),
        ValidLine("ping\r", ["ping"]),
        ValidLine("doc get CTOC/COP/2008/20", ["doc", "get", "CTOC/COP/2008/20"]),
        ValidLine("session list body=CTOC/COP", ["session", "list"], [keyed("body", "CTOC/COP")]),
        ValidLine("   session   list    body=CTOC/COP   ", ["session", "list"], [keyed("body", "CTOC/COP")]),
        ValidLine("session list body=CTOC/COP\r", ["session", "list"], [keyed("body", "CTOC/COP")]),
        ValidLine(
            #"body add code=CTOC/COP name="Conference of the Parties""#, ["body", "add"],
            [keyed("code", "CTOC/COP"), keyed("name", "Conference of the Parties")]),
        ValidLine(#"doc get "A B""#, ["doc", "get", "A B"]),
        ValidLine(#"doc get """#, ["doc", "get", ""]),
        ValidLine("x key=a=b", ["x"], [keyed("key", "a=b")]),
        ValidLine("x key=", ["x"], [keyed("key", "")]),
        ValidLine("x key= next=1", ["x"], [keyed("key", ""), keyed("next", "1")]),
        ValidLine(#"x key="""#, ["x"], [keyed("key", "")]),
        ValidLine("x a=1 pos", ["x"], [keyed("a", "1"), positional("pos")]),
        ValidLine(#"x a=1 "quoted pos" b=2"#, ["x"], [keyed("a", "1"), positional("quoted pos"), keyed("b", "2")]),
        ValidLine(#"x "k=v""#, ["x", "k=v"]),
        ValidLine(#"x k="a\"b\\c\/d""#, ["x"], [keyed("k", #"a"b\c/d"#)]),
        ValidLine(#"x k="\b\f\n\r\t""#, ["x"], [keyed("k", "\u{8}\u{C}\n\r\t")]),
        ValidLine(#"x k="\u00e9\u20AC\u0000""#, ["x"], [keyed("k", "é€\u{0}")]),
        ValidLine(#"x k="\uD83D\uDE00!""#, ["x"], [keyed("k", "😀!")]),
        ValidLine(#"x k="\ud83d\ude00""#, ["x"], [keyed("k", "😀")]),
        ValidLine("x k=\"é 中文 😀\"", ["x"], [keyed("k", "é 中文 😀")]),
        ValidLine("x k=é中文😀", ["x"], [keyed("k", "é中文😀")]),
        ValidLine(#"x k=a\b"#, ["x"], [keyed("k", #"a\b"#)]),
        ValidLine(#"x k="\u200F""#, ["x"], [keyed("k", "\u{200F}")]),
        ValidLine("x k=\u{2028}", ["x"], [keyed("k", "\u{2028}")]),
        ValidLine("x 9=1 a-b=2 -=3", ["x"], [keyed("9", "1"), keyed("a-b", "2"), keyed("-", "3")]),
        ValidLine(#""doc" get"#, ["doc", "get"]),
        ValidLine(
            "decision link by=\"decision 4/4\" x", ["decision", "link"],
            [
                keyed("by", "decision 4/4"), positional("x"),
            ]),
    ]

    @Test("valid lines", arguments: valid)
    func validLine(_ case: ValidLine) throws {
        let request = try LineParser.parse(Array(`case`.line.utf8)).get()
        let expected = RawRequest(words: `case`.words, arguments: `case`.arguments)
        #expect(request == expected)
        #expect(scalars(request) == scalars(expected))
    }

    static let invalid: [InvalidLine] = [
        InvalidLine("", .badLine, "BAD_SYNTAX", "empty line"),
        InvalidLine("    ", .badLine, "BAD_SYNTAX", "empty line"),
        InvalidLine("\r", .badLine, "BAD_SYNTAX", "empty line"),
        InvalidLine("ping\r\r", .badLine, "BAD_SYNTAX", "column 5", "0x0D"),
        InvalidLine("pi\rng", .badLine, "BAD_SYNTAX", "column 3", "0x0D"),
        InvalidLine("ping\n", .badLine, "BAD_SYNTAX", "column 5", "0x0A"),
        InvalidLine("ping\u{0}", .badLine, "BAD_SYNTAX", "column 5", "0x00"),
        InvalidLine("pi\tng", .badLine, "BAD_SYNTAX", "column 3", "0x09"),
        InvalidLine("ping \u{7F}", .badLine, "BAD_SYNTAX", "column 6", "0x7F"),
        InvalidLine("x k=\"a\tb\"", .badLine, "BAD_SYNTAX", "column 7", "0x09", "escape"),
        InvalidLine("x k=\"a\u{1B}b\"", .badLine, "BAD_SYNTAX", "column 7", "0x1B"),
        InvalidLine(#"x k="abc"#, .badLine, "BAD_SYNTAX", "column 5", "unterminated"),
        InvalidLine(#"x "abc"#, .badLine, "BAD_SYNTAX", "column 3", "unterminated"),
        InvalidLine(#"x k="abc\"#, .badLine, "BAD_SYNTAX", "column 5", "unterminated"),
        InvalidLine(#"x k="abc\""#, .badLine, "BAD_SYNTAX", "column 5", "unterminated"),
        InvalidLine(#"x k="\x""#, .badLine, "BAD_SYNTAX", "column 6", #"\x"#),
        InvalidLine(#"x k="\é""#, .badLine, "BAD_SYNTAX", "column 6", #"\é"#),
        InvalidLine(#"x k="\u12""#, .badLine, "BAD_SYNTAX", "column 6", "four hex digits"),
        InvalidLine(#"x k="\uZZZZ""#, .badLine, "BAD_SYNTAX", "column 6", "four hex digits"),
        InvalidLine(#"x k="\u12"#, .badLine, "BAD_SYNTAX", "column 6", "four hex digits"),
        InvalidLine(#"x k="\uD83D""#, .badLine, "BAD_SYNTAX", "column 6", "lone surrogate", "D83D"),
        InvalidLine(#"x k="\uD83Dabc""#, .badLine, "BAD_SYNTAX", "column 6", "lone surrogate"),
        InvalidLine(#"x k="\uD83D\u0041""#, .badLine, "BAD_SYNTAX", "column 6", "lone surrogate"),
        InvalidLine(#"x k="\uD83D\uD83D""#, .badLine, "BAD_SYNTAX", "column 6", "lone surrogate"),
        InvalidLine(#"x k="\uDE00""#, .badLine, "BAD_SYNTAX", "column 6", "lone surrogate", "DE00"),
        InvalidLine(#"x k="a"b"#, .badLine, "BAD_SYNTAX", "column 8", "space after the closing quote"),
        InvalidLine(#"x "a"b"#, .badLine, "BAD_SYNTAX", "column 6", "space after the closing quote"),
        InvalidLine(#"x k="""""#, .badLine, "BAD_SYNTAX", "column 7", "space after the closing quote"),
        InvalidLine(#"x "k"=v"#, .badLine, "BAD_SYNTAX", "column 6", "space after the closing quote"),
        InvalidLine(#"x ab"c"#, .badLine, "BAD_SYNTAX", "column 5", "double quote"),
        InvalidLine(#"x k=ab"c""#, .badLine, "BAD_SYNTAX", "column 7", "double quote"),
        InvalidLine("x Key=1", .badArgument, "BAD_ARGUMENT", "Key: ", "not a valid key"),
        InvalidLine("x a_b=1", .badArgument, "BAD_ARGUMENT", "a_b: "),
        InvalidLine("x A/B=1", .badArgument, "BAD_ARGUMENT", "A/B: "),
        InvalidLine("x =1", .badArgument, "BAD_ARGUMENT", "\"=1\": "),
        InvalidLine("x ok=1 Bad=\"unterminated", .badArgument, "BAD_ARGUMENT", "Bad: "),
        InvalidLine(bytes: [0xFF], .badLine, "BAD_SYNTAX", ["column 1", "UTF-8", "0xFF"]),
        InvalidLine(bytes: Array("ping ".utf8) + [0xC3], .badLine, "BAD_SYNTAX", ["column 6", "UTF-8"]),
        InvalidLine(bytes: Array("x k=".utf8) + [0xED, 0xA0, 0x80], .badLine, "BAD_SYNTAX", ["column 5", "UTF-8"]),
        InvalidLine(bytes: [0x78, 0x20, 0xC0, 0xAF], .badLine, "BAD_SYNTAX", ["column 3", "UTF-8", "0xC0"]),
        InvalidLine(bytes: [0x78, 0x20, 0xE0, 0x80, 0x80], .badLine, "BAD_SYNTAX", ["column 3", "UTF-8"]),
        InvalidLine(bytes: [0x78, 0x20, 0xF4, 0x90, 0x80, 0x80], .badLine, "BAD_SYNTAX", ["column 3", "UTF-8"]),
        InvalidLine(bytes: [0x78, 0x20, 0xE2, 0x82, 0x20], .badLine, "BAD_SYNTAX", ["column 3", "UTF-8"]),
        InvalidLine(bytes: [0x78, 0x20, 0x80], .badLine, "BAD_SYNTAX", ["column 3", "UTF-8", "0x80"]),
        InvalidLine(bytes: [0x78, 0x20, 0xF8, 0x88, 0x80, 0x80, 0x80], .badLine, "BAD_SYNTAX", ["column 3"]),
        InvalidLine(bytes: Array("x \"".utf8) + [0xFF] + Array("\"".utf8), .badLine, "BAD_SYNTAX", ["column 4"]),
    ]

    @Test("invalid lines", arguments: invalid)
    func invalidLine(_ case: InvalidLine) {
        let result = LineParser.parse(`case`.bytes)
        guard case .failure(let error) = result else {
            Issue.record("expected an error, got \(result)")
            return
        }
        #expect(error.code == `case`.code)
        #expect(error.token == `case`.token)
        for mention in `case`.mentions {
            #expect(error.message.contains(mention), "message \(error.message.debugDescription) lacks \(mention)")
        }
        #expect(!error.message.contains("\n"))
    }

    @Test("a valid UTF-8 sequence of every length is accepted bare and quoted")
    func utf8Lengths() throws {
        for text in ["é", "€", "😀", "\u{10FFFF}", "\u{E000}", "\u{D7FF}"] {
            let bare = try LineParser.parse("x k=\(text)").get()
            #expect(bare.arguments == [keyed("k", text)])
            let quoted = try LineParser.parse("x k=\"\(text)\"").get()
            #expect(quoted.arguments == [keyed("k", text)])
        }
    }

    @Test("only one trailing CR is dropped, and only at the end")
    func carriageReturn() throws {
        #expect(try LineParser.parse("ping\r").get().words == ["ping"])
        #expect(try LineParser.parse("x k=\"a\"\r").get().arguments == [keyed("k", "a")])
        #expect(throws: PlenaryError.self) { try LineParser.parse("ping\r\r").get() }
        #expect(throws: PlenaryError.self) { try LineParser.parse("x k=\"a\r\"").get() }
    }

    @Test("the String convenience reads the same bytes")
    func stringConvenience() throws {
        let line = #"doc register symbol=A/1 title="T \"x\"""#
        #expect(try LineParser.parse(line).get() == LineParser.parse(Array(line.utf8)).get())
    }

    @Test("isValidKey follows the grammar")
    func validKeys() {
        for key in ["a", "agenda-item", "9", "-", "with-session"] { #expect(LineParser.isValidKey(key), "\(key)") }
        for key in ["", "A", "a_b", "a b", "é", "a=b", "Key"] { #expect(!LineParser.isValidKey(key), "\(key)") }
    }
}

@Suite("LineParser: shell words")
struct WordsParserTests {
    @Test("each word is one token, split at its first = when the left part is a key")
    func splitting() throws {
        let cases: [([String], RawRequest)] = [
            (["ping"], RawRequest(words: ["ping"])),
            (
                ["session", "list", "body=CTOC/COP"],
                RawRequest(words: ["session", "list"], arguments: [keyed("body", "CTOC/COP")])
            ),
            (
                ["body", "add", "code=CTOC/COP", "name=Conference of the Parties"],
                RawRequest(
                    words: ["body", "add"],
                    arguments: [keyed("code", "CTOC/COP"), keyed("name", "Conference of the Parties")])
            ),
            (["doc", "get", "A/B=C"], RawRequest(words: ["doc", "get", "A/B=C"])),
            (["x", "k=\"quoted\""], RawRequest(words: ["x"], arguments: [keyed("k", "\"quoted\"")])),
            (["x", #"k=a\nb"#], RawRequest(words: ["x"], arguments: [keyed("k", #"a\nb"#)])),
            (["x", "k=a=b"], RawRequest(words: ["x"], arguments: [keyed("k", "a=b")])),
            (["x", "k="], RawRequest(words: ["x"], arguments: [keyed("k", "")])),
            (["x", "k=1", "pos"], RawRequest(words: ["x"], arguments: [keyed("k", "1"), positional("pos")])),
            (["x", "=v"], RawRequest(words: ["x", "=v"])),
            (["x", ""], RawRequest(words: ["x", ""])),
            (["x", "k=\n\t\u{0}"], RawRequest(words: ["x"], arguments: [keyed("k", "\n\t\u{0}")])),
            (["DOC", "Get", "a b"], RawRequest(words: ["DOC", "Get", "a b"])),
        ]
        for (words, expected) in cases {
            let request = try LineParser.parse(words: words).get()
            #expect(request == expected, "\(words)")
            #expect(scalars(request) == scalars(expected), "\(words)")
        }
    }

    @Test("a mistyped key is refused naming it", arguments: ["Body=1", "agenda_item=3", "KEY=", "A-b=x"])
    func mistypedKey(_ word: String) {
        let result = LineParser.parse(words: ["session", "list", word])
        guard case .failure(let error) = result else {
            Issue.record("expected an error for \(word), got \(result)")
            return
        }
        #expect(error.code == .badArgument)
        #expect(error.token == "BAD_ARGUMENT")
        #expect(error.message.hasPrefix(String(word.prefix { $0 != "=" }) + ": "))
    }

    @Test("no words is a syntax error")
    func empty() {
        #expect(throws: PlenaryError.badSyntax("empty line: no command given")) {
            try LineParser.parse(words: []).get()
        }
    }
}
