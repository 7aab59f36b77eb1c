import Configuration
import Foundation
import PlenaryCore
import SystemPackage

/// Every setting Plenary reads, typed and validated. Read from `Config/plenary.yaml` (or the file named by
/// `--config` / `PLENARY_CONFIG`) with `PLENARY_*` environment variables on top: `database.url` is overridden by
/// `PLENARY_DATABASE_URL`, `server.port` by `PLENARY_SERVER_PORT`, and so on (dots and the key's own underscores
/// become underscores, upper-cased). A malformed value stops start-up with the key's name; it never falls back.
public struct PlenaryConfiguration: Sendable, Equatable {
    /// Where the data lives.
    public struct DatabaseSettings: Sendable, Equatable {
        /// A libpq URI or key/value string; nil means the embedded cluster.
        public var url: String?
        /// Connections in the pool.
        public var poolSize: Int = 8
        /// How long a command waits for a free connection before answering 451.
        public var acquireTimeoutMilliseconds: Int = 5_000
        /// `statement_timeout` on every connection.
        public var statementTimeoutMilliseconds: Int = 30_000
        /// libpq `connect_timeout`, unless the URL sets one.
        public var connectTimeoutSeconds: Int = 5
        /// An idle connection older than this is checked before use.
        public var healthCheckAfterIdleMilliseconds: Int = 5_000
    }

    /// The private cluster used when no database URL is set.
    public struct EmbeddedSettings: Sendable, Equatable {
        /// The directory holding the cluster (`pgdata/`), relative to the working directory.
        public var directory: String = ".plenary"
    }

    /// The admin protocol listener.
    public struct ServerSettings: Sendable, Equatable {
        /// The address to bind.
        public var listen: String = "127.0.0.1"
        /// The TCP port.
        public var port: Int = 7411
        /// Connections served at once; more are greeted with 421 and closed.
        public var maxConnections: Int = 1_000
    }

    /// Bounds that keep one client from hurting the others.
    public struct LimitSettings: Sendable, Equatable {
        /// Longest line accepted before authentication.
        public var lineBytesBeforeAuth: Int = 512
        /// Longest line accepted after authentication.
        public var lineBytes: Int = 16_384
        /// Requests read ahead of their replies on one connection before reading pauses.
        public var inFlightPerConnection: Int = 32
        /// Seconds a connection may take to authenticate.
        public var authTimeoutSeconds: Int = 10
        /// Seconds an authenticated connection may stay silent.
        public var idleTimeoutSeconds: Int = 600
        /// Longest a single command may run before it is answered 451.
        public var commandTimeoutMilliseconds: Int = 30_000
    }

    /// Authentication.
    public struct AuthSettings: Sendable, Equatable {
        /// On first start with no tokens, create one admin token and print it once to the console.
        public var bootstrapAdminToken: Bool = true
    }

    /// Logging.
    public struct LogSettings: Sendable, Equatable {
        /// The lowest level written: trace, debug, info, notice, warning, error, critical.
        public var level: String = "info"
    }

    /// Database settings.
    public var database = DatabaseSettings()
    /// Embedded cluster settings.
    public var embedded = EmbeddedSettings()
    /// Listener settings.
    public var server = ServerSettings()
    /// Limits.
    public var limits = LimitSettings()
    /// Authentication settings.
    public var auth = AuthSettings()
    /// Logging settings.
    public var log = LogSettings()
    /// The file the settings were read from, if any.
    public var sourceFile: String?

    /// The defaults, as Config/plenary.yaml documents them.
    public init() {}

    /// The log levels accepted by `log.level`.
    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// Every key with its environment variable, for docs and the tests that keep them in step.
    public static let keys: [String] = [
        "database.url", "database.pool_size", "database.acquire_timeout_ms", "database.statement_timeout_ms",
        "database.connect_timeout_s", "database.health_check_after_idle_ms",
        "embedded.directory",
        "server.listen", "server.port", "server.max_connections",
        "limits.line_bytes_before_auth", "limits.line_bytes", "limits.in_flight_per_connection",
        "limits.auth_timeout_s", "limits.idle_timeout_s", "limits.command_timeout_ms",
        "auth.bootstrap_admin_token",
        "log.level",
    ]

    /// The environment variable that overrides `key`.
    public static func environmentName(for key: String) -> String {
        "PLENARY_" + key.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }

    /// Loads the settings: the YAML file (when `file` is given, it must exist; otherwise `Config/plenary.yaml` is
    /// used when present), then the `PLENARY_*` variables of `environment` on top.
    public static func load(
        file: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws(PlenaryError) -> PlenaryConfiguration {
        let path = file ?? environment["PLENARY_CONFIG"] ?? defaultFile()
        var providers: [any ConfigProvider] = []
        var stripped: [String: String] = [:]
        for (name, value) in environment where name.hasPrefix("PLENARY_") {
            stripped[String(name.dropFirst("PLENARY_".count))] = value
        }
        providers.append(EnvironmentVariablesProvider(environmentVariables: stripped))
        if let path {
            guard FileManager.default.fileExists(atPath: path) else {
                throw PlenaryError.badArgument("config", "file \(path) does not exist")
            }
            do {
                providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(path)))
            } catch {
                throw PlenaryError.badArgument("config", "file \(path) is not valid YAML: \(error)")
            }
        }
        var settings = try parse(ConfigReader(providers: providers))
        settings.sourceFile = path
        return settings
    }

    private static func defaultFile() -> String? {
        let candidate = "Config/plenary.yaml"
        return FileManager.default.fileExists(atPath: candidate) ? candidate : nil
    }

    /// Reads and validates every key from a reader.
    static func parse(_ reader: ConfigReader) throws(PlenaryError) -> PlenaryConfiguration {
        let values = Values(reader: reader)
        var settings = PlenaryConfiguration()
        let url = try values.string("database.url")
        settings.database.url = (url?.trimmingCharacters(in: .whitespaces).isEmpty ?? true) ? nil : url
        settings.database.poolSize = try values.int("database.pool_size", 1...500) ?? settings.database.poolSize
        settings.database.acquireTimeoutMilliseconds =
            try values.int("database.acquire_timeout_ms", 1...3_600_000) ?? settings.database.acquireTimeoutMilliseconds
        settings.database.statementTimeoutMilliseconds =
            try values.int("database.statement_timeout_ms", 0...86_400_000)
            ?? settings.database.statementTimeoutMilliseconds
        settings.database.connectTimeoutSeconds =
            try values.int("database.connect_timeout_s", 1...600) ?? settings.database.connectTimeoutSeconds
        settings.database.healthCheckAfterIdleMilliseconds =
            try values.int("database.health_check_after_idle_ms", 0...86_400_000)
            ?? settings.database.healthCheckAfterIdleMilliseconds
        if let directory = try values.string("embedded.directory") {
            guard !directory.isEmpty else { throw values.error("embedded.directory", "must not be empty", directory) }
            settings.embedded.directory = directory
        }
        if let listen = try values.string("server.listen") {
            guard !listen.isEmpty, !listen.contains(" ") else {
                throw values.error("server.listen", "must be an IP address or host name", listen)
            }
            settings.server.listen = listen
        }
        settings.server.port = try values.int("server.port", 0...65_535) ?? settings.server.port
        settings.server.maxConnections =
            try values.int("server.max_connections", 1...100_000)
            ?? settings.server.maxConnections
        settings.limits.lineBytesBeforeAuth =
            try values.int("limits.line_bytes_before_auth", 64...65_536)
            ?? settings.limits.lineBytesBeforeAuth
        settings.limits.lineBytes = try values.int("limits.line_bytes", 512...16_777_216) ?? settings.limits.lineBytes
        settings.limits.inFlightPerConnection =
            try values.int("limits.in_flight_per_connection", 1...10_000)
            ?? settings.limits.inFlightPerConnection
        settings.limits.authTimeoutSeconds =
            try values.int("limits.auth_timeout_s", 1...3_600)
            ?? settings.limits.authTimeoutSeconds
        settings.limits.idleTimeoutSeconds =
            try values.int("limits.idle_timeout_s", 1...604_800)
            ?? settings.limits.idleTimeoutSeconds
        settings.limits.commandTimeoutMilliseconds =
            try values.int("limits.command_timeout_ms", 1...86_400_000)
            ?? settings.limits.commandTimeoutMilliseconds
        settings.auth.bootstrapAdminToken =
            try values.bool("auth.bootstrap_admin_token")
            ?? settings.auth.bootstrapAdminToken
        if let level = try values.string("log.level") {
            guard logLevels.contains(level.lowercased()) else {
                throw values.error("log.level", "must be one of \(logLevels.joined(separator: "|"))", level)
            }
            settings.log.level = level.lowercased()
        }
        return settings
    }

    /// Reads every value as text and converts it here, because the library's typed getters fall back silently
    /// on a value that does not convert — and a port of "abc" must stop start-up, not become 7411.
    private struct Values {
        let reader: ConfigReader

        func string(_ key: String) throws(PlenaryError) -> String? {
            reader.string(forKey: ConfigKey(key.split(separator: ".").map(String.init)))
        }

        func int(_ key: String, _ range: ClosedRange<Int>) throws(PlenaryError) -> Int? {
            guard let text = try string(key) else { return nil }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw error(key, "must be an integer \(range.lowerBound)…\(range.upperBound)", text)
            }
            guard range.contains(value) else {
                throw error(key, "must be between \(range.lowerBound) and \(range.upperBound)", text)
            }
            return value
        }

        func bool(_ key: String) throws(PlenaryError) -> Bool? {
            guard let text = try string(key) else { return nil }
            switch text.lowercased() {
            case "true", "yes", "on", "1": return true
            case "false", "no", "off", "0": return false
            default: throw error(key, "must be true or false", text)
            }
        }

        func error(_ key: String, _ rule: String, _ value: String) -> PlenaryError {
            PlenaryError(
                code: .badArgument, token: "BAD_CONFIG",
                message: "\(key) (\(PlenaryConfiguration.environmentName(for: key))): \(rule), got "
                    + value.debugDescription)
        }
    }
}
