import Foundation
import PlenaryTestSupport
import Testing

/// The ways in and their gates: the unix socket and its permissions, TLS, the refusal to serve tokens in clear on
/// the network, the per-token connection limit, revocation of open connections, and `status`.
@Suite("transports and connection limits")
struct TransportTests {
    /// A fresh directory for sockets and certificates; short, since a socket path must fit in 108 bytes.
    private static func directory() throws -> URL {
        let url = URL(fileURLWithPath: "/tmp/pln-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs the CLI against a server.
    private static func remote(
        _ words: [String], server: String, token: String, extra: [String] = []
    ) throws
        -> ProcessResult
    {
        try PlenaryProcess.run(["--server", server, "--token", token] + extra + words, databaseURL: nil)
    }

    @Test func unixSocketServesTheProtocolBehindItsFilePermissions() throws {
        let database = try TestCluster.makeDatabase()
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let socket = directory.appendingPathComponent("plenary.sock").path
        let server = try ServerProcess(
            databaseURL: database,
            environment: ["PLENARY_SERVER_SOCKET": socket, "PLENARY_SERVER_SOCKET_MODE": "0600"])
        let token = try #require(server.bootstrapToken)

        let attributes = try FileManager.default.attributesOfItem(atPath: socket)
        #expect(attributes[.type] as? FileAttributeType == .typeSocket)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        let whoami = try Self.remote(["whoami"], server: "unix:\(socket)", token: token)
        #expect(whoami.status == 0, "\(whoami.stderr)")
        #expect(whoami.stdout.contains("admin"))
        // Behind the file's permissions the token is still asked for.
        let anonymous = try PlenaryProcess.run(["--server", "unix:\(socket)", "body", "list"], databaseURL: nil)
        #expect(anonymous.status == 1)
        #expect(anonymous.stderr.contains("AUTH_REQUIRED"), "\(anonymous.stderr)")

        let status = try Self.remote(["status", "--format", "text"], server: "unix:\(socket)", token: token)
        #expect(status.stdout.contains("unix:\(socket)"), "\(status.stdout)")

        #expect(server.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: socket), "the socket file is removed on shutdown")
    }

    @Test func tlsCarriesTheProtocolAndATrustedCertificateIsRequired() throws {
        let database = try TestCluster.makeDatabase()
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("server.pem").path
        let key = directory.appendingPathComponent("server.key").path
        let made = try PlenaryProcess.runProcess(
            "/usr/bin/env",
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", certificate,
            ], environment: ProcessInfo.processInfo.environment)
        try #require(made.status == 0, "openssl: \(made.stderr)")
        let server = try ServerProcess(
            databaseURL: database,
            environment: ["PLENARY_SERVER_TLS_CERTIFICATE": certificate, "PLENARY_SERVER_TLS_KEY": key])
        defer { server.stop() }
        let token = try #require(server.bootstrapToken)

        for host in ["localhost", "127.0.0.1"] {
            let trusted = try Self.remote(
                ["whoami", "--format", "text"], server: "tls:\(host):\(server.port)", token: token,
                extra: ["--ca", certificate])
            #expect(trusted.status == 0, "\(host): \(trusted.stderr)")
            #expect(trusted.stdout == "200 OK name=admin role=admin\n")
        }
        // A certificate nobody vouched for is not talked to.
        let untrusted = try Self.remote(["whoami"], server: "tls:localhost:\(server.port)", token: token)
        #expect(untrusted.status == 3)
        #expect(untrusted.stderr.contains("cannot connect"), "\(untrusted.stderr)")
        // Nor does the server speak the protocol in clear on its TLS port.
        let plain = try LineClient(port: server.port, timeout: 10)
        plain.send("ping")
        let answer = plain.readLine()
        #expect(!(answer?.hasPrefix("220") ?? false), "plain text on the TLS port got \(answer ?? "nothing")")

        let status = try Self.remote(
            ["status", "--format", "text"], server: "tls:localhost:\(server.port)", token: token,
            extra: ["--ca", certificate])
        #expect(status.stdout.contains("listen=tls:127.0.0.1:\(server.port)"), "\(status.stdout)")
    }

    @Test func aNetworkAddressWithoutTLSIsRefusedUnlessAllowed() throws {
        let database = try TestCluster.makeDatabase()
        let refused = try PlenaryProcess.run(["serve", "--listen", "0.0.0.0:0"], databaseURL: database, timeout: 60)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("server.listen"), "\(refused.stderr)")
        #expect(refused.stderr.contains("server.allow_plaintext_remote"), "\(refused.stderr)")
        #expect(!refused.stdout.contains("listening"))

        let allowed = try ServerProcess(
            databaseURL: database, environment: ["PLENARY_SERVER_ALLOW_PLAINTEXT_REMOTE": "true"], host: "0.0.0.0")
        defer { allowed.stop() }
        let client = try LineClient(port: allowed.port)
        #expect(client.readLine()?.hasPrefix("220 plenary") == true)
    }

    @Test func oneTokenHoldsAtMostItsLimitOfConnections() throws {
        let database = try TestCluster.makeDatabase()
        let server = try ServerProcess(
            databaseURL: database, environment: ["PLENARY_SERVER_MAX_CONNECTIONS_PER_TOKEN": "2"])
        defer { server.stop() }
        let token = try #require(server.bootstrapToken)
        let first = try LineClient(port: server.port)
        let second = try LineClient(port: server.port)
        for client in [first, second] {
            _ = client.readLine()
            #expect(client.command("auth token=\(token)") == ["200 OK name=admin role=admin"])
        }
        let third = try LineClient(port: server.port)
        _ = third.readLine()
        let refusal = third.command("auth token=\(token)")
        #expect(refusal.count == 1 && refusal[0].hasPrefix("421 CLOSING token admin holds 2 connections"))
        #expect(refusal.first?.contains("server.max_connections_per_token") == true)
        #expect(third.readLine() == nil, "the refused connection is closed")
        // Unauthenticated connections hold no token: they are not counted against it.
        #expect(first.command("ping") == ["200 OK pong=true"])

        #expect(second.command("quit") == ["221 BYE"])
        // The server lets go of the closed connection's hold as it ends; a later one takes its place.
        let deadline = Date().addingTimeInterval(10)
        var replaced = false
        while !replaced, Date() < deadline {
            let next = try LineClient(port: server.port)
            _ = next.readLine()
            replaced = next.command("auth token=\(token)") == ["200 OK name=admin role=admin"]
        }
        #expect(replaced)
    }

    @Test func aRevokedTokenIsShutOutOfOpenConnections() throws {
        let database = try TestCluster.makeDatabase()
        let server = try ServerProcess(databaseURL: database)
        defer { server.stop() }
        let admin = try LineClient(port: server.port)
        _ = admin.readLine()
        #expect(admin.command("auth token=\(try #require(server.bootstrapToken))").count == 1)
        let created = admin.command("token create name=visitor role=observer")
        let secret = try #require(created.first?.split(separator: " ").first { $0.hasPrefix("token=") }?.dropFirst(6))

        let busy = try LineClient(port: server.port)
        let idle = try LineClient(port: server.port, timeout: 20)
        for client in [busy, idle] {
            _ = client.readLine()
            #expect(client.command("auth token=\(secret)") == ["200 OK name=visitor role=observer"])
        }
        #expect(busy.command("body list") == ["200 OK count=0"])

        #expect(admin.command("token revoke name=visitor") == ["200 OK name=visitor revoked=true"])
        // The next command on a connection holding the token is refused, and the connection closed.
        #expect(busy.command("body list") == ["421 CLOSING token visitor was revoked; connect and authenticate again"])
        #expect(busy.readLine() == nil)
        // A connection that sends nothing is told too, without asking.
        #expect(idle.readLine() == "421 CLOSING token visitor was revoked; connect and authenticate again")
        #expect(idle.readLine() == nil)
        // And the token opens nothing new.
        let later = try LineClient(port: server.port)
        _ = later.readLine()
        #expect(later.command("auth token=\(secret)").first?.hasPrefix("511 AUTH_FAILED") == true)
    }

    @Test func statusReportsTheServerToAdminsOnly() throws {
        let database = try TestCluster.makeDatabase()
        let server = try ServerProcess(databaseURL: database)
        defer { server.stop() }
        let token = try #require(server.bootstrapToken)
        let admin = try LineClient(port: server.port)
        _ = admin.readLine()
        _ = admin.command("auth token=\(token)")
        let observerToken = try #require(
            admin.command("token create name=reader role=observer").first?.split(separator: " ")
                .first { $0.hasPrefix("token=") }?.dropFirst(6))
        let anonymous = try LineClient(port: server.port)
        _ = anonymous.readLine()

        let status = admin.command("status")
        #expect(status.count == 1)
        let line = try #require(status.first)
        for field in [
            "version=", "uptime-s=", "connections=2", "authenticated=1", "pool-size=", "pool-in-use=",
            "listen=127.0.0.1:\(server.port)", "serving=true",
        ] {
            #expect(line.contains(field), "status lacks \(field): \(line)")
        }
        #expect(!line.contains(token) && !line.contains("pln_"), "status must never show a token")

        let reader = try LineClient(port: server.port)
        _ = reader.readLine()
        _ = reader.command("auth token=\(observerToken)")
        #expect(reader.command("status").first?.hasPrefix("530 FORBIDDEN") == true)

        // In-process nothing serves, and status says so.
        let local = try PlenaryProcess.run(["status", "--format", "text"], databaseURL: database)
        #expect(local.status == 0, "\(local.stderr)")
        #expect(local.stdout.contains("serving=false"))
        #expect(!local.stdout.contains("connections="))
    }

    @Test func consecutiveErrorsCloseAtTheConfiguredCount() throws {
        let database = try TestCluster.makeDatabase()
        let server = try ServerProcess(
            databaseURL: database, environment: ["PLENARY_LIMITS_MAX_CONSECUTIVE_ERRORS": "3"])
        defer { server.stop() }
        let client = try LineClient(port: server.port)
        _ = client.readLine()
        #expect(client.command("nonsense")[0].hasPrefix("502"))
        #expect(client.command("ping") == ["200 OK pong=true"], "a success starts the count again")
        #expect(client.command("nonsense")[0].hasPrefix("502"))
        #expect(client.command("nonsense")[0].hasPrefix("502"))
        client.send("nonsense")
        #expect(client.readLine()?.hasPrefix("502") == true)
        #expect(client.readLine() == "421 CLOSING too many errors: 3 in a row")
        #expect(client.readLine() == nil)
    }
}
