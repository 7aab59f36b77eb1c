import EmbeddedPostgres
import Foundation
import PlenaryConfig
import PlenaryCore
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
