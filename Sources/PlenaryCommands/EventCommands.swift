import AdminProtocol
import PlenaryCore
import Postgres
import Storage
import Synchronization

extension PlenaryCatalog {
    /// The topics `watch` accepts: the entities the service modules write to the audit trail, and `doc`, the
    /// contract's name for `document`. Left out, `watch` streams every entity, including ones added after this list.
    static let eventTopics = [
        "agenda", "body", "deadline-rule", "decision", "doc", "document", "import", "meeting", "session", "token", "wg",
    ]

    /// Topic names that stand for an audit entity of another name.
    static let eventTopicAliases = ["doc": "document"]

    /// `watch`: change events from the audit trail. One feed per catalog, so one listener per server process; it
    /// starts with the first watcher.
    static func eventCommands(_ services: Services) -> [CommandSpec] {
        let feed = ChangeFeed(
            source: AuditChangeSource(database: services.database), configuration: services.watchLimits)
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
                        return .ok([ReplyField("seq", .int(try await feed.newestSeq()))])
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
}
