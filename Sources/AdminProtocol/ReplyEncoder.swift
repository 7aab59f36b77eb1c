import PlenaryCore

/// How a connection's replies are written: the protocol's text lines, or one JSON object per line.
public enum ReplyFormat: String, Sendable, Hashable, CaseIterable {
    /// `200-session key=value …` / `200 OK count=2`.
    case text
    /// `{"code":200,"type":"session","record":{…}}` / `{"code":200,"ok":true,"count":2}`.
    case json
}

/// Writes replies, events and the greeting as bytes, every line ending in LF alone.
///
/// Text mode: records as `CODE-type key=value …`, then `CODE OK key=value …`; a refusal is the single line
/// `CODE TOKEN message`. Values are bare when safe and JSON-quoted otherwise; null fields are left out.
/// JSON mode: records as `{"code":200,"type":"session","record":{…}}`, then `{"code":200,"ok":true,…summary}`;
/// a refusal is `{"code":504,"error":"BAD_ARGUMENT","message":"…"}`. Record and summary keys must be valid keys
/// (lower-case letters, digits, dashes); summary keys `code` and `ok` are reserved in JSON mode.
public enum ReplyEncoder {
    /// All lines of `reply`.
    public static func encode(_ reply: Reply, format: ReplyFormat) -> [UInt8] {
        var out: [UInt8] = []
        let failure =
            reply.failure
            ?? (reply.code.isSuccess
                ? nil : PlenaryError(code: reply.code, token: reply.code.defaultToken, message: ""))
        if let failure {
            switch format {
            case .text:
                out.append(contentsOf: "\(failure.code.rawValue) \(failure.token)".utf8)
                let message = QuotedValue.sanitizeMessage(failure.message)
                if !message.isEmpty { out.append(contentsOf: (" " + message).utf8) }
            case .json:
                var object = JSONObject()
                object.number("code", failure.code.rawValue)
                object.string("error", failure.token)
                object.string("message", failure.message)
                out.append(contentsOf: object.finish())
            }
            out.append(ASCII.lineFeed)
            return out
        }
        let code = reply.code.rawValue
        for record in reply.records {
            assert(ASCII.isKey(record.type), "reply: record type `\(record.type)` is not a lower-case word")
            switch format {
            case .text:
                out.append(contentsOf: "\(code)-\(safeKey(record.type))".utf8)
                appendText(record.fields, to: &out)
            case .json:
                var object = JSONObject()
                object.number("code", code)
                object.string("type", record.type)
                object.key("record")
                appendJSON(record.fields, to: &object.bytes)
                out.append(contentsOf: object.finish())
            }
            out.append(ASCII.lineFeed)
        }
        switch format {
        case .text:
            out.append(contentsOf: "\(code) \(reply.code.defaultToken)".utf8)
            appendText(reply.summary, to: &out)
        case .json:
            var object = JSONObject()
            object.number("code", code)
            object.key("ok")
            object.bytes.append(contentsOf: "true".utf8)
            for field in reply.summary {
                assert(field.key != "code" && field.key != "ok", "reply: summary key `\(field.key)` is reserved")
                object.key(field.key)
                appendJSON(field.value, to: &object.bytes)
            }
            out.append(contentsOf: object.finish())
        }
        out.append(ASCII.lineFeed)
        return out
    }

    /// One change event: `650 EVENT key=value …`, or `{"code":650,"event":{…}}` in JSON mode.
    public static func event(_ fields: [ReplyField], format: ReplyFormat) -> [UInt8] {
        var out: [UInt8] = []
        switch format {
        case .text:
            out.append(contentsOf: "\(ReplyCode.event.rawValue) EVENT".utf8)
            appendText(fields, to: &out)
        case .json:
            var object = JSONObject()
            object.number("code", ReplyCode.event.rawValue)
            object.key("event")
            appendJSON(fields, to: &object.bytes)
            out.append(contentsOf: object.finish())
        }
        out.append(ASCII.lineFeed)
        return out
    }

    /// The greeting sent on connect: `220 plenary version=1.0.0 proto=1 auth=token`, or
    /// `{"code":220,"product":"plenary","version":"1.0.0","proto":1,"auth":["token"]}` in JSON mode.
    public static func greeting(
        product: String, version: String, protocolVersion: Int = 1, authMethods: [String], format: ReplyFormat
    ) -> [UInt8] {
        greeting(
            product: product,
            fields: [
                ReplyField("version", .string(version)), ReplyField("proto", .int(protocolVersion)),
                ReplyField("auth", .list(authMethods.map(ReplyValue.string))),
            ],
            format: format)
    }

    /// A greeting with arbitrary fields after the product name.
    public static func greeting(product: String, fields: [ReplyField], format: ReplyFormat) -> [UInt8] {
        var out: [UInt8] = []
        switch format {
        case .text:
            out.append(contentsOf: "\(ReplyCode.greeting.rawValue) ".utf8)
            QuotedValue.append(product, to: &out)
            appendText(fields, to: &out)
        case .json:
            var object = JSONObject()
            object.number("code", ReplyCode.greeting.rawValue)
            object.string("product", product)
            for field in fields {
                object.key(field.key)
                appendJSON(field.value, to: &object.bytes)
            }
            out.append(contentsOf: object.finish())
        }
        out.append(ASCII.lineFeed)
        return out
    }

    /// ` key=value` for each field with a value; null fields are left out.
    private static func appendText(_ fields: [ReplyField], to out: inout [UInt8]) {
        for field in fields {
            assert(ASCII.isKey(field.key), "reply: key `\(field.key)` is not a valid key")
            guard let text = field.value.textForm else { continue }
            out.append(ASCII.space)
            out.append(contentsOf: safeKey(field.key).utf8)
            out.append(ASCII.equals)
            QuotedValue.append(text, to: &out)
        }
    }

    /// A key as text mode may write it. Keys come from code, not users, so a bad one is a bug the assertions
    /// catch in tests; in production it is still forced into key form so it cannot break the line.
    private static func safeKey(_ key: String) -> String {
        if ASCII.isKey(key) { return key }
        let bytes = key.lowercased().utf8.map { ASCII.isKeyByte($0) ? $0 : ASCII.dash }
        return bytes.isEmpty ? "-" : String(decoding: bytes, as: UTF8.self)
    }

    private static func appendJSON(_ fields: [ReplyField], to out: inout [UInt8]) {
        var object = JSONObject()
        for field in fields {
            object.key(field.key)
            appendJSON(field.value, to: &object.bytes)
        }
        out.append(contentsOf: object.finish())
    }

    private static func appendJSON(_ value: ReplyValue, to out: inout [UInt8]) {
        switch value {
        case .string(let text): QuotedValue.appendJSONString(text, to: &out)
        case .int(let number): out.append(contentsOf: String(number).utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .date(let date): QuotedValue.appendJSONString(date.description, to: &out)
        case .null: out.append(contentsOf: "null".utf8)
        case .list(let items):
            out.append(UInt8(ascii: "["))
            for (position, item) in items.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                appendJSON(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
    }
}

/// Builds one JSON object member by member.
private struct JSONObject {
    var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var empty = true

    mutating func key(_ key: String) {
        if !empty { bytes.append(UInt8(ascii: ",")) }
        empty = false
        QuotedValue.appendJSONString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func number(_ key: String, _ value: Int) {
        self.key(key)
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func string(_ key: String, _ value: String) {
        self.key(key)
        QuotedValue.appendJSONString(value, to: &bytes)
    }

    func finish() -> [UInt8] { bytes + [UInt8(ascii: "}")] }
}
