import Access
import AdminProtocol
import Bodies
import Documents
import PlenaryCore
import Storage

/// The service modules a catalog's handlers call, built once per process over one database.
public struct Services: Sendable {
    /// The database and its pool.
    public let database: Database
    /// Treaty bodies.
    public let bodies: BodyRegistry
    /// Access tokens.
    public let tokens: TokenStore
    /// The serving process's live figures, for `status`.
    public let gauge: ServerGauge
    /// The change feed `watch` streams from: one per process, so one listener connection however many watch. It
    /// listens from the first `watch` on; `plenary serve` runs it as a Service, so shutdown stops its listener.
    public let changeFeed: ChangeFeed
    /// The audit trail's chainer: started by `plenary serve`, off in the CLI (which seals after its own writes).
    public let chainer: AuditChainer
    /// The document registry of every body; "today" (issue dates without a date, deadlines) is the system clock in
    /// each body's time zone. One for the process, so that single `doc get`s of all connections are read together.
    public let documents: DocumentRegistry

    /// Builds every service over `database`; `watchLimits` bounds the change feed.
    public init(database: Database, watchLimits: ChangeFeed.Configuration = .init()) {
        self.database = database
        self.bodies = BodyRegistry(database: database)
        self.tokens = TokenStore(database: database)
        self.gauge = ServerGauge()
        self.changeFeed = ChangeFeed(source: AuditChangeSource(database: database), configuration: watchLimits)
        self.chainer = AuditChainer(conninfo: database.conninfo)
        self.documents = DocumentRegistry(database: database)
    }
}

/// The product's name and version, as the greeting and `status` report them.
public enum Product {
    /// The product name.
    public static let name = "plenary"
    /// The release version.
    public static let version = "0.1.0"
    /// The protocol's major version (`proto=1`).
    public static let protocolVersion = 1
}
