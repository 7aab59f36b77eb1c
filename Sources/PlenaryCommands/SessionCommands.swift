import AdminProtocol

extension PlenaryCatalog {
    /// Sessions, agendas and the calendar (issue 3).
    static func sessionCommands(_ services: Services) -> [CommandSpec] { [] }
}
