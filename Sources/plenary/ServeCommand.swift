import Access
import AdminProtocol
import AdminServer
import ArgumentParser
import Foundation
import Logging
import PlenaryCommands
import PlenaryConfig
import PlenaryCore
import ServiceLifecycle
import Storage

/// `plenary serve`: the admin protocol over TCP.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the admin protocol over TCP (default 127.0.0.1:7411), TLS and a unix socket when configured.")

    @Option(name: .long, help: "Address to listen on, HOST:PORT (overrides server.listen and server.port).")
    var listen: String?

    @Option(name: .long, help: "A unix socket to serve on as well (overrides server.socket).")
    var socket: String?

    @Option(name: .long, help: "Configuration file (default Config/plenary.yaml when present).")
    var config: String?

    func run() async throws {
        let settings = try await Runtime.settings(configFile: config, quiet: false)
        var host = settings.server.listen
        var port = settings.server.port
        if let listen {
            guard let colon = listen.lastIndex(of: ":"), let parsed = Int(listen[listen.index(after: colon)...]),
                (0...65_535).contains(parsed)
            else {
                throw ValidationError("--listen: must be HOST:PORT, got \(listen)")
            }
            host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            port = parsed
        }
        // Refused before the database is touched: a server that would send tokens in clear never starts, nor one
        // whose descriptor limit cannot hold the connections it promises.
        try settings.server.checkTransport(host: host)
        let descriptors = DescriptorLimit.raise()
        let allowed = DescriptorLimit.connectionsAllowed(
            descriptors: descriptors.now, poolSize: settings.database.poolSize)
        let announcement =
            "descriptor limit \(descriptors.now) (raised from \(descriptors.before)): room for \(allowed) "
            + "connections; server.max_connections is \(settings.server.maxConnections)"
        Logger(label: "plenary.server").info("\(announcement)")
        try DescriptorLimit.check(
            maxConnections: settings.server.maxConnections, descriptors: descriptors.now,
            poolSize: settings.database.poolSize)
        let runtime = try await Runtime.open(configFile: config, quiet: false)
        do {
            try await serve(runtime, settings: settings, host: host, port: port)
        } catch {
            // Whatever failed (the token bootstrap before the group ran, the port taken inside it), the listener
            // and the pool's connections close; both shutdowns are idempotent, so the group's own do no harm.
            runtime.services.changeFeed.shutdown()
            runtime.database.shutdown()
            throw error
        }
    }

    private func serve(_ runtime: Runtime, settings: PlenaryConfiguration, host: String, port: Int) async throws {
        if settings.auth.bootstrapAdminToken, try await !runtime.services.tokens.hasLiveTokens() {
            let (info, secret) = try await runtime.services.tokens.create(
                name: "admin", role: .admin, by: Actor(name: "plenary-serve", role: .admin))
            // Printed once, to the console only: the secret is not stored anywhere it could be read back.
            FileHandle.standardOutput.write(
                Data(
                    ("No tokens existed: created token name=\(info.name) role=admin token=\(secret)\n"
                        + "Keep it now; it is not shown again. Use it with: auth token=\(secret)\n").utf8))
        }
        let server = AdminServer(
            configuration: settings.adminServer(host: host, port: port, socket: socket),
            dispatcher: CommandDispatcher(catalog: runtime.catalog), tokens: runtime.services.tokens,
            gauge: runtime.services.gauge)
        let announcer = Announcer(server: server, host: host)
        // Graceful shutdown goes through the services last to first: the server says 421 to every connection and
        // finishes their commands, then the change feed closes its listener connection, then the pool, first in
        // the list, closes the connections they ran on. A service that fails cancels the others, and each still
        // closes what it holds (then in no particular order).
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: DatabaseService(database: runtime.database)),
                    .init(service: ChangeFeedService(feed: runtime.services.changeFeed)), .init(service: server),
                    .init(service: server.revocationSweeper), .init(service: announcer),
                    .init(service: ChainerService(chainer: runtime.services.chainer)),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: Logger(label: "plenary.lifecycle")))
        try await group.run()
    }
}

/// The database pool as a Service: it closes its connections when the group shuts down, gracefully or because
/// another service failed.
struct DatabaseService: Service {
    let database: Database

    func run() async throws {
        defer { database.shutdown() }
        try? await gracefulShutdown()
    }
}

/// The change feed as a Service: when the group shuts down, gracefully or because another service failed, every
/// watcher's stream ends and the service returns once the feed's listener connection (opened by the first `watch`)
/// is closed, so the pool, next in line, closes after it and the process exits after both.
struct ChangeFeedService: Service {
    let feed: ChangeFeed

    func run() async {
        try? await gracefulShutdown()
        await feed.close()
    }
}

/// Prints the listening address once the port is bound, so scripts (and tests with port 0) can find it.
struct Announcer: Service {
    let server: AdminServer
    let host: String

    func run() async throws {
        let port = try await server.boundPort()
        // Written straight to the descriptor so it is not held in stdio's buffer when stdout is a pipe.
        FileHandle.standardOutput.write(Data("plenary \(Product.version) listening on \(host):\(port)\n".utf8))
        try? await gracefulShutdown()
    }
}

/// Runs the audit chainer for as long as the server serves (Schema/0010_audit_chain.sql): of several servers on one
/// database, the one holding the chainer lock seals; the others stand by.
struct ChainerService: Service {
    let chainer: AuditChainer

    func run() async throws {
        chainer.start()
        try? await gracefulShutdown()
        chainer.stop()
    }
}
