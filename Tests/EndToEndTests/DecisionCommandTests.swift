import Foundation
import PlenaryTestSupport
import Testing

/// Every decision command through the real `plenary` binary, in-process as the local operator, against a database
/// of the test's own: replies on stdout, refusals on stderr, exit 0 for done and 1 for refused.
@Suite("plenary decision commands")
struct DecisionCommandTests: OperatorSuite {
    let database: String

    init() throws {
        database = try TestCluster.makeDatabase()
    }

    /// `2010-10-20`, `days` from today in Vienna: the in-process CLI adopts by the system clock.
    static func viennaDay(_ days: Int) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Vienna")!
        let date = calendar.date(byAdding: .day, value: days, to: Date())!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// CTOC/COP with its session 4 held and closed in 2008, and a session 9 sitting now.
    func conference() throws {
        try plenary("body", "add", "code=CTOC/COP", "name=Conference of the Parties", "timezone=Europe/Vienna")
        try plenary(
            "session", "schedule", "body=CTOC/COP", "number=4", "start=2008-10-08", "end=2008-10-17", "venue=Vienna")
        try plenary("session", "open", "body=CTOC/COP", "number=4")
        try plenary("session", "close", "body=CTOC/COP", "number=4")
        try plenary(
            "session", "schedule", "body=CTOC/COP", "number=9", "start=\(Self.viennaDay(-3))",
            "end=\(Self.viennaDay(3))", "venue=Vienna")
        try plenary("session", "open", "body=CTOC/COP", "number=9")
    }

    @Test func draftEditAdoptAndWithdrawWithTheContractsExitCodes() throws {
        try conference()
        // A draft's agenda item and document must exist: item 4 (a) of session 9, and an L document of it.
        try plenary("agenda", "add", "body=CTOC/COP", "session=9", "item=4", "title=Trafficking")
        try plenary("agenda", "add", "body=CTOC/COP", "session=9", "item=4(a)", "title=Review")
        let year = Self.viennaDay(-3).prefix(4)
        try plenary(
            "doc", "register", "symbol=CTOC/COP/\(year)/L.5", "title=Draft resolution", "session=9",
            "distribution=limited")
        let drafted = try plenary(
            "decision", "draft", "body=CTOC/COP", "session=9", "kind=resolution", "title=Trafficking in persons",
            "text=The Conference decides …", "agenda-item=4(a)", "document=CTOC/COP/\(year)/L.5")
        #expect(drafted.stdout.hasSuffix("201 OK id=1 kind=resolution session=9\n"))
        #expect(drafted.stdout.contains("status=draft"))
        #expect(drafted.stdout.contains("agenda-item=\"4 (a)\""))

        let edited = try plenary("decision", "edit", "id=1", "title=Trafficking in persons (revised)")
        #expect(edited.stdout.contains("title=\"Trafficking in persons (revised)\""))
        #expect(edited.stdout.hasSuffix("200 OK id=1\n"))

        let adopted = try plenary("decision", "adopt", "id=1")
        #expect(adopted.stdout.hasSuffix("200 OK id=1 kind=resolution number=9/1 adopted=\(Self.viennaDay(0))\n"))

        // Frozen: the service refuses, naming the decision, and exits 1.
        let frozen = try plenary("decision", "edit", "id=1", "text=Rewritten", status: 1)
        #expect(frozen.stderr.hasPrefix("551 CONFLICT text: resolution 9/1 of CTOC/COP was adopted on"))
        try plenary("decision", "adopt", "id=1", status: 1)

        try plenary("decision", "draft", "body=CTOC/COP", "session=9", "kind=decision", "title=Withdrawn soon")
        let draft = try plenary("decision", "get", "body=CTOC/COP", "id=2")
        #expect(draft.stdout.contains("id=2 session=9 status=draft title=\"Withdrawn soon\""))
        try plenary("decision", "get", "body=CAC/COSP", "id=2", status: 1)
        let withdrawn = try plenary("decision", "withdraw", "id=2", "reason=Merged into L.6")
        #expect(withdrawn.stdout.hasSuffix("200 OK id=2 status=withdrawn\n"))
        let again = try plenary("decision", "withdraw", "id=2", status: 1)
        #expect(again.stderr.hasPrefix("551 CONFLICT id: draft 2 (decision, session 9 of CTOC/COP) was withdrawn"))

        // A draft at the closed session 4 is adopted only with a day of that session.
        try plenary("decision", "draft", "body=CTOC/COP", "session=4", "kind=decision", "title=Late entry")
        let closed = try plenary("decision", "adopt", "id=3", status: 1)
        #expect(closed.stderr.hasPrefix("551 CONFLICT session: session 4 of CTOC/COP is closed"))
        let outside = try plenary("decision", "adopt", "id=3", "date=2008-10-18", status: 1)
        #expect(outside.stderr.hasPrefix("551 CONFLICT date: 2008-10-18 is not a day of session 4 of CTOC/COP"))
        let inside = try plenary("decision", "adopt", "id=3", "date=2008-10-17")
        #expect(inside.stdout.hasSuffix("200 OK id=3 kind=decision number=4/1 adopted=2008-10-17\n"))

        let audit = try plenary("audit", "list", "entity=decision")
        #expect(audit.stdout.hasSuffix("200 OK count=7 unsealed=0\n"), "\(audit.stdout)")
    }

    @Test func badInputIsRefusedNamingTheKeyAndWritesNothing() throws {
        try conference()
        let notLimited = try plenary(
            "decision", "draft", "body=CTOC/COP", "session=9", "kind=decision", "title=T",
            "document=CTOC/COP/2008/19", status: 1)
        #expect(notLimited.stderr.hasPrefix("504 BAD_ARGUMENT document: must be a limited-distribution document"))
        let kind = try plenary("decision", "draft", "body=CTOC/COP", "session=9", "kind=motion", "title=T", status: 1)
        #expect(kind.stderr.hasPrefix("504 BAD_ARGUMENT kind: must be one of decision|resolution"))
        let session = try plenary(
            "decision", "draft", "body=CTOC/COP", "session=7", "kind=decision", "title=T", status: 1)
        #expect(session.stderr.hasPrefix("550 NOT_FOUND session: CTOC/COP has no session 7"))
        for bad in ["4-4", "0/1"] {
            let number = try plenary(
                "decision", "record", "body=CTOC/COP", "session=4", "kind=decision", "number=\(bad)", "title=T",
                "adopted=2008-10-17", status: 1)
            #expect(number.stderr.hasPrefix("504 BAD_ARGUMENT number: must be a number session/serial"))
        }
        let link = try plenary("decision", "link", "body=CTOC/COP", "number=4/1", status: 1)
        #expect(link.stderr.hasPrefix("504 BAD_ARGUMENT amends|supersedes|recalls|establishes"))
        let missing = try plenary("decision", "adopt", status: 1)
        #expect(missing.stderr.hasPrefix("504 BAD_ARGUMENT id"))
        let listed = try plenary("decision", "list", "body=CTOC/COP")
        #expect(listed.stdout == "200 OK count=0\n")
    }

    @Test func recordGetListLinkChainAndSearch() throws {
        try conference()
        let recorded = try plenary(
            "decision", "record", "body=CTOC/COP", "session=4", "kind=decision", "number=4/4",
            "title=Trafficking in human beings", "adopted=2008-10-17",
            "text=Decides to establish an open-ended interim working group on trafficking in persons.")
        #expect(recorded.stdout.hasSuffix("201 OK kind=decision number=4/4\n"))
        let taken = try plenary(
            "decision", "record", "body=CTOC/COP", "session=4", "kind=decision", "number=4/4", "title=Again",
            "adopted=2008-10-17", status: 1)
        #expect(taken.stderr.hasPrefix("551 CONFLICT number: decision 4/4 of CTOC/COP is already taken"))
        try plenary(
            "decision", "record", "body=CTOC/COP", "session=4", "kind=resolution", "number=4/4",
            "title=A resolution of the same number", "adopted=2008-10-17")
        try plenary(
            "decision", "record", "body=CTOC/COP", "session=4", "kind=decision", "number=4/5",
            "title=Smuggling of migrants", "adopted=2008-10-17")

        // Both kinds hold 4/4: without kind= the reply names both.
        let ambiguous = try plenary("decision", "get", "body=CTOC/COP", "number=4/4", status: 1)
        #expect(
            ambiguous.stderr.hasPrefix(
                "551 CONFLICT number: 4/4 names both decision 4/4 and resolution 4/4 of CTOC/COP"))
        let got = try plenary("decision", "get", "body=CTOC/COP", "number=4/4", "kind=decision")
        #expect(got.stdout.contains("text=\"Decides to establish"))
        #expect(got.stdout.hasSuffix("200 OK count=1\n"))

        try plenary("wg", "establish", "body=CTOC/COP", "code=WG.4", "name=Working Group on Trafficking in Persons")
        let link = try plenary(
            "decision", "link", "body=CTOC/COP", "number=4/4", "kind=decision", "establishes=wg:WG.4")
        #expect(link.stdout.hasSuffix("201 OK from=\"decision 4/4\" relation=establishes to=wg:WG.4\n"))
        try plenary("decision", "link", "body=CTOC/COP", "number=4/5", "supersedes=resolution 4/4")
        try plenary("decision", "link", "body=CTOC/COP", "number=4/5", "considers=doc:CTOC/COP/2008/19")
        let twice = try plenary(
            "decision", "link", "body=CTOC/COP", "number=4/5", "supersedes=resolution 4/4", status: 1)
        #expect(twice.stderr.hasPrefix("551 CONFLICT link: that link is already recorded"))

        let withLinks = try plenary("decision", "get", "body=CTOC/COP", "number=4/5")
        #expect(
            withLinks.stdout.contains(
                #"200-link body=CTOC/COP from="decision 4/5" relation=supersedes to="resolution 4/4""#))
        #expect(withLinks.stdout.hasSuffix("200 OK count=3\n"))

        let chain = try plenary("decision", "chain", "body=CTOC/COP", "number=4/4", "kind=resolution")
        #expect(
            chain.stdout.hasPrefix(
                #"200-chain direction=forward depth=1 from="decision 4/5" relation=supersedes to="resolution 4/4""#))

        let wg = try plenary("decision", "list", "body=CTOC/COP", "wg=WG.4")
        #expect(wg.stdout.contains("number=4/4"))
        #expect(wg.stdout.contains("acts=establishes"))
        #expect(wg.stdout.hasSuffix("200 OK count=1\n"))

        let superseded = try plenary("decision", "list", "body=CTOC/COP", "status=superseded")
        #expect(superseded.stdout.contains("kind=resolution number=4/4"))
        #expect(superseded.stdout.hasSuffix("200 OK count=1\n"))

        let found = try plenary("decision", "search", "text=trafficking persons", "body=CTOC/COP")
        #expect(found.stdout.contains("number=4/4"))
        #expect(found.stdout.contains("excerpt="))
        #expect(found.stdout.hasSuffix("200 OK count=1\n"))

        let json = try plenary("--format", "json", "decision", "get", "body=CTOC/COP", "number=4/4", "kind=decision")
        // The first record, whether each record has a line of its own or the reply is one object holding them.
        var records: [[String: Any]] = []
        for line in json.stdout.split(separator: "\n") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            if let record = object?["record"] as? [String: Any] { records.append(record) }
            for item in object?["records"] as? [[String: Any]] ?? [] {
                if let record = item["record"] as? [String: Any] { records.append(record) }
            }
        }
        let record = try #require(records.first)
        #expect(record["number"] as? String == "4/4")
        #expect(record["status"] as? String == "in-force")
    }

    @Test func helpListsEveryDecisionCommand() throws {
        let help = try plenary("help")
        for verb in ["draft", "edit", "withdraw", "adopt", "record", "get", "list", "link", "chain", "search"] {
            #expect(help.stdout.contains("decision \(verb)"), "help does not list decision \(verb)")
        }
        let link = try plenary("help", "decision", "link")
        for key in [
            "establishes", "renames", "makes-standing", "dissolves", "amends", "supersedes", "recalls", "considers",
        ] {
            #expect(link.stdout.contains(key), "help decision link lacks \(key)")
        }
    }

    @Test func anObserverReadsButMayNotWrite() throws {
        try conference()
        let created = try plenary("token", "create", "name=reader", "role=observer")
        let secret = try #require(created.stdout.split(separator: " ").first { $0.hasPrefix("token=") }?.dropFirst(6))
        let server = try ServerProcess(databaseURL: database)
        defer { server.stop() }
        let client = try LineClient(port: server.port)
        _ = client.readLine()
        #expect(
            client.command("auth token=\(secret.trimmingCharacters(in: .whitespacesAndNewlines))")
                == ["200 OK name=reader role=observer"])
        #expect(client.command("decision list body=CTOC/COP") == ["200 OK count=0"])
        #expect(
            client.command(#"decision draft body=CTOC/COP session=9 kind=decision title="Not mine""#)[0]
                .hasPrefix("530 FORBIDDEN"))
        #expect(client.command("decision list body=CTOC/COP") == ["200 OK count=0"])
    }
}
