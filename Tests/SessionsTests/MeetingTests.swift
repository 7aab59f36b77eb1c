import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Sessions
import Storage
import Testing
import WorkingGroups

@Suite("Working group meetings")
struct MeetingTests {
    let conference: Conference

    init() async throws {
        conference = try await Conference()
        try await conference.schedule(4, "2008-10-08", "2008-10-17")
        for (code, name) in [("WG.2", "Technical assistance"), ("WG.4", "Trafficking in persons")] {
            _ = try await conference.groups.establish(
                WorkingGroupCharter(code: code, name: name), body: "CTOC/COP", by: Conference.clerk)
        }
    }

    @discardableResult
    func meet(
        _ group: String, _ start: String, _ end: String, number: Int? = nil, with session: Int? = nil
    ) async throws -> Meeting {
        try await conference.meetings.schedule(
            MeetingPlan(
                number: number, start: day(start), end: day(end), venue: "Vienna, Austria", withSession: session),
            body: "CTOC/COP", workingGroup: group, by: Conference.clerk)
    }

    @Test func meetingsAreNumberedPerGroup() async throws {
        let first = try await meet("WG.2", "2007-10-03", "2007-10-05")
        #expect(
            first
                == Meeting(
                    body: "CTOC/COP", workingGroup: "WG.2", number: 1, start: day("2007-10-03"), end: day("2007-10-05"),
                    venue: "Vienna, Austria", timeZone: "Europe/Vienna", status: .held),
            "a meeting whose days have passed reads as held")
        #expect(try await meet("WG.2", "2009-09-30", "2009-10-02").number == 2)
        #expect(try await meet("WG.4", "2009-04-14", "2009-04-15").number == 1, "each group counts its own")
        #expect(try await meet("WG.2", "2011-10-19", "2011-10-21", number: 5).number == 5)
        #expect(try await meet("WG.2", "2012-10-19", "2012-10-21").number == 6)
        await refused(.conflict, "number: CTOC/COP/WG.2 already has meeting 5") {
            try await meet("WG.2", "2013-10-19", "2013-10-21", number: 5)
        }
        await refused(
            .conflict, "number: meeting 4 of CTOC/COP/WG.2 cannot start on 2014-01-01; meeting 5 starts on 2011-10-19"
        ) {
            try await meet("WG.2", "2014-01-01", "2014-01-02", number: 4)
        }
        #expect(
            try await conference.meetings.get(body: "CTOC/COP", workingGroup: "WG.2", number: 2).start
                == day("2009-09-30"))
        #expect(
            try await conference.meetings.list(body: "CTOC/COP").map { "\($0.workingGroup)/\($0.number)" }
                == ["WG.2/1", "WG.4/1", "WG.2/2", "WG.2/5", "WG.2/6"])
        #expect(try await conference.meetings.list(body: "CTOC/COP", workingGroup: "WG.4").count == 1)
        #expect(
            try await conference.meetings.list(body: "CTOC/COP", from: day("2010-01-01"), to: day("2011-12-31"))
                .map(\.number) == [5])
        await refused(.notFound, "wg: CTOC/COP has no working group WG.9") {
            try await meet("WG.9", "2020-01-01", "2020-01-02")
        }
        await refused(.notFound, "number: CTOC/COP/WG.2 has no meeting 3") {
            try await conference.meetings.get(body: "CTOC/COP", workingGroup: "WG.2", number: 3)
        }
        await refused(.badArgument, "end: must not be before start=2020-01-02") {
            try await meet("WG.2", "2020-01-02", "2020-01-01")
        }
    }

    @Test func aGroupsMeetingsNeverOverlapButTwoGroupsMayMeetAtOnce() async throws {
        try await meet("WG.2", "2009-09-30", "2009-10-02")
        await refused(
            .conflict,
            "start: meeting 2 of CTOC/COP/WG.2 (2009-10-02 to 2009-10-03) would overlap meeting 1 "
                + "(2009-09-30 to 2009-10-02)"
        ) {
            try await meet("WG.2", "2009-10-02", "2009-10-03")
        }
        try await meet("WG.4", "2009-10-01", "2009-10-02")
        // With its trigger off, the exclusion constraint still keeps a group's meetings apart.
        let connection = try conference.connection()
        try connection.simpleQuery("ALTER TABLE working_group_meetings DISABLE TRIGGER working_group_meetings_10_rules")
        databaseRefuses(
            connection,
            """
            INSERT INTO working_group_meetings
                (working_group_id, body_id, number, start_date, end_date, venue, timezone)
            SELECT id, body_id, 9, '2009-10-01', '2009-10-01', 'Vienna', 'UTC' FROM working_groups WHERE code = 'WG.2'
            """,
            sqlState: SQLState.exclusionViolation, constraint: "working_group_meetings_no_overlap")
        try connection.simpleQuery("ALTER TABLE working_group_meetings ENABLE TRIGGER working_group_meetings_10_rules")
    }

    @Test func aMeetingSharesDaysWithASessionOnlyInConjunctionWithIt() async throws {
        await refused(
            .conflict,
            "start: meeting 1 of CTOC/COP/WG.4 (2008-10-09 to 2008-10-10) would overlap session 4 of "
                + "CTOC/COP (2008-10-08 to 2008-10-17); only a meeting held in conjunction with that session "
                + "(with-session=4) may"
        ) {
            try await meet("WG.4", "2008-10-09", "2008-10-10")
        }
        let held = try await meet("WG.4", "2008-10-09", "2008-10-10", with: 4)
        #expect(held.withSession == 4)
        // In conjunction with session 4 (within its week after it, Schema/0013) is no licence to overlap session 5.
        try await conference.schedule(5, "2008-10-20", "2008-10-22")
        await refused(.conflict, "would overlap session 5 of CTOC/COP") {
            try await meet("WG.2", "2008-10-19", "2008-10-20", with: 4)
        }
        await refused(.notFound, "with-session: CTOC/COP has no session 9") {
            try await meet("WG.2", "2010-10-19", "2010-10-20", with: 9)
        }
        // Nor may a session move onto a meeting held apart from it.
        try await meet("WG.2", "2009-03-02", "2009-03-03")
        await refused(
            .conflict,
            "start: session 5 of CTOC/COP (2009-03-01 to 2009-03-05) would overlap meeting 1 of "
                + "CTOC/COP/WG.2 (2009-03-02 to 2009-03-03), which is not held in conjunction with it"
        ) {
            try await conference.sessions.reschedule(
                body: "CTOC/COP", number: 5, to: SessionChange(start: day("2009-03-01"), end: day("2009-03-05")),
                by: Conference.clerk)
        }
        // Session 4 may grow over the meeting held in conjunction with it.
        let extended = try await conference.sessions.reschedule(
            body: "CTOC/COP", number: 4, to: SessionChange(end: day("2008-10-18")), by: Conference.clerk)
        #expect(extended.end == day("2008-10-18"))
        // The rule is the database's too.
        databaseRefuses(
            try conference.connection(),
            "UPDATE working_group_meetings SET with_session_id = NULL WHERE number = 1 "
                + "AND working_group_id = (SELECT id FROM working_groups WHERE code = 'WG.4')",
            sqlState: "PL551", constraint: "working_group_meetings_session_overlap")
    }

    @Test func rescheduleAndCancel() async throws {
        try await meet("WG.2", "2009-09-30", "2009-10-02")
        let moved = try await conference.meetings.reschedule(
            body: "CTOC/COP", workingGroup: "WG.2", number: 1,
            to: MeetingChange(start: day("2009-10-05"), end: day("2009-10-07"), venue: "Vienna International Centre"),
            by: Conference.clerk)
        #expect(moved.start == day("2009-10-05"))
        #expect(moved.venue == "Vienna International Centre")
        await refused(.conflict, "would overlap session 4") {
            try await conference.meetings.reschedule(
                body: "CTOC/COP", workingGroup: "WG.2", number: 1,
                to: MeetingChange(start: day("2008-10-10"), end: day("2008-10-11")), by: Conference.clerk)
        }
        let cancelled = try await conference.meetings.cancel(
            body: "CTOC/COP", workingGroup: "WG.2", number: 1, reason: "funds", by: Conference.clerk)
        #expect(cancelled.status == .cancelled)
        #expect(cancelled.statusReason == "funds")
        await refused(
            .conflict, "status: meeting 1 of CTOC/COP/WG.2 is cancelled; cancelled meetings cannot be rescheduled"
        ) {
            try await conference.meetings.reschedule(
                body: "CTOC/COP", workingGroup: "WG.2", number: 1, to: MeetingChange(venue: "Geneva"),
                by: Conference.clerk)
        }
        await refused(.conflict, "is already cancelled") {
            try await conference.meetings.cancel(
                body: "CTOC/COP", workingGroup: "WG.2", number: 1, by: Conference.clerk)
        }
        databaseRefuses(
            try conference.connection(), "UPDATE working_group_meetings SET status = 'scheduled'", sqlState: "PL551",
            constraint: "working_group_meetings_cancelled")
        // Its days are free again; its number is not.
        #expect(try await meet("WG.2", "2009-10-05", "2009-10-07").number == 2)
        #expect(try conference.audit("meeting").map(\.operation) == ["schedule", "reschedule", "cancel", "schedule"])
    }

    @Test func aGroupMeetsOnlyBetweenEstablishmentAndDissolution() async throws {
        _ = try await conference.groups.establish(
            WorkingGroupCharter(code: "WG.7", name: "Firearms", establishedOn: day("2010-10-22")), body: "CTOC/COP",
            by: Conference.clerk)
        await refused(.conflict, "the group was established on 2010-10-22") {
            try await meet("WG.7", "2010-01-01", "2010-01-02")
        }
        try await meet("WG.7", "2011-05-03", "2011-05-04")
        try await meet("WG.7", "2013-05-03", "2013-05-04")
        await refused(.conflict, "date: CTOC/COP/WG.7 has meeting 2 on 2013-05-03, after 2012-12-31") {
            try await conference.groups.dissolve(
                body: "CTOC/COP", code: "WG.7", on: day("2012-12-31"), actor: Conference.clerk)
        }
        try await conference.meetings.cancel(body: "CTOC/COP", workingGroup: "WG.7", number: 2, by: Conference.clerk)
        _ = try await conference.groups.dissolve(
            body: "CTOC/COP", code: "WG.7", on: day("2012-12-31"), actor: Conference.clerk)
        await refused(.conflict, "the group was dissolved on 2012-12-31") {
            try await meet("WG.7", "2014-05-03", "2014-05-04")
        }
        // Entering history is still possible: a meeting before the dissolution.
        #expect(try await meet("WG.7", "2012-05-03", "2012-05-04").number == 3)
    }

    @Test func ofConcurrentOverlappingMeetingsOfOneGroupExactlyOneWins() async throws {
        let conninfo = conference.conninfo
        let outcomes = await withTaskGroup(of: Result<Meeting, DomainError>.self) { group in
            for offset in 0..<6 {
                group.addTask {
                    let database = Database(configuration: ConnectionPool.Configuration(conninfo: conninfo, size: 1))
                    defer { database.shutdown() }
                    do throws(DomainError) {
                        return .success(
                            try await MeetingRegistry(database: database).schedule(
                                MeetingPlan(
                                    start: day("2009-09-0\(offset + 1)"), end: day("2009-09-10"), venue: "Vienna"),
                                body: "CTOC/COP", workingGroup: "WG.2", by: Conference.clerk))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            var all: [Result<Meeting, DomainError>] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let won = outcomes.compactMap { try? $0.get() }
        #expect(won.count == 1)
        #expect(won.first?.number == 1, "the next number was taken under the calendar lock")
        for case .failure(let error) in outcomes {
            #expect(error.kind == .conflict)
            #expect(error.message.contains("would overlap meeting 1"), "\(error.message)")
        }
    }
}
