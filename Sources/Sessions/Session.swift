import PlenaryCore

/// What sort of session a body holds.
public enum SessionKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A session of the regular cycle (for CTOC/COP at least every two years, rules of procedure rule 3).
    case regular
    /// A session convened outside the cycle.
    case special
    /// A later part of a session that was suspended: it keeps the session's number.
    case resumed
}

/// How a session is held.
public enum SessionFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// Everyone in the room.
    case inPerson = "in-person"
    /// In the room and online.
    case hybrid
    /// Online only.
    case online
}

/// Where a session stands. It moves scheduled → open → closed, or scheduled → postponed / cancelled; a postponed
/// session returns to scheduled when it is rescheduled to new dates, or is cancelled.
public enum SessionStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Dates are set; it has not begun.
    case scheduled
    /// In progress.
    case open
    /// Over.
    case closed
    /// Put off; it keeps its dates until it is rescheduled (or cancelled).
    case postponed
    /// It will not take place; its days are free again.
    case cancelled

    /// Why a session in this status cannot move to `next`, phrased after "status: session 4 of CTOC/COP is closed; ",
    /// or nil when the move is allowed. Schema/0004_sessions.sql holds the same table and words.
    public func refusal(movingTo next: SessionStatus) -> String? {
        switch (self, next) {
        case (.scheduled, .open), (.open, .closed), (.scheduled, .postponed), (.scheduled, .cancelled),
            (.postponed, .cancelled), (.postponed, .scheduled):
            return nil
        case (_, .open): return "only a scheduled session can open"
        case (_, .closed): return "only an open session can close"
        case (_, .postponed): return "only a scheduled session can be postponed"
        case (_, .cancelled): return "only a scheduled or postponed session can be cancelled"
        case (_, .scheduled): return "only a postponed session returns to scheduled, by being rescheduled"
        }
    }

    /// Whether a session in this status may still get new dates, venue, zone or format.
    public var canBeRescheduled: Bool { self != .closed && self != .cancelled }
}

/// One session of a body, or one part of a resumed session. Codable for the audit trail.
public struct Session: Sendable, Hashable, Codable {
    /// The body's code, e.g. `CTOC/COP`.
    public var body: String
    /// The session's number in the body's sequence: 1, 2, 3 …
    public var number: Int
    /// 1 for the original; 2, 3 … for its resumptions.
    public var part: Int
    /// Regular, special, or resumed (every part after the first).
    public var kind: SessionKind
    /// The title, e.g. "Fourth session of the Conference of the Parties …".
    public var title: String?
    /// Where it is held, e.g. "Vienna, Austria".
    public var venue: String
    /// The IANA zone its meetings are timed in.
    public var timeZone: String
    /// In person, hybrid or online.
    public var format: SessionFormat
    /// The first day.
    public var start: CalendarDate
    /// The last day (inclusive).
    public var end: CalendarDate
    /// Where it stands.
    public var status: SessionStatus
    /// Why it reached its current status, when a reason was given.
    public var statusReason: String?

    /// Creates a session value.
    public init(
        body: String, number: Int, part: Int = 1, kind: SessionKind = .regular, title: String? = nil,
        venue: String, timeZone: String, format: SessionFormat = .inPerson, start: CalendarDate, end: CalendarDate,
        status: SessionStatus = .scheduled, statusReason: String? = nil
    ) {
        self.body = body
        self.number = number
        self.part = part
        self.kind = kind
        self.title = title
        self.venue = venue
        self.timeZone = timeZone
        self.format = format
        self.start = start
        self.end = end
        self.status = status
        self.statusReason = statusReason
    }

    /// `session 4`, or `session 4 (part 2)` for a resumption, as messages name it.
    public var label: String { part > 1 ? "session \(number) (part \(part))" : "session \(number)" }

    /// `CTOC/COP/4`, or `CTOC/COP/4#2` for a resumption: the audit trail's id for it.
    public var auditID: String { part > 1 ? "\(body)/\(number)#\(part)" : "\(body)/\(number)" }
}

/// What is needed to schedule a session.
public struct SessionPlan: Sendable, Hashable {
    /// The number; for a resumption, the number of the session it resumes.
    public var number: Int
    /// Regular, special or resumed.
    public var kind: SessionKind
    /// The title, if known.
    public var title: String?
    /// Where it will be held.
    public var venue: String
    /// The IANA zone; nil takes the body's.
    public var timeZone: String?
    /// In person, hybrid or online.
    public var format: SessionFormat
    /// The first day.
    public var start: CalendarDate
    /// The last day (inclusive).
    public var end: CalendarDate

    /// Creates a plan.
    public init(
        number: Int, kind: SessionKind = .regular, title: String? = nil, venue: String, timeZone: String? = nil,
        format: SessionFormat = .inPerson, start: CalendarDate, end: CalendarDate
    ) {
        self.number = number
        self.kind = kind
        self.title = title
        self.venue = venue
        self.timeZone = timeZone
        self.format = format
        self.start = start
        self.end = end
    }
}

/// What a reschedule changes; nil leaves a field as it is.
public struct SessionChange: Sendable, Hashable {
    /// The new first day.
    public var start: CalendarDate?
    /// The new last day.
    public var end: CalendarDate?
    /// The new venue.
    public var venue: String?
    /// The new IANA zone.
    public var timeZone: String?
    /// The new format.
    public var format: SessionFormat?

    /// Creates a change.
    public init(
        start: CalendarDate? = nil, end: CalendarDate? = nil, venue: String? = nil, timeZone: String? = nil,
        format: SessionFormat? = nil
    ) {
        self.start = start
        self.end = end
        self.venue = venue
        self.timeZone = timeZone
        self.format = format
    }

    /// Whether it changes nothing at all.
    public var isEmpty: Bool { start == nil && end == nil && venue == nil && timeZone == nil && format == nil }
}
