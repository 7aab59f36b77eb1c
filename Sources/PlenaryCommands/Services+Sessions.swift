import Sessions
import Storage
import WorkingGroups

extension Services {
    /// Sessions of every body. The registries hold nothing but the database, so building one per use is free.
    public var sessions: SessionRegistry { SessionRegistry(database: database) }
    /// Agendas of sessions; adoption dates default to today by the system clock.
    public var agendas: AgendaRegistry { AgendaRegistry(database: database) }
    /// The calendar of each body; "upcoming" is measured by the system clock unless a command gives `today=`.
    public var calendar: BodyCalendar { BodyCalendar(database: database) }
    /// Working groups of every body.
    public var workingGroups: WorkingGroupRegistry { WorkingGroupRegistry(database: database) }
    /// Meetings of the working groups.
    public var meetings: MeetingRegistry { MeetingRegistry(database: database) }
}
