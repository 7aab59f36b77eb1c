import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Sessions
import Storage
import Testing

@Suite("Sessions: scheduling, numbering and overlap")
struct SessionSchedulingTests {
    let conference: Conference

    init() async throws {
        conference = try await Conference(bodies: ["CTOC/COP", "CAC/COSP"])
    }

    @Test func aScheduledSessionReadsBackWithTheBodysZone() async throws {
        let plan = SessionPlan(
            number: 4, title: "Fourth session", venue: "Vienna, Austria", format: .hybrid, start: day("2008-10-08"),
            end: day("2008-10-17"))
        let scheduled = try await conference.sessions.schedule(plan, body: "CTOC/COP", by: Conference.clerk)
        let expected = Session(
            body: "CTOC/COP", number: 4, title: "Fourth session", venue: "Vienna, Austria", timeZone: "Europe/Vienna",
            format: .hybrid, start: day("2008-10-08"), end: day("2008-10-17"))
        #expect(scheduled == expected)
        #expect(try await conference.sessions.get(body: "CTOC/COP", number: 4) == expected)
        #expect(try await conference.sessions.list(body: "CTOC/COP") == [expected])
        let zoned = try await conference.sessions.schedule(
            SessionPlan(
                number: 5, venue: "New York", timeZone: "America/New_York", start: day("2010-10-18"),
                end: day("2010-10-22")),
            body: "CTOC/COP", by: Conference.clerk)
        #expect(zoned.timeZone == "America/New_York")
    }

    @Test func malformedFieldsAreRefusedNamingTheKey() async throws {
        func plan(
            number: Int = 1, title: String? = nil, venue: String = "Vienna", zone: String? = nil,
            start: String = "2008-10-08", end: String = "2008-10-17"
        ) -> SessionPlan {
            SessionPlan(number: number, title: title, venue: venue, timeZone: zone, start: day(start), end: day(end))
        }
        let sessions = conference.sessions
        let clerk = Conference.clerk
        await refused(.badArgument, "end: must not be before start=2008-10-08") {
            try await sessions.schedule(plan(end: "2008-10-07"), body: "CTOC/COP", by: clerk)
        }
        await refused(.badArgument, "number:") {
            try await sessions.schedule(plan(number: 0), body: "CTOC/COP", by: clerk)
        }
        await refused(.badArgument, "venue:") {
            try await sessions.schedule(plan(venue: "  "), body: "CTOC/COP", by: clerk)
        }
        await refused(.badArgument, "title:") {
            try await sessions.schedule(plan(title: ""), body: "CTOC/COP", by: clerk)
        }
        await refused(.badArgument, "timezone:", "Mars/Olympus") {
            try await sessions.schedule(plan(zone: "Mars/Olympus"), body: "CTOC/COP", by: clerk)
        }
        await refused(.notFound, "body XYZ: no such body") {
            try await sessions.schedule(plan(), body: "XYZ", by: clerk)
        }
        await refused(.notFound, "number: CTOC/COP has no session 9") {
            try await sessions.get(body: "CTOC/COP", number: 9)
        }
        await refused(.notFound, "body XYZ") { try await sessions.list(body: "XYZ") }
        #expect(try await sessions.list(body: "CTOC/COP").isEmpty, "nothing half-written remains")
        #expect(try conference.audit("session").isEmpty)
    }

    @Test func theDatabaseChecksTheShapeOfARowToo() async throws {
        let connection = try conference.connection()
        let body = try bodyID(connection)
        let insert =
            "INSERT INTO sessions (body_id, number, part, kind, venue, start_date, end_date, format, status) "
            + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        func row(
            number: Int = 1, part: Int = 1, kind: String = "regular", venue: String = "Vienna",
            start: String = "2008-10-08", end: String = "2008-10-17", format: String = "in-person",
            status: String = "scheduled"
        ) -> [any PostgresEncodable] {
            [body, number, part, kind, venue, start, end, format, status]
        }
        databaseRefuses(
            connection, insert, row(end: "2008-10-07"), sqlState: "23514", constraint: "sessions_dates_ordered")
        databaseRefuses(connection, insert, row(kind: "plenary"), sqlState: "23514", constraint: "sessions_kind_valid")
        databaseRefuses(connection, insert, row(format: "zoom"), sqlState: "23514", constraint: "sessions_format_valid")
        databaseRefuses(connection, insert, row(status: "held"), sqlState: "23514", constraint: "sessions_status_valid")
        databaseRefuses(connection, insert, row(venue: " "), sqlState: "23514", constraint: "sessions_venue_not_blank")
        databaseRefuses(
            connection, insert, row(part: 2, kind: "regular"), sqlState: "23514",
            constraint: "sessions_resumed_is_later_part")
        databaseRefuses(
            connection, insert, row(part: 2, kind: "resumed"), sqlState: "23503", constraint: "sessions_resumes_fkey")
        try connection.query(insert, row())
        databaseRefuses(
            connection, insert, row(start: "2009-10-08", end: "2009-10-09"), sqlState: "PL551",
            constraint: "sessions_number_key")
        try connection.simpleQuery("ALTER TABLE sessions DISABLE TRIGGER sessions_10_rules")
        databaseRefuses(
            connection,
            insert.replacingOccurrences(of: "format, status)", with: "format, status, timezone)")
                .replacingOccurrences(of: "$9)", with: "$9, 'UTC')"),
            row(start: "2009-10-08", end: "2009-10-09"), sqlState: "23505", constraint: "sessions_number_key")
        try connection.simpleQuery("ALTER TABLE sessions ENABLE TRIGGER sessions_10_rules")
        databaseRefuses(connection, "DELETE FROM sessions", sqlState: "PL551", constraint: "sessions_kept")
    }

    @Test func aNumberIsUsedOncePerBodyButEachBodyHasItsOwn() async throws {
        try await conference.schedule(1, "2004-06-28", "2004-07-08")
        await refused(.conflict, "number: CTOC/COP already has session 1") {
            try await conference.schedule(1, "2005-06-28", "2005-07-08")
        }
        // Another body's sessions are its own affair: same number, same days.
        let other = try await conference.schedule(1, "2004-06-28", "2004-07-08", body: "CAC/COSP")
        #expect(other.body == "CAC/COSP")
    }

    @Test func overlappingSessionsAreRefusedNamingTheOtherOne() async throws {
        try await conference.schedule(4, "2008-10-08", "2008-10-17")
        await refused(
            .conflict,
            "start: session 5 of CTOC/COP (2008-10-17 to 2008-10-20) would overlap session 4 "
                + "(2008-10-08 to 2008-10-17, scheduled)"
        ) {
            try await conference.schedule(5, "2008-10-17", "2008-10-20")
        }
        await refused(.conflict, "would overlap session 4") {
            try await conference.schedule(3, "2008-10-01", "2008-10-08")
        }
        // The day after the last day is free: the ranges are inclusive, and only days shared count.
        try await conference.schedule(5, "2008-10-18", "2008-10-20")
        #expect(try await conference.sessions.list(body: "CTOC/COP").map(\.number) == [4, 5])
    }

    @Test func theDatabaseRefusesAnOverlapThatBypassesTheService() async throws {
        try await conference.schedule(4, "2008-10-08", "2008-10-17")
        let connection = try conference.connection()
        let body = try bodyID(connection)
        let insert =
            "INSERT INTO sessions (body_id, number, venue, timezone, start_date, end_date) "
            + "VALUES ($1, $2, 'Vienna', 'UTC', $3, $4)"
        let byTrigger = databaseRefuses(
            connection, insert, [body, 5, "2008-10-15", "2008-10-20"], sqlState: "PL551", constraint: "sessions_overlap"
        )
        #expect(byTrigger?.message.contains("would overlap session 4") == true)
        // With the trigger switched off by a superuser, the exclusion constraint still holds the rule.
        try connection.simpleQuery("ALTER TABLE sessions DISABLE TRIGGER sessions_10_rules")
        databaseRefuses(
            connection, insert, [body, 5, "2008-10-15", "2008-10-20"], sqlState: "23P01",
            constraint: "sessions_no_overlap")
        try connection.simpleQuery("ALTER TABLE sessions ENABLE TRIGGER sessions_10_rules")
    }

    @Test func numbersFollowDates() async throws {
        try await conference.schedule(4, "2008-10-08", "2008-10-17")
        await refused(
            .conflict,
            "number: session 5 of CTOC/COP cannot start on 2008-01-10, before session 4 "
                + "(which starts on 2008-10-08); sessions are numbered in date order"
        ) {
            try await conference.schedule(5, "2008-01-10", "2008-01-19")
        }
        await refused(.conflict, "number: session 3 of CTOC/COP cannot start on 2009-01-10, after session 4") {
            try await conference.schedule(3, "2009-01-10", "2009-01-19")
        }
        // Gaps in the numbering are allowed (history loaded later fills them), as long as the order holds.
        try await conference.schedule(2, "2005-10-10", "2005-10-21")
        try await conference.schedule(7, "2014-10-06", "2014-10-10")
        await refused(.conflict, "number: session 6 of CTOC/COP cannot start on 2015-01-01, after session 7") {
            try await conference.schedule(6, "2015-01-01", "2015-01-05")
        }
        try await conference.schedule(6, "2012-10-15", "2012-10-19")
        // A reschedule may not break the order either.
        await refused(.conflict, "number: session 6 of CTOC/COP cannot start on 2015-10-15, after session 7") {
            try await conference.sessions.reschedule(
                body: "CTOC/COP", number: 6, to: SessionChange(start: day("2015-10-15"), end: day("2015-10-19")),
                by: Conference.clerk)
        }
        // The database holds the rule whoever writes.
        let connection = try conference.connection()
        databaseRefuses(
            connection, "UPDATE sessions SET start_date = '2005-01-01', end_date = '2005-01-05' WHERE number = 4",
            sqlState: "PL551",
            constraint: "sessions_number_order")
        #expect(try await conference.sessions.list(body: "CTOC/COP").map(\.number) == [2, 4, 6, 7])
    }

    @Test func aCancelledSessionFreesItsDaysButKeepsItsNumber() async throws {
        try await conference.schedule(4, "2008-10-08", "2008-10-17")
        let cancelled = try await conference.sessions.cancel(
            body: "CTOC/COP", number: 4, reason: "no quorum", by: Conference.clerk)
        #expect(cancelled.status == .cancelled)
        #expect(cancelled.statusReason == "no quorum")
        try await conference.schedule(5, "2008-10-10", "2008-10-12")
        // The trigger's refusal (Schema/0013) passes before the service's general one, and says how the number is
        // given back.
        await refused(.conflict, "number: session 4 of CTOC/COP was cancelled and keeps its number; if it was") {
            try await conference.schedule(4, "2009-10-10", "2009-10-12")
        }
        #expect(try await conference.sessions.list(body: "CTOC/COP", status: .cancelled).map(\.number) == [4])
    }

    @Test func aResumedSessionIsTheNextPartOfItsNumber() async throws {
        try await conference.schedule(4, "2008-10-08", "2008-10-17")
        try await conference.schedule(5, "2010-10-18", "2010-10-22")
        let resumed = try await conference.schedule(4, "2009-02-02", "2009-02-03", kind: .resumed)
        #expect(resumed.part == 2)
        #expect(resumed.kind == .resumed)
        #expect(resumed.label == "session 4 (part 2)")
        let third = try await conference.schedule(4, "2009-06-02", "2009-06-03", kind: .resumed)
        #expect(third.part == 3)
        #expect(try await conference.sessions.parts(body: "CTOC/COP", number: 4).map(\.part) == [1, 2, 3])
        #expect(try await conference.sessions.get(body: "CTOC/COP", number: 4).part == 3, "the latest part")
        #expect(try await conference.sessions.get(body: "CTOC/COP", number: 4, part: 1).start == day("2008-10-08"))
        await refused(.notFound, "part: session 4 of CTOC/COP has no part 7") {
            try await conference.sessions.get(body: "CTOC/COP", number: 4, part: 7)
        }
        await refused(.notFound, "number: CTOC/COP has no session 9 to resume") {
            try await conference.schedule(9, "2011-01-01", "2011-01-02", kind: .resumed)
        }
        await refused(.conflict, "start: session 4 (part 4) of CTOC/COP cannot start on 2009-04-01; part 3 starts") {
            try await conference.schedule(4, "2009-04-01", "2009-04-02", kind: .resumed)
        }
        // Parts of a session do not share days with each other either.
        await refused(.conflict, "would overlap session 4 (part 3)") {
            try await conference.schedule(4, "2009-06-03", "2009-06-04", kind: .resumed)
        }
    }

    @Test func aCancelledPartCannotBeResumed() async throws {
        try await conference.schedule(4, "2008-10-08", "2008-10-17")
        try await conference.sessions.cancel(body: "CTOC/COP", number: 4, by: Conference.clerk)
        await refused(.conflict, "kind: session 4 of CTOC/COP was cancelled and cannot be resumed") {
            try await conference.schedule(4, "2009-02-02", "2009-02-03", kind: .resumed)
        }
    }

    @Test func listsFilterByWindowAndStatus() async throws {
        try await conference.schedule(1, "2004-06-28", "2004-07-08")
        try await conference.schedule(2, "2005-10-10", "2005-10-21")
        try await conference.schedule(3, "2006-10-09", "2006-10-18")
        try await conference.sessions.open(body: "CTOC/COP", number: 1, by: Conference.clerk)
        let list = conference.sessions
        #expect(try await list.list(body: "CTOC/COP", from: day("2004-07-08")).map(\.number) == [1, 2, 3])
        #expect(try await list.list(body: "CTOC/COP", from: day("2004-07-09")).map(\.number) == [2, 3])
        #expect(try await list.list(body: "CTOC/COP", to: day("2005-10-10")).map(\.number) == [1, 2])
        #expect(
            try await list.list(body: "CTOC/COP", from: day("2005-01-01"), to: day("2005-12-31")).map(\.number) == [2])
        #expect(try await list.list(body: "CTOC/COP", status: .open).map(\.number) == [1])
        #expect(try await list.list(body: "CAC/COSP").isEmpty)
    }
}
