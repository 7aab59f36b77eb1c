import PlenaryCore
import Postgres
import Storage

/// The rule every entry of history shares: what is recorded has met.
public enum HistoryRules {
    /// 551 naming `end` unless `end` is before the server's date — the database's own `current_date`, so the rule
    /// reads the same clock as the trigger that holds it (Schema/0012).
    public static func requirePast(_ connection: Connection, end: CalendarDate, what: String) throws {
        guard let row = try connection.queryOne("SELECT current_date AS today") else {
            throw DomainError.unavailable("the database did not say what day it is; nothing was recorded")
        }
        let today: CalendarDate = try row.decode("today")
        guard end < today else {
            throw DomainError.conflict(
                "end: \(end) is not past (today is \(today)); only a \(what) that has met is recorded, "
                    + "a later one is scheduled")
        }
    }
}
