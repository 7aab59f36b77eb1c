import AdminProtocol
import PlenaryCore
import Testing

/// A small catalog shaped like the real one: one-word commands, a noun with verbs, every parameter type.
enum Fixture {
    static let handler: CommandHandler = { _, _ in .ok() }

    static let symbolType = ParameterType.custom(name: "document symbol") { value in
        value.contains("/") ? nil : "must be a document symbol such as CTOC/COP/2008/20"
    }

    static let catalog = Catalog([
        CommandSpec(
            noun: "ping", summary: "Checks the connection.", role: .observer, availableBeforeAuth: true,
            handler: handler),
        CommandSpec(
            noun: "help", summary: "Describes the commands.", role: .observer,
            parameters: [
                ParameterSpec(name: "noun", type: .identifier, positional: true, help: "A noun."),
                ParameterSpec(name: "verb", type: .identifier, positional: true, help: "A verb."),
            ],
            availableBeforeAuth: true, handler: handler),
        CommandSpec(
            noun: "doc", verb: "get", summary: "Shows a document.", role: .observer,
            parameters: [
                ParameterSpec(name: "symbol", type: symbolType, required: true, positional: true, help: "Its symbol.")
            ],
            handler: handler),
        CommandSpec(
            noun: "doc", verb: "register", summary: "Registers a document | under its symbol.", role: .secretariat,
            parameters: [
                ParameterSpec(name: "symbol", type: symbolType, required: true, help: "The symbol."),
                ParameterSpec(name: "title", type: .string, required: true, help: "The title."),
                ParameterSpec(name: "session", type: .integer(range: 1...999), help: "The session number."),
                ParameterSpec(
                    name: "distribution", type: .choice(["general", "limited", "restricted"]),
                    help: "Who may see it.", defaultDescription: "general"),
                ParameterSpec(
                    name: "languages", type: .list(.choice(["ar", "zh", "en", "fr", "ru", "es"])),
                    help: "Its languages."),
                ParameterSpec(name: "date", type: .date, help: "Its date.", defaultDescription: "today"),
                ParameterSpec(name: "late", type: .boolean, help: "Whether it is late."),
                ParameterSpec(name: "text", type: .text, help: "Free text."),
                ParameterSpec(name: "count", type: .integer, help: "Any integer."),
            ],
            handler: handler),
        CommandSpec(
            noun: "session", verb: "schedule", summary: "Schedules a session.", role: .secretariat,
            parameters: [
                ParameterSpec(name: "body", type: .identifier, required: true, help: "The body."),
                ParameterSpec(name: "number", type: .integer(range: 1...999), required: true, help: "Its number."),
                ParameterSpec(name: "start", type: .date, required: true, help: "First day."),
                ParameterSpec(name: "end", type: .date, required: true, help: "Last day."),
                ParameterSpec(
                    name: "kind", type: .choice(["regular", "special", "resumed"]), help: "Its kind.",
                    defaultDescription: "regular"),
            ],
            handler: handler),
        CommandSpec(noun: "token", verb: "list", summary: "Lists tokens.", role: .admin, handler: handler),
    ])

    static let schedule = "session schedule body=CTOC/COP number=4 start=2008-10-08 end=2008-10-17"

    static func resolve(_ line: String) -> Result<(CommandSpec, Arguments), PlenaryError> {
        switch LineParser.parse(line) {
        case .success(let request): catalog.resolve(request)
        case .failure(let error): .failure(error)
        }
    }
}

struct Refusal: Sendable, CustomTestStringConvertible {
    let line: String
    let code: ReplyCode
    let message: String
    var testDescription: String { line }

    init(_ line: String, _ code: ReplyCode, _ message: String) {
        self.line = line
        self.code = code
        self.message = message
    }
}

@Suite("Catalog: matching and binding")
struct CatalogTests {
    @Test("commands are sorted by noun then verb; lookup ignores case")
    func ordering() {
        #expect(
            Fixture.catalog.commands.map(\.name) == [
                "doc get", "doc register", "help", "ping", "session schedule", "token list",
            ])
        #expect(Fixture.catalog.nouns == ["doc", "help", "ping", "session", "token"])
        #expect(Fixture.catalog.verbs(of: "DOC") == ["get", "register"])
        #expect(Fixture.catalog.verbs(of: "ping").isEmpty)
        #expect(Fixture.catalog.lookup(noun: "Doc", verb: "REGISTER")?.name == "doc register")
        #expect(Fixture.catalog.lookup(noun: "ping", verb: nil)?.name == "ping")
        #expect(Fixture.catalog.lookup(noun: "doc", verb: nil) == nil)
        #expect(Fixture.catalog.lookup(noun: "frob", verb: nil) == nil)
    }

    @Test("nouns and verbs match case-insensitively; positional values keep their case")
    func caseInsensitive() throws {
        let (spec, arguments) = try Fixture.resolve("DOC Get CTOC/Cop/1").get()
        #expect(spec.name == "doc get")
        #expect(try arguments.requiredString("symbol") == "CTOC/Cop/1")
        #expect(try Fixture.resolve("PiNg").get().0.name == "ping")
    }

    @Test("positional values fill declared positional parameters in order")
    func positionals() throws {
        let (spec, arguments) = try Fixture.resolve("help doc register").get()
        #expect(spec.name == "help")
        #expect(arguments.string("noun") == "doc")
        #expect(arguments.string("verb") == "register")
        let (_, one) = try Fixture.resolve("help doc").get()
        #expect(one.string("noun") == "doc")
        #expect(!one.has("verb"))
        #expect(one.keys == ["noun"])
        let (_, keyedForm) = try Fixture.resolve("doc get symbol=A/1").get()
        #expect(keyedForm.string("symbol") == "A/1")
        let (_, quoted) = try Fixture.resolve(#"doc get "A/1 *""#).get()
        #expect(quoted.string("symbol") == "A/1 *")
    }

    @Test("a request with only key=value arguments names no command")
    func noCommand() {
        let result = Fixture.catalog.resolve(RawRequest(words: [], arguments: [RawArgument(key: "a", value: "b")]))
        guard case .failure(let error) = result else {
            Issue.record("expected an error")
            return
        }
        #expect(error.code == .unknownCommand)
    }

    static let refusals: [Refusal] = [
        Refusal("frob", .unknownCommand, "frob: unknown command; help lists them all"),
        Refusal("frob get x=1", .unknownCommand, "frob: unknown command; help lists them all"),
        Refusal("doc frob", .unknownCommand, "doc frob: unknown verb; doc takes one of get|register"),
        Refusal("doc", .unknownCommand, "doc: needs a verb, one of get|register"),
        Refusal("doc symbol=A/1", .unknownCommand, "doc: needs a verb, one of get|register"),
        Refusal(
            "doc get A/1 foo=1", .badArgument, "foo: unknown key for `doc get`; known keys: symbol"),
        Refusal("token list x=1", .badArgument, "x: unknown key for `token list`; it takes no arguments"),
        Refusal("doc register symbol=A/1 symbol=B/2 title=t", .badArgument, "symbol: given twice"),
        Refusal("doc get A/1 symbol=B/2", .badArgument, "symbol: given twice"),
        Refusal("doc register title=t", .badArgument, "symbol: required"),
        Refusal("doc get", .badArgument, "symbol: required"),
        Refusal("session schedule body=X number=4 start=2008-10-08", .badArgument, "end: required"),
        Refusal("doc get A/1 B/2", .badArgument, "B/2: unexpected positional value; `doc get` takes SYMBOL"),
        Refusal("doc get symbol=A/1 B/2", .badArgument, "symbol: given twice"),
        Refusal("ping now", .badArgument, "now: unexpected positional value; `ping` takes no positional values"),
        Refusal("help a b c", .badArgument, "c: unexpected positional value; `help` takes NOUN VERB"),
        Refusal(
            "doc get nosymbol", .badArgument,
            "symbol: must be a document symbol such as CTOC/COP/2008/20, got nosymbol"),
        Refusal(
            "session schedule body=X number=4 start=2008-10-08 end=2008-13-01", .badArgument,
            "end: must be a date YYYY-MM-DD, got 2008-13-01"),
        Refusal(
            "session schedule body=X number=4 start=2008-02-30 end=2008-03-01", .badArgument,
            "start: must be a date YYYY-MM-DD, got 2008-02-30"),
        Refusal(
            "session schedule body=X number=4 start=2009-02-29 end=2009-03-01", .badArgument,
            "start: must be a date YYYY-MM-DD, got 2009-02-29"),
        Refusal(
            "session schedule body=X number=4 start=2008-2-3 end=2009-03-01", .badArgument,
            "start: must be a date YYYY-MM-DD, got 2008-2-3"),
        Refusal(
            "session schedule body=X number=0 start=2008-10-08 end=2008-10-17", .badArgument,
            "number: must be an integer 1…999, got 0"),
        Refusal(
            "session schedule body=X number=1000 start=2008-10-08 end=2008-10-17", .badArgument,
            "number: must be an integer 1…999, got 1000"),
        Refusal(
            "session schedule body=X number=four start=2008-10-08 end=2008-10-17", .badArgument,
            "number: must be an integer 1…999, got four"),
        Refusal(
            "session schedule body=X number=+5 start=2008-10-08 end=2008-10-17", .badArgument,
            "number: must be an integer 1…999, got +5"),
        Refusal(
            "session schedule body=X number=\" 5\" start=2008-10-08 end=2008-10-17", .badArgument,
            "number: must be an integer 1…999, got \" 5\""),
        Refusal(
            "doc register symbol=A/1 title=t count=99999999999999999999", .badArgument,
            "count: must be an integer, got 99999999999999999999"),
        Refusal("doc register symbol=A/1 title=t count=-", .badArgument, "count: must be an integer, got -"),
        Refusal(
            "session schedule body=X number=4 start=2008-10-08 end=2008-10-17 kind=Regular", .badArgument,
            "kind: must be one of regular|special|resumed, got Regular"),
        Refusal(
            "doc register symbol=A/1 title=t languages=en,de", .badArgument,
            "languages: item 2 must be one of ar|zh|en|fr|ru|es, got en,de"),
        Refusal(
            "doc register symbol=A/1 title=t languages=en,,fr", .badArgument,
            "languages: item 2 must be one of ar|zh|en|fr|ru|es, got en,,fr"),
        Refusal("doc register symbol=A/1 title=t late=yes", .badArgument, "late: must be true or false, got yes"),
        Refusal("doc register symbol=A/1 title=t late=True", .badArgument, "late: must be true or false, got True"),
        Refusal("doc register symbol=A/1 title=", .badArgument, "title: must not be empty, got \"\""),
        Refusal(
            #"doc register symbol=A/1 title="a\nb""#, .badArgument,
            #"title: must be one line without control characters, got "a\nb""#),
        Refusal(
            #"doc register symbol=A/1 title=t text="a\u0000""#, .badArgument,
            #"text: must not contain NUL (\u0000), got "a\u0000""#),
        Refusal(
            "session schedule body= number=4 start=2008-10-08 end=2008-10-17", .badArgument,
            "body: must not be empty, got \"\""),
        Refusal(
            #"session schedule body="CTOC COP" number=4 start=2008-10-08 end=2008-10-17"#, .badArgument,
            #"body: must be an identifier without spaces or control characters, got "CTOC COP""#),
    ]

    @Test("refusals name the command or the key and the rule", arguments: refusals)
    func refusal(_ case: Refusal) {
        let result = Fixture.resolve(`case`.line)
        guard case .failure(let error) = result else {
            Issue.record("expected \(`case`.message)")
            return
        }
        #expect(error.code == `case`.code)
        #expect(error.token == (`case`.code == .unknownCommand ? "UNKNOWN_COMMAND" : "BAD_ARGUMENT"))
        #expect(error.message == `case`.message)
    }

    @Test("a long offending value is cut short in the message")
    func longValue() {
        let title = String(repeating: "x", count: 500)
        let result = Fixture.resolve("doc register symbol=A/1 title=t count=\(title)")
        guard case .failure(let error) = result else {
            Issue.record("expected an error")
            return
        }
        #expect(error.message.count < 120)
        #expect(error.message.hasPrefix("count: must be an integer, got xxx"))
        #expect(error.message.hasSuffix("x…"))
    }

    @Test("valid values of every type bind and read back typed")
    func typedValues() throws {
        let line =
            "doc register symbol=A/1 title=\"The title\" session=999 distribution=limited languages=en,fr,ar "
            + #"date=2008-02-29 late=true text="line one\nline two" count=-12"#
        let (spec, arguments) = try Fixture.resolve(line).get()
        #expect(spec.name == "doc register")
        #expect(try arguments.requiredString("title") == "The title")
        #expect(try arguments.requiredInt("session") == 999)
        #expect(arguments.int("count") == -12)
        #expect(arguments.string("distribution") == "limited")
        #expect(try arguments.requiredList("languages") == ["en", "fr", "ar"])
        #expect(arguments.date("date") == CalendarDate(year: 2008, month: 2, day: 29))
        #expect(try arguments.requiredDate("date") == CalendarDate(year: 2008, month: 2, day: 29))
        #expect(try arguments.requiredBool("late") == true)
        #expect(arguments.bool("late") == true)
        #expect(arguments.string("text") == "line one\nline two")
        #expect(arguments.raw("session") == "999")
        let (_, few) = try Fixture.resolve("doc register symbol=A/1 title=t session=1 languages= late=false").get()
        #expect(few.list("languages") == [])
        #expect(few.bool("late") == false)
        #expect(few.int("session") == 1)
        #expect(few.date("date") == nil)
        #expect(few.list("missing") == nil)
    }

    @Test("required accessors throw 504 instead of trapping")
    func requiredAccessors() {
        let arguments = Arguments(["n": "abc", "d": "2008-13-01", "b": "maybe"])
        #expect(throws: PlenaryError.badArgument("x", "required")) { try arguments.requiredString("x") }
        #expect(throws: PlenaryError.badArgument("x", "required")) { try arguments.requiredInt("x") }
        #expect(throws: PlenaryError.badArgument("x", "required")) { try arguments.requiredList("x") }
        #expect(throws: PlenaryError.badArgument("n", "must be an integer, got abc")) {
            try arguments.requiredInt("n")
        }
        #expect(throws: PlenaryError.badArgument("d", "must be a date YYYY-MM-DD, got 2008-13-01")) {
            try arguments.requiredDate("d")
        }
        #expect(throws: PlenaryError.badArgument("b", "must be true or false, got maybe")) {
            try arguments.requiredBool("b")
        }
        #expect(arguments.int("n") == nil)
        #expect(arguments.date("d") == nil)
        #expect(arguments.bool("b") == nil)
    }

    @Test("the role check refuses lower roles with 530 and admits equal and higher ones")
    func roleCheck() throws {
        let register = try #require(Fixture.catalog.lookup(noun: "doc", verb: "register"))
        #expect(
            throws: PlenaryError.forbidden("`doc register` needs role secretariat; you are observer")
        ) { try register.check(role: .observer) }
        try register.check(role: .secretariat)
        try register.check(role: .admin)
        let tokens = try #require(Fixture.catalog.lookup(noun: "token", verb: "list"))
        #expect(throws: PlenaryError.self) { try tokens.check(role: .secretariat) }
        do {
            try tokens.check(role: .observer)
            Issue.record("observer may not list tokens")
        } catch {
            #expect(error.code == .forbidden)
            #expect(error.token == "FORBIDDEN")
        }
    }

    @Test("the handler is reachable through the resolved spec")
    func handler() async throws {
        let (spec, arguments) = try Fixture.resolve("ping").get()
        let context = CommandContext(
            actor: Actor(name: "t", role: .observer), requestID: "r1", catalog: Fixture.catalog)
        let reply = try await spec.handler(arguments, context)
        #expect(reply == .ok())
        #expect(context.catalog.commands.count == 6)
    }

    @Test("registering a command twice traps")
    func duplicateTraps() async {
        await #expect(processExitsWith: .failure) {
            var catalog = Catalog()
            let spec = CommandSpec(noun: "ping", summary: "s", role: .observer) { _, _ in .ok() }
            catalog.register(spec)
            catalog.register(spec)
        }
    }
}
