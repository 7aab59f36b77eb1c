/// The reply codes of the command language (docs/PROTOCOL.md); every refusal Plenary gives carries one.
public enum ReplyCode: Int, Sendable, Hashable, CaseIterable {
    /// Done.
    case ok = 200
    /// Something was created.
    case created = 201
    /// The greeting sent once on connect.
    case greeting = 220
    /// Reply to `quit`; the server then closes.
    case bye = 221
    /// The server is closing this connection.
    case closing = 421
    /// Transient: the database is unreachable or a timeout passed; the command did nothing and may be retried.
    case unavailable = 451
    /// The line could not be read (too long, bad syntax, control characters).
    case badLine = 500
    /// No such noun or verb.
    case unknownCommand = 502
    /// A key is missing, unknown, repeated or invalid.
    case badArgument = 504
    /// Not authenticated, or a bad token.
    case authentication = 511
    /// The caller's role may not run this command.
    case forbidden = 530
    /// The thing named does not exist.
    case notFound = 550
    /// A rule of the domain forbids it.
    case conflict = 551
    /// A bug; logged with an id that the reply carries.
    case `internal` = 590
    /// An asynchronous change event.
    case event = 650

    /// Whether the code reports success.
    public var isSuccess: Bool { rawValue < 300 }
}

/// An error a person can act on: a reply code, a token naming its class, and a message that names the field or
/// key at fault and the rule it broke.
public struct PlenaryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The reply code the error is reported with.
    public var code: ReplyCode
    /// The upper-case token after the code (`BAD_ARGUMENT`, `LINE_TOO_LONG`, `CONFLICT` …).
    public var token: String
    /// The human-readable message: starts with the field or key it concerns where there is one.
    public var message: String

    /// Creates an error with an explicit token.
    public init(code: ReplyCode, token: String, message: String) {
        self.code = code
        self.token = token
        self.message = message
    }

    /// A line that could not be read as a command.
    public static func badSyntax(_ message: String) -> PlenaryError {
        PlenaryError(code: .badLine, token: "BAD_SYNTAX", message: message)
    }

    /// A line over the configured limit.
    public static func lineTooLong(limit: Int) -> PlenaryError {
        PlenaryError(code: .badLine, token: "LINE_TOO_LONG", message: "line: longer than \(limit) bytes")
    }

    /// No such noun or verb.
    public static func unknownCommand(_ message: String) -> PlenaryError {
        PlenaryError(code: .unknownCommand, token: "UNKNOWN_COMMAND", message: message)
    }

    /// A key that is missing, unknown, repeated or invalid; the message begins with the key.
    public static func badArgument(_ key: String, _ rule: String) -> PlenaryError {
        PlenaryError(code: .badArgument, token: "BAD_ARGUMENT", message: "\(key): \(rule)")
    }

    /// Not authenticated.
    public static func authRequired(_ message: String = "authenticate first with: auth token=...") -> PlenaryError {
        PlenaryError(code: .authentication, token: "AUTH_REQUIRED", message: message)
    }

    /// A bad token.
    public static func authFailed(_ message: String = "token: not recognised") -> PlenaryError {
        PlenaryError(code: .authentication, token: "AUTH_FAILED", message: message)
    }

    /// The caller's role is too low for the command.
    public static func forbidden(_ message: String) -> PlenaryError {
        PlenaryError(code: .forbidden, token: "FORBIDDEN", message: message)
    }

    /// The thing named does not exist.
    public static func notFound(_ message: String) -> PlenaryError {
        PlenaryError(code: .notFound, token: "NOT_FOUND", message: message)
    }

    /// A rule of the domain forbids the change.
    public static func conflict(_ message: String) -> PlenaryError {
        PlenaryError(code: .conflict, token: "CONFLICT", message: message)
    }

    /// 421 CLOSING: the server closes this connection, for this reason.
    public static func closing(_ reason: String) -> PlenaryError {
        PlenaryError(code: .closing, token: "CLOSING", message: reason)
    }

    /// The database is unreachable or a timeout passed; nothing was done.
    public static func unavailable(_ message: String) -> PlenaryError {
        PlenaryError(code: .unavailable, token: "UNAVAILABLE", message: message)
    }

    /// A bug, reported with the id under which it was logged.
    public static func `internal`(incident: String) -> PlenaryError {
        PlenaryError(
            code: .internal, token: "INTERNAL", message: "internal error; logged as incident \(incident)")
    }

    /// `CODE TOKEN message`, as the reply line carries it.
    public var description: String { "\(code.rawValue) \(token) \(message)" }
}
