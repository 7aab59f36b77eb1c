import Foundation
import PlenaryTestSupport
import Testing

/// `calendar format=ics` from the real binary, reassembled as a script would and read by an independent iCalendar
/// parser (Python's `icalendar` package: `python3 -m pip install icalendar`), so the test checks what calendar
/// programs will see, not what our own writer meant to write.
@Suite("calendar format=ics, read by a real iCalendar parser")
struct CalendarTests {
    let database: String

    init() throws {
        database = try TestCluster.makeDatabase()
    }

    func run(_ words: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try PlenaryProcess.run(words, databaseURL: database)
        #expect(result.status == 0, "\(words.joined(separator: " ")): \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout
    }

    /// The calendar as a script gets it from the protocol's text lines: each `ics` record's `line` value (bare, or
    /// JSON-quoted when it needs quoting), joined with CRLF. Should the CLI print the raw calendar itself, that is
    /// taken as it is.
    func icsCalendar(_ extra: [String] = []) throws -> String {
        let output = try run(["calendar", "body=CTOC/COP", "format=ics"] + extra)
        if output.hasPrefix("BEGIN:VCALENDAR") { return output }
        var lines: [String] = []
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) where line.hasPrefix("200-ics ") {
            let value = try #require(line.split(separator: "=", maxSplits: 1).last.map(String.init))
            if value.hasPrefix("\"") {
                lines.append(try JSONDecoder().decode(String.self, from: Data(value.utf8)))
            } else {
                lines.append(value)
            }
        }
        return lines.map { $0 + "\r\n" }.joined()
    }

    struct ParsedEvent: Decodable, Equatable {
        var uid: String
        var summary: String
        var location: String
        var description: String
        var start: String
        var startIsDate: Bool
        var end: String
        var endIsDate: Bool
        var status: String
        var sequence: Int
        var stamp: String
    }

    struct ParsedCalendar: Decodable {
        var version: String
        var prodid: String
        var name: String
        var events: [ParsedEvent]
    }

    /// Parses `text` with Python's icalendar and returns what it read.
    func parse(_ text: String) throws -> ParsedCalendar {
        let file = try TestCluster.scratchDirectory().appendingPathComponent("calendar.ics")
        try Data(text.utf8).write(to: file)
        let script = """
            import datetime, json, sys
            import icalendar
            calendar = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
            def day(value):
                value = value.dt
                return value.isoformat(), isinstance(value, datetime.date) and not isinstance(value, datetime.datetime)
            events = []
            for event in calendar.walk("VEVENT"):
                start, start_is_date = day(event["DTSTART"])
                end, end_is_date = day(event["DTEND"])
                events.append({
                    "uid": str(event["UID"]), "summary": str(event["SUMMARY"]), "location": str(event["LOCATION"]),
                    "description": str(event["DESCRIPTION"]), "start": start, "startIsDate": start_is_date,
                    "end": end, "endIsDate": end_is_date, "status": str(event["STATUS"]),
                    "sequence": int(event["SEQUENCE"]), "stamp": event["DTSTAMP"].dt.isoformat(),
                })
            print(json.dumps({
                "version": str(calendar["VERSION"]), "prodid": str(calendar["PRODID"]),
                "name": str(calendar["X-WR-CALNAME"]), "events": events,
            }))
            """
        let result = try PlenaryProcess.runProcess(
            "/usr/bin/env", ["python3", "-c", script, file.path], environment: ProcessInfo.processInfo.environment)
        try #require(
            result.status == 0,
            "the iCalendar parser failed (is it installed? python3 -m pip install icalendar): \(result.stderr)")
        return try JSONDecoder().decode(ParsedCalendar.self, from: Data(result.stdout.utf8))
    }

    @Test func theCalendarImportsIntoARealParserWithEveryEvent() throws {
        let title =
            "Fourth session of the Conference of the Parties to the United Nations Convention against "
            + "Transnational Organized Crime; with commas, a back\\slash and Genève — 日本"
        for words in [
            ["body", "add", "code=CTOC/COP", "name=Conference of the Parties", "timezone=Europe/Vienna"],
            [
                "session", "schedule", "body=CTOC/COP", "number=3", "start=2006-10-09", "end=2006-10-18",
                "venue=Vienna, Austria",
            ],
            [
                "session", "schedule", "body=CTOC/COP", "number=4", "start=2008-10-08", "end=2008-10-17",
                "venue=Vienna, Austria", "title=\(title)",
            ],
            [
                "session", "schedule", "body=CTOC/COP", "number=4", "kind=resumed", "start=2009-02-02",
                "end=2009-02-02", "venue=Vienna International Centre; Board Room B",
            ],
            [
                "session", "schedule", "body=CTOC/COP", "number=5", "start=2010-10-18", "end=2010-10-22",
                "venue=Vienna",
            ],
            ["session", "cancel", "body=CTOC/COP", "number=5", "reason=Budget"],
            [
                "wg", "establish", "body=CTOC/COP", "code=WG.2",
                "name=Working Group of Government Experts on Technical Assistance",
            ],
            [
                "meeting", "schedule", "body=CTOC/COP", "wg=WG.2", "start=2007-10-03", "end=2007-10-05",
                "venue=Vienna, Austria",
            ],
            [
                "meeting", "schedule", "body=CTOC/COP", "wg=WG.2", "start=2008-10-09", "end=2008-10-10",
                "venue=Vienna, Austria", "with-session=4",
            ],
            ["session", "reschedule", "body=CTOC/COP", "number=4", "part=1", "end=2008-10-18"],
        ] {
            _ = try run(words)
        }

        let text = try icsCalendar()
        // The wire form: CRLF only, no physical line over 75 octets, the long title folded.
        #expect(text.hasPrefix("BEGIN:VCALENDAR\r\n") && text.hasSuffix("END:VCALENDAR\r\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        let physical = text.components(separatedBy: "\r\n").dropLast()
        #expect(physical.allSatisfy { $0.utf8.count <= 75 }, "a line is longer than 75 octets")
        #expect(physical.contains { $0.hasPrefix(" ") }, "the long title was folded")

        let calendar = try parse(text)
        #expect(calendar.version == "2.0")
        #expect(calendar.prodid == "-//Plenary//Plenary conference backend//EN")
        #expect(calendar.name == "CTOC/COP — Conference of the Parties")
        #expect(
            calendar.events.map(\.uid) == [
                "session-CTOC-COP-3@plenary", "meeting-CTOC-COP-WG.2-1@plenary", "session-CTOC-COP-4@plenary",
                "meeting-CTOC-COP-WG.2-2@plenary", "session-CTOC-COP-4-part2@plenary", "session-CTOC-COP-5@plenary",
            ])
        #expect(calendar.events.allSatisfy { $0.startIsDate && $0.endIsDate }, "all-day DATE values")
        #expect(calendar.events.allSatisfy { $0.stamp.hasSuffix("+00:00") }, "DTSTAMP in UTC")

        let fourth = try #require(calendar.events.first { $0.uid == "session-CTOC-COP-4@plenary" })
        #expect(fourth.summary == "CTOC/COP session 4: \(title)", "escapes and folds undone exactly")
        #expect(fourth.location == "Vienna, Austria")
        #expect(fourth.start == "2008-10-08")
        #expect(fourth.end == "2008-10-19", "DTEND is the day after the (rescheduled) last day")
        #expect(fourth.sequence == 1)
        #expect(fourth.status == "CONFIRMED")
        #expect(fourth.description.hasPrefix("Session 4 of the Conference of the Parties (CTOC/COP).\n"))
        #expect(fourth.description.contains("Time zone: Europe/Vienna."))

        let resumed = try #require(calendar.events.first { $0.uid == "session-CTOC-COP-4-part2@plenary" })
        #expect(resumed.location == "Vienna International Centre; Board Room B")
        #expect(resumed.start == "2009-02-02" && resumed.end == "2009-02-03", "a one-day event")
        #expect(resumed.summary == "CTOC/COP session 4 (resumed, part 2)")

        #expect(calendar.events.first { $0.uid == "session-CTOC-COP-5@plenary" }?.status == "CANCELLED")
        let meeting = try #require(calendar.events.first { $0.uid == "meeting-CTOC-COP-WG.2-2@plenary" })
        #expect(
            meeting.summary == "CTOC/COP/WG.2 meeting 2: Working Group of Government Experts on Technical Assistance")
        #expect(meeting.description.contains("a working group of the Conference of the Parties (CTOC/COP)"))
        #expect(meeting.description.contains("Held in conjunction with session 4."))

        // The UIDs are stable: the same events keep them in a later export, so calendar programs update in place.
        let window = try parse(try icsCalendar(["from=2008-01-01", "to=2008-12-31"]))
        #expect(window.events.map(\.uid) == ["session-CTOC-COP-4@plenary", "meeting-CTOC-COP-WG.2-2@plenary"])
        #expect(window.events.first == fourth)
    }

    @Test func anEmptyCalendarIsStillAValidCalendar() throws {
        _ = try run(["body", "add", "code=CTOC/COP", "name=Conference of the Parties"])
        let calendar = try parse(try icsCalendar())
        #expect(calendar.events.isEmpty)
        #expect(calendar.version == "2.0")
    }
}
