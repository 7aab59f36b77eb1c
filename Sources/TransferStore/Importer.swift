import Decisions
import Documents
import Foundation
import PlenaryCore
import Postgres
import Storage
import Transfer

/// What an import wrote and what it found already there.
public struct ImportSummary: Sendable, Hashable, Codable {
    /// Rows written, by section.
    public var inserted: [String: Int]
    /// Records of the file the database already held, by section.
    public var skipped: [String: Int]

    /// Rows written in all.
    public var insertedTotal: Int { inserted.values.reduce(0, +) }
    /// Records skipped in all.
    public var skippedTotal: Int { skipped.values.reduce(0, +) }
}

/// Loads an export document in one transaction: all of it or nothing. The file's records are compared with the
/// database first (``ImportPlan``); the new ones go through COPY into temporary staging tables, then into the real
/// tables with `INSERT … SELECT` in chunks, so every row meets the schema's constraints and triggers — the same
/// rules the services' writes meet — without a round trip per row. When the database refuses a chunk, a bisection
/// under savepoints finds the first row it refuses, which is reported with its path in the file. One audit row
/// records the import and its counts, so the chain stays valid and watchers hear of it.
public enum Importer {
    /// Rows per `INSERT … SELECT`: large enough to cost nothing per row, small enough for progress to move.
    static let chunk = 10_000
    /// Rows per COPY of documents and language versions.
    static let copyChunk = 50_000

    /// Imports `file` (already validated with ``ExportValidator``) on `connection`, in a transaction of its own.
    /// `progress` is told the rows written so far and the rows to write. Throws ``TransferError`` for a record the
    /// plan or the database refuses; the database is then unchanged.
    public static func load(
        _ file: ExportDocument, into connection: Connection, source: String, actor: Actor,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> ImportSummary {
        try connection.transaction { connection in
            // A long import must not be cut by the pool's per-statement limit; two imports take turns.
            try connection.simpleQuery("SET LOCAL statement_timeout = 0; SET LOCAL plan_cache_mode = force_custom_plan")
            try connection.query("SELECT pg_advisory_xact_lock(hashtext('plenary import'))")
            // Loads the record as it stands: what a cancelled session had before it was cancelled (Schema/0013).
            try connection.query("SELECT set_config('plenary.import', 'on', true)")
            let bodies = Array(
                Set(
                    file.bodies.map(\.code) + file.sessions.map(\.body) + file.documents.map(\.body)
                        + file.decisions.map(\.body) + file.drafts.map(\.body) + file.workingGroups.map(\.body)
                        + file.meetings.map(\.body) + file.agendas.map(\.body) + file.deadlineRules.map(\.body))
            ).sorted()
            let existing = try Exporter.read(connection, bodies: bodies)
            let plan = try ImportPlan.make(file: file, existing: existing)
            var loader = Loader(connection: connection, total: plan.total, progress: progress)
            try loader.load(plan)
            let summary = ImportSummary(inserted: plan.counts, skipped: plan.skipped)
            // A second run of the same file changes nothing, not even the trail.
            if plan.total > 0 {
                try AuditLog.record(
                    connection, actor: actor, entity: "import", id: source, operation: "import", after: summary)
            }
            return summary
        }
    }
}

/// The row ids a COPY of documents needs: bodies, the first part of each session, meetings, and the documents the
/// file's revisions, corrigenda and addenda modify (reserved ids for those in the file, stored ids for the others).
struct DocumentPlaces {
    var bodies: [String: Int] = [:]
    /// `CTOC/COP 4`.
    var sessions: [String: Int] = [:]
    /// `CTOC/COP WG.2 1`.
    var meetings: [String: Int] = [:]
    /// Symbol (unmarked) → id.
    var documents: [String: Int] = [:]

    init(_ connection: Connection, _ records: [DocumentRecord], ids: [Int]) throws {
        let codes = Array(Set(records.map(\.body)))
        for row in try connection.query("SELECT code, id FROM bodies WHERE code = ANY($1::text[])", [codes]).rows {
            bodies[try row.decode("code")] = try row.decode("id")
        }
        for row in try connection.query(
            """
            SELECT b.code, s.number, (array_agg(s.id ORDER BY s.part))[1] AS id FROM sessions s
            JOIN bodies b ON b.id = s.body_id WHERE b.code = ANY($1::text[]) GROUP BY b.code, s.number
            """, [codes]
        ).rows {
            sessions["\(try row.decode("code", as: String.self)) \(try row.decode("number", as: Int.self))"] =
                try row.decode("id")
        }
        for row in try connection.query(
            """
            SELECT b.code, g.code AS wg, m.number, m.id FROM working_group_meetings m
            JOIN working_groups g ON g.id = m.working_group_id JOIN bodies b ON b.id = g.body_id
            WHERE b.code = ANY($1::text[])
            """, [codes]
        ).rows {
            let key =
                "\(try row.decode("code", as: String.self)) \(try row.decode("wg", as: String.self)) "
                + "\(try row.decode("number", as: Int.self))"
            meetings[key] = try row.decode("id")
        }
        for (position, record) in records.enumerated() { documents[record.key] = ids[position] }
        let elsewhere = Array(Set(records.compactMap(\.parent)).subtracting(documents.keys))
        for row in try connection.query(
            "SELECT symbol, id FROM documents WHERE symbol = ANY($1::text[])", [elsewhere]
        ).rows {
            documents[try row.decode("symbol")] = try row.decode("id")
        }
    }
}

/// The staging and loading of one plan on one connection.
struct Loader {
    let connection: Connection
    let total: Int
    let progress: (@Sendable (Int, Int) -> Void)?
    var done = 0

    init(connection: Connection, total: Int, progress: (@Sendable (Int, Int) -> Void)?) {
        self.connection = connection
        self.total = total
        self.progress = progress
    }

    /// One statement run over a range of a staging table's rows: `$1` and `$2` bound the `ord` column.
    struct Step {
        var sql: String
        var range: Range<Int>
        /// Where the row with this `ord` is in the file, and what it is.
        var locate: (Int) -> (RecordPath, String)
    }

    mutating func load(_ plan: ImportPlan) throws {
        progress?(0, total)
        let top = RecordPath()
        try stage(
            "import_bodies", "code text, name text, treaty text, timezone text",
            plan.bodies.map { [$0.record.code, $0.record.name, $0.record.treaty, $0.record.timezone] })
        try run(
            Step(
                sql: """
                    INSERT INTO bodies (code, name, treaty, timezone)
                    SELECT code, name, treaty, timezone FROM import_bodies WHERE ord >= $1 AND ord < $2 ORDER BY ord
                    """,
                range: 0..<plan.bodies.count,
                locate: { (top.key("bodies").index(plan.bodies[$0].index), "body \(plan.bodies[$0].record.code)") }))

        try stage(
            "import_deadline_rules", "body text, pre int, regular int, special int",
            plan.deadlineRules.map { placed in
                let rule = placed.record
                return [rule.body, "\(rule.preSessionDays)", "\(rule.agendaRegularDays)", "\(rule.agendaSpecialDays)"]
            })
        try run(
            Step(
                sql: """
                    INSERT INTO document_deadline_rules (body_id, pre_session_days, agenda_regular_days,
                                                         agenda_special_days)
                    SELECT b.id, r.pre, r.regular, r.special FROM import_deadline_rules r JOIN bodies b ON b.code = r.body
                    WHERE r.ord >= $1 AND r.ord < $2 ORDER BY r.ord
                    """,
                range: 0..<plan.deadlineRules.count,
                locate: {
                    (top.key("deadline_rules").index(plan.deadlineRules[$0].index), "deadline rule")
                }))

        try loadSessions(plan, top)
        try loadWorkingGroups(plan, top)
        try loadDocuments(plan, top)
        try loadDecisions(plan, top)
    }

    mutating func loadSessions(_ plan: ImportPlan, _ top: RecordPath) throws {
        try stage(
            "import_sessions",
            """
            body text, number int, part int, kind text, title text, venue text, timezone text, format text,
            start_date date, end_date date, status text, reason text, revision int
            """,
            plan.sessions.map { placed in
                let s = placed.record
                return [
                    s.body, "\(s.number)", "\(s.part)", s.kind, s.title, s.venue, s.timezone, s.format, s.start, s.end,
                    s.status, s.reason, "\(s.revision)",
                ]
            })
        try run(
            Step(
                sql: """
                    INSERT INTO sessions (body_id, number, part, kind, title, venue, timezone, format, start_date,
                                          end_date, status, status_reason, revision)
                    SELECT b.id, s.number, s.part, s.kind, s.title, s.venue, s.timezone, s.format, s.start_date,
                           s.end_date, s.status, s.reason, s.revision
                    FROM import_sessions s JOIN bodies b ON b.code = s.body
                    WHERE s.ord >= $1 AND s.ord < $2 ORDER BY s.ord
                    """,
                range: 0..<plan.sessions.count,
                locate: { (top.key("sessions").index(plan.sessions[$0].index), plan.sessions[$0].record.label) }))

        var items: [(agenda: Int, item: Int)] = []
        var rows: [[String?]] = []
        for (position, placed) in plan.agendas.enumerated() {
            for (index, item) in placed.record.items.enumerated() {
                items.append((position, index))
                rows.append([
                    placed.record.body, "\(placed.record.session)", "\(placed.record.part)", "\(item.item)",
                    item.sub ?? "", item.title, item.amendedAt,
                ])
            }
        }
        try stage(
            "import_agenda_items",
            "body text, session int, part int, item int, sub text, title text, amended_at timestamptz", rows)
        try run(
            Step(
                sql: """
                    INSERT INTO agenda_items (session_id, item, sub, title, amended_at)
                    SELECT s.id, i.item, i.sub, i.title, i.amended_at
                    FROM import_agenda_items i JOIN bodies b ON b.code = i.body
                    JOIN sessions s ON s.body_id = b.id AND s.number = i.session AND s.part = i.part
                    WHERE i.ord >= $1 AND i.ord < $2 ORDER BY i.ord
                    """,
                range: 0..<rows.count,
                locate: {
                    let (agenda, item) = items[$0]
                    return (
                        top.key("agendas").index(plan.agendas[agenda].index).key("items").index(item),
                        "agenda of \(plan.agendas[agenda].record.sessionLabel)"
                    )
                }))
        let adopted = plan.agendas.filter { $0.record.adopted != nil }
        try stage(
            "import_agendas", "body text, session int, part int, adopted date",
            adopted.map { [$0.record.body, "\($0.record.session)", "\($0.record.part)", $0.record.adopted] })
        try run(
            Step(
                sql: """
                    INSERT INTO agenda_adoptions (session_id, adopted_on)
                    SELECT s.id, a.adopted FROM import_agendas a JOIN bodies b ON b.code = a.body
                    JOIN sessions s ON s.body_id = b.id AND s.number = a.session AND s.part = a.part
                    WHERE a.ord >= $1 AND a.ord < $2 ORDER BY a.ord
                    """,
                range: 0..<adopted.count,
                locate: {
                    (
                        top.key("agendas").index(adopted[$0].index).key("adopted"),
                        "agenda of \(adopted[$0].record.sessionLabel)"
                    )
                }))
    }

    mutating func loadWorkingGroups(_ plan: ImportPlan, _ top: RecordPath) throws {
        let groups = plan.workingGroups
        try stage(
            "import_working_groups",
            """
            body text, code text, name text, mandate text, kind text, established_by text, established_on date,
            dissolved_on date, dissolved_by text
            """,
            groups.map { placed in
                let g = placed.record
                return [
                    g.body, g.code, g.originalName, g.mandate, g.kind, g.establishedBy, g.establishedOn, g.dissolvedOn,
                    g.dissolvedBy,
                ]
            })
        let label = { (position: Int) in "\(groups[position].record.body)/\(groups[position].record.code)" }
        try run(
            Step(
                sql: """
                    INSERT INTO working_groups (body_id, code, name, mandate, kind, established_by, established_on)
                    SELECT b.id, g.code, g.name, g.mandate, g.kind, g.established_by, g.established_on
                    FROM import_working_groups g JOIN bodies b ON b.code = g.body
                    WHERE g.ord >= $1 AND g.ord < $2 ORDER BY g.ord
                    """,
                range: 0..<groups.count,
                locate: { (top.key("working_groups").index(groups[$0].index), label($0)) }))

        // A rename applies after its statement (an AFTER trigger), so the n-th renames of all groups load together
        // and the (n+1)-th in the next statement, each finding the name the one before gave.
        var renames: [(group: Int, rename: Int)] = []
        var rounds: [Range<Int>] = []
        let deepest = groups.map(\.record.renames.count).max() ?? 0
        for round in 0..<deepest {
            let start = renames.count
            for (position, placed) in groups.enumerated() where placed.record.renames.count > round {
                renames.append((position, round))
            }
            rounds.append(start..<renames.count)
        }
        try stage(
            "import_renames", "body text, code text, old_name text, new_name text, by_reference text, renamed_on date",
            renames.map { entry in
                let group = groups[entry.group].record
                let rename = group.renames[entry.rename]
                return [group.body, group.code, rename.from, rename.to, rename.by, rename.on]
            })
        for round in rounds {
            try run(
                Step(
                    sql: """
                        INSERT INTO working_group_renames (working_group_id, old_name, new_name, by_reference, renamed_on)
                        SELECT g.id, r.old_name, r.new_name, r.by_reference, r.renamed_on
                        FROM import_renames r JOIN bodies b ON b.code = r.body
                        JOIN working_groups g ON g.body_id = b.id AND g.code = r.code
                        WHERE r.ord >= $1 AND r.ord < $2 ORDER BY r.ord
                        """,
                    range: round,
                    locate: {
                        let entry = renames[$0]
                        return (
                            top.key("working_groups").index(groups[entry.group].index).key("renames").index(
                                entry.rename),
                            label(entry.group)
                        )
                    }))
        }

        let meetings = plan.meetings
        try stage(
            "import_meetings",
            """
            body text, wg text, number int, start_date date, end_date date, venue text, timezone text,
            with_session int, with_part int, status text, reason text, revision int
            """,
            meetings.map { placed in
                let m = placed.record
                return [
                    m.body, m.wg, "\(m.number)", m.start, m.end, m.venue, m.timezone, m.withSession.map(String.init),
                    "\(m.withSessionPart ?? 1)", m.status, m.reason, "\(m.revision)",
                ]
            })
        try run(
            Step(
                sql: """
                    INSERT INTO working_group_meetings (working_group_id, number, start_date, end_date, venue, timezone,
                                                        with_session_id, status, status_reason, revision)
                    SELECT g.id, m.number, m.start_date, m.end_date, m.venue, m.timezone, ws.id, m.status, m.reason,
                           m.revision
                    FROM import_meetings m JOIN bodies b ON b.code = m.body
                    JOIN working_groups g ON g.body_id = b.id AND g.code = m.wg
                    LEFT JOIN sessions ws ON ws.body_id = b.id AND ws.number = m.with_session AND ws.part = m.with_part
                    WHERE m.ord >= $1 AND m.ord < $2 ORDER BY m.ord
                    """,
                range: 0..<meetings.count,
                locate: { (top.key("meetings").index(meetings[$0].index), meetings[$0].record.label) }))

        // Dissolution last: a dissolved group takes no renames, and its meetings are checked against the day.
        try run(
            Step(
                sql: """
                    UPDATE working_groups g SET dissolved_on = i.dissolved_on, dissolved_by = i.dissolved_by
                    FROM import_working_groups i JOIN bodies b ON b.code = i.body
                    WHERE g.body_id = b.id AND g.code = i.code AND i.dissolved_on IS NOT NULL
                      AND i.ord >= $1 AND i.ord < $2
                    """,
                range: 0..<groups.count,
                locate: { (top.key("working_groups").index(groups[$0].index).key("dissolved_on"), label($0)) }),
            counts: false)
    }

    /// Documents and their versions are the bulk of a large file, so they take the fastest path: COPY straight into
    /// the tables (ids reserved, sessions, meetings and parents resolved to ids beforehand), in chunks under a
    /// savepoint, meeting every constraint and trigger as any write does. Only when the database refuses a chunk
    /// are the rows staged and the chunk bisected to the record at fault.
    mutating func loadDocuments(_ plan: ImportPlan, _ top: RecordPath) throws {
        let documents = plan.documents
        guard !documents.isEmpty else { return }
        let ids = try reserve("documents", documents.count)
        let symbols = try documents.map { try DocumentSymbol($0.record.key) }
        let places = try DocumentPlaces(connection, documents.map(\.record), ids: ids)
        let columns = """
            id bigint, body text, symbol text, sort_key text, session int, wg text, meeting int, series text,
            issuer text, period text, serial int, doc_type text, distribution text, title text, agenda_items text[],
            original_language text, issued_on date, parent text, relation text, relation_number int, reissued boolean
            """
        func staged(_ position: Int) -> [String?] {
            let d = documents[position].record
            let symbol = symbols[position]
            let series = d.relation == nil ? DocumentSeries(of: symbol) : nil
            return [
                "\(ids[position])", d.body, d.key, DocumentRules.sortKey(symbol), d.session.map(String.init), d.wg,
                d.meeting.map(String.init), series?.rawValue, symbol.issuer, DocumentRules.period(of: symbol),
                series == nil ? nil : symbol.serial.map(String.init), symbol.documentType.rawValue, d.distribution,
                d.title, Self.arrayLiteral(d.agendaItems), d.originalLanguage, d.issued, d.parent, d.relation,
                d.relation == nil ? nil : symbol.modifiers.last?.number.map(String.init) ?? "1",
                d.isReissued ? "t" : "f",
            ]
        }
        let documentStep = Step(
            sql: """
                INSERT INTO documents (id, body_id, symbol, sort_key, session_id, meeting_id, series, issuer,
                                       period, serial, doc_type, distribution, title, agenda_items,
                                       original_language, issued_on, parent_id, relation, relation_number,
                                       reissued)
                OVERRIDING SYSTEM VALUE
                SELECT d.id, b.id, d.symbol, d.sort_key,
                       (SELECT s.id FROM sessions s WHERE s.body_id = b.id AND s.number = d.session
                        ORDER BY s.part LIMIT 1),
                       m.id, d.series, d.issuer, d.period, d.serial, d.doc_type, d.distribution, d.title,
                       d.agenda_items, d.original_language, d.issued_on, coalesce(p.id, ip.id), d.relation,
                       d.relation_number, d.reissued
                FROM import_documents d JOIN bodies b ON b.code = d.body
                LEFT JOIN working_groups g ON g.body_id = b.id AND g.code = d.wg
                LEFT JOIN working_group_meetings m ON m.working_group_id = g.id AND m.number = d.meeting
                LEFT JOIN documents p ON p.symbol = d.parent
                LEFT JOIN import_documents ip ON ip.symbol = d.parent
                WHERE d.ord >= $1 AND d.ord < $2 ORDER BY d.ord
                """,
            range: 0..<documents.count,
            locate: { (top.key("documents").index(documents[$0].index), "document \(documents[$0].record.symbol)") })
        if let (range, refusal) = try copy(
            """
            COPY documents (id, body_id, symbol, sort_key, session_id, meeting_id, series, issuer, period, serial,
                            doc_type, distribution, title, agenda_items, original_language, issued_on, parent_id,
                            relation, relation_number, reissued) FROM STDIN
            """,
            count: documents.count,
            row: { position in
                var row = staged(position)
                let d = documents[position].record
                row[1] = places.bodies[d.body].map(String.init)
                row[4] = d.session.flatMap { places.sessions["\(d.body) \($0)"] }.map(String.init)
                row[5] = d.meeting.flatMap { places.meetings["\(d.body) \(d.wg ?? "") \($0)"] }.map(String.init)
                row[17] = d.parent.flatMap { places.documents[$0] }.map(String.init)
                row.remove(at: 6)  // the meeting's number: its id took the working group's place
                return row
            })
        {
            try stage("import_documents", columns, (0..<documents.count).lazy.map(staged), index: ["symbol"])
            var located = documentStep
            located.range = range
            try run(located)
            throw Self.unlocated(refusal)
        }

        var versions: [(document: Int, version: Int)] = []
        versions.reserveCapacity(documents.count * 6)
        for (position, placed) in documents.enumerated() {
            for index in placed.record.languages.indices { versions.append((position, index)) }
        }
        func version(_ position: Int) -> [String?] {
            let entry = versions[position]
            let v = documents[entry.document].record.languages[entry.version]
            return [
                "\(ids[entry.document])", v.language, v.required ? "t" : "f", v.status, v.date, v.file,
                v.bytes.map(String.init), v.sha256,
            ]
        }
        if let (range, refusal) = try copy(
            "COPY document_versions (document_id, language, required, status, issued_on, file, bytes, sha256) FROM STDIN",
            count: versions.count, row: version)
        {
            try stage(
                "import_versions",
                """
                document_id bigint, language text, required boolean, status text, issued_on date, file text,
                bytes bigint, sha256 text
                """, (0..<versions.count).lazy.map(version))
            try run(
                Step(
                    sql: """
                        INSERT INTO document_versions (document_id, language, required, status, issued_on, file,
                                                       bytes, sha256)
                        SELECT v.document_id, v.language, v.required, v.status, v.issued_on, v.file, v.bytes,
                               v.sha256
                        FROM import_versions v WHERE v.ord >= $1 AND v.ord < $2 ORDER BY v.ord
                        """,
                    range: range,
                    locate: {
                        let entry = versions[$0]
                        return (
                            top.key("documents").index(documents[entry.document].index).key("languages")
                                .index(entry.version),
                            "document \(documents[entry.document].record.symbol)"
                        )
                    }))
            throw Self.unlocated(refusal)
        }
        try markWithdrawn(documents.map(\.record), ids: ids)
    }

    /// Withdrawals (issue 17), after the documents they mark: a withdrawn document is loaded as registered, then
    /// withdrawn, as `doc withdraw` did.
    func markWithdrawn(_ records: [DocumentRecord], ids: [Int]) throws {
        for (position, record) in records.enumerated() where record.withdrawn != nil {
            try connection.query(
                "UPDATE documents SET withdrawn_on = $2::date, withdrawn_reason = $3 WHERE id = $1",
                [ids[position], record.withdrawn, record.withdrawnReason])
        }
    }

    /// COPYs `count` rows into a table in chunks, each under a savepoint. Returns the first chunk the database
    /// refused, rolled back (the chunks before it stay loaded), and its refusal; the caller then finds the record.
    mutating func copy(
        _ sql: String, count: Int, row: (Int) -> [String?]
    ) throws -> (Range<Int>, PostgresError)? {
        var start = 0
        while start < count {
            let end = min(start + Importer.copyChunk, count)
            try connection.simpleQuery("SAVEPOINT import_rows")
            var refusal: PostgresError?
            do {
                try connection.copyFrom(sql, rows: (start..<end).lazy.map(row))
            } catch {
                refusal = error
            }
            if let refusal {
                try connection.simpleQuery("ROLLBACK TO SAVEPOINT import_rows")
                return (start..<end, refusal)
            }
            try connection.simpleQuery("RELEASE SAVEPOINT import_rows")
            done += end - start
            progress?(done, total)
            start = end
        }
        return nil
    }

    /// A refusal of COPY that the same rows, loaded by the located path, did not repeat.
    static func unlocated(_ refusal: PostgresError) -> TransferError {
        TransferError(path: RecordPath(), reason: "the database refused it: \(refusal.message)", code: .conflict)
    }

    mutating func loadDecisions(_ plan: ImportPlan, _ top: RecordPath) throws {
        let decisions = plan.decisions
        try stage(
            "import_decisions",
            """
            body text, kind text, session int, part int, serial int, letter text, title text, wording text,
            agenda_item text, document text, adopted date, ends date, recorded boolean
            """,
            decisions.map { placed in
                let d = placed.record
                let number = DecisionNumber(parsing: d.number)!
                return [
                    d.body, d.kind, "\(number.session)", "\(d.part)", "\(number.serial)", number.storedLetter, d.title,
                    d.text, d.agendaItem, d.document, d.adopted, d.ends, d.recorded ? "t" : "f",
                ]
            })
        try run(
            Step(
                sql: """
                    INSERT INTO decisions (body_id, kind, session_number, session_part, stage, serial, letter, title,
                                           wording, agenda_item, document, adopted_on, ends_on, recorded)
                    SELECT b.id, d.kind, d.session, d.part, 'adopted', d.serial, d.letter, d.title, d.wording,
                           d.agenda_item, d.document, d.adopted, d.ends, d.recorded
                    FROM import_decisions d JOIN bodies b ON b.code = d.body
                    WHERE d.ord >= $1 AND d.ord < $2 ORDER BY d.ord
                    """,
                range: 0..<decisions.count,
                locate: { (top.key("decisions").index(decisions[$0].index), decisions[$0].record.label) }))

        var links: [(decision: Int, link: Int)] = []
        for (position, placed) in decisions.enumerated() {
            for index in placed.record.links.indices { links.append((position, index)) }
        }
        try stage(
            "import_links",
            """
            body text, kind text, session int, serial int, letter text, relation text, target_kind text,
            target_session int, target_serial int, target_letter text, wg text, document text
            """,
            links.map { entry in
                let d = decisions[entry.decision].record
                let number = DecisionNumber(parsing: d.number)!
                let link = d.links[entry.link]
                let target = link.decision.flatMap(DecisionCitation.init(parsing:))
                return [
                    d.body, d.kind, "\(number.session)", "\(number.serial)", number.storedLetter, link.relation,
                    target?.kind.rawValue, target.map { "\($0.number.session)" }, target.map { "\($0.number.serial)" },
                    target?.number.storedLetter, link.wg, link.document,
                ]
            })
        try run(
            Step(
                sql: """
                    INSERT INTO decision_links (decision_id, body_id, relation, target_decision_id, wg_code, document)
                    SELECT d.id, b.id, l.relation, t.id, l.wg, l.document
                    FROM import_links l JOIN bodies b ON b.code = l.body
                    JOIN decisions d ON d.body_id = b.id AND d.kind = l.kind AND d.session_number = l.session
                         AND d.serial = l.serial AND d.letter = l.letter
                    LEFT JOIN decisions t ON t.body_id = b.id AND t.kind = l.target_kind
                         AND t.session_number = l.target_session AND t.serial = l.target_serial
                         AND t.letter = l.target_letter
                    WHERE l.ord >= $1 AND l.ord < $2 ORDER BY l.ord
                    """,
                range: 0..<links.count,
                locate: {
                    let entry = links[$0]
                    return (
                        top.key("decisions").index(decisions[entry.decision].index).key("links").index(entry.link),
                        decisions[entry.decision].record.label
                    )
                }))

        // Drafts keep their order (they have no number): ids are taken in file order, and a withdrawal is a step of
        // its own, as the decision trigger allows only a draft to be withdrawn.
        let drafts = plan.drafts
        let ids = try reserve("decisions", drafts.count)
        try stage(
            "import_drafts",
            """
            id bigint, body text, kind text, session int, part int, title text, wording text, agenda_item text,
            document text, ends date, withdrawn boolean, reason text
            """,
            drafts.enumerated().map { position, placed in
                let d = placed.record
                return [
                    "\(ids[position])", d.body, d.kind, "\(d.session)", "\(d.part)", d.title, d.text, d.agendaItem,
                    d.document, d.ends, d.withdrawn ? "t" : "f", d.reason,
                ]
            })
        let locateDraft = { (position: Int) in
            (top.key("drafts").index(drafts[position].index), "draft \(drafts[position].record.title)")
        }
        try run(
            Step(
                sql: """
                    INSERT INTO decisions (id, body_id, kind, session_number, session_part, stage, title, wording,
                                           agenda_item, document, ends_on)
                    OVERRIDING SYSTEM VALUE
                    SELECT d.id, b.id, d.kind, d.session, d.part, 'draft', d.title, d.wording, d.agenda_item,
                           d.document, d.ends
                    FROM import_drafts d JOIN bodies b ON b.code = d.body
                    WHERE d.ord >= $1 AND d.ord < $2 ORDER BY d.ord
                    """,
                range: 0..<drafts.count, locate: locateDraft))
        try run(
            Step(
                sql: """
                    UPDATE decisions x SET stage = 'withdrawn', withdrawn_reason = d.reason FROM import_drafts d
                    WHERE x.id = d.id AND d.withdrawn AND d.ord >= $1 AND d.ord < $2
                    """,
                range: 0..<drafts.count, locate: locateDraft),
            counts: false)
    }

    // MARK: - Machinery

    /// Takes `count` ids from the table's identity sequence, in ascending order, so rows that must keep their
    /// order (drafts) or point at each other (a revision at its original) know their ids before they are written.
    func reserve(_ table: String, _ count: Int) throws -> [Int] {
        guard count > 0 else { return [] }
        let rows = try connection.query(
            "SELECT nextval(pg_get_serial_sequence($1, 'id')) AS id FROM generate_series(1, $2)", [table, count]
        ).rows
        return try rows.map { try $0.decode("id", as: Int.self) }.sorted()
    }

    /// Creates a temporary staging table (dropped at commit) and fills it with COPY; `ord` is each row's position.
    func stage(
        _ table: String, _ columns: String, _ rows: some Sequence<[String?]>, index: [String] = []
    ) throws {
        try connection.simpleQuery("CREATE TEMPORARY TABLE \(table) (ord int NOT NULL, \(columns)) ON COMMIT DROP")
        try connection.copyFrom(
            "COPY \(table) FROM STDIN", rows: zip(0..., rows).lazy.map { position, row in ["\(position)"] + row })
        try connection.simpleQuery("CREATE INDEX ON \(table) (ord)")
        for column in index { try connection.simpleQuery("CREATE INDEX ON \(table) (\(column))") }
        try connection.simpleQuery("ANALYZE \(table)")
    }

    /// Runs a step chunk by chunk. A chunk the database refuses is rolled back to its savepoint and bisected to the
    /// first row it refuses, which is reported where it is in the file.
    mutating func run(_ step: Step, counts: Bool = true) throws {
        var start = step.range.lowerBound
        while start < step.range.upperBound {
            let end = min(start + Importer.chunk, step.range.upperBound)
            if let refusal = try attempt(step, start..<end, keep: true) {
                throw try locate(step, start..<end, first: refusal)
            }
            if counts {
                done += end - start
                progress?(done, total)
            }
            start = end
        }
    }

    /// Runs the step over `range` under a savepoint: on success the rows stay (`keep`) or are rolled back; a
    /// refusal rolls them back and is returned.
    func attempt(_ step: Step, _ range: Range<Int>, keep: Bool) throws -> PostgresError? {
        try connection.simpleQuery("SAVEPOINT import_rows")
        var refusal: PostgresError?
        do {
            try connection.query(step.sql, [range.lowerBound, range.upperBound])
        } catch {
            refusal = error
        }
        try connection.simpleQuery(
            refusal == nil && keep ? "RELEASE SAVEPOINT import_rows" : "ROLLBACK TO SAVEPOINT import_rows")
        return refusal
    }

    /// Narrows a refused range to its first refused row by halves, keeping what loads before it.
    func locate(_ step: Step, _ range: Range<Int>, first: PostgresError) throws -> TransferError {
        var low = range.lowerBound
        var high = range.upperBound
        var refusal = first
        while high - low > 1 {
            let middle = (low + high) / 2
            if let error = try attempt(step, low..<middle, keep: true) {
                refusal = error
                high = middle
            } else {
                low = middle
            }
        }
        if let error = try attempt(step, low..<(low + 1), keep: false) { refusal = error }
        let (path, record) = step.locate(low)
        let code: ReplyCode =
            refusal.sqlState == Database.refusalState || refusal.isUniqueViolation || refusal.isExclusionViolation
            ? .conflict : .badArgument
        var reason = refusal.message
        if let constraint = refusal.constraint, refusal.sqlState != Database.refusalState {
            reason = "the database refused it (\(constraint)): \(refusal.message)"
        }
        return TransferError(path: path, reason: reason, record: record, code: code)
    }

    /// `{"4","4 (a)"}`: a text array as COPY reads it.
    static func arrayLiteral(_ values: [String]) -> String {
        "{"
            + values.map { value in
                "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                    + "\""
            }.joined(separator: ",") + "}"
    }
}
