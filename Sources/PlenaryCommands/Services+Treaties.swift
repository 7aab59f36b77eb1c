import Storage
import Treaties

extension Services {
    /// Instruments and parties of every body; "today" is the system clock in each body's time zone.
    public var treaties: TreatyRegistry { TreatyRegistry(database: database) }
}
