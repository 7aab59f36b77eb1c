import AdminProtocol
import ArgumentParser
import Foundation
import PlenaryClient
import PlenaryCommands
import PlenaryCore

/// `plenary shell`: one command a line, against this process's database or a server, printed as the CLI prints.
struct ShellCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shell", abstract: "Run catalog commands interactively, here or on a server (--server).",
        discussion: """
            Each line is one protocol line (quote values with spaces: name="Conference of the Parties"), run \
            exactly as `plenary <line>` would run it. quit, exit or end of input ends the shell; empty lines and \
            lines starting with # are skipped. On a terminal the line can be edited (arrows, Ctrl-A/E/U/K/W), Tab \
            completes commands and keys, and Up/Down recall earlier lines, kept in \
            $XDG_DATA_HOME/plenary/history (default ~/.local/share/plenary/history). Lines that start with a \
            space, and auth lines, are not kept. Fed from a pipe or a file, the shell exits with the worst exit \
            code of its lines (3 unavailable, 2 usage, 1 refused, 0 done), so a script sees a refusal in the \
            middle; on a terminal, with the code of its last command.
            """)

    @Option(name: .long, help: "Run commands on this server, HOST:PORT (or PLENARY_SERVER).")
    var server: String?

    @Option(name: .long, help: "Authenticate with this token (or PLENARY_TOKEN).")
    var token: String?

    @Option(name: .long, help: "table (default on a terminal), text (the protocol's lines) or json.")
    var format: String?

    @Option(name: .long, help: "Seconds to wait for the server to connect and to answer each line.")
    var timeout: String?

    @Option(name: .long, help: "Configuration file, for the in-process door.")
    var config: String?

    @Flag(name: .customLong("no-history"), help: "Neither read nor write the history file.")
    var noHistory = false

    func run() async throws {
        let options = GlobalOptions(format: format, config: config, server: server, token: token, timeout: timeout)
            .withEnvironment()
        let chosen: OutputFormat?
        let address: ServerAddress?
        let connection: PlenaryConnection.Configuration
        switch (options.outputFormat(), options.serverAddress(), options.connectionConfiguration()) {
        case (.failure(let usage), _, _), (_, .failure(let usage), _), (_, _, .failure(let usage)):
            throw usage
        case (.success(let format), .success(let server), .success(let configuration)):
            chosen = format
            address = server
            connection = configuration
        }
        guard chosen != .ics else {
            throw UsageError("--format ics: give calendar format=ics instead; the shell prints the calendar as is")
        }
        CatalogDoor.bootstrapQuietLogging()
        // A person types (history is kept) when stdin is a terminal, and sees prompts when stdout is one too.
        let interactive = Terminal.isTerminal(STDIN_FILENO)
        let conversational = interactive && Terminal.isTerminal(STDOUT_FILENO)
        let format = chosen ?? OutputFormat.standard(isHelp: false)
        let door = makeDoor(options: options, address: address, format: format, configuration: connection)
        let style = Style(enabled: Terminal.allowsColour(STDOUT_FILENO))
        let prompt = door is LocalDoor ? "plenary> " : "plenary@\(door.label)> "
        var history = noHistory ? History(file: nil) : History.load()
        let reader: any LineReader =
            conversational && LineEditor.isSupported
            ? LineEditor(prompt: style.bold(prompt), promptWidth: prompt.count)
            : PlainReader(prompt: conversational ? prompt : nil)
        if conversational {
            let target = door is LocalDoor ? "the local database" : "server \(door.label)"
            write("plenary \(Product.version) shell on \(target); help lists the commands, quit or Ctrl-D ends.\n")
        }
        var status = ExitCode.ok
        while let line = reader.readLine(history: history.entries) {
            let held = door.takeEvents()
            if !held.isEmpty {
                let printer = ReplyPrinter.forTerminal(format: format, isHelp: false)
                write(held.map(printer.render(event:)).joined())
            }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if interactive { history.add(line) }
            if ["quit", "exit"].contains(trimmed.lowercased()) { break }
            let code = await runLine(trimmed, door: door, chosen: chosen, format: format)
            // A script must see a refusal in its middle; a person at a terminal sees each one as it comes.
            status = interactive ? code : max(status, code)
        }
        await door.close()
        if status != .ok { throw ExitStatus(code: status) }
    }

    /// Runs one line and prints its reply; returns its exit code.
    private func runLine(_ line: String, door: any Door, chosen: OutputFormat?, format: OutputFormat) async -> ExitCode
    {
        let request: RawRequest
        switch LineParser.parse(line) {
        case .failure(let error):
            return CatalogDoor.show(.error(error), with: ReplyPrinter.forTerminal(format: format, isHelp: false))
        case .success(let parsed): request = parsed
        }
        let helpFlags: Set<String> = ["--help", "-h"]
        if request.words.contains(where: helpFlags.contains) {
            let words = request.words.filter { !helpFlags.contains($0) }
            let help = await LocalDoor(configFile: nil).run(Declarations.helpRequest(for: words))
            return CatalogDoor.show(help, with: ReplyPrinter.forTerminal(format: chosen ?? .table, isHelp: true))
        }
        let isHelp = request.words.first?.lowercased() == "help"
        let printer = ReplyPrinter.forTerminal(
            format: chosen ?? (isHelp ? .table : format), isHelp: isHelp,
            isListing: CommandShape.isListing(request.words))
        return CatalogDoor.show(await door.run(request), with: printer)
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// Lines the shell has run, kept in the user's data directory so Up recalls them in the next session too.
struct History {
    /// How many lines are kept.
    static let limit = 1000

    let file: URL?
    private(set) var entries: [String] = []

    init(file: URL?, entries: [String] = []) {
        self.file = file
        self.entries = entries
    }

    /// `$XDG_DATA_HOME/plenary/history`, or `~/.local/share/plenary/history` (the XDG default).
    static func standardFile(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL? {
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {
            return URL(fileURLWithPath: data).appendingPathComponent("plenary/history")
        }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return URL(fileURLWithPath: home).appendingPathComponent(".local/share/plenary/history")
    }

    /// The history in the standard file; empty when it does not exist or cannot be read.
    static func load() -> History {
        guard let file = standardFile() else { return History(file: nil) }
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        let lines = text.split(separator: "\n").map(String.init)
        let history = History(file: file, entries: Array(lines.suffix(limit)))
        if lines.count > 2 * limit { history.rewrite() }
        return history
    }

    /// Adds a line, unless it starts with a space (the shell convention for "do not keep this"), carries a secret
    /// (`auth token=…`), or repeats the line before it.
    mutating func add(_ line: String) {
        guard !line.hasPrefix(" "), !line.isEmpty, entries.last != line else { return }
        let word = line.split(separator: " ").first.map { $0.lowercased() }
        guard word != "auth", !line.contains("token=") else { return }
        entries.append(line)
        if entries.count > Self.limit { entries.removeFirst(entries.count - Self.limit) }
        append(line)
    }

    private func append(_ line: String) {
        guard let file, let handle = open(file) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data((line + "\n").utf8))
    }

    private func rewrite() {
        guard let file else { return }
        try? FileManager.default.removeItem(at: file)
        guard let handle = open(file) else { return }
        defer { try? handle.close() }
        try? handle.write(contentsOf: Data(entries.map { $0 + "\n" }.joined().utf8))
    }

    /// The file, created with its directory when missing; private to the user, since commands name people and
    /// documents.
    private func open(_ file: URL) -> FileHandle? {
        let manager = FileManager.default
        let directory = file.deletingLastPathComponent()
        if !manager.fileExists(atPath: directory.path) {
            try? manager.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        if !manager.fileExists(atPath: file.path) {
            guard manager.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                return nil
            }
        }
        return try? FileHandle(forWritingTo: file)
    }
}

/// Reads the shell's lines.
protocol LineReader {
    /// The next line without its newline; nil at end of input.
    func readLine(history: [String]) -> String?
}

/// Lines from a pipe or a terminal that cannot be driven: the system's own line discipline, with a prompt when
/// there is a person to see it.
struct PlainReader: LineReader {
    let prompt: String?

    func readLine(history: [String]) -> String? {
        if let prompt { FileHandle.standardOutput.write(Data(prompt.utf8)) }
        return Swift.readLine(strippingNewline: true)
    }
}
