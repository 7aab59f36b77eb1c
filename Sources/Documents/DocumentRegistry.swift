import Bodies
import Foundation
import PlenaryCore
import Postgres
import Storage

/// The registry a secretariat keeps of every session document: registration and allocation of symbols, the six
/// language versions, revisions, corrigenda, addenda, amendments and reissues, listings, search and deadlines.
///
/// Rules are held twice. Here, every field's shape and the agreement of a symbol with its session or meeting, in
/// the contract's words, before anything is written. In the database (Schema/0008_documents.sql), what must hold
/// whoever connects: symbols are unique, the agreement rule (read from the symbol's own text), serials from a counter
/// row locked until commit, versions that only move forward, and nothing ever deleted. Each change is one
/// transaction with its audit row.
public struct DocumentRegistry: Sendable {
    let database: Database
    let clock: CalendarClock
    /// Single gets asked at the same time go to the database together. Shared by the copies of this registry (it is
    /// a class), so a process that keeps one registry batches the gets of all its connections.
    let reads: DocumentReadCoalescer

    /// Creates the registry; `clock` is "today" for issue dates without a date and for deadlines.
    public init(database: Database, clock: CalendarClock = .system) {
        self.init(database: database, clock: clock, hooks: .none)
    }

    /// Creates the registry with hooks into its read batching (for tests that need to hold a batch in flight).
    init(
        database: Database, clock: CalendarClock = .system, lanes: Int = 2, batchLimit: Int = 64,
        hooks: DocumentReadHooks
    ) {
        self.database = database
        self.clock = clock
        reads = DocumentReadCoalescer(lanes: lanes, batchLimit: batchLimit, hooks: hooks) {
            symbols throws(DomainError) in
            try await database.read { connection in try Self.documents(connection, symbols: symbols) }
        }
    }

    /// The documents registered under `symbols` (unmarked), in one round trip: the statement a get has always been,
    /// once per symbol, all in one pipeline. Not `= ANY($1)`: its generic plan (the pool's statements are prepared)
    /// hashes every session for each batch, and at 1M documents a batch of a few cost more than as many gets.
    static func documents(_ connection: Connection, symbols: [DocumentSymbol]) throws -> [Document] {
        let (texts, known) = printed(symbols)
        let statements = texts.map { documentsStatement(where: "d.symbol = $1", [$0]) }
        return try connection.queries(statements).flatMap {
            try documents(from: $0.rows, known: known).map(\.document)
        }
    }

    // MARK: - Registration

    /// Registers a document under a known symbol. The body is the one whose code the symbol starts with. 504 for a
    /// malformed field; 550 for an unknown body, session, meeting or parent; 551 for a symbol already registered or
    /// one that contradicts its session or meeting.
    @discardableResult
    public func register(
        symbol: DocumentSymbol, _ draft: DocumentDraft, by actor: Actor
    ) async throws(DomainError) -> Document {
        try Self.validate(draft)
        let key = DocumentRules.unmarked(symbol)
        let distribution = try DocumentRules.distribution(of: key, given: draft.distribution)
        return try await database.write(explaining: Self.explain) { connection in
            let (body, existing) = try Self.issuingBody(connection, of: key)
            let place = try Self.place(connection, body: body, placement: draft.placement)
            try DocumentRules.agree(key, with: place.filing)
            try Self.requireUnregistered(key, existing: existing)
            var parent: (id: Int, relation: DocumentRelation, number: Int)?
            if let parentSymbol = key.parent, let last = key.modifiers.last, let relation = DocumentRelation(last) {
                guard let row = try Self.row(connection, parentSymbol, lock: true) else {
                    throw DomainError.notFound(
                        "symbol: the document \(parentSymbol) that \(key) modifies is not registered; register it first"
                    )
                }
                parent = (row.id, relation, last.number ?? 1)
            }
            let document = try Self.insertAndFetch(
                connection, symbol: key, body: body.id, place: place, title: draft.title,
                agendaItems: draft.agendaItems, distribution: distribution, original: draft.originalLanguage,
                issuedOn: draft.issuedOn, parent: parent, reissued: symbol.isReissue, languages: draft.languages)
            try AuditLog.record(
                connection, actor: actor, entity: "document", id: key.description, operation: "register",
                after: document)
            return document
        }
    }

    /// Registers a document under the next free serial of `series` in the namespace of the session or meeting
    /// (the body or working group, and the year it opens): `CTOC/COP/2008/20`, `CTOC/COP/WG.4/2010/CRP.2`. The
    /// serial comes from a counter row locked until commit, so many clients at once get 1, 2, 3 … without gap or
    /// duplicate, and a refused registration gives its number back.
    @discardableResult
    public func allocate(
        body code: String, series: DocumentSeries, _ draft: DocumentDraft, by actor: Actor
    ) async throws(DomainError) -> Document {
        try Self.validate(draft)
        return try await database.write(explaining: Self.explain) { connection in
            let body = try Body.Recorded.find(connection, code: code)
            let place = try Self.place(connection, body: body, placement: draft.placement)
            let issuer = place.filing.workingGroup.map { "\(body.code)/\($0)" } ?? body.code
            let period = String(place.opening.year)
            let row = try connection.queryOne(
                """
                INSERT INTO document_counters AS c (body_id, issuer, period, series, last_serial)
                VALUES ($1, $2, $3, $4, 1)
                ON CONFLICT (issuer, period, series) DO UPDATE SET last_serial = c.last_serial + 1
                RETURNING c.last_serial
                """,
                [body.id, issuer, period, series.rawValue])
            let serial: Int = try row.required("document series counter").decode("last_serial")
            let symbol = try series.symbol(issuer: issuer, period: period, serial: serial)
            let distribution = try DocumentRules.distribution(of: symbol, given: draft.distribution)
            try DocumentRules.agree(symbol, with: place.filing)
            let id = try Self.insert(
                connection, symbol: symbol, body: body.id, place: place, title: draft.title,
                agendaItems: draft.agendaItems, distribution: distribution, original: draft.originalLanguage,
                issuedOn: draft.issuedOn, parent: nil, reissued: false, languages: draft.languages)
            let document = try Self.fetch(connection, id: id)
            try AuditLog.record(
                connection, actor: actor, entity: "document", id: symbol.description, operation: "allocate",
                after: document)
            return document
        }
    }

    /// Registers the next revision, corrigendum, addendum or amendment of `symbol`, numbered by the registry under
    /// the parent's row lock. A revision of a revision revises the original (`…/4/Rev.1` → `…/4/Rev.2`), which it
    /// supersedes. The new document takes the parent's session or meeting, distribution and original language;
    /// its title is `title` or the parent's; its languages are `languages` (a corrigendum may cover only some) or
    /// the parent's, and must be among the parent's.
    @discardableResult
    public func derive(
        _ relation: DocumentRelation, of symbol: DocumentSymbol, title: String? = nil,
        languages: [Language]? = nil, by actor: Actor
    ) async throws(DomainError) -> Document {
        if let title { try DocumentRules.title(title) }
        if relation == .addendum && title == nil { throw .invalid("title", "required for an addendum") }
        let given = DocumentRules.unmarked(symbol)
        return try await database.write(explaining: Self.explain) { connection in
            guard var target = try Self.row(connection, given, lock: true) else {
                throw DomainError.notFound("symbol: \(given) is not registered")
            }
            if relation == .revision, target.relation == .revision, let parentID = target.parentID {
                target = try Self.row(connection, id: parentID, lock: true)
            }
            let parent = try Self.fetch(connection, id: target.id)
            let required = parent.requiredLanguages
            if let languages {
                for language in languages where !required.contains(language) {
                    throw DomainError.invalid(
                        "languages",
                        "\(language.rawValue) is not a language of \(parent.symbol); it exists in "
                            + required.map(\.rawValue).joined(separator: ","))
                }
                if relation == .corrigendum { try Self.requireIssued(languages, of: parent) }
            }
            let next = try connection.queryOne(
                """
                SELECT coalesce(max(relation_number), 0) + 1 AS next FROM documents
                WHERE parent_id = $1 AND relation = $2
                """,
                [target.id, relation.rawValue])
            let number: Int = try next.required("next relation number").decode("next")
            let newSymbol = try target.symbol.adding(relation.modifier(number))
            let place = try Self.place(connection, row: target)
            let id = try Self.insert(
                connection, symbol: newSymbol, body: target.bodyID, place: place, title: title ?? parent.title,
                agendaItems: parent.agendaItems, distribution: parent.distribution, original: parent.originalLanguage,
                issuedOn: nil, parent: (target.id, relation, number), reissued: false,
                languages: languages ?? required)
            let document = try Self.fetch(connection, id: id)
            try AuditLog.record(
                connection, actor: actor, entity: "document", id: newSymbol.description,
                operation: Self.operation(relation), after: document)
            return document
        }
    }

    /// Marks `symbol` reissued for technical reasons: it keeps its symbol, printed with `*`. 551 when it already is.
    @discardableResult
    public func reissue(_ symbol: DocumentSymbol, by actor: Actor) async throws(DomainError) -> Document {
        let key = DocumentRules.unmarked(symbol)
        return try await database.write(explaining: Self.explain) { connection in
            guard let row = try Self.row(connection, key, lock: true) else {
                throw DomainError.notFound("symbol: \(key) is not registered")
            }
            let before = try Self.fetch(connection, id: row.id)
            if row.reissued { throw DomainError.conflict("symbol: \(key) was already reissued as \(key)*") }
            try connection.query("UPDATE documents SET reissued = true WHERE id = $1", [row.id])
            let after = try Self.fetch(connection, id: row.id)
            try AuditLog.record(
                connection, actor: actor, entity: "document", id: key.description, operation: "reissue",
                before: before, after: after)
            return after
        }
    }

    /// Moves one language version forward and records its file. An issued version without `date` is issued today
    /// (in the body's zone); the original language's issue dates the document when it has no date yet. 504 for a
    /// malformed field, 550 for an unknown document, 551 for a step back.
    @discardableResult
    public func version(
        _ symbol: DocumentSymbol, _ update: VersionUpdate, by actor: Actor
    ) async throws(DomainError) -> Document {
        let update = try update.validated()
        let key = DocumentRules.unmarked(symbol)
        let clock = self.clock
        return try await database.write(explaining: Self.explain) { connection in
            guard let row = try Self.row(connection, key, lock: true) else {
                throw DomainError.notFound("symbol: \(key) is not registered")
            }
            let before = try Self.fetch(connection, id: row.id)
            guard let current = before.versions.first(where: { $0.language == update.language }) else {
                throw DomainError.notFound(
                    "language: \(before.symbol) has no \(update.language.rawValue) version")
            }
            if update.status < current.status {
                throw DomainError.conflict(
                    "status: the \(update.language.rawValue) version of \(before.symbol) is "
                        + "\(current.status.rawValue); a version never goes back to \(update.status.rawValue)")
            }
            let zone = try Body.Recorded.find(connection, code: before.body).timeZone
            let issued: CalendarDate? =
                update.status == .issued ? update.date ?? current.issuedOn ?? clock.today(in: zone) : nil
            try connection.query(
                """
                UPDATE document_versions SET status = $3, issued_on = $4, file = coalesce($5, file),
                       bytes = coalesce($6, bytes), sha256 = coalesce($7, sha256)
                WHERE document_id = $1 AND language = $2
                """,
                [
                    row.id, update.language.rawValue, update.status.rawValue, issued, update.file, update.bytes,
                    update.sha256,
                ])
            if let issued, update.language == before.originalLanguage {
                try connection.query(
                    "UPDATE documents SET issued_on = $2 WHERE id = $1 AND issued_on IS NULL", [row.id, issued])
            }
            let after = try Self.fetch(connection, id: row.id)
            try AuditLog.record(
                connection, actor: actor, entity: "document", id: key.description, operation: "version",
                before: before, after: after)
            return after
        }
    }

    /// Sets when `body`'s pre-session documents and provisional agendas are due; a value left out keeps its
    /// current one (the defaults: 42, 60 and 30 days).
    @discardableResult
    public func setDeadlineRule(
        body code: String, preSessionDays: Int? = nil, agendaRegularDays: Int? = nil, agendaSpecialDays: Int? = nil,
        by actor: Actor
    ) async throws(DomainError) -> DeadlineRule {
        for (key, value) in [
            ("pre-session-days", preSessionDays), ("agenda-regular-days", agendaRegularDays),
            ("agenda-special-days", agendaSpecialDays),
        ] {
            if let value, !(0...365).contains(value) { throw .invalid(key, "must be 0 to 365 days") }
        }
        return try await database.write(explaining: Self.explain) { connection in
            let body = try Body.Recorded.find(connection, code: code)
            let before = try Self.deadlineRule(connection, bodyID: body.id)
            let rule = DeadlineRule(
                preSessionDays: preSessionDays ?? before.preSessionDays,
                agendaRegularDays: agendaRegularDays ?? before.agendaRegularDays,
                agendaSpecialDays: agendaSpecialDays ?? before.agendaSpecialDays)
            try connection.query(
                """
                INSERT INTO document_deadline_rules (body_id, pre_session_days, agenda_regular_days,
                                                     agenda_special_days)
                VALUES ($1, $2, $3, $4)
                ON CONFLICT (body_id) DO UPDATE SET pre_session_days = $2, agenda_regular_days = $3,
                    agenda_special_days = $4
                """,
                [body.id, rule.preSessionDays, rule.agendaRegularDays, rule.agendaSpecialDays])
            try AuditLog.record(
                connection, actor: actor, entity: "deadline-rule", id: body.code, operation: "set", before: before,
                after: rule)
            return rule
        }
    }

    // MARK: - Reading

    /// The document registered under `symbol` (with or without its reissue mark), or 550. Gets asked at the same
    /// time (other connections, other callers) are read together in one statement, one that starts after this call
    /// began: it sees every change committed before, the caller's own included (``DocumentReadCoalescer``).
    public func get(_ symbol: DocumentSymbol) async throws(DomainError) -> Document {
        try await reads.get(DocumentRules.unmarked(symbol))
    }

    /// The documents registered under `symbols`, read together in one statement: each the result ``get(_:)``
    /// would give it alone, in order.
    public func get(_ symbols: [DocumentSymbol]) async -> [Result<Document, DomainError>] {
        guard !symbols.isEmpty else { return [] }
        let keys = symbols.map { DocumentRules.unmarked($0) }
        let (texts, known) = Self.printed(keys)
        do {
            let found = try await database.read { connection in
                try Self.documents(connection, where: "d.symbol = ANY($1::text[])", [texts], known: known)
                    .map(\.document)
            }
            let bySymbol = Dictionary(
                found.map { (DocumentRules.unmarked($0.symbol).description, $0) },
                uniquingKeysWith: { first, _ in first })
            return zip(keys, texts).map { key, text in
                bySymbol[text].map { .success($0) } ?? .failure(.notFound("symbol: \(key) is not registered"))
            }
        } catch {
            return keys.map { _ in .failure(error) }
        }
    }

    /// The current text of `symbol`: its latest revision, or itself when nothing revises it.
    public func currentText(of symbol: DocumentSymbol) async throws(DomainError) -> Document {
        let document = try await get(symbol)
        guard let newer = document.supersededBy else { return document }
        return try await get(newer)
    }

    /// The documents of `body` that pass `filter`, in symbol order, `limit` at a time after the cursor `after`.
    /// `today` (the body's today when nil) decides what is late.
    public func list(
        body code: String, filter: DocumentFilter = DocumentFilter(), after: String? = nil, limit: Int = 100,
        today: CalendarDate? = nil
    ) async throws(DomainError) -> DocumentPage {
        let position = try after.map { cursor throws(DomainError) in try DocumentCursor.decode(cursor) }
        if filter.meeting != nil && filter.workingGroup == nil {
            throw .invalid("meeting", "give wg= with meeting=")
        }
        guard (1...1000).contains(limit) else { throw .invalid("limit", "must be 1 to 1000") }
        let clock = self.clock
        return try await database.read { connection in
            let body = try Body.Recorded.find(connection, code: code)
            if let session = filter.session {
                _ = try Self.place(connection, body: body, placement: .session(session))
            }
            if let group = filter.workingGroup { try Self.requireWorkingGroup(connection, body: body, code: group) }
            let day = today ?? clock.today(in: body.timeZone)
            let rows = try connection.query(
                """
                SELECT d.id, d.sort_key FROM documents d
                LEFT JOIN sessions s ON s.id = d.session_id
                LEFT JOIN working_group_meetings m ON m.id = d.meeting_id
                LEFT JOIN working_groups g ON g.id = m.working_group_id
                WHERE d.body_id = $1 AND ($2::int IS NULL OR s.number = $2)
                  AND ($3::text IS NULL OR upper(g.code) = upper($3))
                  AND ($4::int IS NULL OR m.number = $4) AND ($5::text IS NULL OR d.doc_type = $5)
                  AND ($6::text IS NULL OR EXISTS (
                        SELECT 1 FROM document_versions v
                        WHERE v.document_id = d.id AND v.language = $6 AND v.required AND v.status <> 'issued'))
                  AND (NOT $7::boolean OR EXISTS (
                        SELECT 1 FROM document_versions v WHERE v.document_id = d.id AND v.required
                          AND plenary_version_lateness(v, plenary_document_due(d), $8::date) IS NOT NULL))
                  AND (NOT $9::boolean OR NOT EXISTS (
                        SELECT 1 FROM document_versions v
                        WHERE v.document_id = d.id AND v.required AND v.status <> 'issued'))
                  AND ($10::text IS NULL OR d.sort_key > $10)
                  -- A withdrawn document is listed, marked; it is in no report of what is missing or late.
                  AND (d.withdrawn_on IS NULL OR ($6::text IS NULL AND NOT $7::boolean))
                ORDER BY d.sort_key LIMIT $11
                """,
                [
                    body.id, filter.session, filter.workingGroup, filter.meeting, filter.type?.rawValue,
                    filter.missingLanguage?.rawValue, filter.late, day, filter.complete, position, limit + 1,
                ]
            ).rows
            let page = try Self.fetch(connection, ids: try rows.prefix(limit).map { try $0.decode("id", as: Int.self) })
            let next = rows.count > limit ? DocumentCursor.encode(try rows[limit - 1].decode("sort_key")) : nil
            return DocumentPage(documents: page, next: next)
        }
    }

    /// Full-text search over titles and symbols, best match first, `limit` at a time after the cursor `after`.
    public func search(
        text: String, body: String? = nil, after: String? = nil, limit: Int = 50
    ) async throws(DomainError) -> (hits: [SearchHit], next: String?) {
        if text.allSatisfy(\.isWhitespace) { throw .invalid("text", "must not be blank") }
        guard (1...1000).contains(limit) else { throw .invalid("limit", "must be 1 to 1000") }
        var cursor: (rank: String, id: Int)?
        if let after {
            let decoded = try DocumentCursor.decode(after)
            let parts = decoded.split(separator: " ")
            guard parts.count == 2, Double(parts[0]) != nil, let id = Int(parts[1]) else {
                throw .invalid("after", "not a cursor from a previous search: \(after.prefix(40))")
            }
            cursor = (String(parts[0]), id)
        }
        let position = cursor
        return try await database.read { connection in
            if let body { _ = try Body.Recorded.find(connection, code: body) }
            let rows = try connection.query(
                """
                SELECT d.id, ts_rank(d.search, q)::text AS rank,
                       ts_headline('english', d.title, q, 'MaxFragments=1, MaxWords=12, MinWords=4') AS excerpt
                FROM documents d JOIN bodies b ON b.id = d.body_id, websearch_to_tsquery('english', $1) q
                WHERE d.search @@ q AND ($2::text IS NULL OR b.code = $2)
                  AND ($3::real IS NULL OR ts_rank(d.search, q) < $3::real
                       OR (ts_rank(d.search, q) = $3::real AND d.id > $4))
                ORDER BY ts_rank(d.search, q) DESC, d.id LIMIT $5
                """,
                [text, body, position?.rank, position?.id, limit + 1]
            ).rows
            let found = try Self.fetch(
                connection, ids: try rows.prefix(limit).map { try $0.decode("id", as: Int.self) })
            var hits: [SearchHit] = []
            for (row, document) in zip(rows.prefix(limit), found) {
                let rank: String = try row.decode("rank")
                hits.append(SearchHit(document: document, rank: Double(rank) ?? 0, excerpt: try row.decode("excerpt")))
            }
            var next: String?
            if rows.count > limit {
                let last = rows[limit - 1]
                next = DocumentCursor.encode(
                    "\(try last.decode("rank", as: String.self)) \(try last.decode("id", as: Int.self))")
            }
            return (hits, next)
        }
    }

    /// What is late, missing or due soon for session `session` of `body` as of `today` (the body's today when nil),
    /// document by document — by due day, then symbol — with the languages under each in the UN order, and the
    /// rule that set each document's day. As of `today` means what was known that day: a version issued after it
    /// counts as not yet issued, so nothing issued before its due day is ever called late. The report follows the
    /// current text: withdrawn documents leave it, and an original (or an earlier revision) leaves it once a later
    /// revision is issued in all its languages. `dueWithin` adds what falls due in the next that many days (state
    /// `due`).
    public func deadlines(
        body code: String, session: Int, today: CalendarDate? = nil, dueWithin: Int? = nil
    ) async throws(DomainError) -> DeadlineReport {
        let clock = self.clock
        if let dueWithin, !(0...365).contains(dueWithin) {
            throw DomainError.invalid("due-within", "must be 0 to 365 days")
        }
        return try await database.read { connection in
            let body = try Body.Recorded.find(connection, code: code)
            let place = try Self.place(connection, body: body, placement: .session(session))
            let day = today ?? clock.today(in: body.timeZone)
            let rule = try Self.deadlineRule(connection, bodyID: body.id)
            let rows = try connection.query(
                """
                SELECT symbol, reissued, title, agenda, lead, language, status, issued_on, due, days, state FROM (
                    SELECT d.symbol, d.reissued, d.title, d.sort_key, v.language, v.status,
                           plenary_is_provisional_agenda(d) AS agenda, s.start_date - due.day AS lead,
                           CASE WHEN known.issued THEN v.issued_on END AS issued_on, due.day AS due,
                           CASE WHEN known.issued THEN v.issued_on - due.day
                                WHEN $2::date > due.day THEN $2::date - due.day
                                ELSE due.day - $2::date END AS days,
                           CASE WHEN known.issued AND v.issued_on > due.day THEN 'late'
                                WHEN known.issued THEN NULL
                                WHEN $2::date > due.day THEN 'missing'
                                WHEN $3::integer IS NOT NULL AND due.day - $2::date <= $3::integer THEN 'due'
                           END AS state
                    FROM documents d JOIN sessions s ON s.id = d.session_id
                         JOIN document_versions v ON v.document_id = d.id,
                         LATERAL (SELECT plenary_document_due(d) AS day) due,
                         LATERAL (SELECT v.status = 'issued' AND v.issued_on <= $2::date AS issued) known
                    WHERE d.session_id = $1 AND v.required AND due.day IS NOT NULL AND d.withdrawn_on IS NULL
                      AND NOT plenary_document_superseded_on(d, $2::date)
                ) entries
                WHERE state IS NOT NULL
                ORDER BY due, sort_key, array_position(ARRAY['ar', 'zh', 'en', 'fr', 'ru', 'es'], language)
                """,
                [place.sessionID, day, dueWithin]
            ).rows
            var documents: [DeadlineDocument] = []
            for row in rows {
                let symbol: String = try row.decode("symbol")
                let reissued: Bool = try row.decode("reissued")
                let entry = DeadlineEntry(
                    symbol: try DocumentSymbol(reissued ? symbol + "*" : symbol), title: try row.decode("title"),
                    language: try row.decode("language", member: Language.self),
                    status: try row.decode("status", member: VersionStatus.self),
                    due: try row.decode("due"), issuedOn: try row.decode("issued_on", as: CalendarDate?.self),
                    daysLate: try row.decode("days"), state: try row.decode("state"))
                // Rows come document by document: a document's languages are consecutive.
                if let last = documents.indices.last, documents[last].symbol == entry.symbol {
                    documents[last].entries.append(entry)
                } else {
                    let agenda: Bool = try row.decode("agenda")
                    documents.append(
                        DeadlineDocument(
                            symbol: entry.symbol, title: entry.title, due: entry.due,
                            rule: DueRule(agenda ? .provisionalAgenda : .preSession, days: try row.decode("lead")),
                            entries: [entry]))
                }
            }
            return DeadlineReport(
                body: body.code, session: session, opening: place.opening, today: day, rule: rule,
                documents: documents)
        }
    }
}

/// One hit of `doc search`.
public struct SearchHit: Sendable, Hashable {
    /// The document found.
    public var document: Document
    /// PostgreSQL's rank: higher is better.
    public var rank: Double
    /// The title with the matching words marked.
    public var excerpt: String
}
