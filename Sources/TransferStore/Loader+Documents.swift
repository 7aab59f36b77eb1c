import Decisions
import Documents
import Foundation
import PlenaryCore
import Postgres
import Storage
import Transfer

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

/// Documents and language versions: COPY straight into the tables, bisected to the record at fault.
extension Loader {
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
            count: documents.count, checks: Self.documentChecks, ids: { Array(ids[$0]) },
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
            "COPY document_versions (document_id, language, required, status, issued_on, file, bytes, sha256)"
                + " FROM STDIN",
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
        try requireIssuedInALanguage(documents, ids: ids, top)
        try markWithdrawn(documents.map(\.record), ids: ids)
    }

    /// A document with an issue date has an issued language version (plenary_document_issued_rules, Schema/0013):
    /// the constraint trigger stood aside for the chunks copied with their checks (Schema/0016), so the rule is
    /// checked here, once, over every document of the import, after all their versions are in. The first one at
    /// fault is named by its path, in the trigger's words.
    func requireIssuedInALanguage(_ documents: [Placed<DocumentRecord>], ids: [Int], _ top: RecordPath) throws {
        guard
            let row = try connection.queryOne(
                """
                SELECT array_position($1::bigint[], d.id) - 1 AS position, d.symbol, d.issued_on::text AS issued_on
                FROM documents d
                WHERE d.id = ANY($1::bigint[]) AND d.issued_on IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM document_versions v WHERE v.document_id = d.id AND v.status = 'issued')
                ORDER BY d.id LIMIT 1
                """,
                [Self.arrayLiteral(ids.map(String.init))])
        else { return }
        let position: Int = try row.decode("position")
        let symbol: String = try row.decode("symbol")
        let issued: String = try row.decode("issued_on")
        throw TransferError(
            path: top.key("documents").index(documents[position].index).key("issued"),
            reason: "\(symbol) cannot be issued on \(issued) while no language version is issued",
            record: "document \(documents[position].record.symbol)", code: .conflict)
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
    ///
    /// With `checks`, the chunk is copied with the row triggers standing aside (`plenary.rows_checked`, see
    /// Schema/0010_audit_chain.sql) and the checks run over it before its savepoint is released: each is one
    /// statement over the chunk's rows (`$1`, their ids) that returns a row when a rule is broken, or an effect the
    /// trigger would have had. A broken rule rolls the chunk back like a refusal, and the caller loads it again
    /// with the triggers, which name the record.
    mutating func copy(
        _ sql: String, count: Int, checks: [String] = [], ids: (Range<Int>) -> [Int] = { _ in [] },
        row: (Int) -> [String?]
    ) throws -> (Range<Int>, String)? {
        var start = 0
        while start < count {
            let end = min(start + Importer.copyChunk, count)
            try connection.simpleQuery("SAVEPOINT import_rows")
            if let refusal = copyChunk(sql, start..<end, checks: checks, ids: ids, row: row) {
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

    /// COPYs one chunk (and runs the checks over it, with the row triggers standing aside); the reason it was
    /// refused, or nil.
    func copyChunk(
        _ sql: String, _ range: Range<Int>, checks: [String], ids: (Range<Int>) -> [Int], row: (Int) -> [String?]
    ) -> String? {
        do {
            if !checks.isEmpty {
                try connection.query("SELECT set_config('plenary.rows_checked', txid_current()::text, true)")
            }
            try connection.copyFrom(sql, rows: range.lazy.map(row))
            guard !checks.isEmpty else { return nil }
            let chunk = Self.arrayLiteral(ids(range).map(String.init))
            for check in checks {
                let broken = try connection.queryOne(check, [chunk])
                if broken != nil { return "a rule of the schema (set-based check)" }
            }
            try connection.query("SELECT set_config('plenary.rows_checked', '', true)")
            return nil
        } catch {
            return error.message
        }
    }

    /// A refusal of COPY that the same rows, loaded by the located path, did not repeat.
    static func unlocated(_ refusal: String) -> TransferError {
        TransferError(path: RecordPath(), reason: "the database refused it: \(refusal)", code: .conflict)
    }

    /// The rules `plenary_document_rules` applies to an inserted document (Schema/0008_documents.sql), one
    /// statement each over a chunk of documents (`$1`: their ids), in the trigger's order; each returns a row when
    /// a document of the chunk breaks its rule. The last one is the trigger's effect: a known symbol moves its
    /// series' counter past it.
    static let documentChecks = [
        // The symbol is one of its body's.
        """
        SELECT 1 FROM documents d JOIN bodies b ON b.id = d.body_id
        WHERE d.id = ANY($1::bigint[]) AND NOT starts_with(d.symbol, b.code || '/') LIMIT 1
        """,
        // Filed under a session: the session is the body's, the symbol names no working group, and its year is
        // one in which some part of the session is held (each session's span of years computed once).
        """
        WITH span AS (
            SELECT body_id, number, min(extract(year FROM start_date))::integer AS first_year,
                   max(extract(year FROM end_date))::integer AS last_year
            FROM sessions GROUP BY body_id, number
        )
        SELECT 1 FROM documents d JOIN sessions s ON s.id = d.session_id
        JOIN span ON span.body_id = s.body_id AND span.number = s.number
        WHERE d.id = ANY($1::bigint[])
          AND (s.body_id <> d.body_id OR plenary_symbol_working_group(d.symbol) IS NOT NULL
               OR plenary_symbol_year(d.symbol) NOT BETWEEN span.first_year AND span.last_year)
        LIMIT 1
        """,
        // Filed under a meeting: the meeting is the body's, of the working group the symbol names, in its year.
        """
        SELECT 1 FROM documents d JOIN working_group_meetings m ON m.id = d.meeting_id
        JOIN working_groups g ON g.id = m.working_group_id
        WHERE d.id = ANY($1::bigint[]) AND d.session_id IS NULL
          AND (m.body_id <> d.body_id OR plenary_symbol_working_group(d.symbol) IS DISTINCT FROM g.code
               OR plenary_symbol_year(d.symbol) NOT BETWEEN extract(year FROM m.start_date)::integer
                                                        AND extract(year FROM m.end_date)::integer)
        LIMIT 1
        """,
        // Its agenda items are on the agenda of its session (the original part carries it for every part), as
        // plenary_document_record_rules holds them (Schema/0013). The join repeats plenary_agenda_has_item's
        // reading of a label rather than calling it: PostgreSQL does not inline a function holding a sub-select,
        // and called once per label it cost 290 ms at 20,000 documents against 122 for this one statement.
        """
        WITH labels AS (
            SELECT d.session_id, regexp_match(label, '^([0-9]+) ?(?:\\(([a-z]{1,2})\\))?$') AS m
            FROM documents d CROSS JOIN LATERAL unnest(d.agenda_items) AS label
            WHERE d.id = ANY($1::bigint[]) AND d.session_id IS NOT NULL
        )
        SELECT 1 FROM labels l JOIN sessions s ON s.id = l.session_id
        LEFT JOIN sessions original ON original.body_id = s.body_id AND original.number = s.number
                                   AND original.part = 1
        LEFT JOIN agenda_items a ON a.session_id = original.id AND a.item = (l.m)[1]::integer
                                AND a.sub = coalesce((l.m)[2], '')
        WHERE a.id IS NULL
        LIMIT 1
        """,
        // A symbol that carries a session number is filed under that session (plenary_document_session_agrees,
        // Schema/0012).
        """
        SELECT 1 FROM documents d JOIN sessions s ON s.id = d.session_id
        WHERE d.id = ANY($1::bigint[]) AND plenary_symbol_session(d.symbol) <> s.number
        LIMIT 1
        """,
        // The counters, as the trigger moves them; a serial past the counter's range is refused here too.
        """
        INSERT INTO document_counters AS c (body_id, issuer, period, series, last_serial)
        SELECT (array_agg(body_id ORDER BY id))[1], issuer, period, series, max(serial)
        FROM documents WHERE id = ANY($1::bigint[]) AND series IS NOT NULL
        GROUP BY issuer, period, series
        ON CONFLICT (issuer, period, series)
        DO UPDATE SET last_serial = greatest(c.last_serial, excluded.last_serial)
        """,
    ]
}
