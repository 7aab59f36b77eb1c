import AdminProtocol
import Foundation
import PlenaryCore
import Testing

func text(_ reply: Reply) -> String { String(decoding: ReplyEncoder.encode(reply, format: .text), as: UTF8.self) }

/// Each line of a JSON-mode encoding, parsed by Foundation: proof the output is valid JSON.
func jsonLines(_ bytes: [UInt8]) throws -> [[String: Any]] {
    #expect(bytes.last == UInt8(ascii: "\n"))
    return try bytes.split(separator: UInt8(ascii: "\n")).map { line in
        let object = try JSONSerialization.jsonObject(with: Data(line))
        return try #require(object as? [String: Any])
    }
}

enum Sessions {
    static func session(_ number: Int, _ start: (Int, Int, Int), _ end: (Int, Int, Int)) -> ReplyRecord {
        ReplyRecord(
            "session",
            [
                "body": "CTOC/COP", "number": .int(number), "venue": "Vienna, Austria",
                "start": .date(CalendarDate(year: start.0, month: start.1, day: start.2)!),
                "end": .date(CalendarDate(year: end.0, month: end.1, day: end.2)!), "status": "closed",
            ])
    }

    static let list = Reply.list([
        session(4, (2008, 10, 8), (2008, 10, 17)), session(5, (2010, 10, 18), (2010, 10, 22)),
    ])
}

@Suite("ReplyEncoder: text mode")
struct TextEncoderTests {
    @Test("a list reads exactly as the contract shows it")
    func contractList() {
        #expect(
            text(Sessions.list) == """
                200-session body=CTOC/COP number=4 venue="Vienna, Austria" start=2008-10-08 end=2008-10-17 \
                status=closed
                200-session body=CTOC/COP number=5 venue="Vienna, Austria" start=2010-10-18 end=2010-10-22 \
                status=closed
                200 OK count=2

                """)
    }

    @Test("created, plain OK, bye, and a refusal are single lines ending in LF alone")
    func singleLines() {
        #expect(text(.created([ReplyField("symbol", "CTOC/COP/2008/20")])) == "201 OK symbol=CTOC/COP/2008/20\n")
        #expect(text(.ok()) == "200 OK\n")
        #expect(text(.bye) == "221 BYE\n")
        #expect(
            text(.error(.badArgument("end", "must not be before start=2008-10-08")))
                == "504 BAD_ARGUMENT end: must not be before start=2008-10-08\n")
        #expect(text(.error(PlenaryError(code: .closing, token: "CLOSING", message: ""))) == "421 CLOSING\n")
        #expect(!text(Sessions.list).contains("\r"))
    }

    @Test("a refusal drops records and summary and keeps its own code")
    func refusalWins() {
        var reply = Reply.error(.notFound("doc: no such symbol"))
        reply.records = [ReplyRecord("x", ["a": 1])]
        reply.summary = [ReplyField("count", 1)]
        #expect(text(reply) == "550 NOT_FOUND doc: no such symbol\n")
        #expect(text(Reply(code: .conflict)) == "551 CONFLICT\n")
    }

    @Test("an error message never breaks the line")
    func messageEscaped() {
        let reply = Reply.error(.conflict("title: \"a\"\nb\r\u{0}\u{2028}\u{202E}c \\ d"))
        #expect(text(reply) == "551 CONFLICT title: \"a\"\\nb\\r\\u0000\\u2028\\u202Ec \\ d\n")
    }

    @Test(
        "values are bare when safe, quoted otherwise",
        arguments: [
            ("CTOC/COP/2008/20", "CTOC/COP/2008/20"),
            ("é中文😀", "é中文😀"),
            ("", #""""#),
            ("a b", #""a b""#),
            ("a=b", #""a=b""#),
            (#"a\b"#, #""a\\b""#),
            (#"say "hi""#, #""say \"hi\"""#),
            ("tab\there", #""tab\there""#),
            ("\u{7F}", #""\u007F""#),
            ("\u{85}", #""\u0085""#),
            ("\u{200F}x", #""\u200Fx""#),
            ("\u{FEFF}x", #""\uFEFFx""#),
            ("\u{A0}", "\"\u{A0}\""),
            ("zero\u{200B}width", "\"zero\u{200B}width\""),
            ("-5", "-5"),
        ])
    func quoting(_ value: String, _ expected: String) {
        #expect(text(.ok([ReplyField("v", .string(value))])) == "200 OK v=\(expected)\n")
    }

    @Test("ints, booleans, dates and lists have a text form; null fields are left out")
    func valueKinds() {
        let record = ReplyRecord(
            "doc",
            [
                "n": -3, "ok": true, "no": false, "d": .date(CalendarDate(year: 2008, month: 1, day: 2)!),
                "languages": ["en", "fr"], "spaced": ["a b", "c"], "gone": nil, "mixed": [1, nil, "x"],
            ])
        #expect(
            text(Reply(records: [record]))
                == "200-doc n=-3 ok=true no=false d=2008-01-02 languages=en,fr spaced=\"a b,c\" mixed=1,x\n200 OK\n")
        #expect(ReplyValue.optional(String?.none) == .null)
        #expect(ReplyValue.optional(Int?.some(3)) == .int(3))
        #expect(record["n"] == .int(-3))
        #expect(record["absent"] == Optional<ReplyValue>.none)
    }

    @Test("events and the greeting")
    func eventAndGreeting() {
        let event = ReplyEncoder.event(
            [
                ReplyField("seq", 1812), ReplyField("topic", "document"), ReplyField("op", "registered"),
                ReplyField("symbol", "CTOC/COP/2008/20"),
            ],
            format: .text)
        #expect(
            String(decoding: event, as: UTF8.self)
                == "650 EVENT seq=1812 topic=document op=registered symbol=CTOC/COP/2008/20\n")
        let greeting = ReplyEncoder.greeting(
            product: "plenary", version: "0.1.0", authMethods: ["token"], format: .text)
        #expect(String(decoding: greeting, as: UTF8.self) == "220 plenary version=0.1.0 proto=1 auth=token\n")
    }
}

@Suite("ReplyEncoder: JSON mode")
struct JSONEncoderTests {
    @Test("records and the final line are JSON objects with the code")
    func list() throws {
        let lines = try jsonLines(ReplyEncoder.encode(Sessions.list, format: .json))
        #expect(lines.count == 3)
        #expect(lines[0]["code"] as? Int == 200)
        #expect(lines[0]["type"] as? String == "session")
        let record = try #require(lines[0]["record"] as? [String: Any])
        #expect(record["number"] as? Int == 4)
        #expect(record["venue"] as? String == "Vienna, Austria")
        #expect(record["start"] as? String == "2008-10-08")
        #expect(lines[2]["code"] as? Int == 200)
        #expect(lines[2]["ok"] as? Bool == true)
        #expect(lines[2]["count"] as? Int == 2)
        let raw = String(decoding: ReplyEncoder.encode(Sessions.list, format: .json), as: UTF8.self)
        #expect(raw.hasSuffix("{\"code\":200,\"ok\":true,\"count\":2}\n"))
        #expect(raw.hasPrefix("{\"code\":200,\"type\":\"session\",\"record\":{\"body\":\"CTOC/COP\",\"number\":4,"))
    }

    @Test("a refusal is one object with code, error and message")
    func refusal() throws {
        let bytes = ReplyEncoder.encode(.error(.badArgument("end", "must not be before\nstart")), format: .json)
        #expect(
            String(decoding: bytes, as: UTF8.self)
                == #"{"code":504,"error":"BAD_ARGUMENT","message":"end: must not be before\nstart"}"# + "\n")
        let lines = try jsonLines(bytes)
        #expect(lines[0]["message"] as? String == "end: must not be before\nstart")
    }

    @Test("control characters are escaped, non-ASCII stays UTF-8, null is null")
    func escaping() throws {
        let nasty = "q\"b\\s/\u{0}\u{1F}\u{7F}\n\té中😀\u{2028}\u{200F}"
        let reply = Reply(
            code: .created, records: [ReplyRecord("x", ["v": .string(nasty), "n": nil, "l": [1, "a", true]])],
            summary: [ReplyField("symbol", "é")])
        let bytes = ReplyEncoder.encode(reply, format: .json)
        #expect(!bytes.contains { $0 < 0x20 && $0 != UInt8(ascii: "\n") })
        let raw = String(decoding: bytes, as: UTF8.self)
        #expect(raw.contains("é中😀"))
        #expect(raw.contains(#"\u0000\u001F\u007F\n\t"#))
        let lines = try jsonLines(bytes)
        let record = try #require(lines[0]["record"] as? [String: Any])
        #expect(record["v"] as? String == nasty)
        #expect(record["n"] is NSNull)
        let list = try #require(record["l"] as? [Any])
        #expect(list.count == 3)
        #expect(lines[1]["code"] as? Int == 201)
        #expect(lines[1]["symbol"] as? String == "é")
    }

    @Test("events and the greeting")
    func eventAndGreeting() throws {
        let event = try jsonLines(
            ReplyEncoder.event([ReplyField("seq", 7), ReplyField("topic", "doc")], format: .json))
        #expect(event[0]["code"] as? Int == 650)
        let fields = try #require(event[0]["event"] as? [String: Any])
        #expect(fields["seq"] as? Int == 7)
        #expect(fields["topic"] as? String == "doc")
        let greeting = ReplyEncoder.greeting(
            product: "plenary", version: "1.2.3", authMethods: ["token"], format: .json)
        #expect(
            String(decoding: greeting, as: UTF8.self)
                == #"{"code":220,"product":"plenary","version":"1.2.3","proto":1,"auth":["token"]}"# + "\n")
        _ = try jsonLines(greeting)
    }

    @Test("ReplyFormat reads its names")
    func formatNames() {
        #expect(ReplyFormat(rawValue: "json") == .json)
        #expect(ReplyFormat(rawValue: "text") == .text)
        #expect(ReplyFormat(rawValue: "table") == nil)
    }
}

@Suite("ReplyDecoder")
struct ReplyDecoderTests {
    @Test("the contract's lines decode to string-valued records")
    func contract() throws {
        let reply = try ReplyDecoder.decode(bytes: ReplyEncoder.encode(Sessions.list, format: .text)).get()
        #expect(reply == Sessions.list.normalizedForText())
        #expect(reply.records[0]["venue"] == .string("Vienna, Austria"))
        #expect(reply.records[1]["number"] == .string("5"))
        #expect(reply.summary == [ReplyField("count", "2")])
    }

    @Test("refusals, bye and created decode")
    func finals() throws {
        #expect(
            try ReplyDecoder.decode(lines: ["504 BAD_ARGUMENT end: must not be before start=2008-10-08"]).get()
                == .error(.badArgument("end", "must not be before start=2008-10-08")))
        #expect(try ReplyDecoder.decode(lines: ["421 CLOSING"]).get().failure?.message == "")
        #expect(try ReplyDecoder.decode(lines: ["221 BYE"]).get() == .bye)
        #expect(
            try ReplyDecoder.decode(lines: ["201 OK symbol=A/1\r"]).get() == .created([ReplyField("symbol", "A/1")]))
    }

    @Test("single lines: greeting, event, record")
    func lines() throws {
        #expect(
            try ReplyDecoder.decodeLine("220 plenary version=0.1.0 proto=1 auth=token").get()
                == .greeting(
                    product: "plenary",
                    fields: [ReplyField("version", "0.1.0"), ReplyField("proto", "1"), ReplyField("auth", "token")]))
        #expect(
            try ReplyDecoder.decodeLine("650 EVENT seq=1 topic=doc").get()
                == .event([ReplyField("seq", "1"), ReplyField("topic", "doc")]))
        #expect(try ReplyDecoder.decodeLine("200-x").get() == .record(.ok, ReplyRecord(type: "x", fields: [])))
    }

    @Test(
        "malformed replies are 500 BAD_SYNTAX naming the line",
        arguments: [
            ([], "no final line"),
            (["200-session a=1"], "no final line"),
            (["200 OK", "200 OK"], "line 1"),
            (["20 OK"], "line 1"),
            (["2000 OK"], "line 1"),
            (["abc OK"], "line 1"),
            (["299 OK"], "line 1"),
            (["200 DONE"], "line 1"),
            (["200-a x=1", "201 OK"], "line 2"),
            (["200-a x=1", "201-b"], "line 2"),
            (["200-a x=1", "504 BAD_ARGUMENT k: r"], "line 2"),
            (["200-a x=1 stray"], "line 1"),
            (["200-a b x=1"], "line 1"),
            (["200-"], "line 1"),
            (["200-a X=1", "200 OK"], "line 1"),
            (["200-a x=\"open", "200 OK"], "line 1"),
            (["650 EVENT seq=1"], "line 1"),
            (["650 NOTE seq=1", "200 OK"], "line 1"),
            (["220 plenary", "200 OK"], "line 1"),
            (["504 "], "line 1"),
            (["504"], "line 1"),
        ])
    func malformed(_ lines: [String], _ mention: String) {
        let result = ReplyDecoder.decode(lines: lines)
        guard case .failure(let error) = result else {
            Issue.record("expected an error for \(lines), got \(result)")
            return
        }
        #expect(error.code == .badLine)
        #expect(error.token == "BAD_SYNTAX")
        #expect(error.message.contains(mention), "\(error.message)")
    }
}
