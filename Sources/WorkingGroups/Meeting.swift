import PlenaryCore

/// Whether a meeting will take place.
public enum MeetingStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Dates are set.
    case scheduled
    /// It will not take place; its days are free again, its number stays taken.
    case cancelled
    /// Its days have passed and it was not cancelled. Derived when a meeting is read (a scheduled meeting whose
    /// last day is before the server's date), never stored: nobody marks a meeting held by hand.
    case held

    /// The statuses a meeting row holds; `held` is only ever read.
    public static let stored: [MeetingStatus] = [.scheduled, .cancelled]
}

/// A meeting of a working group, numbered within the group. Codable for the audit trail.
public struct Meeting: Sendable, Hashable, Codable {
    /// The body's code.
    public var body: String
    /// The group's code, `WG.2`.
    public var workingGroup: String
    /// The number within the group: 1, 2, 3 …
    public var number: Int
    /// The first day.
    public var start: CalendarDate
    /// The last day (inclusive).
    public var end: CalendarDate
    /// Where it is held.
    public var venue: String
    /// The IANA zone it is timed in.
    public var timeZone: String
    /// The session of the body it is held in conjunction with: the one case where it may share days with a session.
    public var withSession: Int?
    /// Scheduled or cancelled.
    public var status: MeetingStatus
    /// Why it was cancelled, when a reason was given.
    public var statusReason: String?

    /// Creates a meeting value.
    public init(
        body: String, workingGroup: String, number: Int, start: CalendarDate, end: CalendarDate, venue: String,
        timeZone: String, withSession: Int? = nil, status: MeetingStatus = .scheduled, statusReason: String? = nil
    ) {
        self.body = body
        self.workingGroup = workingGroup
        self.number = number
        self.start = start
        self.end = end
        self.venue = venue
        self.timeZone = timeZone
        self.withSession = withSession
        self.status = status
        self.statusReason = statusReason
    }

    /// `CTOC/COP/WG.2/1`: its id in the audit trail.
    public var auditID: String { "\(body)/\(workingGroup)/\(number)" }
}

/// What is needed to schedule a meeting.
public struct MeetingPlan: Sendable, Hashable {
    /// The number; nil takes the group's next.
    public var number: Int?
    /// The first day.
    public var start: CalendarDate
    /// The last day (inclusive).
    public var end: CalendarDate
    /// Where it will be held.
    public var venue: String
    /// The IANA zone; nil takes the body's.
    public var timeZone: String?
    /// The session of the body it is held in conjunction with.
    public var withSession: Int?

    /// Creates a plan.
    public init(
        number: Int? = nil, start: CalendarDate, end: CalendarDate, venue: String, timeZone: String? = nil,
        withSession: Int? = nil
    ) {
        self.number = number
        self.start = start
        self.end = end
        self.venue = venue
        self.timeZone = timeZone
        self.withSession = withSession
    }
}

/// What a reschedule changes; nil leaves a field as it is.
public struct MeetingChange: Sendable, Hashable {
    /// The new first day.
    public var start: CalendarDate?
    /// The new last day.
    public var end: CalendarDate?
    /// The new venue.
    public var venue: String?
    /// The new IANA zone.
    public var timeZone: String?
    /// The session it is now held in conjunction with.
    public var withSession: Int?

    /// Creates a change.
    public init(
        start: CalendarDate? = nil, end: CalendarDate? = nil, venue: String? = nil, timeZone: String? = nil,
        withSession: Int? = nil
    ) {
        self.start = start
        self.end = end
        self.venue = venue
        self.timeZone = timeZone
        self.withSession = withSession
    }

    /// Whether it changes nothing at all.
    public var isEmpty: Bool { start == nil && end == nil && venue == nil && timeZone == nil && withSession == nil }
}
