import Foundation

/// Today's date, as the calendar and the defaults of dated commands see it. Tests and the `today=` key of
/// `calendar` fix it; otherwise it is the system clock read in the body's own time zone, because "today" in
/// Vienna and in New York differ for a few hours each day.
public struct CalendarClock: Sendable {
    private let fixed: CalendarDate?
    private let now: @Sendable () -> Date

    /// A clock that reads `now` (the system clock by default).
    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.fixed = nil
        self.now = now
    }

    /// A clock for which it is always `today`, whatever the zone.
    public init(today: CalendarDate) {
        self.fixed = today
        self.now = { Date() }
    }

    /// The system clock.
    public static var system: CalendarClock { CalendarClock() }

    /// Today's date in `timeZone` (an IANA name; UTC when the name is unknown).
    public func today(in timeZone: String) -> CalendarDate {
        if let fixed { return fixed }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: now())
        return CalendarDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
            ?? CalendarDate(daysSinceEpoch: 0)
    }
}
