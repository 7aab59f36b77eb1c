import Documents
import Storage

extension Services {
    /// The document registry of every body. It holds nothing but the database, so building one per use is free;
    /// "today" (issue dates without a date, deadlines) is the system clock in each body's time zone.
    public var documents: DocumentRegistry { DocumentRegistry(database: database) }
}
