import ArgumentParser
import EmbeddedPostgres
import Foundation
import Logging
import PlenaryConfig
import PlenaryCore
import Postgres
import Storage

/// `plenary migrate [--status]`.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply pending schema migrations, or list them with --status.")

    @Flag(name: .long, help: "List every migration and whether it is applied, pending or changed.")
    var status = false

    @Option(name: .long, help: "Configuration file (default Config/plenary.yaml when present).")
    var config: String?

    func run() async throws {
        let settings = try await Runtime.settings(configFile: config)
        let conninfo = try Runtime.conninfo(settings, logger: Logger(label: "plenary"))
        let connection: Connection
        do {
            connection = try Connection(conninfo: conninfo, defaults: ["connect_timeout": "10"])
        } catch {
            throw PlenaryError.unavailable("database: \(error.message)")
        }
        let migrator = Migrator()
        if status {
            let entries = try migrator.status(connection)
            for entry in entries {
                let version = String(format: "%04d", entry.version)
                print(
                    "\(version) \(entry.state.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) "
                        + "\(entry.fileName)\(entry.appliedAt.map { "  applied \($0)" } ?? "")")
            }
            if entries.contains(where: { $0.state == .changed || $0.state == .unknown }) { throw ExitCodeError() }
            return
        }
        let applied = try migrator.migrate(connection)
        print(applied.isEmpty ? "schema up to date" : "applied \(applied.joined(separator: ", "))")
    }
}

/// `plenary db up|down|status|url`: the embedded cluster.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db", abstract: "Manage the embedded PostgreSQL cluster (used when no database is configured).",
        subcommands: [Up.self, Down.self, Status.self, URL.self])

    struct Options: ParsableArguments {
        @Option(name: .long, help: "Configuration file (default Config/plenary.yaml when present).")
        var config: String?

        func cluster() async throws -> EmbeddedCluster {
            let settings = try await Runtime.settings(configFile: config)
            return EmbeddedCluster(directory: settings.embedded.directory, logger: Logger(label: "plenary.db"))
        }
    }

    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start the embedded cluster (creating it first).")
        @OptionGroup var options: Options
        func run() async throws {
            let cluster = try await options.cluster()
            _ = try cluster.up()
            let status = try cluster.status()
            print("embedded database running in \(status.dataDirectory)")
        }
    }

    struct Down: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the embedded cluster.")
        @OptionGroup var options: Options
        func run() async throws {
            try await options.cluster().down()
            print("embedded database stopped")
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Say whether the embedded cluster runs.")
        @OptionGroup var options: Options
        func run() async throws {
            let status = try await options.cluster().status()
            switch status.state {
            case .running(let pid): print("running pid=\(pid) data=\(status.dataDirectory)")
            case .stopped: print("stopped data=\(status.dataDirectory)")
            case .notInitialised: print("not initialised data=\(status.dataDirectory)")
            }
        }
    }

    struct URL: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "url", abstract: "Print the embedded cluster's libpq connection string.")
        @OptionGroup var options: Options
        func run() async throws {
            print(try await options.cluster().connectionString())
        }
    }
}
