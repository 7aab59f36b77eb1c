import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Sessions
import Storage
import Testing

@Suite("Sessions: status transitions and rescheduling")
struct SessionStatusTests {
    let conference: Conference

    init() async throws {
        conference = try await Conference()
    }

    /// Brings a new session (number `number`, in year 2000 + number) to `status` along allowed moves.
    func session(_ number: Int, in status: SessionStatus) async throws -> Session {
        let year = 2000 + number
        var session = try await conference.schedule(number, "\(year)-03-01", "\(year)-03-05")
        let moves: [SessionStatus] =
            switch status {
            case .scheduled: []
            case .open: [.open]
            case .closed: [.open, .closed]
            case .postponed: [.postponed]
            case .cancelled: [.cancelled]
            }
        for move in moves {
            session = try await conference.sessions.move(
                body: "CTOC/COP", number: number, to: move, reason: "reached \(move)", by: Conference.clerk)
        }
        #expect(session.status == status)
        return session
    }

    static let allowed: Set<[SessionStatus]> = [
        [.scheduled, .open], [.open, .closed], [.scheduled, .postponed], [.scheduled, .cancelled],
        [.postponed, .cancelled],
    ]

    @Test func everyMoveIsAllowedOrRefusedByTheTable() async throws {
        let targets: [SessionStatus] = [.open, .closed, .postponed, .cancelled]
        var number = 0
        for from in SessionStatus.allCases {
            for to in targets {
                number += 1
                let before = try await session(number, in: from)
                if Self.allowed.contains([from, to]) {
                    let after = try await conference.sessions.move(
                        body: "CTOC/COP", number: number, to: to, reason: "because", by: Conference.clerk)
                    #expect(after.status == to, "\(from) → \(to)")
                    #expect(after.statusReason == "because")
                } else {
                    await refused(.conflict, "status: session \(number) of CTOC/COP is \(from.rawValue); ") {
                        try await conference.sessions.move(
                            body: "CTOC/COP", number: number, to: to, by: Conference.clerk)
                    }
                    #expect(try await conference.sessions.get(body: "CTOC/COP", number: number) == before)
                }
            }
        }
    }

    @Test func theDatabaseRefusesForbiddenMovesWithTheSameWords() async throws {
        let connection = try conference.connection()
        let cases: [(SessionStatus, SessionStatus, String)] = [
            (.closed, .open, "only a scheduled session can open"),
            (.scheduled, .closed, "only an open session can close"),
            (.open, .postponed, "only a scheduled session can be postponed"),
            (.open, .cancelled, "only a scheduled or postponed session can be cancelled"),
            (.cancelled, .scheduled, "only a postponed session returns to scheduled"),
            (.closed, .scheduled, "only a postponed session returns to scheduled"),
        ]
        for (index, (from, to, words)) in cases.enumerated() {
            _ = try await session(index + 1, in: from)
            #expect(from.refusal(movingTo: to)?.hasPrefix(words) == true, "Swift and SQL say the same")
            let error = databaseRefuses(
                connection, "UPDATE sessions SET status = $1 WHERE number = $2", [to.rawValue, index + 1],
                sqlState: "PL551", constraint: "sessions_status_transition")
            #expect(
                error?.message.hasPrefix("status: session \(index + 1) of CTOC/COP is \(from.rawValue); \(words)")
                    == true, "\(error?.message ?? "")")
        }
    }

    @Test func closedAndCancelledSessionsCannotBeRescheduled() async throws {
        for (number, status) in [(1, SessionStatus.closed), (2, .cancelled)] {
            _ = try await session(number, in: status)
            await refused(
                .conflict, "status: session \(number) of CTOC/COP is \(status.rawValue); closed and cancelled"
            ) {
                try await conference.sessions.reschedule(
                    body: "CTOC/COP", number: number, to: SessionChange(venue: "Geneva"), by: Conference.clerk)
            }
            databaseRefuses(
                try conference.connection(), "UPDATE sessions SET venue = 'Geneva' WHERE number = $1", [number],
                sqlState: "PL551", constraint: "sessions_reschedule")
        }
    }

    @Test func anOpenSessionMayBeExtendedButNotMoved() async throws {
        _ = try await session(1, in: .open)
        let extended = try await conference.sessions.reschedule(
            body: "CTOC/COP", number: 1, to: SessionChange(end: day("2001-03-06")), by: Conference.clerk)
        #expect(extended.end == day("2001-03-06"))
        #expect(extended.status == .open)
        await refused(.conflict, "start: session 1 of CTOC/COP is open since 2001-03-01; only its end can move") {
            try await conference.sessions.reschedule(
                body: "CTOC/COP", number: 1, to: SessionChange(start: day("2001-03-02")), by: Conference.clerk)
        }
    }

    @Test func aPostponedSessionIsScheduledAgainByNewDates() async throws {
        let postponed = try await session(1, in: .postponed)
        #expect(postponed.statusReason == "reached postponed")
        let moved = try await conference.sessions.reschedule(
            body: "CTOC/COP", number: 1, to: SessionChange(venue: "Vienna International Centre"), by: Conference.clerk)
        #expect(moved.status == .postponed, "a new venue alone does not settle a postponement")
        let rescheduled = try await conference.sessions.reschedule(
            body: "CTOC/COP", number: 1, to: SessionChange(start: day("2001-09-03"), end: day("2001-09-07")),
            by: Conference.clerk)
        #expect(rescheduled.status == .scheduled)
        #expect(rescheduled.statusReason == nil)
        #expect(rescheduled.venue == "Vienna International Centre")
        // The postponement and its reason stay in the audit trail.
        let trail = try conference.audit("session")
        #expect(trail.map(\.operation) == ["schedule", "postpone", "reschedule", "reschedule"])
        #expect(trail[1].after?.contains("\"statusReason\": \"reached postponed\"") == true)
        // The database does not let a postponed session slip back to scheduled without new dates.
        _ = try await session(2, in: .postponed)
        databaseRefuses(
            try conference.connection(), "UPDATE sessions SET status = 'scheduled' WHERE number = 2",
            sqlState: "PL551", constraint: "sessions_status_transition")
    }

    @Test func rescheduleChecksWhatItIsGiven() async throws {
        _ = try await session(1, in: .scheduled)
        let sessions = conference.sessions
        await refused(.badArgument, "start: give at least one of") {
            try await sessions.reschedule(body: "CTOC/COP", number: 1, to: SessionChange(), by: Conference.clerk)
        }
        await refused(.badArgument, "end: must not be before start=2001-03-01") {
            try await sessions.reschedule(
                body: "CTOC/COP", number: 1, to: SessionChange(end: day("2001-02-01")), by: Conference.clerk)
        }
        await refused(.badArgument, "timezone:") {
            try await sessions.reschedule(
                body: "CTOC/COP", number: 1, to: SessionChange(timeZone: "Vienna"), by: Conference.clerk)
        }
        await refused(.notFound, "number: CTOC/COP has no session 2") {
            try await sessions.reschedule(
                body: "CTOC/COP", number: 2, to: SessionChange(venue: "Geneva"), by: Conference.clerk)
        }
        let moved = try await sessions.reschedule(
            body: "CTOC/COP", number: 1,
            to: SessionChange(
                start: day("2001-04-02"), end: day("2001-04-06"), venue: "Geneva",
                timeZone: "Europe/Zurich", format: .online),
            by: Conference.clerk)
        #expect(
            moved
                == Session(
                    body: "CTOC/COP", number: 1, venue: "Geneva", timeZone: "Europe/Zurich", format: .online,
                    start: day("2001-04-02"), end: day("2001-04-06")))
        let revision = try conference.connection().queryOne("SELECT revision FROM sessions WHERE number = 1")
        #expect(try revision?.decode("revision", as: Int.self) == 1, "the iCalendar SEQUENCE moved on")
    }

    @Test func everyChangeIsAuditedWithBeforeAndAfterAndARefusalWritesNothing() async throws {
        _ = try await session(1, in: .scheduled)
        try await conference.sessions.open(body: "CTOC/COP", number: 1, by: Conference.clerk)
        try await conference.sessions.close(
            body: "CTOC/COP", number: 1, reason: "agenda exhausted", by: Conference.clerk)
        await refused(.conflict) {
            try await conference.sessions.open(body: "CTOC/COP", number: 1, by: Conference.clerk)
        }
        let trail = try conference.audit("session")
        #expect(trail.map(\.operation) == ["schedule", "open", "close"])
        #expect(trail.allSatisfy { $0.entityID == "CTOC/COP/1" && $0.actor == "clerk" })
        #expect(trail[0].before == nil)
        #expect(trail[2].before?.contains("\"status\": \"open\"") == true)
        #expect(trail[2].after?.contains("\"status\": \"closed\"") == true)
        #expect(trail[2].after?.contains("\"statusReason\": \"agenda exhausted\"") == true)
        #expect(
            try AuditLog.verify(try AuditChain.sealed(try conference.connection())) == .intact(rows: 4),
            "the body's row and three")
    }
}
