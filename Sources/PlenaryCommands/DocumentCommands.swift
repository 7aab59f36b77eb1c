import AdminProtocol

extension PlenaryCatalog {
    /// The document registry and the symbol grammar (issue 4).
    static func documentCommands(_ services: Services) -> [CommandSpec] { [] }
}
