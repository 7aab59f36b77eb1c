import Foundation
import PlenaryCore
import Postgres

/// The body a session or meeting belongs to, as the database knows it.
public struct CalendarBody: Sendable, Hashable {
    /// The row id.
    public var id: Int
    /// The code, e.g. `CTOC/COP`.
    public var code: String
    /// The full name.
    public var name: String
    /// The home IANA zone: sessions and meetings take it when they name none.
    public var timeZone: String

    /// Creates a body value (the database's rows are read with `lock` and `find`).
    public init(id: Int, code: String, name: String, timeZone: String) {
        self.id = id
        self.code = code
        self.name = name
        self.timeZone = timeZone
    }

    /// Finds the body and takes its calendar lock (`plenary_lock_calendar`, Schema/0004). Every change to the dates
    /// of a body's sessions and meetings starts here, so numbering and the checks that read other rows see a
    /// settled calendar even when several writers race; the lock ends with the transaction. 550 for an unknown code.
    public static func lock(_ connection: Connection, code: String) throws -> CalendarBody {
        try fetch(
            connection, code: code,
            sql: "SELECT id, code, name, timezone, plenary_lock_calendar(id) FROM bodies WHERE upper(code) = upper($1)")
    }

    /// Finds the body without locking anything, for reads. 550 for an unknown code.
    public static func find(_ connection: Connection, code: String) throws -> CalendarBody {
        try fetch(
            connection, code: code, sql: "SELECT id, code, name, timezone FROM bodies WHERE upper(code) = upper($1)")
    }

    private static func fetch(_ connection: Connection, code: String, sql: String) throws -> CalendarBody {
        guard let row = try connection.queryOne(sql, [code]) else {
            throw PlenaryError.notFound("body \(code): no such body")
        }
        return CalendarBody(
            id: try row.decode("id"), code: try row.decode("code"), name: try row.decode("name"),
            timeZone: try row.decode("timezone"))
    }
}

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
        calendar.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: now())
        return CalendarDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
            ?? CalendarDate(daysSinceEpoch: 0)
    }
}

/// The checks on fields shared by sessions, agendas, working groups and meetings, each naming the key at fault.
/// The database holds the same limits as CHECK constraints.
public enum FieldRules {
    /// A one-line text that must not be blank and has at most `limit` characters.
    public static func text(_ value: String, key: String, limit: Int) throws(PlenaryError) {
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw .badArgument(key, "must not be blank")
        }
        if value.count > limit { throw .badArgument(key, "must be at most \(limit) characters") }
    }

    /// As `text`, for a value that may be left out.
    public static func optionalText(_ value: String?, key: String, limit: Int) throws(PlenaryError) {
        if let value { try text(value, key: key, limit: limit) }
    }

    /// An IANA time zone name such as `Europe/Vienna` (or `UTC`).
    public static func timeZone(_ zone: String, key: String = "timezone") throws(PlenaryError) {
        if TimeZone(identifier: zone) == nil || !zone.contains("/") && zone != "UTC" {
            throw .badArgument(key, "must be an IANA time zone name such as Europe/Vienna, got \(zone)")
        }
    }

    /// A date range whose end is not before its start.
    public static func dates(start: CalendarDate, end: CalendarDate) throws(PlenaryError) {
        if end < start { throw .badArgument("end", "must not be before start=\(start)") }
    }
}

/// The refusals the calendar's triggers raise (Schema/0004, 0005): SQLSTATE PL551 with the contract's message,
/// which already names the key and the rule.
public enum CalendarRefusal {
    /// The SQLSTATE of a rule the database refused.
    public static let sqlState = "PL551"

    /// The trigger's refusal as 551 CONFLICT; nil for any other error.
    public static func explain(_ error: PostgresError) -> PlenaryError? {
        error.sqlState == sqlState ? .conflict(error.message) : nil
    }
}
