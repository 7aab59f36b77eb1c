import AdminProtocol
import AdminServer
import EmbeddedPostgres
import Foundation
import PlenaryConfig
import PlenaryCore
import Postgres
import Testing

@Suite("Configuration")
struct ConfigurationTests {
    static let shippedFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Config/plenary.yaml").path

    func temporaryFile(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "plenary-config-\(UUID().uuidString).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theShippedFileGivesTheDefaults() async throws {
        let loaded = try await PlenaryConfiguration.load(file: Self.shippedFile, environment: [:])
        var expected = PlenaryConfiguration()
        expected.sourceFile = Self.shippedFile
        #expect(loaded == expected)
    }

    @Test func anEmptyConfigurationIsTheComponentsOwnDefaults() {
        let settings = PlenaryConfiguration()
        let pool = settings.database.pool(conninfo: "dbname=x")
        let bare = ConnectionPool.Configuration(conninfo: "dbname=x")
        #expect(pool.size == bare.size && pool.acquireTimeout == bare.acquireTimeout)
        #expect(
            pool.statementTimeout == bare.statementTimeout && pool.healthCheckAfterIdle == bare.healthCheckAfterIdle)
        #expect(pool.connectTimeoutSeconds == bare.connectTimeoutSeconds)
        let server = settings.adminServer(host: settings.server.listen, port: settings.server.port, socket: nil)
        let plain = AdminServer.Configuration()
        #expect(server.host == plain.host && server.port == plain.port && server.maxConnections == plain.maxConnections)
        #expect(server.lineBytesBeforeAuth == plain.lineBytesBeforeAuth && server.lineBytes == plain.lineBytes)
        #expect(server.maxUnauthenticated == plain.maxUnauthenticated)
        #expect(server.refusalLogInterval == plain.refusalLogInterval)
        #expect(settings.limits.changeFeed.queueLimit == ChangeFeed.Configuration().queueLimit)
        #expect(settings.limits.changeFeed.stallTimeout == ChangeFeed.Configuration().stallTimeout)
        #expect(settings.embedded.directory == EmbeddedCluster.defaultDirectory)
    }

    @Test func everySettingReachesTheComponentItConfigures() async throws {
        let certificate = try temporaryFile("not checked here: the server reads it at start-up")
        let given = [
            "DATABASE_POOL_SIZE": "11", "DATABASE_ACQUIRE_TIMEOUT_MS": "1234", "DATABASE_STATEMENT_TIMEOUT_MS": "4321",
            "DATABASE_CONNECT_TIMEOUT_S": "7", "DATABASE_HEALTH_CHECK_AFTER_IDLE_MS": "99",
            "SERVER_MAX_CONNECTIONS": "2000", "SERVER_LISTEN_BACKLOG": "100", "SERVER_MAX_CONNECTIONS_PER_TOKEN": "6",
            "SERVER_SOCKET": "/run/plenary/admin.sock", "SERVER_SOCKET_MODE": "0600",
            "SERVER_TLS_CERTIFICATE": certificate, "SERVER_TLS_KEY": certificate,
            "LIMITS_LINE_BYTES_BEFORE_AUTH": "100", "LIMITS_LINE_BYTES": "1000", "LIMITS_IN_FLIGHT_PER_CONNECTION": "5",
            "LIMITS_AUTH_TIMEOUT_S": "11", "LIMITS_IDLE_TIMEOUT_S": "12", "LIMITS_COMMAND_TIMEOUT_MS": "13",
            "LIMITS_MAX_CONSECUTIVE_ERRORS": "14", "LIMITS_WATCH_QUEUE_EVENTS": "150",
            "LIMITS_WATCH_STALL_TIMEOUT_S": "16",
            "LIMITS_MAX_UNAUTHENTICATED": "170", "LIMITS_MAX_UNAUTHENTICATED_PER_ADDRESS": "18",
            "LIMITS_RESERVED_ADMIN_CONNECTIONS": "19", "LIMITS_AUTH_TIMEOUT_UNDER_PRESSURE_S": "2",
            "LIMITS_UNAUTHENTICATED_PRESSURE_PERCENT": "21", "LIMITS_REFUSAL_LOG_INTERVAL_S": "22",
        ]
        let loaded = try await PlenaryConfiguration.load(
            file: nil, environment: Dictionary(uniqueKeysWithValues: given.map { ("PLENARY_" + $0.key, $0.value) }))
        let pool = loaded.database.pool(conninfo: "dbname=x")
        #expect(pool.conninfo == "dbname=x" && pool.size == 11 && pool.acquireTimeout == .milliseconds(1234))
        #expect(pool.statementTimeout == .milliseconds(4321) && pool.healthCheckAfterIdle == .milliseconds(99))
        #expect(pool.connectTimeoutSeconds == 7)
        let server = loaded.adminServer(host: "::1", port: 0, socket: nil)
        #expect(server.host == "::1" && server.port == 0 && server.socketPath == "/run/plenary/admin.sock")
        #expect(server.socketMode == 0o600 && server.tls?.certificate == certificate && server.tls?.key == certificate)
        #expect(server.maxConnections == 2000 && server.listenBacklog == 100 && server.maxConnectionsPerToken == 6)
        #expect(server.lineBytesBeforeAuth == 100 && server.lineBytes == 1000 && server.inFlightPerConnection == 5)
        #expect(server.authTimeoutSeconds == 11 && server.idleTimeoutSeconds == 12)
        #expect(server.commandTimeoutMilliseconds == 13 && server.maxConsecutiveErrors == 14)
        #expect(server.maxUnauthenticated == 170 && server.maxUnauthenticatedPerAddress == 18)
        #expect(server.reservedAdminConnections == 19 && server.authTimeoutUnderPressureSeconds == 2)
        #expect(server.unauthenticatedPressurePercent == 21 && server.refusalLogInterval == .seconds(22))
        #expect(loaded.adminServer(host: "::1", port: 0, socket: "/tmp/other.sock").socketPath == "/tmp/other.sock")
        #expect(loaded.limits.changeFeed.queueLimit == 150 && loaded.limits.changeFeed.stallTimeout == .seconds(16))
    }

    @Test func everyKeyIsDocumentedInTheShippedFile() throws {
        let text = try String(contentsOfFile: Self.shippedFile, encoding: .utf8)
        for key in PlenaryConfiguration.keys {
            for (depth, part) in key.split(separator: ".").enumerated() {
                let indent = String(repeating: " ", count: 2 * depth)
                #expect(text.contains("\n\(indent)\(part):"), "key \(key) missing from Config/plenary.yaml")
            }
        }
    }

    @Test func environmentOverridesTheFile() async throws {
        let file = try temporaryFile("server:\n  port: 8000\ndatabase:\n  url: host=/tmp dbname=a\n")
        let loaded = try await PlenaryConfiguration.load(
            file: file,
            environment: [
                "PLENARY_SERVER_PORT": "9001", "PLENARY_DATABASE_POOL_SIZE": "3", "PLENARY_LOG_LEVEL": "DEBUG",
                "UNRELATED_SERVER_PORT": "1",
            ])
        #expect(loaded.server.port == 9001)
        #expect(loaded.database.poolSize == 3)
        #expect(loaded.database.url == "host=/tmp dbname=a")
        #expect(loaded.log.level == "debug")
        #expect(PlenaryConfiguration.environmentName(for: "limits.line_bytes") == "PLENARY_LIMITS_LINE_BYTES")
    }

    @Test(arguments: [
        ("PLENARY_SERVER_PORT", "abc", "server.port"),
        ("PLENARY_SERVER_PORT", "70000", "server.port"),
        ("PLENARY_DATABASE_POOL_SIZE", "0", "database.pool_size"),
        ("PLENARY_LIMITS_LINE_BYTES", "12k", "limits.line_bytes"),
        ("PLENARY_AUTH_BOOTSTRAP_ADMIN_TOKEN", "maybe", "auth.bootstrap_admin_token"),
        ("PLENARY_LOG_LEVEL", "loud", "log.level"),
        ("PLENARY_SERVER_SOCKET_MODE", "0999", "server.socket_mode"),
        ("PLENARY_SERVER_SOCKET_MODE", "rw", "server.socket_mode"),
        ("PLENARY_SERVER_MAX_CONNECTIONS_PER_TOKEN", "0", "server.max_connections_per_token"),
        ("PLENARY_SERVER_ALLOW_PLAINTEXT_REMOTE", "sometimes", "server.allow_plaintext_remote"),
        ("PLENARY_LIMITS_MAX_CONSECUTIVE_ERRORS", "0", "limits.max_consecutive_errors"),
        ("PLENARY_LIMITS_WATCH_QUEUE_EVENTS", "8", "limits.watch_queue_events"),
        ("PLENARY_LIMITS_WATCH_STALL_TIMEOUT_S", "-1", "limits.watch_stall_timeout_s"),
        ("PLENARY_SERVER_LISTEN_BACKLOG", "0", "server.listen_backlog"),
        ("PLENARY_LIMITS_MAX_UNAUTHENTICATED", "0", "limits.max_unauthenticated"),
        ("PLENARY_LIMITS_MAX_UNAUTHENTICATED", "998", "limits.max_unauthenticated"),
        ("PLENARY_LIMITS_MAX_UNAUTHENTICATED_PER_ADDRESS", "257", "limits.max_unauthenticated_per_address"),
        ("PLENARY_LIMITS_RESERVED_ADMIN_CONNECTIONS", "-1", "limits.reserved_admin_connections"),
        ("PLENARY_LIMITS_AUTH_TIMEOUT_UNDER_PRESSURE_S", "0", "limits.auth_timeout_under_pressure_s"),
        ("PLENARY_LIMITS_UNAUTHENTICATED_PRESSURE_PERCENT", "101", "limits.unauthenticated_pressure_percent"),
        ("PLENARY_LIMITS_REFUSAL_LOG_INTERVAL_S", "0", "limits.refusal_log_interval_s"),
    ])
    func aMalformedValueStopsStartUpNamingTheKey(variable: String, value: String, key: String) async throws {
        do {
            _ = try await PlenaryConfiguration.load(file: nil, environment: [variable: value])
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            #expect(error.message.hasPrefix(key), "message: \(error.message)")
            #expect(error.message.contains(variable))
            #expect(error.message.contains(value))
        }
    }

    @Test func theDoorsLimitsAreReadAndMustLeaveRoomForAuthenticatedConnections() async throws {
        let loaded = try await PlenaryConfiguration.load(
            file: nil,
            environment: [
                "PLENARY_SERVER_MAX_CONNECTIONS": "100", "PLENARY_LIMITS_MAX_UNAUTHENTICATED": "90",
                "PLENARY_LIMITS_MAX_UNAUTHENTICATED_PER_ADDRESS": "9", "PLENARY_LIMITS_RESERVED_ADMIN_CONNECTIONS": "9",
                "PLENARY_LIMITS_AUTH_TIMEOUT_UNDER_PRESSURE_S": "1", "PLENARY_SERVER_LISTEN_BACKLOG": "128",
            ])
        #expect(loaded.limits.maxUnauthenticated == 90)
        #expect(loaded.limits.maxUnauthenticatedPerAddress == 9)
        #expect(loaded.limits.reservedAdminConnections == 9)
        #expect(loaded.limits.authTimeoutUnderPressureSeconds == 1)
        #expect(loaded.server.listenBacklog == 128)
        // 90 + 10 leaves no authenticated slot for a token that is not an admin's.
        do {
            _ = try await PlenaryConfiguration.load(
                file: nil,
                environment: [
                    "PLENARY_SERVER_MAX_CONNECTIONS": "100", "PLENARY_LIMITS_MAX_UNAUTHENTICATED": "90",
                    "PLENARY_LIMITS_RESERVED_ADMIN_CONNECTIONS": "10",
                ])
            Issue.record("a door that leaves no authenticated room was accepted")
        } catch {
            #expect(error.message.hasPrefix("limits.max_unauthenticated (PLENARY_LIMITS_MAX_UNAUTHENTICATED)"))
            #expect(error.message.contains("server.max_connections (100)"), "message: \(error.message)")
        }
    }

    @Test func transportKeysAreReadAndCheckedTogether() async throws {
        let certificate = try temporaryFile("not checked here: the server reads it at start-up")
        let loaded = try await PlenaryConfiguration.load(
            file: nil,
            environment: [
                "PLENARY_SERVER_SOCKET": "/run/plenary/admin.sock", "PLENARY_SERVER_SOCKET_MODE": "0600",
                "PLENARY_SERVER_TLS_CERTIFICATE": certificate, "PLENARY_SERVER_TLS_KEY": certificate,
                "PLENARY_SERVER_MAX_CONNECTIONS_PER_TOKEN": "5", "PLENARY_LIMITS_WATCH_QUEUE_EVENTS": "100",
            ])
        #expect(loaded.server.socket == "/run/plenary/admin.sock")
        #expect(loaded.server.socketMode == 0o600)
        #expect(loaded.server.tlsCertificate == certificate && loaded.server.tlsKey == certificate)
        #expect(loaded.server.usesTLS)
        #expect(loaded.server.maxConnectionsPerToken == 5)
        #expect(loaded.limits.watchQueueEvents == 100)

        // A certificate without its key, or a key file nobody can read, stops start-up naming the key.
        do {
            _ = try await PlenaryConfiguration.load(
                file: nil, environment: ["PLENARY_SERVER_TLS_CERTIFICATE": certificate])
            Issue.record("a certificate without a key was accepted")
        } catch {
            #expect(error.message.hasPrefix("server.tls.key"), "\(error.message)")
        }
        do {
            _ = try await PlenaryConfiguration.load(
                file: nil,
                environment: [
                    "PLENARY_SERVER_TLS_CERTIFICATE": certificate, "PLENARY_SERVER_TLS_KEY": "/nonexistent/key.pem",
                ])
            Issue.record("an unreadable key was accepted")
        } catch {
            #expect(error.message.hasPrefix("server.tls.key"), "\(error.message)")
        }
    }

    @Test(arguments: [
        ("127.0.0.1", true), ("127.1.2.3", true), ("localhost", true), ("::1", true), ("[::1]", true),
        ("0.0.0.0", false), ("::", false), ("10.0.0.5", false), ("plenary.example.org", false), ("127.0.0", false),
        ("127.0.0.256", false),
    ])
    func loopbackAddressesAreTellable(host: String, loopback: Bool) {
        #expect(PlenaryConfiguration.ServerSettings.isLoopback(host) == loopback)
    }

    /// The message `body` is refused with, or nil when it is not.
    static func refusal(_ body: () throws(PlenaryError) -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return error.message
        }
    }

    @Test func plaintextOffTheMachineIsRefusedUnlessTLSOrAllowed() throws {
        var server = PlenaryConfiguration().server
        try server.checkTransport(host: "127.0.0.1")
        let refusal = Self.refusal { () throws(PlenaryError) in try server.checkTransport(host: "0.0.0.0") }
        #expect(refusal?.hasPrefix("server.listen") == true, "\(refusal ?? "accepted")")
        #expect(refusal?.contains("server.allow_plaintext_remote") == true)
        server.allowPlaintextRemote = true
        try server.checkTransport(host: "0.0.0.0")
        server.allowPlaintextRemote = false
        server.tlsCertificate = "/etc/plenary/cert.pem"
        server.tlsKey = "/etc/plenary/key.pem"
        try server.checkTransport(host: "0.0.0.0")
    }

    @Test func aMalformedValueInTheFileIsRefusedToo() async throws {
        let file = try temporaryFile("server:\n  port: abc\n")
        await #expect(throws: PlenaryError.self) {
            _ = try await PlenaryConfiguration.load(file: file, environment: [:])
        }
    }

    @Test func aMissingNamedFileIsAnError() async throws {
        await #expect(throws: PlenaryError.self) {
            _ = try await PlenaryConfiguration.load(file: "/nonexistent/plenary.yaml", environment: [:])
        }
    }

    @Test func anEmptyURLMeansTheEmbeddedCluster() async throws {
        let loaded = try await PlenaryConfiguration.load(file: nil, environment: ["PLENARY_DATABASE_URL": "  "])
        #expect(loaded.database.url == nil)
    }
}
