import AdminProtocol
import Foundation
import PlenaryCore
import Testing

@Suite("HelpRenderer")
struct HelpRendererTests {
    @Test("usage lines: required bare, optional bracketed, positional by placeholder")
    func usage() throws {
        let register = try #require(Fixture.catalog.lookup(noun: "doc", verb: "register"))
        #expect(
            register.usage
                == "doc register symbol=SYMBOL title=TITLE [session=N] [distribution=general|limited|restricted] "
                + "[languages=ar|zh|en|fr|ru|es,…] [date=DATE] [late=true|false] [text=TEXT] [count=N]")
        #expect(Fixture.catalog.lookup(noun: "doc", verb: "get")?.usage == "doc get SYMBOL")
        #expect(Fixture.catalog.lookup(noun: "help", verb: nil)?.usage == "help [NOUN] [VERB]")
        #expect(Fixture.catalog.lookup(noun: "ping", verb: nil)?.usage == "ping")
        let custom = ParameterSpec(name: "by", type: .string, help: "x", placeholder: "DECISION-REF")
        #expect(custom.usagePlaceholder == "DECISION-REF")
    }

    @Test("type names for help")
    func typeNames() {
        #expect(ParameterType.integer(range: 1...999).displayName == "integer 1…999")
        #expect(ParameterType.integer.displayName == "integer")
        #expect(ParameterType.date.displayName == "date YYYY-MM-DD")
        #expect(
            ParameterType.choice(["regular", "special", "resumed"]).displayName == "one of regular|special|resumed")
        #expect(ParameterType.list(.date).displayName == "comma-separated list of date YYYY-MM-DD")
        #expect(Fixture.symbolType.displayName == "document symbol")
        #expect(ParameterType.boolean.displayName.contains("true|false"))
    }

    @Test("the overview lists every command with role and summary")
    func overview() {
        let text = HelpRenderer.overview(catalog: Fixture.catalog)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 1 + Fixture.catalog.commands.count)
        #expect(
            lines.contains { $0.contains("doc register") && $0.contains("secretariat") && $0.contains("Registers") })
        #expect(lines.contains { $0.hasPrefix("  token list ") && $0.contains("admin") })
    }

    @Test("one command's help shows usage, role and a parameter table")
    func commandHelp() throws {
        let register = try #require(Fixture.catalog.lookup(noun: "doc", verb: "register"))
        let text = HelpRenderer.help(for: register)
        #expect(text.contains("usage: doc register symbol=SYMBOL"))
        #expect(text.contains("role:  secretariat or higher"))
        #expect(text.contains { $0 == "\n" })
        let sessionLine = try #require(text.split(separator: "\n").first { $0.hasPrefix("  session ") })
        #expect(sessionLine.contains("integer 1…999"))
        #expect(sessionLine.contains("optional"))
        let dateLine = try #require(text.split(separator: "\n").first { $0.hasPrefix("  date ") })
        #expect(dateLine.contains("Default: today."))
        let ping = try #require(Fixture.catalog.lookup(noun: "ping", verb: nil))
        #expect(HelpRenderer.help(for: ping).contains("available before auth"))
        #expect(!HelpRenderer.help(for: ping).contains("parameters:"))
    }

    @Test("the Markdown reference has every command, grouped by noun, with escaped table cells")
    func markdown() {
        let markdown = HelpRenderer.markdownReference(catalog: Fixture.catalog)
        for spec in Fixture.catalog.commands {
            #expect(markdown.contains("#### `\(spec.name)`"), "\(spec.name)")
            #expect(markdown.contains(spec.usage), "\(spec.name)")
        }
        for noun in Fixture.catalog.nouns { #expect(markdown.contains("\n### \(noun)\n"), "\(noun)") }
        #expect(markdown.contains("| `distribution` | one of general\\|limited\\|restricted | optional |"))
        #expect(markdown.contains("| `symbol` | document symbol | required, positional | Its symbol. |"))
        #expect(markdown.contains("Registers a document \\| under its symbol."))
        #expect(markdown.contains("Role: admin."))
        #expect(markdown.contains("No parameters."))
        let ticks = markdown.components(separatedBy: "```").count - 1
        #expect(ticks == 2 * Fixture.catalog.commands.count)
    }

    @Test("describe gives one command record per command, valid in JSON")
    func describe() throws {
        let reply = HelpRenderer.describe(catalog: Fixture.catalog)
        #expect(reply.records.count == Fixture.catalog.commands.count)
        #expect(reply.summary == [ReplyField("count", .int(6))])
        let register = try #require(reply.records.first { $0["name"] == "doc register" })
        #expect(register.type == "command")
        #expect(register["noun"] == "doc")
        #expect(register["verb"] == "register")
        #expect(register["role"] == "secretariat")
        #expect(register["before-auth"] == false)
        let ping = try #require(reply.records.first { $0["name"] == "ping" })
        #expect(ping["verb"] == .null)
        #expect(ping["before-auth"] == true)
        let lines = try jsonLines(ReplyEncoder.encode(reply, format: .json))
        #expect(lines.count == 7)
        let usage = try #require((lines[0]["record"] as? [String: Any])?["usage"] as? String)
        #expect(usage == "doc get SYMBOL")
    }

    @Test("help NOUN and help NOUN VERB narrow the answer; unknown ones are 502")
    func helpReply() throws {
        let all = try HelpRenderer.helpReply(catalog: Fixture.catalog, noun: nil, verb: nil).get()
        #expect(all.records.count == 6)
        let doc = try HelpRenderer.helpReply(catalog: Fixture.catalog, noun: "DOC", verb: nil).get()
        #expect(doc.records.map { $0["name"] } == ["doc get", "doc register"])
        let register = try HelpRenderer.helpReply(catalog: Fixture.catalog, noun: "doc", verb: "register").get()
        #expect(register.records.first?.type == "command")
        #expect(register.records.dropFirst().allSatisfy { $0.type == "parameter" })
        #expect(register.records.count == 10)
        let session = try #require(register.records.first { $0["name"] == "session" })
        #expect(session["type"] == "integer 1…999")
        #expect(session["required"] == false)
        #expect(session["default"] == .null)
        let ping = try HelpRenderer.helpReply(catalog: Fixture.catalog, noun: "ping", verb: nil).get()
        #expect(ping.records.count == 1)
        for (noun, verb) in [("frob", nil), ("doc", "frob"), ("ping", "x")] as [(String, String?)] {
            let result = HelpRenderer.helpReply(catalog: Fixture.catalog, noun: noun, verb: verb)
            guard case .failure(let error) = result else {
                Issue.record("expected 502 for \(noun) \(verb ?? "")")
                continue
            }
            #expect(error.code == .unknownCommand)
            #expect(error.message.contains(verb ?? noun))
        }
    }
}
