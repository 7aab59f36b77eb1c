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

    /// Opens the database, applies pending migrations, and builds the catalog.
    static func open(configFile: String?, quiet: Bool = true) async throws(PlenaryError) -> Runtime {
        let settings = try await Self.settings(configFile: configFile, quiet: quiet)
        let logger = Logger(label: "plenary")
        let conninfo = try Self.conninfo(settings, logger: logger)
        let database = Database(
            configuration: ConnectionPool.Configuration(
                conninfo: conninfo, size: settings.database.poolSize,
                acquireTimeout: .milliseconds(settings.database.acquireTimeoutMilliseconds),
                healthCheckAfterIdle: .milliseconds(settings.database.healthCheckAfterIdleMilliseconds),
                statementTimeout: .milliseconds(settings.database.statementTimeoutMilliseconds),
                connectTimeoutSeconds: settings.database.connectTimeoutSeconds),
            logger: Logger(label: "plenary.db"))
        let applied: [String]
        do { applied = try await database.migrate() } catch { throw PlenaryError(error) }
        if !applied.isEmpty { logger.info("migrated", metadata: ["applied": "\(applied.joined(separator: ","))"]) }
        let services = Services(
            database: database,
            watchLimits: .init(
                queueLimit: settings.limits.watchQueueEvents,
                stallTimeout: .seconds(settings.limits.watchStallTimeoutSeconds)))
        return Runtime(
            settings: settings, database: database, services: services, catalog: PlenaryCatalog.make(services),
            logger: logger)
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
enum ExitCode: Int32 {
    /// Done.
    case ok = 0
    /// Refused by the domain (5xx).
    case refused = 1
    /// Bad usage of the command line.
    case usage = 2
    /// Unavailable (4xx, or no connection).
    case unavailable = 3

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
