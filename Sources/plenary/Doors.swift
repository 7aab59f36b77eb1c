import AdminProtocol
import Foundation
import PlenaryClient
import PlenaryCommands
import PlenaryCore
import Postgres
import Storage

/// Where a catalog command runs: in this process against the database, or on a server over TCP. Both answer a
/// request with a reply and nothing else, so everything the CLI prints comes out of the same printer either way.
protocol Door: AnyObject {
    /// Runs one request; every failure, a lost connection included, is a reply.
    func run(_ request: RawRequest) async -> Reply
    /// Events that arrived since the last call (after `watch` on a server).
    func takeEvents() -> [[ReplyField]]
    /// Waits for the next event; nil when no more can come.
    func nextEvent() async -> [ReplyField]?
    /// Releases the database or the connection.
    func close() async
    /// Where commands go, for the shell's prompt: `local` or `HOST:PORT`.
    var label: String { get }
}

/// The catalog's declarations, with no database behind them: enough to parse, bind, and answer `help`.
enum Declarations {
    /// Every command, bound to services over a database that is never used: its pool, threads and connections
    /// start only when a handler runs, and the commands answered here run none.
    static let catalog: Catalog = PlenaryCatalog.make(
        Services(database: Database(configuration: .init(conninfo: "dbname=unused", size: 1))))

    /// The commands that need no database (hello, auth, ping, help, whoami, quit).
    static let withoutDatabase = Set(PlenaryCatalog.connectionCommands().map(\.name))

    /// `help NOUN [VERB]` for the words before `--help`: `body add --help` asks for `help body add`, `calendar
    /// --help` for `help calendar`, `body --help` for the body commands.
    static func helpRequest(for words: [String]) -> RawRequest {
        guard let noun = words.first else { return RawRequest(words: ["help"]) }
        if words.count > 1, !catalog.verbs(of: noun).isEmpty {
            return RawRequest(words: ["help", noun, words[1]])
        }
        return RawRequest(words: ["help", noun])
    }
}

/// The in-process door: the local operator, with the admin role, against the configured (or embedded) database.
///
/// The database is opened only for a command that needs one, and once: a request the catalog refuses (unknown
/// command, bad argument) and the connection commands (`help`, `ping`, …) are answered without it, so they work
/// where no database is reachable.
final class LocalDoor: Door {
    private let configFile: String?
    private let actor: Actor
    private var runtime: Runtime?

    init(configFile: String?, user: String = ProcessInfo.processInfo.environment["USER"] ?? "operator") {
        self.configFile = configFile
        self.actor = .localOperator(user: user)
    }

    var label: String { "local" }

    func run(_ request: RawRequest) async -> Reply {
        let spec: CommandSpec
        switch Declarations.catalog.resolve(request) {
        case .failure(let error): return .error(error)
        case .success(let resolved): spec = resolved.0
        }
        if Declarations.withoutDatabase.contains(spec.name) {
            return await CommandDispatcher(catalog: Declarations.catalog).run(request, actor: actor)
        }
        let runtime: Runtime
        if let open = self.runtime {
            runtime = open
        } else {
            // Not kept on failure: in the shell the database may be back by the next command.
            do {
                // A command that only reads (the observer's) never migrates: it says what is pending and stops.
                runtime = try await Runtime.open(
                    configFile: configFile, migrations: spec.role == .observer ? .requireCurrent : .apply)
            } catch {
                return .error(error)
            }
            self.runtime = runtime
        }
        let reply = await CommandDispatcher(catalog: runtime.catalog).run(request, actor: actor)
        // No server may be running to seal what this command wrote: seal it now (or wait for the chainer that is).
        _ = try? await runtime.database.read { connection in try AuditChain.catchUp(connection) }
        return reply
    }

    func takeEvents() -> [[ReplyField]] { [] }

    func nextEvent() async -> [ReplyField]? { nil }

    func close() async {
        runtime?.database.shutdown()
        runtime = nil
    }
}

/// The remote door: one connection to a server, opened on first use (and again after it was lost), greeted with
/// `hello proto=1` and authenticated with the token when there is one. Without a token only what the server
/// allows before `auth` works (help, ping); everything else is its `511 AUTH_REQUIRED`.
final class RemoteDoor: Door {
    let address: ServerAddress
    private let token: String?
    private let wireFormat: ReplyFormat
    private let configuration: PlenaryConnection.Configuration
    private var connection: PlenaryConnection?

    /// `wireFormat` is what the connection asks for: JSON keeps values typed for the json output, text is what
    /// every other output prints from.
    init(
        address: ServerAddress, token: String?, wireFormat: ReplyFormat,
        configuration: PlenaryConnection.Configuration = PlenaryConnection.Configuration()
    ) {
        self.address = address
        self.token = token
        self.wireFormat = wireFormat
        self.configuration = configuration
    }

    var label: String { address.description }

    func run(_ request: RawRequest) async -> Reply {
        do throws(ClientError) {
            let connection: PlenaryConnection
            if let open = self.connection, open.isOpen {
                connection = open
            } else {
                self.connection = nil
                connection = try await PlenaryConnection.connect(to: address, configuration: configuration)
                let hello = try await connection.hello(format: wireFormat == .json ? .json : nil)
                guard hello.isSuccess else { return hello }
                self.connection = connection
                if let token {
                    let auth = try await connection.authenticate(token: token)
                    // The connection stays, unauthenticated: commands allowed before auth still work, and in the
                    // shell the operator can say `auth` again.
                    guard auth.isSuccess else { return auth }
                }
            }
            return try await connection.send(request)
        } catch {
            connection = nil
            return .error(error.plenaryError)
        }
    }

    func takeEvents() -> [[ReplyField]] { connection?.takeEvents() ?? [] }

    func nextEvent() async -> [ReplyField]? {
        guard let connection else { return nil }
        do throws(ClientError) {
            return try await connection.nextEvent()
        } catch {
            return nil
        }
    }

    func close() async {
        await connection?.close()
        connection = nil
    }
}

/// Opens the door the options name: a server with `--server` / `PLENARY_SERVER`, otherwise this process.
func makeDoor(
    options: GlobalOptions, address: ServerAddress?, format: OutputFormat,
    configuration: PlenaryConnection.Configuration
) -> any Door {
    guard let address else { return LocalDoor(configFile: options.config) }
    // Only JSON output needs the server's JSON mode (it keeps numbers and nulls typed); everything else is printed
    // from the text form, which the protocol's own lines carry exactly.
    return RemoteDoor(
        address: address, token: options.token, wireFormat: format == .json ? .json : .text,
        configuration: configuration)
}
