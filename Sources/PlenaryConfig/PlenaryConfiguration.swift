import AdminServer
import Configuration
import Foundation
import PlenaryCore
import SystemPackage

/// Every setting Plenary reads, typed and validated. Read from `Config/plenary.yaml` (or the file named by
/// `--config` / `PLENARY_CONFIG`) with `PLENARY_*` environment variables on top: `database.url` is overridden by
/// `PLENARY_DATABASE_URL`, `server.port` by `PLENARY_SERVER_PORT`, and so on (dots and the key's own underscores
/// become underscores, upper-cased). A malformed value stops start-up with the key's name; it never falls back.
public struct PlenaryConfiguration: Sendable, Equatable {
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

    /// Every key with its environment variable, for docs and the tests that keep them in step.
    public static let keys: [String] = [
        "database.url", "database.pool_size", "database.acquire_timeout_ms", "database.statement_timeout_ms",
        "database.connect_timeout_s", "database.health_check_after_idle_ms",
        "embedded.directory",
        "server.listen", "server.port", "server.max_connections", "server.listen_backlog",
        "server.max_connections_per_token",
        "server.socket", "server.socket_mode", "server.tls.certificate", "server.tls.key",
        "server.allow_plaintext_remote",
        "limits.line_bytes_before_auth", "limits.line_bytes", "limits.in_flight_per_connection",
        "limits.auth_timeout_s", "limits.idle_timeout_s", "limits.command_timeout_ms",
        "limits.max_consecutive_errors", "limits.watch_queue_events", "limits.watch_stall_timeout_s",
        "limits.max_unauthenticated", "limits.max_unauthenticated_per_address", "limits.reserved_admin_connections",
        "limits.auth_timeout_under_pressure_s", "limits.unauthenticated_pressure_percent",
        "limits.refusal_log_interval_s",
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
        var settings = try PlenaryConfiguration(reader: ConfigReader(providers: providers))
        settings.sourceFile = path
        return settings
    }

    private static func defaultFile() -> String? {
        let candidate = "Config/plenary.yaml"
        return FileManager.default.fileExists(atPath: candidate) ? candidate : nil
    }

    /// Reads and validates every key: each group reads its own, then the groups are checked against each other.
    init(reader: ConfigReader) throws(PlenaryError) {
        func group(_ name: String) -> SettingsReader { SettingsReader(reader: reader, group: name) }
        database = try DatabaseSettings(reader: group("database"))
        embedded = try EmbeddedSettings(reader: group("embedded"))
        server = try ServerSettings(reader: group("server"))
        limits = try LimitSettings(reader: group("limits"))
        auth = try AuthSettings(reader: group("auth"))
        log = try LogSettings(reader: group("log"))
        // The door's budget and the admins' reserve must leave room in server.max_connections for connections that
        // authenticate with other tokens.
        if limits.maxUnauthenticated + limits.reservedAdminConnections >= server.maxConnections {
            throw group("limits").refusal(
                "max_unauthenticated",
                "with limits.reserved_admin_connections (\(limits.reservedAdminConnections)) must leave room in "
                    + "server.max_connections (\(server.maxConnections)) for authenticated connections; lower it or "
                    + "raise server.max_connections",
                "\(limits.maxUnauthenticated)")
        }
    }

    /// The admin server's configuration: listening on `host:port` (the settings', or `serve --listen`'s) and on
    /// `socket` as well when given (`serve --socket`, else `server.socket`).
    public func adminServer(host: String, port: Int, socket: String?) -> AdminServer.Configuration {
        var configuration = AdminServer.Configuration(
            host: host, port: port, lineBytesBeforeAuth: limits.lineBytesBeforeAuth, lineBytes: limits.lineBytes,
            inFlightPerConnection: limits.inFlightPerConnection, authTimeoutSeconds: limits.authTimeoutSeconds,
            idleTimeoutSeconds: limits.idleTimeoutSeconds,
            commandTimeoutMilliseconds: limits.commandTimeoutMilliseconds,
            maxConnections: server.maxConnections, maxConsecutiveErrors: limits.maxConsecutiveErrors,
            maxConnectionsPerToken: server.maxConnectionsPerToken, socketPath: socket ?? server.socket,
            socketMode: server.socketMode,
            tls: server.tlsCertificate.flatMap { certificate in server.tlsKey.map { (certificate, $0) } })
        configuration.listenBacklog = server.listenBacklog
        configuration.maxUnauthenticated = limits.maxUnauthenticated
        configuration.maxUnauthenticatedPerAddress = limits.maxUnauthenticatedPerAddress
        configuration.reservedAdminConnections = limits.reservedAdminConnections
        configuration.authTimeoutUnderPressureSeconds = limits.authTimeoutUnderPressureSeconds
        configuration.unauthenticatedPressurePercent = limits.unauthenticatedPressurePercent
        configuration.refusalLogInterval = .seconds(limits.refusalLogIntervalSeconds)
        return configuration
    }
}
