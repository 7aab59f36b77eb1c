import PlenaryCore

/// Why a conversation with a server failed before a reply could be read. A refusal by the server is not one of
/// these: it is a reply like any other (``PlenaryConnection/send(_:)`` returns it).
public struct ClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of failure, for callers that branch on them (a load generator counts them apart).
    public enum Kind: Sendable, Hashable {
        /// No connection could be made: refused, unreachable, unknown host, or the connect timeout passed.
        case cannotConnect
        /// No complete reply came within the reply timeout; the connection was closed.
        case timedOut
        /// The server closed the connection, or said `421 CLOSING`.
        case closed
        /// The server sent something that is not the protocol: an unreadable line, a line or reply over the
        /// client's limits, a greeting with another protocol version.
        case protocolViolation
        /// The task waiting for the reply was cancelled; the connection was closed.
        case cancelled
    }

    /// What went wrong.
    public var kind: Kind
    /// The server it concerns.
    public var address: ServerAddress
    /// What happened, for a person: `connection refused`, `no reply within 60 s`.
    public var message: String
    /// The server's own `421 CLOSING` line, when it said one.
    public var closing: PlenaryError?

    /// Creates an error.
    public init(_ kind: Kind, address: ServerAddress, message: String, closing: PlenaryError? = nil) {
        self.kind = kind
        self.address = address
        self.message = message
        self.closing = closing
    }

    /// The error as a reply carries it: the server's `421 CLOSING` when it said so, otherwise `451 UNAVAILABLE`
    /// naming the server, so a client reports "no answer" the way the contract spells it (exit code 3 for the CLI).
    public var plenaryError: PlenaryError {
        closing ?? .unavailable("server \(address): \(message)")
    }

    /// `server HOST:PORT: message`.
    public var description: String { "server \(address): \(message)" }
}
