import AdminProtocol
import ArgumentParser
import Foundation
import PlenaryClient
import PlenaryCommands
import PlenaryCore

/// The one executable. Its built-in subcommands (serve, migrate, db, reference, shell) are parsed by
/// swift-argument-parser; any other first word is a command of the catalog (`plenary body list`, `plenary doc get
/// CTOC/COP/2008/19`), run in-process as the local operator, or on a server with `--server`, exactly as it would
/// run over TCP.
@main
enum PlenaryMain {
    static let builtins: Set<String> = [
        "serve", "migrate", "db", "reference", "shell", "export", "import", "demo", "publish", "--help", "-h",
        "--version",
        "--generate-completion-script", "---completion",
    ]

    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        // Completion requests carry the shell's words verbatim; none of them may be taken for an option of ours.
        if let first = arguments.first, first == "---completion" || first == "--generate-completion-script" {
            await runBuiltin(arguments, root: PlenaryCompletionRoot.self)
        }
        guard let position = GlobalOptions.firstWordIndex(of: arguments) else { await runBuiltin(arguments) }
        let first = arguments[position]
        if first == "shell" {
            // The shell takes the catalog's options before its name too: `plenary --server HOST:PORT shell`.
            var rest = arguments
            rest.remove(at: position)
            await runBuiltin(["shell"] + rest)
        }
        if ["export", "import", "demo"].contains(first), let option = serverOption(in: arguments) {
            printError(
                "plenary: \(first) works on a database (the configuration's, or --config FILE), not through a server; "
                    + "\(option) does not apply: run it where the database is reachable")
            exit(ExitCode.usage.rawValue)
        }
        if builtins.contains(first) { await runBuiltin(arguments) }
        if first.lowercased() == "help", let topic = builtinTopic(arguments) {
            print(PlenaryCLI.helpMessage(for: topic), terminator: "")
            exit(ExitCode.ok.rawValue)
        }
        let code = await CatalogDoor.run(arguments: arguments)
        exit(code.rawValue)
    }

    /// The first option among `arguments` that only a server door uses (`--server`, `--token`, `--ca`, `--timeout`).
    private static func serverOption(in arguments: [String]) -> String? {
        let options = ["--server", "--token", "--ca", "--timeout"]
        for argument in arguments.prefix(while: { $0 != "--" }) {
            if let option = options.first(where: { argument == $0 || argument.hasPrefix($0 + "=") }) { return option }
        }
        return nil
    }

    /// `plenary help serve`: the built-in's own help, since the catalog does not know it.
    private static func builtinTopic(_ arguments: [String]) -> (any ParsableCommand.Type)? {
        guard case .success(let (_, words)) = GlobalOptions.extract(from: arguments), words.count >= 2 else {
            return nil
        }
        return PlenaryCLI.configuration.subcommands.first { $0._commandName == words[1] }
    }

    private static func runBuiltin(
        _ arguments: [String], root: any ParsableCommand.Type = PlenaryCLI.self
    ) async -> Never {
        do {
            var command = try root.parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit(ExitCode.ok.rawValue)
        } catch {
            let code = root.exitCode(for: error)
            if code == .success {
                print(root.fullMessage(for: error))
                exit(ExitCode.ok.rawValue)
            }
            if let refusal = (error as? DomainError).map({ PlenaryError($0) }) ?? error as? PlenaryError {
                printError("plenary: \(refusal.description)")
                exit(ExitCode.for(refusal.code).rawValue)
            }
            if let exitStatus = error as? ExitStatus { exit(exitStatus.code.rawValue) }
            if let usage = error as? UsageError {
                printError("plenary: \(usage.message)")
                exit(ExitCode.usage.rawValue)
            }
            if error is ExitCodeError {
                exit(ExitCode.refused.rawValue)
            }
            printError(root.fullMessage(for: error))
            exit(
                code == .validationFailure || code.rawValue == 64 ? ExitCode.usage.rawValue : ExitCode.refused.rawValue)
        }
    }
}

/// A failure already reported on stderr; the process exits 1.
struct ExitCodeError: Error {}

/// A command that reported its outcome itself and ends the process with `code`.
struct ExitStatus: Error {
    var code: ExitCode
}

/// `plenary <noun> <verb> key=value …`: one catalog command, here or on a server.
enum CatalogDoor {
    static func run(arguments: [String]) async -> ExitCode {
        let options: GlobalOptions
        let words: [String]
        switch GlobalOptions.extract(from: arguments) {
        case .failure(let usage): return usageError(usage)
        case .success(let (parsed, rest)):
            options = parsed.withEnvironment()
            words = rest
        }
        let chosen: OutputFormat?
        let address: ServerAddress?
        let connection: PlenaryConnection.Configuration
        switch (options.outputFormat(), options.serverAddress(), options.connectionConfiguration()) {
        case (.failure(let usage), _, _), (_, .failure(let usage), _), (_, _, .failure(let usage)):
            return usageError(usage)
        case (.success(let format), .success(let server), .success(let configuration)):
            chosen = format
            address = server
            connection = configuration
        }
        bootstrapQuietLogging()
        if options.help {
            // --help is answered from this binary's catalog, never a server's: it must work when nothing is up. The
            // command is named by the words before any key=value, however wrong the rest of the line is.
            let named = Array(words.prefix { !$0.contains("=") })
            let help = await LocalDoor(configFile: nil).run(Declarations.helpRequest(for: named))
            return show(help, with: ReplyPrinter.forTerminal(format: chosen ?? .table, isHelp: true))
        }
        var request: RawRequest
        switch LineParser.parse(words: words) {
        case .failure(let error):
            return show(.error(error), with: ReplyPrinter.forTerminal(format: chosen ?? .text, isHelp: false))
        case .success(let parsed): request = parsed
        }
        let isHelp = request.words.first?.lowercased() == "help"
        var format = chosen ?? OutputFormat.standard(isHelp: isHelp)
        // `calendar format=ics` asks for the calendar itself, as `--format ics` does, wherever stdout goes.
        if chosen == nil, request.words.first?.lowercased() == "calendar",
            request.arguments.contains(where: { $0.key == "format" && $0.value == "ics" })
        {
            format = .ics
        }
        if format == .ics {
            switch icsRequest(request) {
            case .failure(let usage): return usageError(usage)
            case .success(let calendar): request = calendar
            }
        }
        let door = makeDoor(options: options, address: address, format: format, configuration: connection)
        let printer = ReplyPrinter.forTerminal(
            format: format, isHelp: isHelp, isListing: CommandShape.isListing(request.words))
        let reply = await door.run(request)
        let code = show(reply, with: printer)
        if reply.isSuccess, request.words.first?.lowercased() == "watch" {
            // The reply started a stream of events: print them until the server ends it (or ^C ends us).
            while let event = await door.nextEvent() {
                FileHandle.standardOutput.write(Data(printer.render(event: event).utf8))
            }
        }
        await door.close()
        return code
    }

    /// `--format ics` asks `calendar` for its iCalendar form; for any other command it is a usage error.
    static func icsRequest(_ request: RawRequest) -> Result<RawRequest, UsageError> {
        guard request.words.first?.lowercased() == "calendar" else {
            return .failure(UsageError("--format ics: only the calendar command has an iCalendar form"))
        }
        if let given = request.arguments.first(where: { $0.key == "format" }) {
            guard given.value == "ics" else {
                return .failure(UsageError("--format ics: conflicts with format=\(given.value)"))
            }
            return .success(request)
        }
        return .success(
            RawRequest(words: request.words, arguments: request.arguments + [RawArgument(key: "format", value: "ics")]))
    }

    /// Prints a reply (success to stdout, refusals to stderr) and returns the exit code for it.
    static func show(_ reply: Reply, with printer: ReplyPrinter) -> ExitCode {
        let rendered = printer.render(reply)
        if !rendered.stdout.isEmpty { FileHandle.standardOutput.write(Data(rendered.stdout.utf8)) }
        if !rendered.stderr.isEmpty { FileHandle.standardError.write(Data(rendered.stderr.utf8)) }
        // A success that could not be printed as asked (--format ics without a calendar) is still a failure.
        guard reply.isSuccess else { return ExitCode.for(reply.failure?.code ?? reply.code) }
        return rendered.stdout.isEmpty && !rendered.stderr.isEmpty ? .refused : .ok
    }

    static func usageError(_ usage: UsageError) -> ExitCode {
        printError("plenary: \(usage.message)")
        return .usage
    }

    /// One-shot commands log warnings and worse only, unless PLENARY_LOG_LEVEL says otherwise; without this the
    /// commands answered without a database would log with swift-log's default, on stdout.
    static func bootstrapQuietLogging() {
        Runtime.bootstrapLogging(level: ProcessInfo.processInfo.environment["PLENARY_LOG_LEVEL"] ?? "warning")
    }
}

/// The built-in subcommands; the catalog's commands are listed by `plenary help`.
struct PlenaryCLI: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plenary",
        abstract: "Plenary: sessions, working groups, documents and decisions of a Conference of the Parties.",
        discussion: """
            Any other first word runs a command of the catalog (plenary help lists them), in this process against \
            the database, or on a running server with --server:
              plenary body list
              plenary body add code=CTOC/COP "name=Conference of the Parties" timezone=Europe/Vienna
              plenary --server 127.0.0.1:7411 --token pln_… session list body=CTOC/COP
              plenary help body add        (or: plenary body add --help)
            Options before or after such a command:
              --server ADDRESS     ask a running server (or PLENARY_SERVER): HOST:PORT, tls:HOST:PORT, \
            unix:PATH
              --ca FILE            trust these PEM certificate authorities for a tls: server (or PLENARY_TLS_CA)
              --token TOKEN        authenticate with it (or PLENARY_TOKEN)
              --format FORMAT      table (default on a terminal), text (the protocol's lines; default \
            otherwise), json (one document), ics (calendar only)
              --timeout SECONDS    wait this long for the server to connect and to answer (default 10 and 60)
              --config FILE        configuration file, for the in-process door
            Any other word starting with -- is a usage error. export, import and demo work on a database, never \
            through a server. A command that only reads never migrates: it stops when a migration is pending.
            Exit codes: 0 done, 1 refused (5xx), 2 usage, 3 unavailable (4xx, no database or server, or a \
            migration pending for a read).
            """,
        version: Product.version,
        subcommands: [
            ServeCommand.self, MigrateCommand.self, DatabaseCommand.self, ReferenceCommand.self, ShellCommand.self,
            ExportCommand.self, ImportCommand.self, DemoCommand.self, PublishCommand.self,
        ]
    )
}

/// The root as completion scripts see it: ``PlenaryCLI`` with the catalog's words as a positional argument, so the
/// scripts offer nouns, verbs and keys after `plenary`. It is used only to write the scripts and to answer their
/// completion requests: a positional argument on the real root would swallow the built-ins' names.
struct PlenaryCompletionRoot: AsyncParsableCommand {
    static let configuration = PlenaryCLI.configuration

    @Argument(
        help: ArgumentHelp("A command of the catalog and its arguments.", valueName: "command"),
        completion: .custom(CatalogCompletion.complete))
    var command: [String] = []
}
