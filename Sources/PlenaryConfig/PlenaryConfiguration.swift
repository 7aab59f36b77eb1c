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
        /// Connections open at once, of every kind: `limits.max_unauthenticated` of them for connections that have
        /// not authenticated yet, the rest for those that have.
        public var maxConnections: Int = 1_000
        /// Connections the kernel may hold completed but not yet accepted (capped by net.core.somaxconn): a flood
        /// of connections must not overflow the queue, or everyone's connection attempts are dropped with them.
        public var listenBacklog: Int = 4_096
        /// Connections one token may hold authenticated at once; the next `auth` with it is answered 421.
        public var maxConnectionsPerToken: Int = 64
        /// A unix socket to listen on as well as TCP; nil for none. Its file permissions are the first gate.
        public var socket: String?
        /// The socket file's permissions, as octal digits (`0660`: the owner and its group).
        public var socketMode: Int = 0o660
        /// The PEM certificate chain served over TLS; with `tlsKey`, TCP connections speak TLS.
        public var tlsCertificate: String?
        /// The PEM private key of `tlsCertificate`.
        public var tlsKey: String?
        /// Whether listening on an address other than loopback without TLS is allowed. Off, such a start-up is
        /// refused: tokens would cross the network in clear.
        public var allowPlaintextRemote: Bool = false

        /// Whether TCP connections speak TLS.
        public var usesTLS: Bool { tlsCertificate != nil }

        /// Refuses to listen on `host` in clear when it is reachable from other machines, unless the operator said
        /// so explicitly (`server.allow_plaintext_remote`).
        public func checkTransport(host: String) throws(PlenaryError) {
            guard !usesTLS, !allowPlaintextRemote, !Self.isLoopback(host) else { return }
            throw PlenaryError(
                code: .badArgument, token: "BAD_CONFIG",
                message: "server.listen (PLENARY_SERVER_LISTEN): \(host) is reachable from other machines and TLS "
                    + "is not configured, so tokens would cross the network in clear; set server.tls.certificate "
                    + "and server.tls.key, or server.allow_plaintext_remote: true to accept that")
        }

        /// Whether `host` names the loopback interface only.
        public static func isLoopback(_ host: String) -> Bool {
            let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
            if bare == "localhost" || bare == "::1" || bare == "0:0:0:0:0:0:0:1" { return true }
            let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
            return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
        }
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
        /// Refused requests in a row before the server answers 421 and closes the connection.
        public var maxConsecutiveErrors: Int = 20
        /// Change events one watcher may hold unread before it falls back to replaying from the log.
        public var watchQueueEvents: Int = 4_096
        /// Seconds a watcher may read nothing while events wait for it before it is answered 421 and closed.
        public var watchStallTimeoutSeconds: Int = 10
        /// Connections that have not authenticated yet, at most, out of `server.max_connections`.
        public var maxUnauthenticated: Int = 256
        /// Of those, the most one source address (an IPv6 /64) may hold.
        public var maxUnauthenticatedPerAddress: Int = 32
        /// Authenticated slots only admin tokens may take.
        public var reservedAdminConnections: Int = 3
        /// Seconds to authenticate for a connection that arrives while the server is under pressure.
        public var authTimeoutUnderPressureSeconds: Int = 3
        /// How full the unauthenticated budget is, in percent, when the server is under pressure.
        public var unauthenticatedPressurePercent: Int = 50
        /// Seconds between the log lines that count the connections refused or closed by these limits.
        public var refusalLogIntervalSeconds: Int = 10
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
        settings.server.maxConnectionsPerToken =
            try values.int("server.max_connections_per_token", 1...100_000)
            ?? settings.server.maxConnectionsPerToken
        settings.server.listenBacklog =
            try values.int("server.listen_backlog", 1...65_535) ?? settings.server.listenBacklog
        try parseTransport(values, into: &settings.server)
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
        settings.limits.maxConsecutiveErrors =
            try values.int("limits.max_consecutive_errors", 1...10_000) ?? settings.limits.maxConsecutiveErrors
        settings.limits.watchQueueEvents =
            try values.int("limits.watch_queue_events", 16...1_000_000) ?? settings.limits.watchQueueEvents
        settings.limits.watchStallTimeoutSeconds =
            try values.int("limits.watch_stall_timeout_s", 1...3_600) ?? settings.limits.watchStallTimeoutSeconds
        try parseDoor(values, into: &settings)
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

    /// The door's limits, and how they fit together: the unauthenticated budget and the admins' reserve must leave
    /// room in `server.max_connections` for connections that authenticate with other tokens.
    private static func parseDoor(_ values: Values, into settings: inout PlenaryConfiguration) throws(PlenaryError) {
        settings.limits.maxUnauthenticated =
            try values.int("limits.max_unauthenticated", 1...100_000) ?? settings.limits.maxUnauthenticated
        settings.limits.maxUnauthenticatedPerAddress =
            try values.int("limits.max_unauthenticated_per_address", 1...100_000)
            ?? settings.limits.maxUnauthenticatedPerAddress
        settings.limits.reservedAdminConnections =
            try values.int("limits.reserved_admin_connections", 0...100_000)
            ?? settings.limits.reservedAdminConnections
        settings.limits.authTimeoutUnderPressureSeconds =
            try values.int("limits.auth_timeout_under_pressure_s", 1...3_600)
            ?? settings.limits.authTimeoutUnderPressureSeconds
        settings.limits.unauthenticatedPressurePercent =
            try values.int("limits.unauthenticated_pressure_percent", 1...100)
            ?? settings.limits.unauthenticatedPressurePercent
        settings.limits.refusalLogIntervalSeconds =
            try values.int("limits.refusal_log_interval_s", 1...86_400) ?? settings.limits.refusalLogIntervalSeconds
        let limits = settings.limits
        let total = settings.server.maxConnections
        if limits.maxUnauthenticatedPerAddress > limits.maxUnauthenticated {
            throw values.error(
                "limits.max_unauthenticated_per_address",
                "must not exceed limits.max_unauthenticated (\(limits.maxUnauthenticated))",
                "\(limits.maxUnauthenticatedPerAddress)")
        }
        if limits.maxUnauthenticated + limits.reservedAdminConnections >= total {
            throw values.error(
                "limits.max_unauthenticated",
                "with limits.reserved_admin_connections (\(limits.reservedAdminConnections)) must leave room in "
                    + "server.max_connections (\(total)) for authenticated connections; lower it or raise "
                    + "server.max_connections",
                "\(limits.maxUnauthenticated)")
        }
    }

    /// The unix socket and TLS keys: a socket path with its mode, and a certificate and key named together.
    private static func parseTransport(_ values: Values, into server: inout ServerSettings) throws(PlenaryError) {
        if let socket = try values.string("server.socket"), !socket.trimmingCharacters(in: .whitespaces).isEmpty {
            guard socket.utf8.count < 108 else {
                throw values.error(
                    "server.socket", "must be a path shorter than 108 bytes (the kernel's limit)", socket)
            }
            server.socket = socket
        }
        if let mode = try values.string("server.socket_mode") {
            guard let parsed = Int(mode.trimmingCharacters(in: .whitespaces), radix: 8), (0...0o777).contains(parsed)
            else {
                throw values.error("server.socket_mode", "must be octal permissions such as 0660", mode)
            }
            server.socketMode = parsed
        }
        let certificate = try values.string("server.tls.certificate").flatMap { $0.isEmpty ? nil : $0 }
        let key = try values.string("server.tls.key").flatMap { $0.isEmpty ? nil : $0 }
        switch (certificate, key) {
        case (nil, nil): break
        case (.some, nil):
            throw values.error("server.tls.key", "must be set with server.tls.certificate", "")
        case (nil, .some):
            throw values.error("server.tls.certificate", "must be set with server.tls.key", "")
        case (.some(let certificate), .some(let key)):
            for (name, path) in [("server.tls.certificate", certificate), ("server.tls.key", key)]
            where !FileManager.default.isReadableFile(atPath: path) {
                throw values.error(name, "must name a readable PEM file", path)
            }
            server.tlsCertificate = certificate
            server.tlsKey = key
        }
        server.allowPlaintextRemote = try values.bool("server.allow_plaintext_remote") ?? server.allowPlaintextRemote
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
