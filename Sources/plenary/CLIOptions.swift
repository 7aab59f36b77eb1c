import Foundation
import PlenaryClient

/// The options of catalog commands, before or after the command's words (`plenary --format json body list`,
/// `plenary body list --format json`); a lone `--` ends them, so every word after it is the command's.
struct GlobalOptions: Equatable {
    /// `--format`, as given; nil for the default of where stdout goes.
    var format: String?
    /// `--config FILE`.
    var config: String?
    /// `--server HOST:PORT`, or `PLENARY_SERVER`.
    var server: String?
    /// `--token TOKEN`, or `PLENARY_TOKEN`.
    var token: String?
    /// `--timeout SECONDS`: how long to wait for a server to connect and for each reply.
    var timeout: String?
    /// `--ca FILE`, or `PLENARY_TLS_CA`: the certificate authorities to trust for a `tls:` server.
    var ca: String?
    /// `--help` or `-h` among the words: help for the command they name.
    var help = false

    static let valued = ["--format", "--config", "--server", "--token", "--timeout", "--ca"]

    /// Every option a catalog command takes, as a usage error lists them.
    static let known = "--format, --config, --server, --token, --timeout, --ca, --help (-h), and -- to end them"

    /// Splits the options off `arguments`; a valued option without its value, or a word starting with `--` that is
    /// none of the options, is a usage error (a value starting with `--` is given as `key=--…`, or after `--`).
    static func extract(from arguments: [String]) -> Result<(GlobalOptions, [String]), UsageError> {
        var options = GlobalOptions()
        var rest: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                rest += arguments[index...]
                break
            }
            if argument == "--help" || argument == "-h" {
                options.help = true
                continue
            }
            var name = argument
            var value: String?
            if let equals = argument.firstIndex(of: "="), valued.contains(String(argument[..<equals])) {
                name = String(argument[..<equals])
                value = String(argument[argument.index(after: equals)...])
            }
            guard valued.contains(name) else {
                if argument.hasPrefix("--") {
                    let given = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
                    return .failure(UsageError("\(given): unknown option; the options are \(known)"))
                }
                rest.append(argument)
                continue
            }
            if value == nil {
                guard index < arguments.count else { return .failure(UsageError("\(name): needs a value")) }
                value = arguments[index]
                index += 1
            }
            switch name {
            case "--format": options.format = value
            case "--config": options.config = value
            case "--server": options.server = value
            case "--timeout": options.timeout = value
            case "--ca": options.ca = value
            default: options.token = value
            }
        }
        return .success((options, rest))
    }

    /// Where the first word of `arguments` that is not a global option or its value is: the word that decides
    /// which door runs.
    static func firstWordIndex(of arguments: [String]) -> Int? {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if valued.contains(argument) {
                index += 2
            } else if valued.contains(where: { argument.hasPrefix($0 + "=") }) {
                index += 1
            } else {
                return index
            }
        }
        return nil
    }

    /// The options with the environment's `PLENARY_SERVER`, `PLENARY_TOKEN` and `PLENARY_TLS_CA` where the command
    /// line gave none.
    func withEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> GlobalOptions {
        var options = self
        if options.server == nil, let server = environment["PLENARY_SERVER"], !server.isEmpty {
            options.server = server
        }
        if options.token == nil, let token = environment["PLENARY_TOKEN"], !token.isEmpty { options.token = token }
        if options.ca == nil, let ca = environment["PLENARY_TLS_CA"], !ca.isEmpty { options.ca = ca }
        return options
    }

    /// The chosen output format; nil when none was chosen.
    func outputFormat() -> Result<OutputFormat?, UsageError> {
        guard let format else { return .success(nil) }
        guard let parsed = OutputFormat(rawValue: format) else {
            return .failure(
                UsageError(
                    "--format: must be \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")), got \(format)"
                ))
        }
        return .success(parsed)
    }

    /// How to talk to the server: `--timeout` bounds connecting and each reply alike.
    func connectionConfiguration() -> Result<PlenaryConnection.Configuration, UsageError> {
        var configuration = PlenaryConnection.Configuration()
        configuration.trustedCertificates = ca
        guard let timeout else { return .success(configuration) }
        guard let seconds = Double(timeout), seconds > 0, seconds <= 86_400 else {
            return .failure(UsageError("--timeout: must be a number of seconds above 0, got \(timeout)"))
        }
        configuration.connectTimeout = .milliseconds(Int(seconds * 1000))
        configuration.replyTimeout = .milliseconds(Int(seconds * 1000))
        return .success(configuration)
    }

    /// The server to ask, when one was named.
    func serverAddress() -> Result<ServerAddress?, UsageError> {
        guard let server else { return .success(nil) }
        guard let address = ServerAddress(parsing: server) else {
            return .failure(UsageError("--server: must be HOST:PORT, tls:HOST:PORT or unix:PATH, got \(server)"))
        }
        return .success(address)
    }
}

/// The command line itself is wrong: reported on stderr, exit code 2.
struct UsageError: Error, Equatable {
    var message: String

    init(_ message: String) { self.message = message }
}
