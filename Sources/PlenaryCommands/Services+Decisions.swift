import Decisions
import Storage

extension Services {
    /// Decisions and resolutions of every body. The registry holds nothing but the database, so building one per
    /// use is free; "today" (adoption without a date, statuses) is the system clock in each body's time zone.
    public var decisions: DecisionRegistry { DecisionRegistry(database: database) }
}
