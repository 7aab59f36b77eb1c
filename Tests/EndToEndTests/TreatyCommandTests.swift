import Foundation
import PlenaryTestSupport
import Testing

/// The instrument, treaty and party commands through the real `plenary` binary and over TCP to a real server:
/// the contract's keys, text, JSON and CSV output, refusals on stderr with exit 1, roles.
@Suite("plenary instrument, treaty and party commands")
struct TreatyCommandTests: OperatorSuite {
    let database: String

    init() throws {
        database = try Self.conferenceDatabase()
    }

    /// The Convention and the trafficking Protocol, with the seed page's dates.
    func instruments() throws {
        let added = try ok(
            "instrument", "add", "body=CTOC/COP", "code=UNTOC",
            "title=United Nations Convention against Transnational Organized Crime", "adopted=2000-11-15",
            "by=General Assembly resolution 55/25", "signature-from=2000-12-12", "signature-until=2002-12-12",
            "in-force=2003-09-29", "texts=A/RES/55/25")
        #expect(added.hasSuffix("201 OK body=CTOC/COP code=UNTOC\n"), "\(added)")
        try ok(
            "instrument", "add", "body=CTOC/COP", "code=TIP", "title=Trafficking in Persons Protocol",
            "adopted=2000-11-15", "by=General Assembly resolution 55/25", "supplements=UNTOC",
            "signature-from=2000-12-12", "signature-until=2002-12-12", "in-force=2003-12-25")
    }

    @Test func theCommandsThroughTheBinary() throws {
        try instruments()
        let got = try ok("instrument", "get", "body=CTOC/COP", "code=UNTOC", "as-of=2010-01-01")
        #expect(got.contains("in-force=2003-09-29 in-force-basis=recorded"), "\(got)")
        #expect(got.contains("parties=0"), "\(got)")

        let signed = try ok("treaty", "sign", "body=CTOC/COP", "instrument=UNTOC", "state=ITA", "date=2000-12-12")
        #expect(signed.contains("kind=signature date=2000-12-12 status=signatory"), "\(signed)")
        let deposited = try ok(
            "treaty", "deposit", "body=CTOC/COP", "instrument=UNTOC", "state=ITA", "kind=ratification",
            "date=2006-08-02")
        #expect(deposited.contains("status=party in-force=2006-09-01 counted=1"), "\(deposited)")
        try ok(
            "treaty", "deposit", "body=CTOC/COP", "instrument=UNTOC", "state=AFG", "kind=accession", "date=2003-09-24")
        try ok("treaty", "sign", "body=CTOC/COP", "instrument=UNTOC", "state=EUU", "date=2000-12-12")
        try ok(
            "treaty", "deposit", "body=CTOC/COP", "instrument=UNTOC", "state=EUU", "kind=approval", "date=2004-05-21")
        let declared = try ok(
            "treaty", "declare", "body=CTOC/COP", "instrument=UNTOC", "state=ITA", "kind=notification",
            "date=2006-08-02", "text=Ministry of Justice, designated authority", "article=18(13)")
        let id = try #require(replyField("id", declared.split(separator: "\n").last.map(String.init) ?? ""))

        // Refusals name the key and the rule, and write nothing.
        #expect(
            try refused("treaty", "sign", "body=CTOC/COP", "instrument=UNTOC", "state=XXX", "date=2000-12-12")
                .hasPrefix("504 BAD_ARGUMENT state: XXX is not in the reference list"))
        #expect(
            try refused("treaty", "sign", "body=CTOC/COP", "instrument=UNTOC", "state=FRA", "date=2003-01-01")
                .hasPrefix("551 CONFLICT date: 2003-01-01 is outside the period UNTOC of CTOC/COP was open"))
        #expect(
            try refused(
                "treaty", "deposit", "body=CTOC/COP", "instrument=UNTOC", "state=FRA", "kind=ratification",
                "date=2003-01-01"
            ).hasPrefix("551 CONFLICT kind: ratification by FRA of UNTOC of CTOC/COP on 2003-01-01 needs a prior"))
        #expect(
            try refused(
                "treaty", "deposit", "body=CTOC/COP", "instrument=TIP", "state=FRA", "kind=accession", "date=2004-01-01"
            ).hasPrefix("551 CONFLICT instrument: FRA has deposited no instrument for UNTOC of CTOC/COP"))
        #expect(
            try refused(
                "treaty", "deposit", "body=CTOC/COP", "instrument=UNTOC", "state=ITA", "kind=ratification",
                "date=2007-01-01"
            ).hasPrefix("551 CONFLICT kind: ITA already deposited an instrument of ratification"))
        #expect(
            try refused(
                "treaty", "withdraw", "body=CTOC/COP", "instrument=UNTOC", "state=AFG", "declaration=\(id)",
                "date=2007-01-01"
            ).hasPrefix("551 CONFLICT declaration: \(id) is not a declaration, reservation or notification of AFG"))

        let list = try ok("party", "list", "body=CTOC/COP", "instrument=UNTOC", "as-of=2006-08-15")
        #expect(list.contains("state=AFG name=Afghanistan status=party in-force=2003-10-24"), "\(list)")
        #expect(list.contains("state=ITA name=Italy status=contracting in-force=2006-09-01"), "\(list)")
        #expect(list.hasSuffix("200 OK count=3 as-of=2006-08-15\n"), "\(list)")
        let contracting = try ok(
            "party", "list", "body=CTOC/COP", "instrument=UNTOC", "as-of=2006-08-15", "status=contracting")
        #expect(contracting.hasSuffix("200 OK count=1 as-of=2006-08-15\n"), "\(contracting)")

        let party = try ok("party", "get", "body=CTOC/COP", "state=ITA")
        #expect(party.contains("200-party instrument=UNTOC state=ITA name=Italy status=party in-force=2006-09-01"))
        #expect(party.contains("signature=2000-12-12 deposit=2006-08-02 deposit-kind=ratification"), "\(party)")
        #expect(party.contains("200-declaration instrument=UNTOC id=\(id) kind=notification"), "\(party)")

        let json = try ok(
            "--format", "json", "party", "report", "body=CTOC/COP", "instrument=UNTOC", "as-of=2010-01-01")
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "\(json)")
        let rows = try #require(document["records"] as? [[String: Any]])
        #expect(rows.count == 3)
        #expect(
            rows.map { ($0["record"] as? [String: Any])?["consent"] as? String } == [
                "2003-09-24 a", "2004-05-21 AA", "2006-08-02",
            ])
        #expect(document["count"] as? Int == 3)

        let csv = try ok("party", "report", "body=CTOC/COP", "instrument=UNTOC", "as-of=2010-01-01", "format=csv")
        let lines = csv.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("200-csv line=\"Participant,Code,Signature") == true, "\(csv)")
        #expect(lines.contains("200-csv line=\"Afghanistan,AFG,,2003-09-24 a,2003-10-24,party,,\""), "\(csv)")
        #expect(lines.last == "200 OK count=4 format=csv instrument=UNTOC as-of=2010-01-01 in-force=2003-09-29")

        // One audit row per act, and watchers hear of them under their own topics.
        let audit = try ok("audit", "list", "entity=treaty")
        #expect(audit.split(separator: "\n").filter { $0.hasPrefix("200-audit") }.count == 6, "\(audit)")
        #expect(try ok("audit", "list", "entity=instrument").contains("operation=add"))
    }

    @Test func exportImportExportKeepsEveryActInOrder() throws {
        try instruments()
        try ok("treaty", "sign", "body=CTOC/COP", "instrument=UNTOC", "state=ITA", "date=2000-12-12")
        try ok("treaty", "sign", "body=CTOC/COP", "instrument=TIP", "state=ITA", "date=2000-12-12")
        // Entered Protocol first is impossible; on one day the file must still load the Convention's first.
        try ok(
            "treaty", "deposit", "body=CTOC/COP", "instrument=UNTOC", "state=ITA", "kind=ratification",
            "date=2006-08-02")
        try ok(
            "treaty", "deposit", "body=CTOC/COP", "instrument=TIP", "state=ITA", "kind=ratification", "date=2006-08-02")
        try ok(
            "treaty", "deposit", "body=CTOC/COP", "instrument=UNTOC", "state=AFG", "kind=accession", "date=2003-09-24")
        try ok(
            "treaty", "declare", "body=CTOC/COP", "instrument=UNTOC", "state=AFG", "kind=reservation",
            "date=2003-09-24", "text=Not bound by article 35, paragraph 2", "article=35(2)")
        try ok(
            "treaty", "withdraw", "body=CTOC/COP", "instrument=UNTOC", "state=AFG", "declaration=6", "date=2008-01-01")
        try ok("treaty", "denounce", "body=CTOC/COP", "instrument=UNTOC", "state=AFG", "date=2010-03-15")
        try ok(
            "treaty", "deposit", "body=CTOC/COP", "instrument=UNTOC", "state=AFG", "kind=accession", "date=2011-03-15")
        let exported = try ok("export")
        #expect(exported.contains(#""withdraws":{"article":"35(2)","date":"2003-09-24","kind":"reservation"}"#))

        let target = try TestCluster.makeDatabase()
        let file = try TestCluster.scratchDirectory().appendingPathComponent("treaties.json")
        try Data(exported.utf8).write(to: file)
        let imported = try PlenaryProcess.run(["import", file.path], databaseURL: target)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("instruments=2"), "\(imported.stdout)")
        #expect(imported.stdout.contains("treaty_actions=9"), "\(imported.stdout)")
        let again = try PlenaryProcess.run(["export"], databaseURL: target)
        #expect(again.stdout == exported)
        let twice = try PlenaryProcess.run(["import", file.path], databaseURL: target)
        #expect(twice.stdout.contains("0 rows written"), "\(twice.stdout)")
        let party = try PlenaryProcess.run(
            ["party", "get", "body=CTOC/COP", "state=AFG", "as-of=2011-01-01"], databaseURL: target)
        #expect(party.stdout.contains("status=party"), "\(party.stdout)")
        #expect(party.stdout.contains("withdrawn=2008-01-01"), "\(party.stdout)")

        // A file that breaks the seed's rule is refused by the database, naming the record.
        let broken = exported.replacingOccurrences(
            of: #"{"body":"CTOC/COP","date":"2006-08-02","instrument":"TIP""#,
            with: #"{"body":"CTOC/COP","date":"2006-08-01","instrument":"TIP""#)
        #expect(broken != exported)
        let brokenFile = try TestCluster.scratchDirectory().appendingPathComponent("broken.json")
        try Data(broken.utf8).write(to: brokenFile)
        let refusal = try PlenaryProcess.run(["import", brokenFile.path], databaseURL: try TestCluster.makeDatabase())
        #expect(refusal.status == 1)
        #expect(
            refusal.stderr.contains("ITA has deposited no instrument for UNTOC of CTOC/COP on or before 2006-08-01"),
            "\(refusal.stderr)")
    }

    @Test func theCountAtTheOpeningOfASession() throws {
        try instruments()
        try ok("session", "schedule", "body=CTOC/COP", "number=1", "start=2004-06-28", "end=2004-07-08", "venue=Vienna")
        try ok(
            "treaty", "deposit", "body=CTOC/COP", "instrument=UNTOC", "state=AFG", "kind=accession", "date=2003-09-24")
        try ok(
            "treaty", "deposit", "body=CTOC/COP", "instrument=UNTOC", "state=ALB", "kind=accession", "date=2004-06-01")
        let count = try ok("party", "count", "body=CTOC/COP", "session=1")
        #expect(count.contains("200-count instrument=UNTOC as-of=2004-06-28 parties=1 states=1"), "\(count)")
        #expect(count.contains("200-count instrument=TIP as-of=2004-06-28 parties=0 states=0"), "\(count)")
        #expect(count.hasSuffix("200 OK count=2 session=1\n"))
        #expect(try refused("party", "count", "body=CTOC/COP", "session=9").hasPrefix("550 NOT_FOUND session:"))
    }

    @Test func overTCPWithRolesChecked() throws {
        try instruments()
        func token(_ name: String, _ role: String) throws -> String {
            let created = try PlenaryProcess.run(
                ["token", "create", "name=\(name)", "role=\(role)"], databaseURL: database)
            return try #require(
                created.stdout.split(separator: " ").first { $0.hasPrefix("token=") }?.dropFirst(6)
            ).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let reader = try token("reader", "observer")
        let clerk = try token("clerk", "secretariat")
        let server = try ServerProcess(databaseURL: database)
        defer { server.stop() }
        let observer = try LineClient(port: server.port)
        _ = observer.readLine()
        #expect(observer.command("auth token=\(reader)") == ["200 OK name=reader role=observer"])
        #expect(
            observer.command("treaty deposit body=CTOC/COP instrument=UNTOC state=AFG kind=accession date=2003-09-24")
                .first?.hasPrefix("530 FORBIDDEN") == true)
        let secretariat = try LineClient(port: server.port)
        _ = secretariat.readLine()
        #expect(secretariat.command("auth token=\(clerk)") == ["200 OK name=clerk role=secretariat"])
        let deposit = secretariat.command(
            "treaty deposit body=CTOC/COP instrument=UNTOC state=AFG kind=accession date=2003-09-24")
        #expect(deposit.last == "201 OK id=1", "\(deposit)")
        #expect(
            secretariat.command("treaty deposit body=CTOC/COP instrument=TIP state=FRA kind=accession date=2004-01-01")
                .first?.hasPrefix("551 CONFLICT instrument: FRA has deposited no instrument for UNTOC") == true)
        let list = observer.command("party list body=CTOC/COP instrument=UNTOC as-of=2004-01-01")
        #expect(list.first?.hasPrefix("200-party instrument=UNTOC state=AFG name=Afghanistan status=party") == true)
        #expect(list.last == "200 OK count=1 as-of=2004-01-01")
        #expect(observer.command("hello format=json").count == 1)
        let json = observer.command("instrument get body=CTOC/COP code=UNTOC as-of=2004-01-01")
        #expect(json.first?.contains(#""in-force":"2003-09-29""#) == true, "\(json)")
        // In JSON mode every line is an object; the final one carries the count.
        #expect(observer.readLine()?.contains(#""count":1"#) == true)
    }
}
