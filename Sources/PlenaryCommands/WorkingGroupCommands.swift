import AdminProtocol

extension PlenaryCatalog {
    /// Working groups and their meetings (issue 3).
    static func workingGroupCommands(_ services: Services) -> [CommandSpec] { [] }
}
