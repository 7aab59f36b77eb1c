import Access
import AdminProtocol
import EmbeddedPostgres
import Foundation
import Logging
import PlenaryCommands
import PlenaryConfig
import PlenaryCore
import Postgres
import Storage

/// What every command that touches the database sets up: settings, logging, the database (configured or
/// embedded), migrations, the services and the catalog.
struct Runtime {
    let settings: PlenaryConfiguration
    let database: Database
    let services: Services
    let catalog: Catalog
    let logger: Logger

    /// Loads settings and bootstraps logging once per process.
    ///
    /// One-shot commands log at `warning` and above unless `log.level` was set explicitly in the environment: an
    /// operator running `plenary body list` wants the reply, not the server's narrative.
    static func settings(configFile: String?, quiet: Bool = true) async throws(PlenaryError) -> PlenaryConfiguration {
        let settings = try await PlenaryConfiguration.load(file: configFile)
        let explicit = ProcessInfo.processInfo.environment["PLENARY_LOG_LEVEL"] != nil
        bootstrapLogging(level: quiet && !explicit ? "warning" : settings.log.level)
        return settings
    }

    /// The conninfo to use: the configured one, or the embedded cluster's (started when it is not running).
    static func conninfo(_ settings: PlenaryConfiguration, logger: Logger) throws(PlenaryError) -> String {
        if let url = settings.database.url { return url }
        let cluster = EmbeddedCluster(directory: settings.embedded.directory, logger: logger)
        do {
            return try cluster.up()
        } catch {
            throw PlenaryError.unavailable("embedded database: \(error)")
        }
    }

    /// What opening the database does about migrations.
    enum Migrations {
        /// Applies the pending ones: for commands that write, and the server.
        case apply
        /// Changes nothing: a read-only command stops with 451, naming what is pending, when the schema is not
        /// this binary's (`plenary migrate --status` shows the same), instead of migrating as a side effect.
        case requireCurrent
    }

    /// Opens the database, applies pending migrations (or, for a read, checks there are none), and builds the
    /// catalog.
    static func open(
        configFile: String?, quiet: Bool = true, migrations: Migrations = .apply
    ) async throws(PlenaryError) -> Runtime {
        let settings = try await Self.settings(configFile: configFile, quiet: quiet)
        let logger = Logger(label: "plenary")
        let conninfo = try Self.conninfo(settings, logger: logger)
        let database = Database(
            configuration: settings.database.pool(conninfo: conninfo), logger: Logger(label: "plenary.db"))
        do throws(PlenaryError) {
            switch migrations {
            case .apply:
                let applied: [String]
                do { applied = try await database.migrate() } catch { throw PlenaryError(error) }
                if !applied.isEmpty {
                    logger.info("migrated", metadata: ["applied": "\(applied.joined(separator: ","))"])
                }
            case .requireCurrent:
                try await requireCurrentSchema(database)
            }
        } catch {
            // Whichever way the start failed, the pool's connections and threads go with it.
            database.shutdown()
            throw error
        }
        let services = Services(database: database, watchLimits: settings.limits.changeFeed)
        return Runtime(
            settings: settings, database: database, services: services, catalog: PlenaryCatalog.make(services),
            logger: logger)
    }

    /// 451 when a migration is pending or changed, naming the first few, without touching the schema.
    static func requireCurrentSchema(_ database: Database) async throws(PlenaryError) {
        let entries: [Migrator.Entry]
        do {
            entries = try await database.read { connection in try Migrator().status(connection) }
        } catch { throw PlenaryError(error) }
        let pending = entries.filter { $0.state == .pending }.map(\.fileName)
        let changed = entries.filter { $0.state == .changed }.map(\.fileName)
        if !changed.isEmpty {
            throw PlenaryError.unavailable(
                "database: migration \(changed.joined(separator: ", ")) changed after it was applied; "
                    + "see plenary migrate --status")
        }
        guard pending.isEmpty else {
            let named = pending.prefix(3).joined(separator: ", ") + (pending.count > 3 ? " …" : "")
            throw PlenaryError.unavailable(
                "database: \(pending.count) migration\(pending.count == 1 ? "" : "s") pending (\(named)); "
                    + "a command that only reads does not migrate: run plenary migrate "
                    + "(plenary migrate --status lists them)")
        }
    }

    private static let loggingBootstrapped = NSLock()
    nonisolated(unsafe) private static var didBootstrap = false

    /// One line per event on stderr, at the configured level. Never called twice (swift-log forbids it).
    static func bootstrapLogging(level: String) {
        loggingBootstrapped.lock()
        defer { loggingBootstrapped.unlock() }
        guard !didBootstrap else { return }
        didBootstrap = true
        let parsed = Logger.Level(rawValue: level) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = parsed
            return handler
        }
    }
}

/// Exit codes scripts can branch on (docs/PROTOCOL.md).
enum ExitCode: Int32, Comparable {
    /// Done.
    case ok = 0
    /// Refused by the domain (5xx).
    case refused = 1
    /// Bad usage of the command line.
    case usage = 2
    /// Unavailable (4xx, or no connection).
    case unavailable = 3

    /// Worse is higher: unavailable, then usage, then refused, then done.
    static func < (lhs: ExitCode, rhs: ExitCode) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The exit code for a reply code.
    static func `for`(_ code: ReplyCode) -> ExitCode {
        switch code.rawValue {
        case ..<300: .ok
        case 400..<500: .unavailable
        default: .refused
        }
    }
}

/// Writes to stderr.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message.hasSuffix("\n") ? message : message + "\n").utf8))
}
