import AdminProtocol
import AdminServer
import EmbeddedPostgres
import Foundation
import PlenaryCore
import Postgres

// Each group reads its own keys (`init(reader:)`), starting from the defaults of the component it configures: the
// pool's, the embedded cluster's, the admin server's, the change feed's. A default is stated once, in the
// component, and a component built with no configuration at all (a test's pool) behaves as one built from an empty
// file. The settings that configure no component (auth, log, the plaintext-remote switch) state theirs here.

extension PlenaryConfiguration {
    /// Where the data lives: `database.*`, the connection pool's settings.
    public struct DatabaseSettings: Sendable, Equatable {
        /// A libpq URI or key/value string; nil means the embedded cluster.
        public var url: String?
        /// Connections in the pool.
        public var poolSize: Int
        /// How long a command waits for a free connection before answering 451.
        public var acquireTimeoutMilliseconds: Int
        /// `statement_timeout` on every connection.
        public var statementTimeoutMilliseconds: Int
        /// libpq `connect_timeout`, unless the URL sets one.
        public var connectTimeoutSeconds: Int
        /// An idle connection older than this is checked before use.
        public var healthCheckAfterIdleMilliseconds: Int

        /// No URL (the embedded cluster) and the pool's own defaults.
        public init() {
            let pool = ConnectionPool.Configuration(conninfo: "")
            poolSize = pool.size
            acquireTimeoutMilliseconds = pool.acquireTimeout.wholeMilliseconds
            statementTimeoutMilliseconds = pool.statementTimeout.wholeMilliseconds
            connectTimeoutSeconds = pool.connectTimeoutSeconds
            healthCheckAfterIdleMilliseconds = pool.healthCheckAfterIdle.wholeMilliseconds
        }

        /// Reads `database.*`; a key left out keeps its default.
        init(reader: SettingsReader) throws(PlenaryError) {
            self.init()
            url = reader.path("url")
            try reader.read(&poolSize, "pool_size", 1...500)
            try reader.read(&acquireTimeoutMilliseconds, "acquire_timeout_ms", 1...3_600_000)
            try reader.read(&statementTimeoutMilliseconds, "statement_timeout_ms", 0...86_400_000)
            try reader.read(&connectTimeoutSeconds, "connect_timeout_s", 1...600)
            try reader.read(&healthCheckAfterIdleMilliseconds, "health_check_after_idle_ms", 0...86_400_000)
        }

        /// The pool's configuration, connecting with `conninfo` (the URL, or the embedded cluster's).
        public func pool(conninfo: String) -> ConnectionPool.Configuration {
            ConnectionPool.Configuration(
                conninfo: conninfo, size: poolSize, acquireTimeout: .milliseconds(acquireTimeoutMilliseconds),
                healthCheckAfterIdle: .milliseconds(healthCheckAfterIdleMilliseconds),
                statementTimeout: .milliseconds(statementTimeoutMilliseconds),
                connectTimeoutSeconds: connectTimeoutSeconds)
        }
    }

    /// The private cluster used when no database URL is set: `embedded.*`.
    public struct EmbeddedSettings: Sendable, Equatable {
        /// The directory holding the cluster (`pgdata/`), relative to the working directory.
        public var directory: String = EmbeddedCluster.defaultDirectory

        /// The cluster's default directory.
        public init() {}

        /// Reads `embedded.*`; a key left out keeps its default.
        init(reader: SettingsReader) throws(PlenaryError) {
            if let directory = reader.string("directory") {
                guard !directory.isEmpty else { throw reader.refusal("directory", "must not be empty", directory) }
                self.directory = directory
            }
        }
    }

    /// The admin protocol listener: `server.*`.
    public struct ServerSettings: Sendable, Equatable {
        /// The address to bind.
        public var listen: String
        /// The TCP port.
        public var port: Int
        /// Connections open at once, of every kind: `limits.max_unauthenticated` of them for connections that have
        /// not authenticated yet, the rest for those that have.
        public var maxConnections: Int
        /// Connections the kernel may hold completed but not yet accepted (capped by net.core.somaxconn): a flood
        /// of connections must not overflow the queue, or everyone's connection attempts are dropped with them.
        public var listenBacklog: Int
        /// Connections one token may hold authenticated at once; the next `auth` with it is answered 421.
        public var maxConnectionsPerToken: Int
        /// A unix socket to listen on as well as TCP; nil for none. Its file permissions are the first gate.
        public var socket: String?
        /// The socket file's permissions, as octal digits (`0660`: the owner and its group).
        public var socketMode: Int
        /// The PEM certificate chain served over TLS; with `tlsKey`, TCP connections speak TLS.
        public var tlsCertificate: String?
        /// The PEM private key of `tlsCertificate`.
        public var tlsKey: String?
        /// Whether listening on an address other than loopback without TLS is allowed. Off, such a start-up is
        /// refused: tokens would cross the network in clear.
        public var allowPlaintextRemote = false

        /// The server's own defaults.
        public init() {
            let server = AdminServer.Configuration()
            listen = server.host
            port = server.port
            maxConnections = server.maxConnections
            listenBacklog = server.listenBacklog
            maxConnectionsPerToken = server.maxConnectionsPerToken
            socket = server.socketPath
            socketMode = server.socketMode
        }

        /// Reads `server.*`; a key left out keeps its default.
        init(reader: SettingsReader) throws(PlenaryError) {
            self.init()
            if let listen = reader.string("listen") {
                guard !listen.isEmpty, !listen.contains(" ") else {
                    throw reader.refusal("listen", "must be an IP address or host name", listen)
                }
                self.listen = listen
            }
            try reader.read(&port, "port", 0...65_535)
            try reader.read(&maxConnections, "max_connections", 1...100_000)
            try reader.read(&maxConnectionsPerToken, "max_connections_per_token", 1...100_000)
            try reader.read(&listenBacklog, "listen_backlog", 1...65_535)
            try readTransport(reader)
        }

        /// The unix socket and TLS keys: a socket path with its mode, and a certificate and key named together.
        private mutating func readTransport(_ reader: SettingsReader) throws(PlenaryError) {
            if let socket = reader.path("socket") {
                guard socket.utf8.count < 108 else {
                    throw reader.refusal("socket", "must be a path shorter than 108 bytes (the kernel's limit)", socket)
                }
                self.socket = socket
            }
            if let mode = reader.string("socket_mode") {
                guard let parsed = Int(mode.trimmingCharacters(in: .whitespaces), radix: 8),
                    (0...0o777).contains(parsed)
                else {
                    throw reader.refusal("socket_mode", "must be octal permissions such as 0660", mode)
                }
                socketMode = parsed
            }
            let certificate = reader.string("tls.certificate").flatMap { $0.isEmpty ? nil : $0 }
            let key = reader.string("tls.key").flatMap { $0.isEmpty ? nil : $0 }
            switch (certificate, key) {
            case (nil, nil): break
            case (.some, nil):
                throw reader.refusal("tls.key", "must be set with server.tls.certificate", "")
            case (nil, .some):
                throw reader.refusal("tls.certificate", "must be set with server.tls.key", "")
            case (.some(let certificate), .some(let key)):
                for (name, path) in [("tls.certificate", certificate), ("tls.key", key)]
                where !FileManager.default.isReadableFile(atPath: path) {
                    throw reader.refusal(name, "must name a readable PEM file", path)
                }
                tlsCertificate = certificate
                tlsKey = key
            }
            try reader.read(&allowPlaintextRemote, "allow_plaintext_remote")
        }

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

    /// Bounds that keep one client from hurting the others: `limits.*`, the admin server's and the change feed's.
    public struct LimitSettings: Sendable, Equatable {
        /// Longest line accepted before authentication.
        public var lineBytesBeforeAuth: Int
        /// Longest line accepted after authentication.
        public var lineBytes: Int
        /// Requests read ahead of their replies on one connection before reading pauses.
        public var inFlightPerConnection: Int
        /// Seconds a connection may take to authenticate.
        public var authTimeoutSeconds: Int
        /// Seconds an authenticated connection may stay silent.
        public var idleTimeoutSeconds: Int
        /// Longest a single command may run before it is answered 451.
        public var commandTimeoutMilliseconds: Int
        /// Refused requests in a row before the server answers 421 and closes the connection.
        public var maxConsecutiveErrors: Int
        /// Change events one watcher may hold unread before it falls back to replaying from the log.
        public var watchQueueEvents: Int
        /// Seconds a watcher may read nothing while events wait for it before it is answered 421 and closed.
        public var watchStallTimeoutSeconds: Int
        /// Connections that have not authenticated yet, at most, out of `server.max_connections`.
        public var maxUnauthenticated: Int
        /// Of those, the most one source address (an IPv6 /64) may hold.
        public var maxUnauthenticatedPerAddress: Int
        /// Authenticated slots only admin tokens may take.
        public var reservedAdminConnections: Int
        /// Seconds to authenticate for a connection that arrives while the server is under pressure.
        public var authTimeoutUnderPressureSeconds: Int
        /// How full the unauthenticated budget is, in percent, when the server is under pressure.
        public var unauthenticatedPressurePercent: Int
        /// Seconds between the log lines that count the connections refused or closed by these limits.
        public var refusalLogIntervalSeconds: Int

        /// The server's and the change feed's own defaults.
        public init() {
            let server = AdminServer.Configuration()
            let feed = ChangeFeed.Configuration()
            lineBytesBeforeAuth = server.lineBytesBeforeAuth
            lineBytes = server.lineBytes
            inFlightPerConnection = server.inFlightPerConnection
            authTimeoutSeconds = server.authTimeoutSeconds
            idleTimeoutSeconds = server.idleTimeoutSeconds
            commandTimeoutMilliseconds = server.commandTimeoutMilliseconds
            maxConsecutiveErrors = server.maxConsecutiveErrors
            watchQueueEvents = feed.queueLimit
            watchStallTimeoutSeconds = feed.stallTimeout.wholeSeconds
            maxUnauthenticated = server.maxUnauthenticated
            maxUnauthenticatedPerAddress = server.maxUnauthenticatedPerAddress
            reservedAdminConnections = server.reservedAdminConnections
            authTimeoutUnderPressureSeconds = server.authTimeoutUnderPressureSeconds
            unauthenticatedPressurePercent = server.unauthenticatedPressurePercent
            refusalLogIntervalSeconds = server.refusalLogInterval.wholeSeconds
        }

        /// Reads `limits.*`; a key left out keeps its default. How the door's limits fit `server.max_connections`
        /// is checked by ``PlenaryConfiguration``, which holds both groups.
        init(reader: SettingsReader) throws(PlenaryError) {
            self.init()
            try reader.read(&lineBytesBeforeAuth, "line_bytes_before_auth", 64...65_536)
            try reader.read(&lineBytes, "line_bytes", 512...16_777_216)
            try reader.read(&inFlightPerConnection, "in_flight_per_connection", 1...10_000)
            try reader.read(&authTimeoutSeconds, "auth_timeout_s", 1...3_600)
            try reader.read(&idleTimeoutSeconds, "idle_timeout_s", 1...604_800)
            try reader.read(&commandTimeoutMilliseconds, "command_timeout_ms", 1...86_400_000)
            try reader.read(&maxConsecutiveErrors, "max_consecutive_errors", 1...10_000)
            try reader.read(&watchQueueEvents, "watch_queue_events", 16...1_000_000)
            try reader.read(&watchStallTimeoutSeconds, "watch_stall_timeout_s", 1...3_600)
            try reader.read(&maxUnauthenticated, "max_unauthenticated", 1...100_000)
            try reader.read(&maxUnauthenticatedPerAddress, "max_unauthenticated_per_address", 1...100_000)
            try reader.read(&reservedAdminConnections, "reserved_admin_connections", 0...100_000)
            try reader.read(&authTimeoutUnderPressureSeconds, "auth_timeout_under_pressure_s", 1...3_600)
            try reader.read(&unauthenticatedPressurePercent, "unauthenticated_pressure_percent", 1...100)
            try reader.read(&refusalLogIntervalSeconds, "refusal_log_interval_s", 1...86_400)
            if maxUnauthenticatedPerAddress > maxUnauthenticated {
                throw reader.refusal(
                    "max_unauthenticated_per_address",
                    "must not exceed limits.max_unauthenticated (\(maxUnauthenticated))",
                    "\(maxUnauthenticatedPerAddress)")
            }
        }

        /// The change feed's bounds, as `watch` streams them.
        public var changeFeed: ChangeFeed.Configuration {
            ChangeFeed.Configuration(queueLimit: watchQueueEvents, stallTimeout: .seconds(watchStallTimeoutSeconds))
        }
    }

    /// Authentication: `auth.*`.
    public struct AuthSettings: Sendable, Equatable {
        /// On first start with no tokens, create one admin token and print it once to the console.
        public var bootstrapAdminToken = true

        /// The defaults.
        public init() {}

        /// Reads `auth.*`; a key left out keeps its default.
        init(reader: SettingsReader) throws(PlenaryError) {
            try reader.read(&bootstrapAdminToken, "bootstrap_admin_token")
        }
    }

    /// Logging: `log.*`.
    public struct LogSettings: Sendable, Equatable {
        /// The levels `level` accepts.
        public static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

        /// The lowest level written: trace, debug, info, notice, warning, error, critical.
        public var level = "info"

        /// The defaults.
        public init() {}

        /// Reads `log.*`; a key left out keeps its default.
        init(reader: SettingsReader) throws(PlenaryError) {
            if let level = reader.string("level") {
                guard Self.levels.contains(level.lowercased()) else {
                    throw reader.refusal("level", "must be one of \(Self.levels.joined(separator: "|"))", level)
                }
                self.level = level.lowercased()
            }
        }
    }
}
