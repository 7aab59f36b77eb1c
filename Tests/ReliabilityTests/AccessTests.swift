import AdminProtocol
import Foundation
import PlenaryCommands
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Storage
import Testing

/// Issue 9, item 6: who may do what, over TCP. The matrix is generated from the catalog itself, so a command added
/// tomorrow is checked tomorrow without anyone editing this file.
@Suite("Access over TCP")
struct AccessTests {
    /// The catalog the server runs, declared without a database: its pool connects only when a handler runs.
    static let catalog: Catalog = {
        PlenaryCatalog.make(Services(database: Database(configuration: .init(conninfo: "dbname=unused"))))
    }()

    /// Values that satisfy a custom parameter type, tried in order; a new custom type none of them satisfies fails
    /// the matrix test by name, so this list grows with the catalog.
    static let customSamples = [
        "4/1", "decision 4/1", "wg:WG.1", "doc:CTOC/COP/2008/1", "Europe/Vienna", "CTOC/COP/2008/1", "CTOC/COP",
        "WG.1", "en", "1", "2008-10-10",
    ]

    /// A value `type` accepts, or nil when none is known.
    static func sample(_ type: ParameterType) -> String? {
        switch type {
        case .string, .identifier: "CTOC/COP"
        case .text: "Sample text"
        case .integer(let range?): String(max(range.lowerBound, min(1, range.upperBound)))
        case .integer(nil): "1"
        case .boolean: "true"
        case .date: "2008-10-10"
        case .choice(let options): options.first
        case .list(let element): sample(element)
        case .custom(_, let validate): customSamples.first { validate($0) == nil }
        }
    }

    /// The request line for `spec` with a valid value for every required parameter; `token` stands in for `auth`'s.
    static func line(for spec: CommandSpec, token: String) throws -> String {
        var arguments: [RawArgument] = []
        for parameter in spec.parameters where parameter.required {
            let value = spec.name == "auth" ? token : sample(parameter.type)
            let known = try #require(
                value, "`\(spec.name)` \(parameter.name)=: no sample for \(parameter.type.displayName); add one")
            #expect(parameter.type.violation(of: known) == nil, "`\(spec.name)` \(parameter.name)=\(known)")
            arguments.append(RawArgument(key: parameter.name, value: known))
        }
        return try LineBuilder.build(words: [spec.noun] + (spec.verb.map { [$0] } ?? []), arguments: arguments).get()
    }

    /// Which tokens a test has, by role.
    struct Callers {
        var tokens: [Role: String]
    }

    static func callers(_ server: ServerProcess, database: String) throws -> Callers {
        Callers(tokens: [
            .admin: try #require(server.bootstrapToken),
            .secretariat: try TestTokens.create(name: "clerk", role: "secretariat", databaseURL: database),
            .observer: try TestTokens.create(name: "reader", role: "observer", databaseURL: database),
        ])
    }

    @Test func everyCommandForEveryRoleAndNoTokenIsAllowedExactlyAsTheCatalogSays() throws {
        let database = try TestCluster.makeDatabase()
        let server = try ServerProcess(databaseURL: database)
        defer { server.stop() }
        let callers = try Self.callers(server, database: database)
        let commands = Self.catalog.commands
        #expect(commands.count > 50, "the catalog holds every command of the contract")
        var tally: [String: Int] = [:]

        for role in [Role?.none, .observer, .secretariat, .admin] {
            let token = role.flatMap { callers.tokens[$0] } ?? callers.tokens[.observer]!
            func connect() throws -> ProtocolClient {
                role == nil
                    ? try ProtocolClient(port: server.port)
                    : try ProtocolClient.authenticated(port: server.port, token: token)
            }
            var client = try connect()
            if role == nil { _ = client.readLine() }
            // `auth` last: before it the connection is anonymous, after it is not.
            let ordered = commands.filter { $0.name != "auth" } + commands.filter { $0.name == "auth" }
            for spec in ordered {
                let line = try Self.line(for: spec, token: token)
                let reply = client.command(line)
                let first = reply.first ?? "(connection closed)"
                let caller = role?.rawValue ?? "no token"
                if role == nil, !spec.availableBeforeAuth {
                    #expect(first.hasPrefix("511 AUTH_REQUIRED"), "\(caller): \(line) → \(first)")
                    tally["511", default: 0] += 1
                } else if let role, !role.permits(spec.role) {
                    #expect(first.hasPrefix("530 FORBIDDEN `\(spec.name)` needs role"), "\(caller): \(line) → \(first)")
                    tally["530", default: 0] += 1
                } else {
                    let refused = ["511", "530", "500", "502", "590"].contains { first.hasPrefix($0) }
                    #expect(!refused && !reply.isEmpty, "\(caller) may run `\(spec.name)`: \(line) → \(first)")
                    tally["allowed", default: 0] += 1
                }
                if spec.name == "quit" {
                    #expect(first == "221 BYE")
                    client = try connect()
                    if role == nil { _ = client.readLine() }
                } else {
                    // A success in between keeps the count of errors in a row from closing the connection.
                    #expect(client.command("ping") == ["200 OK pong=true"], "after \(line)")
                }
            }
        }
        print(
            "reliability: access: \(commands.count) commands × 4 callers (no token, observer, secretariat, admin): "
                + "\(tally["allowed"] ?? 0) allowed, \(tally["530"] ?? 0) answered 530, "
                + "\(tally["511"] ?? 0) answered 511")
    }

    @Test func aRevokedTokenStopsWorkingOnConnectionsAlreadyOpen() throws {
        let database = try TestCluster.makeDatabase()
        let server = try ServerProcess(databaseURL: database)
        defer { server.stop() }
        let admin = try ProtocolClient.authenticated(port: server.port, token: try #require(server.bootstrapToken))
        let secret = try #require(replyField("token", admin.last("token create name=temp role=admin")))
        let busy = try ProtocolClient.authenticated(port: server.port, token: secret)
        let quiet = try ProtocolClient.authenticated(port: server.port, token: secret)
        #expect(busy.command("whoami") == ["200 OK name=temp role=admin"])
        #expect(admin.last("token revoke name=temp") == "200 OK name=temp revoked=true")

        // The next command on either connection is refused and the connection closed, saying why (an idle one
        // may be told before it asks); nothing the refused command asked for is done.
        for (client, line) in [(busy, "body add code=LATE name=Late"), (quiet, "whoami")] {
            #expect(client.command(line) == ["421 CLOSING token temp was revoked; connect and authenticate again"])
            #expect(client.readLine() == nil)
        }
        #expect(admin.command("body list") == ["200 OK count=0"])
        // A new token of the same name is another token: the old secret stays dead.
        _ = admin.last("token create name=temp role=admin")
        let again = try ProtocolClient(port: server.port)
        _ = again.readLine()
        #expect(again.command("auth token=\(secret)").first?.hasPrefix("511 AUTH_FAILED") == true)
    }

    @Test func tokensNeverAppearInLogsStatusOrTheAuditTrail() throws {
        let database = try TestCluster.makeDatabase()
        // The most talkative the server can be.
        let server = try ServerProcess(databaseURL: database, environment: ["PLENARY_LOG_LEVEL": "trace"])
        defer { server.stop() }
        var callers = try Self.callers(server, database: database).tokens.map(\.value)
        let admin = try ProtocolClient.authenticated(port: server.port, token: try #require(server.bootstrapToken))
        let overTCP = admin.command("token create name=over-tcp role=observer")
        let created = try #require(overTCP.last.flatMap { replyField("token", $0) })
        callers.append(created)
        // Wrong secrets of the right shape, and a right one in the wrong place, are logged as failures, not echoed.
        let wrong = "pln_AAAAAAAAAAAA_" + String(repeating: "b", count: 40)
        var seen: [String] = []
        for token in callers + [wrong] {
            let client = try ProtocolClient(port: server.port)
            _ = client.readLine()
            seen += client.command("auth token=\(token)")
            seen += client.command("auth token=\(token) extra=1")
            seen += client.command("whoami token=\(token)")
            seen += client.command("status")
            seen += client.command("token list")
            seen += client.command("audit list limit=1000")
        }
        _ = admin.last("token revoke name=over-tcp")
        let status = admin.command("status")
        #expect(status.last?.hasPrefix("200 OK") == true, "\(status)")

        let audit = try Connection(conninfo: database).query(
            "SELECT a::text AS row FROM audit_log a ORDER BY seq"
        ).rows.map { try $0.decode("row", as: String.self) }
        #expect(audit.count >= 5, "the audit trail recorded the tokens' creation and revocation")
        let bootstrap = try #require(server.bootstrapToken)
        for token in callers + [wrong] where token != bootstrap {
            let secretPart = String(token.split(separator: "_").last ?? "")
            for (place, text) in [
                ("the server's log", server.logText), ("the server's console", server.outputText),
                ("status", status.joined(separator: "\n")), ("the audit trail", audit.joined(separator: "\n")),
                ("replies other than token create", seen.joined(separator: "\n")),
            ] {
                #expect(!text.contains(secretPart), "a token's secret is in \(place)")
            }
        }
        // The one place a secret is shown: the first start's console announcement, and only the bootstrap token's.
        let bootstrapSecret = String(bootstrap.split(separator: "_").last ?? "")
        #expect(!server.logText.contains(bootstrapSecret), "the bootstrap token's secret is in the server's log")
        #expect(!audit.joined().contains(bootstrapSecret), "the bootstrap token's secret is in the audit trail")
        #expect(!status.joined().contains(bootstrapSecret), "the bootstrap token's secret is in status")
        print(
            "reliability: access: \(callers.count + 1) tokens (one wrong) through \(seen.count) reply lines, "
                + "a trace-level log of \(server.logText.utf8.count) bytes and \(audit.count) audit rows: "
                + "0 secrets found"
        )
    }
}
