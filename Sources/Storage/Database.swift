import Foundation
import Logging
import PlenaryCore
import Postgres
import Synchronization

/// The database as the service modules see it: a connection pool, and the one place where database failures turn
/// into the reply codes of the contract — unreachable or timed out is 451, anything unexpected is 590 with an
/// incident id in the log.
public final class Database: Sendable {
    private let configuration: ConnectionPool.Configuration
    private let opened = Mutex<ConnectionPool?>(nil)
    private let logger: Logger

    /// Creates the database handle. Nothing starts until the first lease: a catalog bound to a database that is
    /// never used (`help`, completions, `plenary reference`) starts no pool, no thread and no connection.
    public init(configuration: ConnectionPool.Configuration, logger: Logger = Logger(label: "plenary.db")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The connection string the pool connects with, read without starting the pool (for the audit chainer's own
    /// connection, say).
    public var conninfo: String { configuration.conninfo }

    /// The pool every lease comes from, started on first use.
    public var pool: ConnectionPool {
        opened.withLock { opened in
            if let pool = opened { return pool }
            let pool = ConnectionPool(configuration: configuration, logger: logger)
            opened = pool
            return pool
        }
    }

    /// Whether the pool has been started (by a lease, or by reading ``pool``).
    public var isOpen: Bool { opened.withLock { $0 != nil } }

    /// Turns a database refusal the service expects (a named constraint, a trigger's exception) into a domain
    /// error naming the field; nil leaves the error to the generic mapping.
    public typealias Explanation = @Sendable (PostgresError) -> DomainError?

    /// Runs `body` on a leased connection, outside a transaction.
    public func read<T: Sendable>(
        explaining explain: Explanation? = nil, _ body: @escaping @Sendable (Connection) throws -> T
    ) async throws(DomainError) -> T {
        try await run(explain) { try await self.pool.withConnection(body) }
    }

    /// Runs `body` in one transaction: all of it happens or none of it.
    public func write<T: Sendable>(
        explaining explain: Explanation? = nil, _ body: @escaping @Sendable (Connection) throws -> T
    ) async throws(DomainError) -> T {
        try await run(explain) { try await self.pool.withTransaction(body) }
    }

    private func run<T>(_ explain: Explanation?, _ operation: () async throws -> T) async throws(DomainError) -> T {
        do {
            return try await operation()
        } catch {
            // A trigger's refusal already speaks the contract (key and rule): it is passed on as it is, before a
            // service's explanation could mistake its rule's name for a constraint of its own.
            if let error = error as? PostgresError, error.sqlState != Database.refusalState,
                let explained = explain?(error)
            {
                throw explained
            }
            throw translate(error)
        }
    }

    /// Maps any error from a lease to the contract's codes. Domain errors pass through; database errors the
    /// service did not claim become 451 (transient) or 590 (a bug: logged with an incident id).
    public func translate(_ error: any Error) -> DomainError {
        switch error {
        case let error as DomainError:
            return error
        case let error as PlenaryError:
            // Code written before services spoke in domain errors; its message already names the key.
            return DomainError(Self.kind(of: error.code), error.message)
        case let error as PostgresError where error.sqlState == Database.refusalState:
            // A rule refused by a trigger (plenary_refuse, Schema/0004): its message is already the contract's.
            return .conflict(error.message)
        case let error as PostgresError where error.kind == .connection && Database.permanentRefusal(error) != nil:
            // Retrying cannot help a database that does not exist or a role the server refuses: say which and why.
            logger.error("database refused the connection", metadata: ["error": "\(error.description)"])
            return .unavailable(Database.permanentRefusal(error)!)
        case let error as PostgresError where error.isTransient:
            logger.warning("database unavailable", metadata: ["error": "\(error.description)"])
            return .unavailable(
                "database: \(error.kind == .cancelled ? "statement cancelled or timed out" : "unreachable, try again")")
        case is CancellationError:
            return .unavailable("request cancelled")
        default:
            let incident = Database.incidentID()
            logger.error("unexpected database error", metadata: ["incident": "\(incident)", "error": "\(error)"])
            return .fault(incident: incident)
        }
    }

    /// The message for a connection the server refuses for good (libpq's `FATAL:  database "x" does not exist`,
    /// a role or password it does not accept), or nil for a refusal that may pass (a server starting, a network
    /// blip).
    static func permanentRefusal(_ error: PostgresError) -> String? {
        let text = error.message
        if let match = text.firstMatch(of: /database "([^"]*)" does not exist/) {
            return "database: the database \(match.1) does not exist on the server; create it (createdb \(match.1)) "
                + "or correct the database URL — retrying will not help"
        }
        if let match = text.firstMatch(of: /role "([^"]*)" does not exist/) {
            return "database: the role \(match.1) does not exist on the server; correct the database URL — retrying "
                + "will not help"
        }
        if text.contains("password authentication failed") || text.contains("no pg_hba.conf entry") {
            return "database: the server refused the credentials of the database URL — retrying will not help"
        }
        return nil
    }

    /// Applies pending migrations on a leased connection.
    public func migrate(_ migrator: Migrator = Migrator()) async throws(DomainError) -> [String] {
        try await read { connection in try migrator.migrate(connection) }
    }

    /// Closes the pool's connections, if it was ever started.
    public func shutdown() { opened.withLock { $0 }?.shutdown() }

    /// The SQLSTATE the schema's triggers raise (via `plenary_refuse`) when a rule of the domain forbids a change;
    /// their message names the key and the rule, so it is passed on as 551 CONFLICT unchanged.
    public static let refusalState = DomainError.refusalSQLState

    private static func kind(of code: ReplyCode) -> DomainError.Kind {
        switch code {
        case .badArgument: .invalid
        case .notFound: .notFound
        case .conflict: .conflict
        case .unavailable: .unavailable
        default: .fault
        }
    }

    /// A short random id to find an error's log line from the reply that names it.
    public static func incidentID() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        return String((0..<10).map { _ in alphabet.randomElement()! })
    }
}

extension CalendarDate: PostgresEncodable, PostgresDecodable {
    /// ISO form, which a `date` column reads.
    public var postgresText: String? { description }

    /// A `date` column's ISO output.
    public init(postgresText text: String) throws(PostgresError) {
        guard let date = CalendarDate(iso: text) else {
            throw PostgresError(kind: .decoding, message: "cannot read \(text.debugDescription) as a date")
        }
        self = date
    }
}
