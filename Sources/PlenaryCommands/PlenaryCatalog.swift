import Access
import AdminProtocol
import Bodies
import PlenaryCore
import Postgres
import Storage

/// Every command of the contract, declared once: noun, verb, parameters, role, help and handler. The parser, the
/// server, `help`, the CLI and docs/PROTOCOL.md are all driven from this table.
public enum PlenaryCatalog {
    /// The catalog over live services.
    public static func make(_ services: Services) -> Catalog {
        var specs = connectionCommands()
        specs += statusCommands(services)
        specs += bodyCommands(services.bodies)
        specs += tokenCommands(services.tokens)
        specs += auditCommands(services)
        specs += sessionCommands(services)
        specs += workingGroupCommands(services)
        specs += eventCommands(services)
        specs += decisionCommands(services)
        specs += documentCommands(services)
        specs += correctionCommands(services)
        specs += treatyCommands(services)
        return Catalog(specs)
    }

    /// The commands that exist whatever the services: used by `help` without a database and by the docs check.
    public static func connectionCommands() -> [CommandSpec] {
        [
            CommandSpec(
                noun: "hello", summary: "Negotiate the protocol version and reply format for this connection.",
                role: .observer,
                parameters: [
                    ParameterSpec(
                        name: "proto", type: .integer(range: 1...99), help: "protocol major version the client speaks",
                        defaultDescription: "1"),
                    ParameterSpec(
                        name: "format", type: .choice(["text", "json"]), help: "reply format for this connection",
                        defaultDescription: "text"),
                ],
                availableBeforeAuth: true,
                handler: { arguments, _ in
                    if let proto = arguments.int("proto"), proto != Product.protocolVersion {
                        throw PlenaryError.badArgument(
                            "proto", "this server speaks protocol \(Product.protocolVersion), not \(proto)")
                    }
                    return .ok([
                        ReplyField("product", .string(Product.name)), ReplyField("version", .string(Product.version)),
                        ReplyField("proto", .int(Product.protocolVersion)),
                        ReplyField("format", .string(arguments.string("format") ?? "text")),
                    ])
                }),
            CommandSpec(
                noun: "auth", summary: "Authenticate this connection with a token.", role: .observer,
                parameters: [ParameterSpec(name: "token", type: .string, required: true, help: "the token's secret")],
                availableBeforeAuth: true,
                handler: { _, context in
                    // Over TCP the server handles auth itself; in-process the operator is already known.
                    .ok([
                        ReplyField("name", .string(context.actor.name)),
                        ReplyField("role", .string(context.actor.role.rawValue)),
                    ])
                }),
            CommandSpec(
                noun: "ping", summary: "Check that the server answers.", role: .observer, availableBeforeAuth: true,
                handler: { _, _ in .ok([ReplyField("pong", .bool(true))]) }),
            CommandSpec(
                noun: "help", summary: "List the commands, or describe one: help [noun [verb]].", role: .observer,
                parameters: [
                    ParameterSpec(name: "noun", type: .string, positional: true, help: "the command's noun"),
                    ParameterSpec(name: "verb", type: .string, positional: true, help: "the command's verb"),
                ],
                availableBeforeAuth: true,
                handler: { arguments, context in
                    try HelpRenderer.helpReply(
                        catalog: context.catalog, noun: arguments.string("noun"), verb: arguments.string("verb")
                    ).get()
                }),
            CommandSpec(
                noun: "whoami", summary: "Show the name and role this connection acts as.", role: .observer,
                handler: { _, context in
                    .ok([
                        ReplyField("name", .string(context.actor.name)),
                        ReplyField("role", .string(context.actor.role.rawValue)),
                    ])
                }),
            CommandSpec(
                noun: "quit", summary: "Close the connection.", role: .observer, availableBeforeAuth: true,
                handler: { _, _ in .bye }),
        ]
    }

    static func statusCommands(_ services: Services) -> [CommandSpec] {
        [
            CommandSpec(
                noun: "status",
                summary: "Show the server's version, uptime, connections, pool use, database and schema state.",
                role: .admin,
                handler: { _, _ in
                    let database = services.database
                    let (serverVersion, schema) = try await database.read { connection in
                        let version = connection.serverVersion
                        let entries = try Migrator().status(connection)
                        return (version, entries)
                    }
                    let pool = database.pool.statistics
                    let applied = schema.filter { $0.state == .applied }.map(\.version).max() ?? 0
                    let pending = schema.filter { $0.state == .pending }.count
                    let server = services.gauge.reading
                    var fields = [
                        ReplyField("product", .string(Product.name)), ReplyField("version", .string(Product.version)),
                        ReplyField("proto", .int(Product.protocolVersion)),
                        ReplyField("postgres", .string("\(serverVersion / 10000).\(serverVersion % 10000)")),
                        ReplyField("schema", .int(applied)), ReplyField("pending-migrations", .int(pending)),
                        ReplyField("pool-size", .int(database.pool.configuration.size)),
                        ReplyField("pool-open", .int(pool.open)), ReplyField("pool-idle", .int(pool.idle)),
                        ReplyField("pool-in-use", .int(pool.open - pool.idle)),
                        ReplyField("pool-waiting", .int(pool.waiting)),
                        ReplyField("pool-replaced", .int(pool.replaced)),
                        ReplyField("serving", .bool(server.serving)),
                    ]
                    if server.serving {
                        fields += [
                            ReplyField("uptime-s", .int(server.uptimeSeconds)),
                            ReplyField("listen", .list(server.listeners.map(ReplyValue.string))),
                            ReplyField("connections", .int(server.connections)),
                            ReplyField("authenticated", .int(server.authenticated)),
                            ReplyField("accepted", .int(server.accepted)),
                            ReplyField("refused", .int(server.refused)),
                            ReplyField("unauthenticated", .int(server.unauthenticated)),
                            ReplyField("refused-per-address", .int(server.refusedPerAddress)),
                            ReplyField("refused-unauthenticated", .int(server.refusedUnauthenticated)),
                            ReplyField("closed-oldest", .int(server.closedOldest)),
                            ReplyField("refused-room", .int(server.refusedRoom)),
                            ReplyField("refused-per-token", .int(server.refusedPerToken)),
                            ReplyField("under-pressure", .bool(server.underPressure)),
                        ]
                    }
                    fields += try await auditStatus(services)
                    return .ok(fields)
                })
        ]
    }

    static func bodyCommands(_ bodies: BodyRegistry) -> [CommandSpec] {
        // The rule the service and the database hold (FieldRules.isTimeZone, plenary_is_time_zone), checked
        // before a round trip.
        let timezone = ParameterType.custom(name: "IANA time zone") { value in
            FieldRules.isTimeZone(value) ? nil : "must be an IANA time zone such as Europe/Vienna"
        }
        return [
            CommandSpec(
                noun: "body", verb: "add", summary: "Add a treaty body whose meetings Plenary manages.", role: .admin,
                parameters: [
                    ParameterSpec(
                        name: "code", type: .string, required: true, help: "the body's code and document series",
                        placeholder: "CTOC/COP"),
                    ParameterSpec(name: "name", type: .text, required: true, help: "the body's full name"),
                    ParameterSpec(name: "treaty", type: .text, help: "the treaty that set the body up"),
                    ParameterSpec(
                        name: "timezone", type: timezone, help: "the body's home time zone",
                        defaultDescription: "UTC", placeholder: "Europe/Vienna"),
                ],
                handler: { arguments, context in
                    let body = try await bodies.add(
                        Body(
                            code: try arguments.requiredString("code"), name: try arguments.requiredString("name"),
                            treaty: arguments.string("treaty"), timeZone: arguments.string("timezone") ?? "UTC"),
                        by: context.actor)
                    return Reply(
                        code: .created, records: [record(body)], summary: [ReplyField("body", .string(body.code))])
                }),
            CommandSpec(
                noun: "body", verb: "get", summary: "Show one treaty body.", role: .observer,
                parameters: [
                    ParameterSpec(
                        name: "code", type: .string, required: true, positional: true, help: "the body's code",
                        placeholder: "CTOC/COP")
                ],
                handler: { arguments, _ in
                    let body = try await bodies.get(code: try arguments.requiredString("code"))
                    return .list([record(body)])
                }),
            CommandSpec(
                noun: "body", verb: "list", summary: "List the treaty bodies, by code.", role: .observer,
                handler: { _, _ in
                    let all = try await bodies.list()
                    return .list(all.map(record))
                }),
        ]
    }

    static func tokenCommands(_ tokens: TokenStore) -> [CommandSpec] {
        [
            CommandSpec(
                noun: "token", verb: "create", summary: "Create an access token; its secret is shown this once.",
                role: .admin,
                parameters: [
                    ParameterSpec(
                        name: "name", type: .string, required: true,
                        help: "who the token is for; recorded as the actor of every change made with it"),
                    ParameterSpec(
                        name: "role", type: .choice(Role.allCases.map(\.rawValue)), required: true,
                        help: "what the token may do"),
                ],
                handler: { arguments, context in
                    let role = Role(rawValue: try arguments.requiredString("role")) ?? .observer
                    let (info, secret) = try await tokens.create(
                        name: try arguments.requiredString("name"), role: role, by: context.actor)
                    return .created([
                        ReplyField("name", .string(info.name)), ReplyField("role", .string(info.role.rawValue)),
                        ReplyField("token", .string(secret)),
                    ])
                }),
            CommandSpec(
                noun: "token", verb: "list", summary: "List the live tokens (never their secrets).", role: .admin,
                handler: { _, _ in
                    let all = try await tokens.list()
                    let records = all.map { info in
                        ReplyRecord(
                            type: "token",
                            fields: [
                                ReplyField("name", .string(info.name)), ReplyField("role", .string(info.role.rawValue)),
                                ReplyField("created", .string(info.createdAt)),
                                ReplyField("created-by", .string(info.createdBy)),
                                ReplyField("last-used", .optional(info.lastUsedAt)),
                            ])
                    }
                    return .list(records)
                }),
            CommandSpec(
                noun: "token", verb: "revoke",
                summary: "Revoke a token; the connections holding it are closed at their next command.",
                role: .admin,
                parameters: [ParameterSpec(name: "name", type: .string, required: true, help: "the token's name")],
                handler: { arguments, context in
                    let name = try arguments.requiredString("name")
                    try await tokens.revoke(name: name, by: context.actor)
                    return .ok([ReplyField("name", .string(name)), ReplyField("revoked", .bool(true))])
                }),
        ]
    }

    static func record(_ body: Body) -> ReplyRecord {
        ReplyRecord(
            type: "body",
            fields: [
                ReplyField("code", .string(body.code)), ReplyField("name", .string(body.name)),
                ReplyField("treaty", .optional(body.treaty)), ReplyField("timezone", .string(body.timeZone)),
            ])
    }
}
