import AdminProtocol
import PlenaryCore
import Postgres
import Storage
import Synchronization

extension PlenaryCatalog {
    /// The topics `watch` accepts: the entities the service modules write to the audit trail, and `doc`, the
    /// contract's name for `document`. Left out, `watch` streams every entity, including ones added after this list.
    static let eventTopics = [
        "agenda", "body", "deadline-rule", "decision", "doc", "document", "import", "instrument", "meeting", "session",
        "token", "treaty", "wg",
    ]

    /// Topic names that stand for an audit entity of another name.
    static let eventTopicAliases = ["doc": "document"]

    /// `watch`: change events from the audit trail, through the services' one feed (one listener per process,
    /// started by the first watcher).
    static func eventCommands(_ services: Services) -> [CommandSpec] {
        let feed = services.changeFeed
        return [
            CommandSpec(
                noun: "watch",
                summary: "Stream change events (650 lines) from the audit trail; in-process, show the newest seq.",
                role: .observer,
                parameters: [
                    ParameterSpec(
                        name: "topics", type: .list(.choice(eventTopics)),
                        help: "only changes to these kinds of thing (the audit trail's entities)",
                        defaultDescription: "every topic"),
                    ParameterSpec(
                        name: "since", type: .integer(range: 0...Int.max),
                        help: "first replay the events after this seq, then follow; resumes a stream after a reconnect",
                        defaultDescription: "the newest seq"),
                ],
                handler: { arguments, _ in
                    let topics = arguments.list("topics").map { names in
                        var seen = Set<String>()
                        return names.map { eventTopicAliases[$0] ?? $0 }.filter { seen.insert($0).inserted }
                    }
                    if let topics, topics.isEmpty {
                        throw PlenaryError.badArgument("topics", "name at least one topic, or leave it out for all")
                    }
                    guard let target = WatchTarget.current else {
                        // In-process there is no connection to stream to; the newest seq is what a script needs to
                        // resume from later over one.
                        if let key = ["topics", "since"].first(where: arguments.has) {
                            throw PlenaryError.badArgument(
                                key,
                                "events stream only over a server connection (plenary serve); "
                                    + "in-process, watch reports the newest seq")
                        }
                        let database = services.database
                        let seq = try await database.read { connection in try AuditChain.catchUp(connection).head }
                        return .ok([ReplyField("seq", .int(seq))])
                    }
                    if !arguments.has("since") {
                        // What was committed before the command is sealed first (the chainer's work, waited for a
                        // moment, as `audit list` does), so a client that wrote and then watches starts after its
                        // own writes: they are not announced to it as new.
                        _ = try await services.database.read { connection in try AuditChain.catchUp(connection) }
                    }
                    let subscription = try await feed.subscribe(
                        topics: topics.map(Set.init), since: arguments.int("since"), onDropped: target.onDropped)
                    target.attach(subscription)
                    var summary = [ReplyField("since", .int(subscription.start))]
                    if let topics { summary.append(ReplyField("topics", .list(topics.map(ReplyValue.string)))) }
                    return .ok(summary)
                })
        ]
    }
}

extension PlenaryCatalog {
    /// `audit list`, `audit verify`, `audit anchor`. Each first makes sure what was committed before it is sealed
    /// (``AuditChain/catchUp(_:timeout:)``), so a client reads its own writes in the trail, and reports the tail
    /// still unsealed: `unsealed=N`, with `lag-ms=` (the oldest one's wait) when there is one.
    static func auditCommands(_ services: Services) -> [CommandSpec] {
        let database = services.database
        return [
            CommandSpec(
                noun: "audit", verb: "list",
                summary: "List the sealed audit trail, newest first, and count the rows not sealed yet.",
                role: .observer,
                parameters: [
                    ParameterSpec(
                        name: "entity", type: .string,
                        help:
                            "only this kind of entity (`body`), or one entity (`body:CTOC/COP`); a document by its "
                            + "symbol, in any case (`CTOC/COP/2010/1` or `document:CTOC/COP/2010/1`)"),
                    ParameterSpec(name: "since", type: .integer(range: 0...Int.max), help: "only rows after this seq"),
                    ParameterSpec(
                        name: "limit", type: .integer(range: 1...10_000), help: "at most this many rows",
                        defaultDescription: "100"),
                ],
                handler: { arguments, _ in
                    let entity = try auditEntity(arguments.string("entity"))
                    let since = arguments.int("since")
                    let limit = arguments.int("limit") ?? 100
                    let (rows, tail) = try await database.read { connection in
                        let tail = try AuditChain.catchUp(connection)
                        return (try AuditLog.list(connection, entity: entity, since: since, limit: limit), tail)
                    }
                    return .list(
                        rows.map { row in
                            ReplyRecord(
                                type: "audit",
                                fields: [
                                    ReplyField("seq", .int(row.seq)), ReplyField("at", .string(row.at)),
                                    ReplyField("actor", .string(row.actor)), ReplyField("entity", .string(row.entity)),
                                    ReplyField("id", .string(row.entityID)),
                                    ReplyField("operation", .string(row.operation)),
                                    ReplyField("before", .optional(row.before)),
                                    ReplyField("after", .optional(row.after)),
                                ])
                        }, summary: tailFields(tail))
                }),
            CommandSpec(
                noun: "audit", verb: "verify",
                summary: "Check the audit trail's hash chain end to end, in one snapshot, hashes recomputed here.",
                role: .observer,
                parameters: [
                    ParameterSpec(
                        name: "anchor", type: .string,
                        help: "a head kept from `audit anchor`: the trail must still hold that exact history",
                        placeholder: "SEQ:HASH")
                ],
                handler: { arguments, _ in
                    let text = arguments.string("anchor")
                    let anchor = text.flatMap(AuditAnchor.init)
                    if text != nil, anchor == nil {
                        throw PlenaryError.badArgument(
                            "anchor", "must be SEQ:HASH, a seq and 64 hex digits as `audit anchor` prints it")
                    }
                    let (result, tail) = try await database.read { connection in
                        let tail = try AuditChain.catchUp(connection)
                        return (try AuditLog.verify(connection, anchor: anchor), tail)
                    }
                    switch result {
                    case .intact(let rows):
                        var fields = [ReplyField("intact", .bool(true)), ReplyField("rows", .int(rows))]
                        if let anchor { fields.append(ReplyField("anchor", .int(anchor.seq))) }
                        return .ok(fields + tailFields(tail))
                    case .broken(let seq, let reason):
                        throw PlenaryError.conflict("audit: chain broken at seq=\(seq): \(reason)")
                    }
                }),
            CommandSpec(
                noun: "audit", verb: "anchor",
                summary: "Show the sealed chain's head (seq and hash), to keep outside the database.",
                role: .observer,
                handler: { _, _ in
                    let (anchor, tail) = try await database.read { connection in
                        let tail = try AuditChain.catchUp(connection)
                        return (try AuditLog.anchor(connection), tail)
                    }
                    return .ok(
                        [
                            ReplyField("seq", .int(anchor.seq)), ReplyField("hash", .string(anchor.hashHex)),
                            ReplyField("anchor", .string(anchor.description)),
                        ] + tailFields(tail))
                }),
        ]
    }

    static func tailFields(_ tail: AuditChain.Tail) -> [ReplyField] {
        var fields = [ReplyField("unsealed", .int(tail.unsealed))]
        if tail.unsealed > 0 { fields.append(ReplyField("lag-ms", .int(tail.lagMilliseconds))) }
        return fields
    }

    /// What `status` says of the trail: its sealed head, the unsealed tail, and this process's chainer.
    static func auditStatus(_ services: Services) async throws -> [ReplyField] {
        let tail = try await services.database.read { connection in try AuditChain.tail(connection) }
        return [
            ReplyField("audit-head", .int(tail.head)), ReplyField("audit-unsealed", .int(tail.unsealed)),
            ReplyField("audit-lag-ms", .int(tail.lagMilliseconds)),
            ReplyField("chainer", .string(services.chainer.role.rawValue)),
        ]
    }
}

/// The audit trail as a source of change events: rows read by seq through the pool, commits signalled by the
/// `plenary_events` notification of Schema/0006_events.sql on a listener connection of its own. Public for
/// `plenary publish --follow`, which follows the same feed.
public final class AuditChangeSource: ChangeSource {
    let database: Database
    private let listener = Mutex<NotificationListener?>(nil)

    /// Creates the source over `database`; nothing listens until `commits()` is called.
    public init(database: Database) {
        self.database = database
    }

    /// See ``ChangeSource/commits()``.
    public func commits() -> AsyncStream<Int?> {
        let listener = NotificationListener(
            conninfo: database.pool.configuration.conninfo, channels: ["plenary_events"])
        self.listener.withLock { $0 = listener }
        let upstream = listener.notifications()
        let (stream, continuation) = AsyncStream<Int?>.makeStream(bufferingPolicy: .bufferingNewest(64))
        let forward = Task.detached {
            // nil (a reconnect) and an unreadable payload both mean "look at the table": nothing is assumed.
            for await notification in upstream { continuation.yield(notification.flatMap { Int($0.payload) }) }
            continuation.finish()
        }
        continuation.onTermination = { _ in forward.cancel() }
        return stream
    }

    /// See ``ChangeSource/newestSeq()``.
    public func newestSeq() async throws -> Int {
        try await database.read { connection in
            try connection.queryOne("SELECT seq FROM audit_head")?.decode("seq", as: Int.self) ?? 0
        }
    }

    /// See ``ChangeSource/changes(after:limit:)``.
    public func changes(after seq: Int, limit: Int) async throws -> [ChangeEvent] {
        try await database.read { connection in
            try connection.query(
                """
                SELECT seq, entity, operation, entity_id, actor,
                       to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
                FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2
                """,
                [seq, limit]
            ).rows.map { row in
                ChangeEvent(
                    seq: try row.decode("seq"), topic: try row.decode("entity"),
                    operation: try row.decode("operation"), id: try row.decode("entity_id"),
                    actor: try row.decode("actor"), at: try row.decode("at"))
            }
        }
    }

    /// See ``ChangeSource/stop()``.
    public func stop() {
        listener.withLock { $0 }?.stop()
    }

    /// See ``ChangeSource/stopped()``.
    public func stopped() async {
        await listener.withLock { $0 }?.closed()
    }
}
