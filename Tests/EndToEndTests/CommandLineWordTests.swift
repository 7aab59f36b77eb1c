import Foundation
import PlenaryTestSupport
import Testing

/// A CLI that keeps its word (issue 16), run as the real binary: exit codes, JSON shapes, the calendar, the shell
/// in a pipe, commands that work on a database only, reads that do not migrate, and history entered as history.
@Suite("plenary command line keeps its word")
struct CommandLineWordTests {
    let database: String

    init() throws {
        database = try TestCluster.makeDatabase()
    }

    func run(_ arguments: [String]) throws -> ProcessResult {
        try PlenaryProcess.run(arguments, databaseURL: database)
    }

    func addBody(_ code: String = "CTOC/COP") throws {
        let added = try run(["body", "add", "code=\(code)", "name=Conference of the Parties", "timezone=Europe/Vienna"])
        #expect(added.status == 0, "\(added.stderr)")
    }

    func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func anUnknownOptionIsAUsageErrorNamingTheOptions() throws {
        for arguments in [
            ["--no-such-flag"], ["--fromat", "json", "body", "list"], ["body", "list", "--fromat=json"],
            ["help", "--verbose"],
        ] {
            let result = try run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("unknown option; the options are --format, --config, --server"))
            #expect(result.stdout.isEmpty)
        }
        #expect(try run(["--fromat", "json"]).stderr.hasPrefix("plenary: --fromat: unknown option"))
        // Refusals by the catalog or a rule keep exit 1.
        let unknownCommand = try run(["bodies", "list"])
        #expect(unknownCommand.status == 1)
        #expect(unknownCommand.stderr.hasPrefix("502 UNKNOWN_COMMAND"))
        // A value that starts with -- is a value.
        try addBody()
        let value = try run(["body", "add", "code=X", "name=--not an option--"])
        #expect(value.status == 0, "\(value.stderr)")
    }

    @Test func calendarFormatIcsPrintsTheCalendarItself() throws {
        try addBody()
        let recorded = try run([
            "session", "record", "body=CTOC/COP", "number=1", "start=2004-06-28", "end=2004-07-08",
            "venue=Vienna, Austria",
        ])
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let byKey = try run(["calendar", "body=CTOC/COP", "format=ics"])
        let byOption = try run(["--format", "ics", "calendar", "body=CTOC/COP"])
        #expect(byKey.status == 0, "\(byKey.stderr)")
        #expect(byKey.stdout.hasPrefix("BEGIN:VCALENDAR\r\n"))
        #expect(!byKey.stdout.contains("200-ics"))
        #expect(byKey.stdout == byOption.stdout)
    }

    @Test func aListReplyHasOneJSONShapeWhateverItsCount() throws {
        try addBody()
        func list() throws -> [String: Any] {
            let listed = try run(["--format", "json", "body", "list"])
            #expect(listed.status == 0, "\(listed.stderr)")
            return try object(listed.stdout)
        }
        let one = try list()
        #expect((one["records"] as? [Any])?.count == 1)
        #expect(one["type"] == nil && one["record"] == nil)
        try addBody("CAC/COSP")
        let two = try list()
        #expect((two["records"] as? [Any])?.count == 2)
        #expect(Set(one.keys) == Set(two.keys))
        // A single-record command keeps its record at the top.
        let got = try object(try run(["--format", "json", "body", "get", "CTOC/COP"]).stdout)
        #expect(got["type"] as? String == "body")
        #expect((got["record"] as? [String: Any])?["code"] as? String == "CTOC/COP")
    }

    @Test func theShellFedFromAPipeExitsWithTheWorstCodeSeen() throws {
        try addBody()
        let refusedInTheMiddle = try CLIProcess.run(
            ["shell"], input: "body list\nbody get NOPE\nbody list\n", databaseURL: database)
        #expect(refusedInTheMiddle.status == 1, "\(refusedInTheMiddle.stderr)")
        #expect(refusedInTheMiddle.stdout.components(separatedBy: "200 OK count=1").count == 3)
        let allDone = try CLIProcess.run(["shell"], input: "body list\nping\n", databaseURL: database)
        #expect(allDone.status == 0, "\(allDone.stderr)")
    }

    @Test func exportImportAndDemoSayTheyWorkOnADatabase() throws {
        for arguments in [
            ["--server", "127.0.0.1:7411", "export"], ["export", "--server=127.0.0.1:7411"],
            ["--server", "127.0.0.1:7411", "import", "x.json"], ["--token", "pln_x", "demo"],
        ] {
            let result = try run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains("works on a database"), "\(result.stderr)")
            #expect(result.stderr.contains("not through a server"))
        }
    }

    @Test func aReadDoesNotMigrateItSaysWhatIsPending() throws {
        let fresh = try TestCluster.makeDatabase(migrated: false)
        let read = try PlenaryProcess.run(["body", "list"], databaseURL: fresh)
        #expect(read.status == 3)
        #expect(read.stderr.contains("451 UNAVAILABLE database:"), "\(read.stderr)")
        #expect(read.stderr.contains("pending (0001_bodies.sql"))
        #expect(read.stderr.contains("run plenary migrate"))
        let status = try PlenaryProcess.run(["migrate", "--status"], databaseURL: fresh)
        #expect(status.stdout.contains("0001 pending"), "\(status.stdout)")
        // A command that writes migrates, as before.
        let write = try PlenaryProcess.run(["body", "add", "code=CTOC/COP", "name=COP"], databaseURL: fresh)
        #expect(write.status == 0, "\(write.stderr)")
        #expect(try PlenaryProcess.run(["body", "list"], databaseURL: fresh).status == 0)
    }

    @Test func onATerminalDocGetIsACardWithItsVersionsAsATableUnderIt() throws {
        let demo = try run(["demo"])
        #expect(demo.status == 0, "\(demo.stderr)")
        let title = "Report on the Vienna Forum to Fight Human Trafficking (Vienna, 13-15 February 2008)"
        let shown = try CLITerminal.run(
            ["doc", "get", "CTOC/COP/2008/CRP.1"], databaseURL: database, environment: ["NO_COLOR": "1"],
            columns: 80)
        #expect(shown.status == 0, "\(shown.output)")
        let lines = shown.output.split(separator: "\n").map(String.init)
        #expect(lines.first { $0.hasPrefix("DOCUMENT") } != nil, "\(shown.output)")
        // The card gives each field whole, on a line of its own: the title is not cut to the terminal's width.
        #expect(lines.contains { $0.hasPrefix("title") && $0.hasSuffix(title) }, "\(shown.output)")
        #expect(!shown.output.contains("…"))
        // The language versions follow as a table with one kind of row: no TYPE column.
        let header = try #require(lines.first { $0.hasPrefix("SYMBOL") }, "\(shown.output)")
        #expect(header.contains("LANG") && !header.contains("TYPE"))
        #expect(lines.filter { $0.hasPrefix("CTOC/COP/2008/CRP.1 ") }.count == 6)
        // A list stays a table.
        let listed = try CLITerminal.run(
            ["body", "list"], databaseURL: database, environment: ["NO_COLOR": "1"], columns: 80)
        #expect(listed.output.contains("CODE"))
        #expect(!listed.output.contains("BODY\n"))
    }

    @Test func historyIsEnteredAsHistory() throws {
        try addBody()
        let session = try run([
            "session", "record", "body=CTOC/COP", "number=2", "start=2005-10-10", "end=2005-10-21", "venue=Vienna",
        ])
        #expect(session.status == 0, "\(session.stderr)")
        #expect(session.stdout.contains("status=closed"))
        let group = try run(["wg", "establish", "body=CTOC/COP", "code=WG.2", "name=Technical assistance"])
        #expect(group.status == 0, "\(group.stderr)")
        let meeting = try run([
            "meeting", "record", "body=CTOC/COP", "wg=WG.2", "start=2007-10-03", "end=2007-10-05", "venue=Vienna",
        ])
        #expect(meeting.status == 0, "\(meeting.stderr)")
        #expect(meeting.stdout.contains("status=held"))
        let coming = try run([
            "session", "record", "body=CTOC/COP", "number=3", "start=2100-10-10", "end=2100-10-21", "venue=Vienna",
        ])
        #expect(coming.status == 1)
        #expect(coming.stderr.contains("551 CONFLICT end: 2100-10-21 is not past"))
    }
}
