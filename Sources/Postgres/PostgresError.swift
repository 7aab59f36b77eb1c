import CLibPQ

/// An error from libpq or the PostgreSQL server, with the server's diagnostic fields kept apart so callers can branch
/// on them (a unique violation on a named constraint becomes a clear domain error, not a string match).
public struct PostgresError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Where the error arose.
    public enum Kind: String, Sendable, Equatable {
        /// The connection could not be made or was lost.
        case connection
        /// The server refused a statement; `sqlState` says why.
        case server
        /// A value in a row could not be decoded as the requested Swift type.
        case decoding
        /// The statement was cancelled at the caller's request.
        case cancelled
        /// The pool had no connection free within its acquire timeout, or it is shut down.
        case unavailable
        /// libpq or the server answered in a way the client did not expect.
        case protocolViolation
    }

    /// Where the error arose.
    public var kind: Kind
    /// The five-character SQLSTATE, when the server sent one (`23505` unique violation …).
    public var sqlState: String?
    /// The primary message, as PostgreSQL or libpq wrote it.
    public var message: String
    /// The server's DETAIL field.
    public var detail: String?
    /// The server's HINT field.
    public var hint: String?
    /// The name of the constraint that was violated, if any.
    public var constraint: String?
    /// The table the error concerns, if any.
    public var table: String?
    /// The column the error concerns, if any.
    public var column: String?

    /// Creates an error.
    public init(
        kind: Kind, message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil,
        constraint: String? = nil, table: String? = nil, column: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
    }

    /// `23505`: a unique index refused a duplicate.
    public var isUniqueViolation: Bool { sqlState == SQLState.uniqueViolation }
    /// `23P01`: an exclusion constraint refused an overlap.
    public var isExclusionViolation: Bool { sqlState == SQLState.exclusionViolation }
    /// `23503`: a foreign key refused a dangling reference.
    public var isForeignKeyViolation: Bool { sqlState == SQLState.foreignKeyViolation }
    /// `23514`: a CHECK constraint refused a value.
    public var isCheckViolation: Bool { sqlState == SQLState.checkViolation }

    /// Whether the error means the database could not be reached or the connection broke, so the statement did
    /// nothing that the caller can count on and it may be retried later (reported as 451 UNAVAILABLE).
    public var isTransient: Bool {
        switch kind {
        case .connection, .unavailable, .cancelled: return true
        case .decoding, .protocolViolation: return false
        case .server:
            guard let state = sqlState else { return false }
            // Class 08: connection exception; 57P01..57P03: admin shutdown, crash shutdown, cannot connect now;
            // 40001/40P01: serialization failure and deadlock, which a retry resolves.
            return state.hasPrefix("08") || state.hasPrefix("57P") || state == "40001" || state == "40P01"
                || state == SQLState.queryCanceled
        }
    }

    /// A one-line description that never includes parameter values (they may be secrets).
    public var description: String {
        var text = "\(kind.rawValue) error"
        if let sqlState { text += " \(sqlState)" }
        text += ": \(message)"
        if let detail { text += " (\(detail))" }
        if let constraint { text += " [constraint \(constraint)]" }
        return text
    }

    /// Reads the diagnostic fields of a failed result.
    static func from(result: OpaquePointer?, connection: OpaquePointer?) -> PostgresError {
        guard let result else {
            return PostgresError(kind: .connection, message: Connection.errorMessage(of: connection))
        }
        func field(_ code: Int32) -> String? {
            guard let pointer = PQresultErrorField(result, code) else { return nil }
            return String(cString: pointer)
        }
        let state = field(CLIBPQ_DIAG_SQLSTATE)
        var message = field(CLIBPQ_DIAG_MESSAGE_PRIMARY)
        if message == nil, let raw = PQresultErrorMessage(result) {
            message = String(cString: raw).trimmingTrailingWhitespace()
        }
        let badConnection = connection.map { PQstatus($0) != CONNECTION_OK } ?? true
        let kind: Kind
        if state == SQLState.queryCanceled {
            kind = .cancelled
        } else if state == nil && badConnection {
            kind = .connection
        } else {
            kind = .server
        }
        return PostgresError(
            kind: kind,
            message: (message?.isEmpty == false ? message : nil) ?? Connection.errorMessage(of: connection),
            sqlState: state,
            detail: field(CLIBPQ_DIAG_MESSAGE_DETAIL),
            hint: field(CLIBPQ_DIAG_MESSAGE_HINT),
            constraint: field(CLIBPQ_DIAG_CONSTRAINT_NAME),
            table: field(CLIBPQ_DIAG_TABLE_NAME),
            column: field(CLIBPQ_DIAG_COLUMN_NAME)
        )
    }
}

/// SQLSTATE codes the project branches on.
public enum SQLState {
    /// A unique index refused a duplicate.
    public static let uniqueViolation = "23505"
    /// An exclusion constraint refused an overlap.
    public static let exclusionViolation = "23P01"
    /// A foreign key refused a dangling reference.
    public static let foreignKeyViolation = "23503"
    /// A CHECK constraint refused a value.
    public static let checkViolation = "23514"
    /// A NOT NULL constraint refused a missing value.
    public static let notNullViolation = "23502"
    /// A trigger or function raised an exception without a more specific code.
    public static let raiseException = "P0001"
    /// The statement was cancelled (PQcancel or statement_timeout).
    public static let queryCanceled = "57014"
    /// The relation does not exist.
    public static let undefinedTable = "42P01"
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var view = Substring(self)
        while let last = view.last, last.isWhitespace { view = view.dropLast() }
        return String(view)
    }
}
