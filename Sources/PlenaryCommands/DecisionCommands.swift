import AdminProtocol

extension PlenaryCatalog {
    /// Decisions and resolutions (issue 5).
    static func decisionCommands(_ services: Services) -> [CommandSpec] { [] }
}
