import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Sessions
import Storage
import Testing
import WorkingGroups

/// History entered as history (issue 16): a session or meeting that has met is entered in one command, and a meeting
/// whose days have passed reads as held. "Today" is the database server's date: the future dates below are counted
/// from it, so the tests read the same next year.
@Suite("History: sessions and meetings that have met")
struct HistoryTests {
    let conference: Conference
    /// The database server's date.
    let today: CalendarDate

    init() async throws {
        conference = try await Conference()
        today = try conference.connection().queryOne("SELECT current_date AS today")!.decode("today")
        _ = try await conference.groups.establish(
            WorkingGroupCharter(code: "WG.2", name: "Technical assistance"), body: "CTOC/COP", by: Conference.clerk)
    }

    func first(_ number: Int = 1, start: String = "2004-06-28", end: String = "2004-07-08") -> SessionPlan {
        SessionPlan(number: number, venue: "Vienna, Austria", start: day(start), end: day(end))
    }

    @Test func aSessionThatHasMetIsEnteredClosedInOneCommandWithItsAuditRow() async throws {
        let recorded = try await conference.sessions.record(first(), body: "CTOC/COP", by: Conference.clerk)
        #expect(recorded.status == .closed)
        #expect(try await conference.sessions.get(body: "CTOC/COP", number: 1) == recorded)
        let audit = try conference.audit("session")
        #expect(audit.map(\.operation) == ["record"])
        #expect(audit.first?.entityID == "CTOC/COP/1")
        let row = try conference.connection().queryOne(
            "SELECT recorded, status FROM sessions WHERE number = 1")!
        #expect(try row.decode("recorded", as: Bool.self))
        // The rest of the history follows in order; numbers still follow dates.
        try await conference.sessions.record(
            first(2, start: "2005-10-10", end: "2005-10-21"), body: "CTOC/COP", by: Conference.clerk)
        await refused(.conflict) {
            try await conference.sessions.record(
                first(3, start: "2003-10-01", end: "2003-10-02"), body: "CTOC/COP", by: Conference.clerk)
        }
    }

    @Test func aSessionThatHasNotEndedIsScheduledNotRecorded() async throws {
        for end in [today, today.adding(days: 30)] {
            await refused(.conflict, "end: \(end) is not past", "today is \(today)") {
                try await conference.sessions.record(
                    SessionPlan(number: 1, venue: "Vienna", start: today.adding(days: -3), end: end),
                    body: "CTOC/COP", by: Conference.clerk)
            }
        }
        #expect(try await conference.sessions.list(body: "CTOC/COP").isEmpty)
        #expect(try conference.audit("session").isEmpty)
        // The database holds the rule too, whoever writes.
        let connection = try conference.connection()
        let body = try bodyID(connection)
        let notPast = #expect(throws: PostgresError.self) {
            try connection.query(
                """
                INSERT INTO sessions (body_id, number, venue, timezone, start_date, end_date, status, recorded)
                VALUES ($1, 1, 'Vienna', 'Europe/Vienna', $2, $3, 'closed', true)
                """,
                [body, today.adding(days: -3), today])
        }
        #expect(notPast?.constraint == "sessions_recorded_has_met")
        // A recorded session is closed.
        let notClosed = #expect(throws: PostgresError.self) {
            try connection.query(
                """
                INSERT INTO sessions (body_id, number, venue, timezone, start_date, end_date, status, recorded)
                VALUES ($1, 1, 'Vienna', 'Europe/Vienna', '2004-06-28', '2004-07-08', 'scheduled', true)
                """,
                [body])
        }
        #expect(notClosed?.constraint == "sessions_recorded_is_closed")
    }

    @Test func aMeetingThatHasMetIsEnteredAndReadsAsHeld() async throws {
        let meeting = try await conference.meetings.record(
            MeetingPlan(start: day("2007-10-03"), end: day("2007-10-05"), venue: "Vienna, Austria"),
            body: "CTOC/COP", workingGroup: "WG.2", by: Conference.clerk)
        #expect(meeting.number == 1)
        #expect(meeting.status == .held)
        #expect(try conference.audit("meeting").map(\.operation) == ["record"])
        // Stored as scheduled: held is read, never written.
        let stored = try conference.connection().queryOne(
            "SELECT status, recorded FROM working_group_meetings WHERE number = 1")!
        #expect(try stored.decode("status", as: String.self) == "scheduled")
        #expect(try stored.decode("recorded", as: Bool.self))
        await refused(.conflict, "end: \(today) is not past") {
            try await conference.meetings.record(
                MeetingPlan(start: today.adding(days: -1), end: today, venue: "Vienna, Austria"),
                body: "CTOC/COP", workingGroup: "WG.2", by: Conference.clerk)
        }
    }

    @Test func aMeetingReadsAsHeldOnceItsDaysHavePassedUnlessCancelled() async throws {
        func schedule(_ start: CalendarDate, _ end: CalendarDate) async throws -> Meeting {
            try await conference.meetings.schedule(
                MeetingPlan(start: start, end: end, venue: "Vienna, Austria"), body: "CTOC/COP", workingGroup: "WG.2",
                by: Conference.clerk)
        }
        let past = try await schedule(day("2008-01-10"), day("2008-01-11"))
        let cancelled = try await schedule(day("2009-01-10"), day("2009-01-11"))
        try await conference.meetings.cancel(
            body: "CTOC/COP", workingGroup: "WG.2", number: cancelled.number, reason: "no quorum",
            by: Conference.clerk)
        let lastDayToday = try await schedule(today.adding(days: -1), today)
        let coming = try await schedule(today.adding(days: 30), today.adding(days: 31))
        #expect(past.status == .held)
        let statuses = try await conference.meetings.list(body: "CTOC/COP").map { ($0.number, $0.status) }
        #expect(statuses.map(\.1) == [.held, .cancelled, .scheduled, .scheduled])
        #expect(statuses.map(\.0) == [past.number, cancelled.number, lastDayToday.number, coming.number])
    }
}
