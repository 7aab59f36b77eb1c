import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Sessions
import Storage
import Testing
import WorkingGroups

@Suite("Calendar: a body's sessions and meetings in date order")
struct CalendarServiceTests {
    let conference: Conference

    init() async throws {
        conference = try await Conference(bodies: ["CTOC/COP", "CAC/COSP"], today: day("2010-01-15"))
        try await conference.schedule(4, "2008-10-08", "2008-10-17")
        try await conference.schedule(5, "2010-10-18", "2010-10-22")
        try await conference.schedule(4, "2009-06-01", "2009-06-02", kind: .resumed)
        try await conference.schedule(1, "2006-12-10", "2006-12-14", body: "CAC/COSP")
        _ = try await conference.groups.establish(
            WorkingGroupCharter(code: "WG.4", name: "Working Group on Trafficking in Persons"), body: "CTOC/COP",
            by: Conference.clerk)
        try await conference.meetings.schedule(
            MeetingPlan(start: day("2010-01-27"), end: day("2010-01-29"), venue: "Vienna"), body: "CTOC/COP",
            workingGroup: "WG.4", by: Conference.clerk)
        try await conference.meetings.schedule(
            MeetingPlan(start: day("2010-10-18"), end: day("2010-10-18"), venue: "Vienna", withSession: 5),
            body: "CTOC/COP", workingGroup: "WG.4", by: Conference.clerk)
    }

    @Test func everythingInDateOrderAndOnlyThisBodysEvents() async throws {
        let view = try await conference.calendar.calendar(body: "CTOC/COP")
        #expect(view.body.code == "CTOC/COP")
        #expect(
            view.entries.map(\.uid) == [
                "session-CTOC-COP-4@plenary", "session-CTOC-COP-4-part2@plenary", "meeting-CTOC-COP-WG.4-1@plenary",
                "session-CTOC-COP-5@plenary", "meeting-CTOC-COP-WG.4-2@plenary",
            ])
        let meeting = view.entries[4]
        #expect(meeting.kind == .meeting)
        #expect(meeting.withSession == 5)
        #expect(meeting.workingGroupName == "Working Group on Trafficking in Persons")
        #expect(view.entries[1].label == "session 4 (part 2)")
        #expect(try await conference.calendar.calendar(body: "CAC/COSP").entries.map(\.number) == [1])
        await refused(.notFound, "body XYZ") { try await conference.calendar.calendar(body: "XYZ") }
    }

    @Test func aWindowKeepsWhatHasADayInIt() async throws {
        let calendar = conference.calendar
        let window = try await calendar.calendar(body: "CTOC/COP", from: day("2008-10-17"), to: day("2010-01-27"))
        #expect(
            window.entries.map(\.uid) == [
                "session-CTOC-COP-4@plenary", "session-CTOC-COP-4-part2@plenary", "meeting-CTOC-COP-WG.4-1@plenary",
            ])
        await refused(.badArgument, "to: must not be before from=2010-01-01") {
            try await calendar.calendar(body: "CTOC/COP", from: day("2010-01-01"), to: day("2009-01-01"))
        }
    }

    @Test func upcomingIsMeasuredFromTheClockOrFromTheDayGiven() async throws {
        let byClock = try await conference.calendar.calendar(body: "CTOC/COP", upcoming: true)
        #expect(byClock.from == day("2010-01-15"))
        #expect(
            byClock.entries.map(\.uid) == [
                "meeting-CTOC-COP-WG.4-1@plenary", "session-CTOC-COP-5@plenary", "meeting-CTOC-COP-WG.4-2@plenary",
            ])
        // An event still running today is upcoming; one over yesterday is not.
        let given = try await conference.calendar.calendar(body: "CTOC/COP", upcoming: true, today: day("2010-01-29"))
        #expect(given.entries.first?.uid == "meeting-CTOC-COP-WG.4-1@plenary")
        let after = try await conference.calendar.calendar(body: "CTOC/COP", upcoming: true, today: day("2010-01-30"))
        #expect(after.entries.first?.uid == "session-CTOC-COP-5@plenary")
        // A later from= wins over today.
        let later = try await conference.calendar.calendar(
            body: "CTOC/COP", from: day("2010-10-19"), upcoming: true, today: day("2010-01-01"))
        #expect(later.entries.map(\.number) == [5])
        // The system clock reads today in the body's own zone.
        let clock = CalendarClock(now: { Date(timeIntervalSince1970: 1_230_764_400) })  // 2008-12-31T23:00:00Z
        #expect(clock.today(in: "Europe/Vienna") == day("2009-01-01"))
        #expect(clock.today(in: "America/New_York") == day("2008-12-31"))
    }

    @Test func changesShowInStatusAndSequence() async throws {
        try await conference.sessions.reschedule(
            body: "CTOC/COP", number: 5, to: SessionChange(end: day("2010-10-23")), by: Conference.clerk)
        try await conference.sessions.cancel(body: "CTOC/COP", number: 4, part: 2, by: Conference.clerk)
        let view = try await conference.calendar.calendar(body: "CTOC/COP")
        let resumed = try #require(view.entries.first { $0.uid == "session-CTOC-COP-4-part2@plenary" })
        #expect(resumed.status == "cancelled")
        let fifth = try #require(view.entries.first { $0.uid == "session-CTOC-COP-5@plenary" })
        #expect(fifth.revision == 1)
        #expect(fifth.end == day("2010-10-23"))
        #expect(fifth.stamp.count == 16 && fifth.stamp.hasSuffix("Z"), "\(fifth.stamp)")
    }
}

@Suite("iCalendar writer")
struct ICalendarWriterTests {
    static let body = Body.Recorded(
        id: 1, code: "CTOC/COP",
        name: "Conference of the Parties to the United Nations Convention against Transnational Organized Crime",
        timeZone: "Europe/Vienna")

    static func entry(title: String? = "Fourth session", venue: String = "Vienna, Austria") -> CalendarEntry {
        CalendarEntry(
            kind: .session, body: "CTOC/COP", number: 4, part: 1, sessionKind: "regular", title: title, venue: venue,
            timeZone: "Europe/Vienna", format: "in-person", start: day("2008-10-08"), end: day("2008-10-17"),
            status: "closed", revision: 2, stamp: "20081017T180000Z")
    }

    @Test func textValuesAreEscaped() {
        #expect(ICalendar.escape("Vienna, Austria") == "Vienna\\, Austria")
        #expect(ICalendar.escape("a;b\\c") == "a\\;b\\\\c")
        #expect(ICalendar.escape("one\ntwo\r\nthree\rfour") == "one\\ntwo\\nthree\\nfour")
        #expect(ICalendar.escape("tab\there\u{7}bell") == "tab\there bell")
        #expect(ICalendar.escape("Genève — 日本") == "Genève — 日本")
    }

    @Test func linesAreFoldedAtSeventyFiveOctetsWithoutSplittingACharacter() {
        #expect(ICalendar.fold("SUMMARY:short") == ["SUMMARY:short"])
        let exact = "X:" + String(repeating: "a", count: 73)
        #expect(ICalendar.fold(exact) == [exact])
        let long = "DESCRIPTION:" + String(repeating: "é日a", count: 40)
        let folded = ICalendar.fold(long)
        #expect(folded.count > 1)
        #expect(folded.allSatisfy { $0.utf8.count <= 75 })
        #expect(folded.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        #expect(folded.first!.utf8.count >= 73, "fills the line as far as a whole character allows")
        #expect(
            folded.enumerated().map { $0.offset == 0 ? $0.element : String($0.element.dropFirst()) }.joined() == long)
    }

    @Test func aCalendarIsCRLFLinesWithAllDayDatesAndAnExclusiveEnd() {
        let view = CalendarView(body: Self.body, entries: [Self.entry()])
        let text = ICalendar.render(view)
        #expect(text.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"))
        #expect(text.hasSuffix("END:VEVENT\r\nEND:VCALENDAR\r\n"))
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "no bare LF")
        #expect(text.contains("\r\nDTSTART;VALUE=DATE:20081008\r\n"))
        #expect(text.contains("\r\nDTEND;VALUE=DATE:20081018\r\n"))
        #expect(text.contains("\r\nUID:session-CTOC-COP-4@plenary\r\n"))
        #expect(text.contains("\r\nLOCATION:Vienna\\, Austria\r\n"))
        #expect(text.contains("\r\nSEQUENCE:2\r\n"))
        #expect(text.contains("\r\nDTSTAMP:20081017T180000Z\r\n"))
        #expect(text.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 75 })
        #expect(ICalendar.lines(view).map { $0 + "\r\n" }.joined() == text)
    }
}
