import CLibPQ
import Foundation

/// One libpq connection. It has exactly one owner at a time (the pool leases it out whole) and is closed with
/// `PQfinish` when that owner lets go of it — also when the connect itself failed.
///
/// Every call blocks the calling thread on the network, so it must run on a thread of the pool's own, never on
/// Swift's cooperative pool. The class is `@unchecked Sendable` so a lease can move it between those threads; the
/// pool's leasing is what makes that safe, not a lock in here.
public final class Connection: @unchecked Sendable {
    private var handle: OpaquePointer?
    /// The statements prepared on this connection by SQL text: their names and when each was last used, so the
    /// least recently used one goes when there are ``preparedStatementLimit`` of them.
    private var preparedStatements: [String: (name: String, lastUse: UInt64)] = [:]
    private var statementCounter = 0
    private var uses: UInt64 = 0
    /// The most statements kept prepared on this connection; each holds memory in the server's backend.
    public let preparedStatementLimit: Int
    private var phase = Phase.idle
    private let canceller: Canceller
    /// The conninfo the connection was opened with, kept to reconnect; never logged (it may hold a password).
    private let conninfo: String

    /// Opens a connection from a libpq URI (`postgresql://…`) or key/value string (`host=… dbname=…`). Every libpq
    /// setting and `PG*` environment variable applies, because libpq itself expands the string.
    ///
    /// `defaults` are libpq keywords applied *under* the string: the string (or a `PG*` variable) overrides them,
    /// which is how the pool sets `connect_timeout` and `application_name` without taking them from the user.
    ///
    /// `preparedStatementLimit` bounds the prepared-statement cache (see ``query(_:_:)``).
    public init(
        conninfo: String, defaults: [String: String] = [:], preparedStatementLimit: Int = 256
    ) throws(PostgresError) {
        self.conninfo = conninfo
        self.preparedStatementLimit = max(1, preparedStatementLimit)
        let connection: OpaquePointer? = Connection.connect(conninfo, defaults: defaults)
        guard let connection, PQstatus(connection) == CONNECTION_OK else {
            // Read the message before PQfinish frees it.
            let message = Connection.errorMessage(of: connection)
            if let connection { PQfinish(connection) }
            throw PostgresError(kind: .connection, message: message)
        }
        self.handle = connection
        self.canceller = Canceller(PQgetCancel(connection))
        // libpq prints server NOTICEs to stderr by default; they are for a human at psql, not for our logs.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        do {
            try configureSession()
        } catch {
            PQfinish(connection)
            handle = nil
            throw error
        }
    }

    deinit {
        canceller.invalidate()
        if let handle { PQfinish(handle) }
    }

    /// Where the connection is, as ``transaction(_:)`` and pipelines leave it: one state, so no combination of
    /// flags can say two things at once.
    private enum Phase {
        /// Outside ``transaction(_:)``.
        case idle
        /// Inside ``transaction(_:)``: BEGIN not sent yet while `beginPending` (it travels with the first statement,
        /// in one round trip), and the statements queued by ``queryAtCommit(_:_:)`` to send with the COMMIT.
        case transaction(beginPending: Bool, atCommit: [Statement])
        /// A pipeline could not be left (results unread after a failure): the connection is no longer usable, and
        /// the pool replaces it.
        case broken
    }

    /// Whether BEGIN is still to be sent.
    private var beginPending: Bool {
        if case .transaction(beginPending: true, _) = phase { return true }
        return false
    }

    /// Takes the pending BEGIN: true when it was still to be sent, and the caller now sends it (or, at the end of
    /// a transaction that ran nothing, drops it).
    private func takeBegin() -> Bool {
        guard case .transaction(beginPending: true, let queued) = phase else { return false }
        phase = .transaction(beginPending: false, atCommit: queued)
        return true
    }

    private static func connect(_ conninfo: String, defaults: [String: String]) -> OpaquePointer? {
        // expand_dbname=1 makes libpq read the dbname value as a full URI or key/value string; keywords before it
        // are overridden by what the string says, so they act as defaults.
        let ordered = defaults.sorted { $0.key < $1.key }
        let keywords = ordered.map(\.key) + ["dbname"]
        let values = ordered.map(\.value) + [conninfo]
        return withCStrings(keywords) { keywordPointers in
            withCStrings(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
    }

    /// Settings the row decoder depends on: ISO dates and UTC timestamps, whatever the server's defaults are.
    private func configureSession() throws(PostgresError) {
        try simpleQuery("SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; SET IntervalStyle = 'iso_8601'")
    }

    /// libpq's error message for a connection (or the out-of-memory case when there is none).
    static func errorMessage(of connection: OpaquePointer?) -> String {
        guard let connection, let raw = PQerrorMessage(connection) else {
            return "libpq could not allocate a connection"
        }
        let message = String(cString: raw).trimmingTrailingWhitespace()
        return message.isEmpty ? "connection failed" : message
    }

    /// Whether libpq still considers the connection usable. A connection whose server restarted reports bad only
    /// after the next attempt to use it.
    public var isHealthy: Bool {
        guard let handle else { return false }
        if case .broken = phase { return false }
        return PQstatus(handle) == CONNECTION_OK && PQtransactionStatus(handle) != PQTRANS_UNKNOWN
    }

    /// Whether a transaction is open (or failed and awaiting rollback) on this connection.
    public var isInTransaction: Bool {
        guard let handle else { return false }
        if beginPending { return true }
        let status = PQtransactionStatus(handle)
        return status == PQTRANS_INTRANS || status == PQTRANS_INERROR
    }

    /// The server's version number (e.g. 150018 for 15.18).
    public var serverVersion: Int {
        guard let handle else { return 0 }
        return Int(PQserverVersion(handle))
    }

    /// The handle, or a connection error when the connection was closed.
    func requireHandle() throws(PostgresError) -> OpaquePointer {
        guard let handle else { throw PostgresError(kind: .connection, message: "connection is closed") }
        return handle
    }

    /// A handle another thread may use to cancel the statement this connection is running.
    public var cancelHandle: Canceller { canceller }

    // MARK: - Statements

    /// Runs one parameterised statement through a prepared statement cached on this connection (prepared on first
    /// use, reused after). Values only ever travel as parameters, never spliced into SQL.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws(PostgresError) -> QueryResult {
        let handle = try requireHandle()
        let name = try preparedName(for: sql, parameterCount: parameters.count, handle: handle)
        if takeBegin() {
            return try runPipelined([(name, parameters)], opening: true, closing: false, handle: handle)[0]
        }
        let encoded = parameters.map { $0.postgresText }
        let result = withOptionalCStrings(encoded) { pointers in
            PQexecPrepared(handle, name, Int32(pointers.count), pointers, nil, nil, 0)
        }
        return try consume(result, handle: handle)
    }

    /// Runs one statement built elsewhere (see ``query(_:_:)``).
    @discardableResult
    public func query(_ statement: Statement) throws(PostgresError) -> QueryResult {
        try query(statement.sql, statement.parameters)
    }

    /// Runs several prepared statements in one round trip (libpq pipeline mode) and returns their results in order:
    /// for independent statements a command needs together. Inside `transaction` they run in it (a BEGIN still
    /// pending travels with them); the first failure is thrown and the rest are skipped.
    public func queries(_ statements: [Statement]) throws(PostgresError) -> [QueryResult] {
        let handle = try requireHandle()
        var prepared: [(name: String, parameters: [any PostgresEncodable])] = []
        for statement in statements {
            let name = try preparedName(for: statement.sql, parameterCount: statement.parameters.count, handle: handle)
            prepared.append((name, statement.parameters))
        }
        return try runPipelined(prepared, opening: takeBegin(), closing: false, handle: handle)
    }

    /// Runs a statement just before the transaction commits, in the same round trip as the COMMIT (inside
    /// `transaction`; elsewhere at once). For the last write of a transaction — the audit row — whose effects nothing
    /// later in the transaction reads: the row locks it takes are then held for the server's own time only, not
    /// across a network round trip. Its failure fails the commit, which rolls everything back.
    public func queryAtCommit(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws(PostgresError) {
        guard case .transaction(let pending, var queued) = phase else {
            try query(sql, parameters)
            return
        }
        queued.append(Statement(sql, parameters))
        phase = .transaction(beginPending: pending, atCommit: queued)
    }

    /// Sends BEGIN now if it is still waiting for the first statement (before anything that does not carry it).
    private func flushBegin() throws(PostgresError) {
        guard takeBegin() else { return }
        try simpleQuery("BEGIN")
    }

    /// Sends prepared statements in one pipeline — after a BEGIN when `opening`, followed by COMMIT when `closing` —
    /// and returns their results. The first failure skips the rest (the server aborts the transaction) and is
    /// thrown; the caller rolls back.
    private func runPipelined(
        _ statements: [(name: String, parameters: [any PostgresEncodable])], opening: Bool, closing: Bool,
        handle: OpaquePointer
    ) throws(PostgresError) -> [QueryResult] {
        guard PQenterPipelineMode(handle) == 1 else {
            throw PostgresError(
                kind: PQstatus(handle) == CONNECTION_OK ? .protocolViolation : .connection,
                message: Connection.errorMessage(of: handle))
        }
        defer {
            // A pipeline left with results unread (the connection failed half-way) cannot be left at all: such a
            // connection is done, and the pool replaces it.
            if PQexitPipelineMode(handle) != 1 { phase = .broken }
        }
        var sent = true
        if opening { sent = PQsendQueryParams(handle, "BEGIN", 0, nil, nil, nil, nil, 0) == 1 }
        for statement in statements where sent {
            let encoded = statement.parameters.map { $0.postgresText }
            sent = withOptionalCStrings(encoded) { pointers in
                PQsendQueryPrepared(handle, statement.name, Int32(pointers.count), pointers, nil, nil, 0) == 1
            }
        }
        if sent, closing { sent = PQsendQueryParams(handle, "COMMIT", 0, nil, nil, nil, nil, 0) == 1 }
        guard sent, PQpipelineSync(handle) == 1 else {
            throw PostgresError(kind: .connection, message: Connection.errorMessage(of: handle))
        }
        var results: [QueryResult] = []
        var firstError: PostgresError?
        let expected = statements.count + (opening ? 1 : 0) + (closing ? 1 : 0)
        for position in 0..<expected {
            guard let result = PQgetResult(handle) else {
                throw PostgresError(kind: .connection, message: Connection.errorMessage(of: handle))
            }
            let isStatement = position >= (opening ? 1 : 0) && results.count < statements.count
            switch PQresultStatus(result) {
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
                if isStatement { results.append(QueryResult(result)) }
            case PGRES_PIPELINE_ABORTED:
                break
            default:
                if firstError == nil {
                    let error = PostgresError.from(result: result, connection: handle)
                    if error.sqlState == "26000" { preparedStatements.removeAll() }
                    firstError = error
                }
            }
            PQclear(result)
            // Each statement's results end with a NULL.
            while let extra = PQgetResult(handle) { PQclear(extra) }
        }
        // The sync point is read whatever happened before it: only then is the connection out of the pipeline.
        guard let sync = PQgetResult(handle) else {
            if let firstError { throw firstError }
            // Every statement succeeded. When the last was COMMIT the transaction is committed, whatever happens
            // to the connection now: a server shut down right after it may send its farewell where the sync point
            // was due, and that must not turn a done change into "it did nothing".
            if closing { return results }
            throw PostgresError(kind: .connection, message: Connection.errorMessage(of: handle))
        }
        defer { PQclear(sync) }
        if let firstError { throw firstError }
        switch PQresultStatus(sync) {
        case PGRES_PIPELINE_SYNC:
            return results
        case _ where closing:
            return results
        case PGRES_FATAL_ERROR:
            // The connection failed where the sync point was due (the server went away): a failure the caller may
            // retry, not a broken protocol.
            throw PostgresError.from(result: sync, connection: handle)
        default:
            throw PostgresError(
                kind: PQstatus(handle) == CONNECTION_OK ? .protocolViolation : .connection,
                message: "pipeline: expected a sync point")
        }
    }

    /// Runs a statement and returns its only row, or nil when it returned none; more than one row is an error.
    public func queryOne(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws(PostgresError) -> Row? {
        let result = try query(sql, parameters)
        guard result.rows.count <= 1 else {
            throw PostgresError(kind: .protocolViolation, message: "expected at most one row, got \(result.rows.count)")
        }
        return result.rows.first
    }

    /// Runs SQL without parameters through the simple-query protocol, which allows several statements in one string
    /// (migration files). Never use it with values that came from outside.
    public func simpleQuery(_ sql: String) throws(PostgresError) {
        let handle = try requireHandle()
        if takeBegin() { try simpleQuery("BEGIN") }
        guard PQsendQuery(handle, sql) == 1 else {
            throw PostgresError(kind: .connection, message: Connection.errorMessage(of: handle))
        }
        var firstError: PostgresError?
        while let result = PQgetResult(handle) {
            let status = PQresultStatus(result)
            if status == PGRES_FATAL_ERROR, firstError == nil {
                firstError = PostgresError.from(result: result, connection: handle)
            }
            PQclear(result)
        }
        if let firstError { throw firstError }
        if PQstatus(handle) != CONNECTION_OK {
            throw PostgresError(kind: .connection, message: Connection.errorMessage(of: handle))
        }
    }

    private func preparedName(
        for sql: String, parameterCount: Int, handle: OpaquePointer
    ) throws(PostgresError) -> String {
        uses += 1
        if let known = preparedStatements[sql] {
            preparedStatements[sql]?.lastUse = uses
            return known.name
        }
        if preparedStatements.count >= preparedStatementLimit,
            let (oldest, entry) = preparedStatements.min(by: { $0.value.lastUse < $1.value.lastUse })
        {
            preparedStatements[oldest] = nil
            deallocate(entry.name, handle: handle)
        }
        statementCounter += 1
        let name = "plenary_\(statementCounter)"
        let result = PQprepare(handle, name, sql, 0, nil)
        _ = try consume(result, handle: handle)
        preparedStatements[sql] = (name, uses)
        return name
    }

    /// Frees a prepared statement on the server. It is never in a pipeline here, and it is no part of any
    /// transaction (DEALLOCATE takes effect at once), so a BEGIN still pending stays pending. A failure (an aborted
    /// transaction refuses every statement) leaves the statement until the connection closes; the name is not
    /// used again either way.
    private func deallocate(_ name: String, handle: OpaquePointer) {
        if let result = PQexec(handle, "DEALLOCATE \(name)") { PQclear(result) }
    }

    /// The number of statements prepared on this connection (for tests and metrics).
    public var preparedStatementCount: Int { preparedStatements.count }

    /// Turns a libpq result into rows or an error, and always clears it.
    func consume(_ result: OpaquePointer?, handle: OpaquePointer) throws(PostgresError) -> QueryResult {
        guard let result else {
            throw PostgresError(kind: .connection, message: Connection.errorMessage(of: handle))
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE:
            return QueryResult(result)
        case PGRES_EMPTY_QUERY:
            return QueryResult(columns: [], rows: [], affectedRows: 0)
        default:
            let error = PostgresError.from(result: result, connection: handle)
            if error.sqlState == "26000" {
                // "prepared statement does not exist": the session was reset under us; prepare afresh next time.
                preparedStatements.removeAll()
            }
            throw error
        }
    }

    // MARK: - Transactions

    /// Runs `body` inside BEGIN … COMMIT. Any error thrown by the body, or by COMMIT, rolls the transaction back
    /// and is rethrown unchanged, so nothing half-written remains.
    ///
    /// Round trips are what a short transaction costs, so BEGIN travels with the body's first statement and COMMIT
    /// with the statements queued by `queryAtCommit`, each in one libpq pipeline.
    @discardableResult
    public func transaction<T>(_ body: (Connection) throws -> T) throws -> T {
        try transaction(gate: nil, body)
    }

    /// `transaction`, asking `gate` before COMMIT: a transaction its caller abandoned rolls back instead.
    func transaction<T>(gate: CommitGate?, _ body: (Connection) throws -> T) throws -> T {
        _ = try requireHandle()
        phase = .transaction(beginPending: true, atCommit: [])
        defer {
            if case .transaction = phase { phase = .idle }
        }
        let value: T
        do {
            value = try body(self)
        } catch {
            rollbackQuietly()
            throw error
        }
        if let gate, !gate.beginCommit() {
            rollbackQuietly()
            throw PostgresError(kind: .cancelled, message: "abandoned by its caller before COMMIT; rolled back")
        }
        do {
            try commit()
        } catch {
            rollbackQuietly()
            throw error
        }
        return value
    }

    /// COMMIT, with the statements queued for it; nothing at all when the body ran no statement.
    private func commit() throws(PostgresError) {
        let handle = try requireHandle()
        guard case .transaction(let pending, let queued) = phase else {
            throw PostgresError(kind: .connection, message: "the connection broke; the transaction did not commit")
        }
        phase = .transaction(beginPending: pending, atCommit: [])
        if queued.isEmpty {
            if takeBegin() { return }
            try simpleQuery("COMMIT")
            return
        }
        var prepared: [(name: String, parameters: [any PostgresEncodable])] = []
        for statement in queued {
            // Preparing is no part of any transaction, so it may go ahead of a BEGIN still pending.
            let name = try preparedName(for: statement.sql, parameterCount: statement.parameters.count, handle: handle)
            prepared.append((name, statement.parameters))
        }
        let opening = takeBegin()
        // The statements sent with the COMMIT are part of committing, which its caller can no longer abandon (see
        // CommitGate): no cancel request may stop them half-way and turn a commit already on its way into a refusal.
        canceller.suppress()
        defer { canceller.allow() }
        _ = try runPipelined(prepared, opening: opening, closing: true, handle: handle)
    }

    /// Rolls back if a transaction is open; a connection that broke meanwhile has nothing to roll back.
    func rollbackQuietly() {
        if takeBegin() { return }
        guard isInTransaction else { return }
        try? simpleQuery("ROLLBACK")
    }

    // MARK: - COPY

    /// Loads rows with `COPY … FROM STDIN` (text format), the fastest way into PostgreSQL. `sql` is the COPY
    /// statement, e.g. `COPY documents (symbol, title) FROM STDIN`; each row has one value per column, nil for NULL.
    /// Returns the number of rows the server loaded.
    @discardableResult
    public func copyFrom(_ sql: String, rows: some Sequence<[String?]>) throws(PostgresError) -> Int {
        let handle = try requireHandle()
        try flushBegin()
        let start = PQexec(handle, sql)
        guard let start else { throw PostgresError(kind: .connection, message: Connection.errorMessage(of: handle)) }
        let startStatus = PQresultStatus(start)
        if startStatus != PGRES_COPY_IN {
            defer { PQclear(start) }
            throw PostgresError.from(result: start, connection: handle)
        }
        PQclear(start)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(64 * 1024)
        var failure: PostgresError?
        for row in rows {
            CopyEncoder.append(row: row, to: &buffer)
            if buffer.count >= 60 * 1024 {
                if !putCopyData(buffer, handle: handle) {
                    failure = PostgresError(kind: .connection, message: Connection.errorMessage(of: handle))
                    break
                }
                buffer.removeAll(keepingCapacity: true)
            }
        }
        if failure == nil, !buffer.isEmpty, !putCopyData(buffer, handle: handle) {
            failure = PostgresError(kind: .connection, message: Connection.errorMessage(of: handle))
        }
        _ = PQputCopyEnd(handle, failure == nil ? nil : "client aborted the load")
        var loaded = 0
        while let result = PQgetResult(handle) {
            if PQresultStatus(result) == PGRES_COMMAND_OK {
                loaded = Int(String(cString: PQcmdTuples(result))) ?? 0
            } else if failure == nil {
                failure = PostgresError.from(result: result, connection: handle)
            }
            PQclear(result)
        }
        if let failure { throw failure }
        return loaded
    }

    private func putCopyData(_ buffer: [UInt8], handle: OpaquePointer) -> Bool {
        buffer.withUnsafeBufferPointer { pointer in
            pointer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: pointer.count) { chars in
                PQputCopyData(handle, chars, Int32(pointer.count)) == 1
            }
        }
    }

    // MARK: - LISTEN / NOTIFY

    /// Subscribes this connection to a channel. Use a connection dedicated to listening (see `NotificationListener`):
    /// notifications arrive only while the connection is read.
    public func listen(_ channel: String) throws(PostgresError) {
        try simpleQuery("LISTEN \(try quoteIdentifier(channel))")
    }

    /// Sends a notification on a channel (delivered when the surrounding transaction commits).
    public func notify(_ channel: String, payload: String) throws(PostgresError) {
        try query("SELECT pg_notify($1, $2)", [channel, payload])
    }

    /// Waits up to `timeout` seconds for notifications and returns those that arrived (possibly none).
    public func waitForNotifications(timeout: Double) throws(PostgresError) -> [Notification] {
        let handle = try requireHandle()
        var collected = drainNotifications(handle)
        if !collected.isEmpty { return collected }
        let socket = PQsocket(handle)
        guard socket >= 0 else { throw PostgresError(kind: .connection, message: "connection has no socket") }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(max(0, timeout * 1000)))
        if ready < 0 && errno != EINTR {
            throw PostgresError(kind: .connection, message: "poll failed: errno \(errno)")
        }
        if ready > 0 {
            guard PQconsumeInput(handle) == 1 else {
                throw PostgresError(kind: .connection, message: Connection.errorMessage(of: handle))
            }
            collected = drainNotifications(handle)
        }
        return collected
    }

    private func drainNotifications(_ handle: OpaquePointer) -> [Notification] {
        var collected: [Notification] = []
        while let raw = PQnotifies(handle) {
            let notification = Notification(
                channel: String(cString: raw.pointee.relname),
                payload: String(cString: raw.pointee.extra),
                processID: raw.pointee.be_pid)
            PQfreemem(raw)
            collected.append(notification)
        }
        return collected
    }

    /// Quotes an identifier the way the server expects (for the few statements that cannot take parameters).
    public func quoteIdentifier(_ identifier: String) throws(PostgresError) -> String {
        let handle = try requireHandle()
        guard let escaped = PQescapeIdentifier(handle, identifier, identifier.utf8.count) else {
            throw PostgresError(kind: .protocolViolation, message: Connection.errorMessage(of: handle))
        }
        defer { PQfreemem(escaped) }
        return String(cString: escaped)
    }
}

/// A statement and its parameters, for pipelines.
public struct Statement: Sendable {
    /// The SQL text, with `$1 … $n` placeholders.
    public var sql: String
    /// The parameter values.
    public var parameters: [any PostgresEncodable]

    /// Creates a statement.
    public init(_ sql: String, _ parameters: [any PostgresEncodable] = []) {
        self.sql = sql
        self.parameters = parameters
    }
}

/// A notification received on a LISTEN channel.
public struct Notification: Sendable, Equatable {
    /// The channel name.
    public var channel: String
    /// The payload string (may be empty).
    public var payload: String
    /// The server process that sent it.
    public var processID: Int32
}

/// Cancels the statement running on a connection from another thread. `PQcancel` is safe to call concurrently;
/// the lock only keeps the cancel object alive while it is in use (hence `@unchecked Sendable`).
public final class Canceller: @unchecked Sendable {
    private let lock = NSLock()
    private var cancelObject: OpaquePointer?
    private var suppressed = false

    init(_ cancel: OpaquePointer?) {
        cancelObject = cancel
    }

    /// Asks the server to cancel whatever the connection is running now. Returns whether the request was sent: not
    /// while the connection is committing (see ``suppress()``).
    @discardableResult
    public func cancel() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard let cancelObject, !suppressed else { return false }
        var buffer = [CChar](repeating: 0, count: 256)
        return PQcancel(cancelObject, &buffer, Int32(buffer.count)) == 1
    }

    /// From now on until ``allow()``, cancel requests are not sent: the connection is committing.
    func suppress() {
        lock.lock()
        suppressed = true
        lock.unlock()
    }

    /// Cancel requests are sent again.
    func allow() {
        lock.lock()
        suppressed = false
        lock.unlock()
    }

    func invalidate() {
        lock.lock()
        defer { lock.unlock() }
        if let current = cancelObject { PQfreeCancel(current) }
        cancelObject = nil
    }

    deinit { invalidate() }
}

/// Text-format COPY encoding: tab-separated, `\N` for NULL, backslash escapes for the separators.
enum CopyEncoder {
    static func append(row: [String?], to buffer: inout [UInt8]) {
        for (index, value) in row.enumerated() {
            if index > 0 { buffer.append(UInt8(ascii: "\t")) }
            guard let value else {
                buffer.append(UInt8(ascii: "\\"))
                buffer.append(UInt8(ascii: "N"))
                continue
            }
            for byte in value.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.append(contentsOf: [92, 92])
                case UInt8(ascii: "\t"): buffer.append(contentsOf: [92, UInt8(ascii: "t")])
                case UInt8(ascii: "\n"): buffer.append(contentsOf: [92, UInt8(ascii: "n")])
                case UInt8(ascii: "\r"): buffer.append(contentsOf: [92, UInt8(ascii: "r")])
                default: buffer.append(byte)
                }
            }
        }
        buffer.append(UInt8(ascii: "\n"))
    }
}

// MARK: - C string helpers

func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    withOptionalCStrings(strings.map { Optional($0) }) { pointers in
        body(pointers + [nil])
    }
}

/// Keeps C copies of the strings alive for the duration of `body` (nil stays a NULL pointer: SQL NULL).
func withOptionalCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    var owned: [UnsafeMutablePointer<CChar>?] = []
    owned.reserveCapacity(strings.count)
    for string in strings { owned.append(string.map { strdup($0) }) }
    defer { for pointer in owned { free(pointer) } }
    return body(owned.map { $0.map { UnsafePointer($0) } })
}
