import Foundation
import PlenaryTestSupport
import Testing

/// The real server over real TCP.
@Suite("plenary serve over TCP")
struct ServerTests {
    @Test func greetsAuthenticatesAndServesInOrder() throws {
        let database = try TestCluster.makeDatabase()
        let server = try ServerProcess(databaseURL: database)
        defer { server.stop() }
        let token = try #require(server.bootstrapToken)
        let client = try LineClient(port: server.port)
        let greeting = try #require(client.readLine())
        #expect(greeting.hasPrefix("220 plenary version="))
        #expect(greeting.contains("proto=1"))
        #expect(client.command("ping") == ["200 OK pong=true"])
        #expect(client.command("body list") == ["511 AUTH_REQUIRED authenticate first with: auth token=..."])
        #expect(client.command("auth token=pln_wrong")[0].hasPrefix("511 AUTH_FAILED"))
        #expect(client.command("auth token=\(token)") == ["200 OK name=admin role=admin"])
        // Pipelined: three requests in one write, three replies in order.
        client.send(#"body add code=CTOC/COP name="Conference of the Parties""# + "\nbody list\nbody get NOPE")
        #expect(client.readReply().last == "201 OK body=CTOC/COP")
        #expect(
            client.readReply() == [
                #"200-body code=CTOC/COP name="Conference of the Parties" timezone=UTC"#, "200 OK count=1",
            ])
        #expect(client.readReply()[0].hasPrefix("550 NOT_FOUND"))
        #expect(client.command("hello format=json")[0].hasPrefix(#"{"code":200,"ok":true"#))
        #expect(client.command("quit") == [#"{"code":221,"ok":true}"#])
        #expect(client.readLine() == nil)
    }

    @Test func tokenRolesAreCheckedPerCommand() throws {
        let database = try TestCluster.makeDatabase()
        let created = try PlenaryProcess.run(
            ["token", "create", "name=reader", "role=observer"], databaseURL: database)
        #expect(created.status == 0, "\(created.stderr)")
        let secret = try #require(created.stdout.split(separator: " ").first { $0.hasPrefix("token=") }?.dropFirst(6))
        let server = try ServerProcess(databaseURL: database)
        defer { server.stop() }
        #expect(server.bootstrapToken == nil, "a token existed, so none may be bootstrapped")
        let client = try LineClient(port: server.port)
        _ = client.readLine()
        #expect(
            client.command("auth token=\(secret.trimmingCharacters(in: .whitespacesAndNewlines))")
                == ["200 OK name=reader role=observer"])
        #expect(client.command("body list") == ["200 OK count=0"])
        #expect(client.command("body add code=X name=Y")[0].hasPrefix("530 FORBIDDEN"))
        #expect(client.command("whoami") == ["200 OK name=reader role=observer"])
    }

    @Test func overLongLinesAreBoundedAndHTTPIsTurnedAway() throws {
        let database = try TestCluster.makeDatabase()
        let server = try ServerProcess(databaseURL: database)
        defer { server.stop() }
        let token = try #require(server.bootstrapToken)

        let authenticated = try LineClient(port: server.port)
        _ = authenticated.readLine()
        _ = authenticated.command("auth token=\(token)")
        authenticated.send(String(repeating: "x", count: 100_000))
        #expect(authenticated.readLine() == "500 LINE_TOO_LONG line: longer than 16384 bytes")
        #expect(authenticated.command("ping") == ["200 OK pong=true"], "the next line is read normally")

        let anonymous = try LineClient(port: server.port)
        _ = anonymous.readLine()
        anonymous.send(String(repeating: "y", count: 2_000))
        #expect(anonymous.readLine() == "500 LINE_TOO_LONG line: longer than 512 bytes")
        #expect(anonymous.readLine() == nil, "before auth an over-long line closes the connection")

        let browser = try LineClient(port: server.port)
        _ = browser.readLine()
        browser.send("GET / HTTP/1.1\r")
        #expect(browser.readLine()?.hasPrefix("500 BAD_SYNTAX") == true)
        #expect(browser.readLine() == nil)
    }

    @Test func sigtermStopsTheServerInOrder() throws {
        let database = try TestCluster.makeDatabase()
        let server = try ServerProcess(databaseURL: database)
        let client = try LineClient(port: server.port)
        _ = client.readLine()
        let status = server.stop()
        #expect(status == 0)
        #expect(client.readLine() == "421 CLOSING server shutting down")
    }
}
