import AdminProtocol
import PlenaryCommands
import Postgres
import Storage
import Testing

/// `help`, completions and `plenary reference` read the catalog's declarations only: binding the catalog to
/// services over a database must start nothing — no pool, no thread, no connection.
@Suite struct CatalogDeclarationTests {
    @Test func renderingTheReferenceStartsNoPool() {
        let database = Database(configuration: .init(conninfo: "host=/nonexistent dbname=unused"))
        let catalog = PlenaryCatalog.make(Services(database: database))
        let reference = HelpRenderer.markdownReference(catalog: catalog)
        #expect(reference.contains("body add"))
        #expect(!database.isOpen)
        database.shutdown()
        #expect(!database.isOpen)
    }
}
