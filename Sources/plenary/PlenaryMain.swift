import AdminProtocol
import ArgumentParser
import Foundation
import PlenaryCommands
import PlenaryCore

/// The one executable. Its built-in subcommands (serve, migrate, db) are parsed by swift-argument-parser; any
/// other first word is a command of the catalog (`plenary body list`, `plenary doc get CTOC/COP/2008/19`), run
/// in-process as the local operator exactly as it would run over TCP.
@main
enum PlenaryMain {
    static let builtins: Set<String> = [
        "serve", "migrate", "db", "reference", "--help", "-h", "--version", "--generate-completion-script",
    ]

    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        let (options, rest) = GlobalOptions.extract(from: arguments)
        if let first = rest.first, !builtins.contains(first), !first.hasPrefix("-") {
            let code = await CatalogDoor.run(words: rest, options: options)
            exit(code.rawValue)
        }
        do {
            var command = try PlenaryCLI.parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = PlenaryCLI.exitCode(for: error)
            if code == .success {
                print(PlenaryCLI.fullMessage(for: error))
                exit(0)
            }
            if let refusal = error as? PlenaryError {
                printError("plenary: \(refusal.description)")
                exit(ExitCode.for(refusal.code).rawValue)
            }
            if error is ExitCodeError {
                exit(ExitCode.refused.rawValue)
            }
            printError(PlenaryCLI.fullMessage(for: error))
            exit(
                code == .validationFailure || code.rawValue == 64 ? ExitCode.usage.rawValue : ExitCode.refused.rawValue)
        }
    }
}

/// A failure already reported on stderr; the process exits 1.
struct ExitCodeError: Error {}

/// Options that apply to catalog commands, given before the command words.
struct GlobalOptions {
    var format: String = "text"
    var config: String?

    /// Splits leading `--format X` / `--config X` off the arguments (also `--format=X`).
    static func extract(from arguments: [String]) -> (GlobalOptions, [String]) {
        var options = GlobalOptions()
        var rest: [String] = []
        var index = 0
        var leading = true
        while index < arguments.count {
            let argument = arguments[index]
            if leading, argument == "--format" || argument == "--config", index + 1 < arguments.count {
                if argument == "--format" {
                    options.format = arguments[index + 1]
                } else {
                    options.config = arguments[index + 1]
                }
                index += 2
                continue
            }
            if leading, argument.hasPrefix("--format=") {
                options.format = String(argument.dropFirst("--format=".count))
            } else if leading, argument.hasPrefix("--config=") {
                options.config = String(argument.dropFirst("--config=".count))
            } else {
                leading = false
                rest.append(argument)
            }
            index += 1
        }
        return (options, rest)
    }
}

/// `plenary <noun> <verb> key=value …`: one catalog command, in-process.
enum CatalogDoor {
    static func run(words: [String], options: GlobalOptions) async -> ExitCode {
        guard let format = ReplyFormat(rawValue: options.format) else {
            printError("plenary: --format: must be text or json, got \(options.format)")
            return .usage
        }
        let request: RawRequest
        switch LineParser.parse(words: words) {
        case .failure(let error): return report(.error(error), format: format)
        case .success(let parsed): request = parsed
        }
        // help needs no database: answer it from the catalog's declarations alone.
        let runtime: Runtime
        do {
            runtime = try await Runtime.open(configFile: options.config)
        } catch {
            return report(.error(error), format: format)
        }
        defer { runtime.database.shutdown() }
        let user = ProcessInfo.processInfo.environment["USER"] ?? "operator"
        let dispatcher = CommandDispatcher(catalog: runtime.catalog)
        let reply = await dispatcher.run(request, actor: .localOperator(user: user))
        return report(reply, format: format)
    }

    /// Prints a reply: success to stdout, refusals to stderr; returns the exit code for it.
    static func report(_ reply: Reply, format: ReplyFormat) -> ExitCode {
        let bytes = ReplyEncoder.encode(reply, format: format)
        if reply.isSuccess {
            FileHandle.standardOutput.write(Data(bytes))
        } else {
            FileHandle.standardError.write(Data(bytes))
        }
        return reply.isSuccess ? .ok : ExitCode.for(reply.failure?.code ?? reply.code)
    }
}

/// The built-in subcommands.
struct PlenaryCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plenary",
        abstract: "Plenary: sessions, working groups, documents and decisions of a Conference of the Parties.",
        discussion: """
            Any other first word runs a command of the catalog in-process, e.g.
              plenary body list
              plenary body add code=CTOC/COP "name=Conference of the Parties" timezone=Europe/Vienna
              plenary help body add
            Options before such a command: --format text|json, --config FILE.
            """,
        version: Product.version,
        subcommands: [ServeCommand.self, MigrateCommand.self, DatabaseCommand.self, ReferenceCommand.self]
    )
}
