import AdminProtocol
import ArgumentParser
import PlenaryCommands
import Postgres
import Storage

/// `plenary reference`: the command reference in Markdown, from the catalog — the generated part of
/// docs/PROTOCOL.md (Scripts/generate-docs writes it; a test keeps the two equal).
struct ReferenceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reference", abstract: "Print the command reference (Markdown) generated from the catalog.")

    func run() throws {
        // The catalog's declarations need no database: the pool starts only when a handler runs, and none does.
        let database = Database(configuration: .init(conninfo: "dbname=unused"))
        print(
            HelpRenderer.markdownReference(catalog: PlenaryCatalog.make(Services(database: database))), terminator: "")
    }
}
