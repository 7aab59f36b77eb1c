import Bodies
import Foundation
import PlenaryCore
import Postgres
import Storage

/// One event of a body's calendar: a session (or one part of a resumed session) or a working group's meeting.
public struct CalendarEntry: Sendable, Hashable {
    /// Which kind of event.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// A session of the body.
        case session
        /// A meeting of one of the body's working groups.
        case meeting
    }

    /// Session or meeting.
    public var kind: Kind
    /// The body's code.
    public var body: String
    /// The session's number, or the meeting's number within its group.
    public var number: Int
    /// The part of a resumed session; 1 otherwise and for meetings.
    public var part: Int
    /// The working group's code (`WG.2`), for a meeting.
    public var workingGroup: String?
    /// The working group's current name, for a meeting.
    public var workingGroupName: String?
    /// The session a meeting is held in conjunction with.
    public var withSession: Int?
    /// The session's kind (`regular`, `special`, `resumed`); nil for a meeting.
    public var sessionKind: String?
    /// The session's title; nil for a meeting and for an untitled session.
    public var title: String?
    /// Where it is held.
    public var venue: String
    /// The IANA zone it is timed in.
    public var timeZone: String
    /// In person, hybrid or online (sessions only).
    public var format: String?
    /// The first day.
    public var start: CalendarDate
    /// The last day (inclusive).
    public var end: CalendarDate
    /// The status (`scheduled`, `open`, `closed`, `postponed`, `cancelled`; `held` for a meeting whose days have
    /// passed).
    public var status: String
    /// How many times its dates, venue or zone changed: the iCalendar SEQUENCE.
    public var revision: Int
    /// When its row last changed, UTC, in iCalendar form (`20081008T093000Z`): the DTSTAMP.
    public var stamp: String

    /// Creates an entry.
    public init(
        kind: Kind, body: String, number: Int, part: Int = 1, workingGroup: String? = nil,
        workingGroupName: String? = nil, withSession: Int? = nil, sessionKind: String? = nil, title: String? = nil,
        venue: String, timeZone: String, format: String? = nil, start: CalendarDate, end: CalendarDate,
        status: String, revision: Int = 0, stamp: String
    ) {
        self.kind = kind
        self.body = body
        self.number = number
        self.part = part
        self.workingGroup = workingGroup
        self.workingGroupName = workingGroupName
        self.withSession = withSession
        self.sessionKind = sessionKind
        self.title = title
        self.venue = venue
        self.timeZone = timeZone
        self.format = format
        self.start = start
        self.end = end
        self.status = status
        self.revision = revision
        self.stamp = stamp
    }

    /// A stable identifier, the same in every export: `session-CTOC-COP-4@plenary`,
    /// `session-CTOC-COP-4-part2@plenary`, `meeting-CTOC-COP-WG.2-1@plenary`.
    public var uid: String {
        let body = self.body.replacingOccurrences(of: "/", with: "-")
        switch kind {
        case .session: return "session-\(body)-\(number)\(part > 1 ? "-part\(part)" : "")@plenary"
        case .meeting: return "meeting-\(body)-\(workingGroup ?? "WG")-\(number)@plenary"
        }
    }

    /// `session 4`, `session 4 (part 2)`, `meeting 1 of WG.2`.
    public var label: String {
        switch kind {
        case .session: return part > 1 ? "session \(number) (part \(part))" : "session \(number)"
        case .meeting: return "meeting \(number) of \(workingGroup ?? "?")"
        }
    }
}

/// A body's calendar over a window of dates.
public struct CalendarView: Sendable, Hashable {
    /// The body.
    public var body: Body.Recorded
    /// The first day of the window, if bounded.
    public var from: CalendarDate?
    /// The last day of the window, if bounded.
    public var to: CalendarDate?
    /// The events with a day in the window, in date order.
    public var entries: [CalendarEntry]

    /// Creates a view.
    public init(body: Body.Recorded, from: CalendarDate? = nil, to: CalendarDate? = nil, entries: [CalendarEntry]) {
        self.body = body
        self.from = from
        self.to = to
        self.entries = entries
    }
}

/// Sessions and meetings of a body in date order — the body's calendar. It reads the sessions (0004) and the
/// working groups' meetings (0005) in one query, so it lives with the sessions and needs no Swift dependency on
/// the working groups.
public struct BodyCalendar: Sendable {
    private let database: Database
    private let clock: CalendarClock

    /// Creates the calendar; `clock` decides what "upcoming" means when no `today` is given.
    public init(database: Database, clock: CalendarClock = .system) {
        self.database = database
        self.clock = clock
    }

    /// The events of `body` with at least one day in `from…to` (either end open when nil), by first day, a session
    /// before the meetings that start with it. With `upcoming`, only those not yet over on `today` (by default the
    /// clock's today in the body's zone).
    public func calendar(
        body: String, from: CalendarDate? = nil, to: CalendarDate? = nil, upcoming: Bool = false,
        today: CalendarDate? = nil
    ) async throws(DomainError) -> CalendarView {
        if let from, let to, to < from { throw .invalid("to", "must not be before from=\(from)") }
        let clock = self.clock
        return try await database.read { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            var from = from
            if upcoming {
                let now = today ?? clock.today(in: owner.timeZone)
                from = max(from ?? now, now)
            }
            let entries = try connection.query(
                """
                SELECT 'session' AS kind, s.number, s.part, NULL::text AS wg, NULL::text AS wg_name,
                       NULL::int AS with_session, s.kind AS session_kind, s.title, s.venue, s.timezone, s.format,
                       s.start_date, s.end_date, s.status, s.revision,
                       to_char(s.updated_at AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS"Z"') AS stamp
                FROM sessions s
                WHERE s.body_id = $1 AND ($2::date IS NULL OR s.end_date >= $2)
                  AND ($3::date IS NULL OR s.start_date <= $3)
                UNION ALL
                SELECT 'meeting', m.number, 1, g.code, g.name, partner.number, NULL, NULL, m.venue, m.timezone, NULL,
                       m.start_date, m.end_date, plenary_meeting_status(m.status, m.end_date), m.revision,
                       to_char(m.updated_at AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS"Z"')
                FROM working_group_meetings m
                JOIN working_groups g ON g.id = m.working_group_id
                LEFT JOIN sessions partner ON partner.id = m.with_session_id
                WHERE m.body_id = $1 AND ($2::date IS NULL OR m.end_date >= $2)
                  AND ($3::date IS NULL OR m.start_date <= $3)
                ORDER BY start_date, kind DESC, end_date, wg, number, part
                """,
                [owner.id, from, to]
            ).rows.map { row in
                CalendarEntry(
                    kind: CalendarEntry.Kind(rawValue: try row.decode("kind")) ?? .session, body: owner.code,
                    number: try row.decode("number"), part: try row.decode("part"),
                    workingGroup: try row.decode("wg", as: String?.self),
                    workingGroupName: try row.decode("wg_name", as: String?.self),
                    withSession: try row.decode("with_session", as: Int?.self),
                    sessionKind: try row.decode("session_kind", as: String?.self),
                    title: try row.decode("title", as: String?.self), venue: try row.decode("venue"),
                    timeZone: try row.decode("timezone"), format: try row.decode("format", as: String?.self),
                    start: try row.decode("start_date"), end: try row.decode("end_date"),
                    status: try row.decode("status"), revision: try row.decode("revision"),
                    stamp: try row.decode("stamp"))
            }
            return CalendarView(body: owner, from: from, to: to, entries: entries)
        }
    }
}
