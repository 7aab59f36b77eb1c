import Bodies
import Foundation
import PlenaryCore
import Postgres
import Storage

/// The registry's rows and the lookups its operations share, all on the caller's connection and transaction.
extension DocumentRegistry {
    /// The session or meeting a document is filed under, resolved to rows.
    struct Place {
        var sessionID: Int?
        var meetingID: Int?
        var filing: DocumentRules.Filing
        /// The first day of the session (its first part) or meeting.
        var opening: CalendarDate
    }

    /// A document's identity and lineage, as the write paths need them.
    struct StoredRow {
        var id: Int
        var bodyID: Int
        var symbol: DocumentSymbol
        var relation: DocumentRelation?
        var parentID: Int?
        var reissued: Bool
        var sessionID: Int?
        var meetingID: Int?
    }

    static func validate(_ draft: DocumentDraft) throws(DomainError) {
        try DocumentRules.title(draft.title)
        try DocumentRules.agendaItems(draft.agendaItems)
        if draft.languages.isEmpty { throw .invalid("languages", "must name at least one language") }
        if !draft.languages.contains(draft.originalLanguage) {
            throw .invalid(
                "original", "\(draft.originalLanguage.rawValue) must be one of the document's languages")
        }
        if case .session(let number) = draft.placement, !(1...9999).contains(number) {
            throw .invalid("session", "must be an integer 1…9999")
        }
    }

    /// The body whose code the symbol starts with (the longest such code), or 550; and the document already
    /// registered under the symbol, if any — asked together, in one round trip.
    static func issuingBody(
        _ connection: Connection, of symbol: DocumentSymbol
    ) throws -> (body: Body.Recorded, existing: Document?) {
        let results = try connection.queries([
            Postgres.Statement(
                """
                SELECT id, code, name, timezone FROM bodies WHERE starts_with($1, code || '/')
                ORDER BY length(code) DESC LIMIT 1
                """,
                [symbol.description]),
            documentsStatement(where: "d.symbol = $1", [symbol.description]),
        ])
        guard let row = results[0].rows.first else {
            throw DomainError.notFound("symbol: no body issues \(symbol) (its series is \(symbol.body))")
        }
        let body = Body.Recorded(
            id: try row.decode("id"), code: try row.decode("code"), name: try row.decode("name"),
            timeZone: try row.decode("timezone"))
        return (body, try documents(from: results[1].rows).first?.document)
    }

    /// The rows of a session (its first part, with the years of all its parts) or meeting; 550 naming the key.
    static func place(_ connection: Connection, body: Body.Recorded, placement: DocumentPlacement) throws -> Place {
        switch placement {
        case .session(let number):
            let row = try connection.queryOne(
                """
                SELECT (array_agg(id ORDER BY part))[1] AS id, min(start_date) AS opening,
                       min(extract(year FROM start_date))::int AS first_year,
                       max(extract(year FROM end_date))::int AS last_year
                FROM sessions WHERE body_id = $1 AND number = $2 HAVING count(*) > 0
                """,
                [body.id, number])
            guard let row else { throw DomainError.notFound("session: \(body.code) has no session \(number)") }
            let first: Int = try row.decode("first_year")
            let last: Int = try row.decode("last_year")
            return Place(
                sessionID: try row.decode("id"), meetingID: nil,
                filing: DocumentRules.Filing(
                    label: "session \(number) of \(body.code)", body: body.code, session: number, workingGroup: nil,
                    years: first...max(first, last)),
                opening: try row.decode("opening"))
        case .meeting(let group, let number):
            try requireWorkingGroup(connection, body: body, code: group)
            let row = try connection.queryOne(
                """
                SELECT m.id, m.start_date, g.code, extract(year FROM m.start_date)::int AS first_year,
                       extract(year FROM m.end_date)::int AS last_year
                FROM working_group_meetings m JOIN working_groups g ON g.id = m.working_group_id
                WHERE g.body_id = $1 AND upper(g.code) = upper($2) AND m.number = $3
                """,
                [body.id, group, number])
            guard let row else {
                throw DomainError.notFound("meeting: \(group) of \(body.code) has no meeting \(number)")
            }
            let first: Int = try row.decode("first_year")
            let last: Int = try row.decode("last_year")
            // The group's code as registered, whatever case it was given in: it goes into symbols.
            let registered: String = try row.decode("code")
            return Place(
                sessionID: nil, meetingID: try row.decode("id"),
                filing: DocumentRules.Filing(
                    label: "meeting \(number) of \(registered) of \(body.code)", body: body.code, session: nil,
                    workingGroup: registered, years: first...max(first, last)),
                opening: try row.decode("start_date"))
        }
    }

    /// The place of an existing document, for the documents derived from it.
    static func place(_ connection: Connection, row: StoredRow) throws -> Place {
        let found = try connection.queryOne(
            """
            SELECT b.code, s.number AS session, g.code AS wg, m.number AS meeting FROM documents d
            JOIN bodies b ON b.id = d.body_id LEFT JOIN sessions s ON s.id = d.session_id
            LEFT JOIN working_group_meetings m ON m.id = d.meeting_id
            LEFT JOIN working_groups g ON g.id = m.working_group_id WHERE d.id = $1
            """,
            [row.id]
        ).required("the placement of document \(row.id)")
        let body = try Body.Recorded.find(connection, code: try found.decode("code"))
        if let session = try found.decode("session", as: Int?.self) {
            return try place(connection, body: body, placement: .session(session))
        }
        return try place(
            connection, body: body,
            placement: .meeting(workingGroup: try found.decode("wg"), number: try found.decode("meeting")))
    }

    /// 550 naming `wg` unless `body` has a working group `code`.
    static func requireWorkingGroup(_ connection: Connection, body: Body.Recorded, code: String) throws {
        let found = try connection.queryOne(
            "SELECT 1 AS found FROM working_groups WHERE body_id = $1 AND upper(code) = upper($2)", [body.id, code])
        if found == nil { throw DomainError.notFound("wg: \(body.code) has no working group \(code)") }
    }

    /// 551 naming the document that already holds `symbol`.
    static func requireUnregistered(_ connection: Connection, _ symbol: DocumentSymbol) throws {
        try requireUnregistered(symbol, existing: try fetch(connection, symbol: symbol))
    }

    /// 551 naming `existing`, the document that already holds `symbol`, if there is one.
    static func requireUnregistered(_ symbol: DocumentSymbol, existing: Document?) throws {
        guard let existing else { return }
        throw DomainError.conflict(
            "symbol: \(symbol) is already registered (\"\(existing.title)\", \(existing.placement) of "
                + "\(existing.body)); a symbol is given once")
    }

    static let rowColumns =
        "id, body_id, symbol, relation, parent_id, reissued, session_id, meeting_id FROM documents"

    /// The document registered under `symbol` (unmarked), or nil; `lock` holds it to the end of the transaction,
    /// which is what numbers a document's revisions, corrigenda and addenda one at a time.
    static func row(_ connection: Connection, _ symbol: DocumentSymbol, lock: Bool) throws -> StoredRow? {
        try connection.queryOne(
            "SELECT \(rowColumns) WHERE symbol = $1" + (lock ? " FOR UPDATE" : ""), [symbol.description]
        ).map(stored(from:))
    }

    static func row(_ connection: Connection, id: Int, lock: Bool) throws -> StoredRow {
        try stored(
            from: try connection.queryOne("SELECT \(rowColumns) WHERE id = $1" + (lock ? " FOR UPDATE" : ""), [id])
                .required("document \(id)"))
    }

    static func stored(from row: Row) throws -> StoredRow {
        StoredRow(
            id: try row.decode("id"), bodyID: try row.decode("body_id"),
            symbol: try DocumentSymbol(try row.decode("symbol", as: String.self)),
            relation: try row.decode("relation", as: String?.self).flatMap(DocumentRelation.init(rawValue:)),
            parentID: try row.decode("parent_id", as: Int?.self), reissued: try row.decode("reissued"),
            sessionID: try row.decode("session_id", as: Int?.self),
            meetingID: try row.decode("meeting_id", as: Int?.self))
    }

    /// Inserts the document and its six language versions and reads it back, in one round trip.
    static func insertAndFetch(
        _ connection: Connection, symbol: DocumentSymbol, body: Int, place: Place, title: String,
        agendaItems: [String], distribution: DocumentSymbol.Distribution, original: Language,
        issuedOn: CalendarDate?, parent: (id: Int, relation: DocumentRelation, number: Int)?, reissued: Bool,
        languages: [Language]
    ) throws -> Document {
        let results = try connection.queries([
            insertStatement(
                symbol: symbol, body: body, place: place, title: title, agendaItems: agendaItems,
                distribution: distribution, original: original, issuedOn: issuedOn, parent: parent,
                reissued: reissued, languages: languages),
            documentsStatement(where: "d.symbol = $1", [symbol.description]),
        ])
        guard let document = try documents(from: results[1].rows).first?.document else {
            throw DomainError.notFound("symbol: \(symbol) is not registered")
        }
        return document
    }

    /// Inserts the document and its six language versions; returns its id.
    static func insert(
        _ connection: Connection, symbol: DocumentSymbol, body: Int, place: Place, title: String,
        agendaItems: [String], distribution: DocumentSymbol.Distribution, original: Language,
        issuedOn: CalendarDate?, parent: (id: Int, relation: DocumentRelation, number: Int)?, reissued: Bool,
        languages: [Language]
    ) throws -> Int {
        let row = try connection.query(
            insertStatement(
                symbol: symbol, body: body, place: place, title: title, agendaItems: agendaItems,
                distribution: distribution, original: original, issuedOn: issuedOn, parent: parent,
                reissued: reissued, languages: languages)
        ).rows.first
        return try row.required("INSERT INTO documents").decode("id")
    }

    /// One statement for the document and its six versions: one round trip, and the series counter row the
    /// document's trigger locks is held that much less.
    static func insertStatement(
        symbol: DocumentSymbol, body: Int, place: Place, title: String, agendaItems: [String],
        distribution: DocumentSymbol.Distribution, original: Language, issuedOn: CalendarDate?,
        parent: (id: Int, relation: DocumentRelation, number: Int)?, reissued: Bool, languages: [Language]
    ) -> Postgres.Statement {
        let series = parent == nil ? DocumentSeries(of: symbol) : nil
        return Postgres.Statement(
            """
            WITH document AS (
                INSERT INTO documents (body_id, symbol, sort_key, session_id, meeting_id, series, issuer, period,
                                       serial, doc_type, distribution, title, agenda_items, original_language,
                                       issued_on, parent_id, relation, relation_number, reissued)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
                RETURNING id
            ), versions AS (
                -- A date of issue is the day the original-language text came out: that version is issued then.
                INSERT INTO document_versions (document_id, language, required, status, issued_on)
                SELECT document.id, language, language = ANY($20::text[]),
                       CASE WHEN issued.day IS NULL THEN 'expected' ELSE 'issued' END, issued.day
                FROM document, unnest(ARRAY['ar', 'zh', 'en', 'fr', 'ru', 'es']) AS language,
                     LATERAL (SELECT CASE WHEN language = $14 AND language = ANY($20::text[]) THEN $15::date END
                              AS day) AS issued
            )
            SELECT id FROM document
            """,
            [
                body, symbol.description, DocumentRules.sortKey(symbol), place.sessionID, place.meetingID,
                series?.rawValue, symbol.issuer, DocumentRules.period(of: symbol), series == nil ? nil : symbol.serial,
                symbol.documentType.rawValue, distribution.rawValue, title, agendaItems, original.rawValue, issuedOn,
                parent?.id, parent?.relation.rawValue, parent?.number, reissued, languages.map(\.rawValue),
            ])
    }

    /// The document with row id `id`, its versions and lineage.
    static func fetch(_ connection: Connection, id: Int) throws -> Document {
        guard let document = try documents(connection, where: "d.id = $1", [id]).first else {
            throw DomainError.notFound("symbol: no document \(id)")
        }
        return document.document
    }

    /// The document registered under `symbol` (unmarked), with its versions and lineage, or nil.
    static func fetch(_ connection: Connection, symbol: DocumentSymbol) throws -> Document? {
        try documents(connection, where: "d.symbol = $1", [symbol.description]).first?.document
    }

    /// The documents with these row ids, in the order given.
    static func fetch(_ connection: Connection, ids: [Int]) throws -> [Document] {
        guard !ids.isEmpty else { return [] }
        let found = try documents(connection, where: "d.id = ANY($1::bigint[])", [ids])
        let byID = Dictionary(found.map { ($0.id, $0.document) }, uniquingKeysWith: { first, _ in first })
        return ids.compactMap { byID[$0] }
    }

    /// Documents with their versions and lineage in one statement, one row per document (its versions, its
    /// family's latest revision and its place — body, session or meeting, parent — come from its stored summary,
    /// Schema/0015 and 0017), so a read costs one round trip and two rows whatever it shows. `condition` selects `d`
    /// (documents) with `parameters`; the documents come back in symbol order with their row ids. `known`: as in
    /// ``documents(from:known:)``.
    static func documents(
        _ connection: Connection, where condition: String, _ parameters: [any PostgresEncodable],
        known: [String: DocumentSymbol] = [:]
    ) throws -> [(id: Int, document: Document)] {
        try documents(from: connection.query(documentsStatement(where: condition, parameters)).rows, known: known)
    }

    /// The statement behind ``documents(_:where:_:)``, for a pipeline with others.
    static func documentsStatement(
        where condition: String, _ parameters: [any PostgresEncodable]
    ) -> Postgres.Statement {
        Postgres.Statement(
            """
            SELECT d.id, d.symbol, d.reissued, r.body, r.session, r.wg, r.meeting, d.doc_type, d.distribution,
                   d.title, d.agenda_items, d.original_language, d.issued_on, d.relation, r.parent,
                   r.parent_reissued, d.withdrawn_on, d.withdrawn_reason, r.latest_revision, r.languages,
                   r.required, r.status, r.issued_on AS versions_issued_on, r.file, r.bytes, r.sha256
            FROM documents d JOIN document_summaries r ON r.document_id = d.id
            WHERE \(condition)
            ORDER BY d.sort_key
            """,
            parameters)
    }

    /// The printed forms of `symbols`, in order, and the symbols by their printed form: the parameters of a read by
    /// symbol and the `known` of ``documents(from:known:)``.
    static func printed(_ symbols: [DocumentSymbol]) -> (texts: [String], known: [String: DocumentSymbol]) {
        let texts = symbols.map(\.description)
        return (texts, Dictionary(zip(texts, symbols), uniquingKeysWith: { first, _ in first }))
    }

    /// Documents from the rows of ``documentsStatement(where:_:)``, one row each. `known` holds symbols the caller
    /// has parsed already, by their printed form: a row whose symbol is one of them takes it instead of parsing its
    /// text again (a get knows the symbol it asked for; parsing the row's copy cost about 3% of the server's CPU).
    static func documents(
        from rows: [Row], known: [String: DocumentSymbol] = [:]
    ) throws -> [(id: Int, document: Document)] {
        try rows.map { row in (try row.decode("id"), try document(from: row, known: known)) }
    }

    /// The language versions of a document row's summary: one element per version in each array, in UN order.
    private static func versions(from row: Row) throws -> [LanguageVersion] {
        let languages = try row.decodeElements("languages", as: String.self)
        let required = try row.decodeElements("required", as: Bool.self)
        let statuses = try row.decodeElements("status", as: String.self)
        let issued = try row.decodeElements("versions_issued_on", as: CalendarDate.self)
        let files = try row.decodeElements("file", as: String.self)
        let bytes = try row.decodeElements("bytes", as: Int.self)
        let digests = try row.decodeElements("sha256", as: String.self)
        guard
            [required.count, statuses.count, issued.count, files.count, bytes.count, digests.count]
                .allSatisfy({ $0 == languages.count })
        else {
            throw PostgresError(kind: .decoding, message: "document_summaries: arrays of different lengths")
        }
        return try languages.indices.map { index in
            guard let code = languages[index], let language = Language(rawValue: code),
                let isRequired = required[index], let text = statuses[index],
                let status = VersionStatus(rawValue: text)
            else {
                throw PostgresError(
                    kind: .decoding, message: "document_summaries: version \(index + 1) is incomplete or unknown")
            }
            return LanguageVersion(
                language: language, required: isRequired, status: status, issuedOn: issued[index],
                file: files[index], bytes: bytes[index], sha256: digests[index])
        }
    }

    /// One document from its row.
    private static func document(from row: Row, known: [String: DocumentSymbol]) throws -> Document {
        let symbol: String = try row.decode("symbol")
        let reissued: Bool = try row.decode("reissued")
        let placement: DocumentPlacement =
            if let session = try row.decode("session", as: Int?.self) {
                .session(session)
            } else {
                .meeting(workingGroup: try row.decode("wg"), number: try row.decode("meeting"))
            }
        let parent = try row.decode("parent", as: String?.self).map { text in
            try DocumentSymbol(try row.decode("parent_reissued", as: Bool.self) ? text + "*" : text)
        }
        // Both are the registry's printed forms, one spelling each: a family's latest revision that is this very
        // document is known by its text, without parsing it again.
        let latest = try row.decode("latest_revision", as: String?.self).flatMap { (text) throws(DomainError) in
            text == symbol || text == symbol + "*" ? nil : try DocumentSymbol(text)
        }
        let versions = try versions(from: row)
        let type = DocumentSymbol.DocumentType(rawValue: try row.decode("doc_type")) ?? .main
        let printed = try reissued ? DocumentSymbol(symbol + "*") : known[symbol] ?? DocumentSymbol(symbol)
        var document = Document(
            symbol: printed, body: try row.decode("body"), placement: placement, type: type,
            distribution: DocumentSymbol.Distribution(rawValue: try row.decode("distribution")) ?? .general,
            title: try row.decode("title"), agendaItems: try row.decode("agenda_items"),
            originalLanguage: Language(rawValue: try row.decode("original_language")) ?? .en,
            issuedOn: try row.decode("issued_on", as: CalendarDate?.self), parent: parent,
            relation: try row.decode("relation", as: String?.self).flatMap(DocumentRelation.init(rawValue:)),
            supersededBy: latest,
            versions: versions)
        document.withdrawnOn = try row.decode("withdrawn_on", as: CalendarDate?.self)
        document.withdrawnReason = try row.decode("withdrawn_reason", as: String?.self)
        return document
    }

    static func deadlineRule(_ connection: Connection, bodyID: Int) throws -> DeadlineRule {
        guard
            let row = try connection.queryOne(
                """
                SELECT pre_session_days, agenda_regular_days, agenda_special_days FROM document_deadline_rules
                WHERE body_id = $1
                """,
                [bodyID])
        else { return .standard }
        return DeadlineRule(
            preSessionDays: try row.decode("pre_session_days"),
            agendaRegularDays: try row.decode("agenda_regular_days"),
            agendaSpecialDays: try row.decode("agenda_special_days"))
    }

    static func operation(_ relation: DocumentRelation) -> String {
        switch relation {
        case .revision: "revise"
        case .corrigendum: "correct"
        case .addendum: "addendum"
        case .amendment: "amend"
        }
    }

    /// The database's refusals in the contract's words: trigger refusals (PL551) carry their message; constraints
    /// are named here, by the key a client gave.
    @Sendable static func explain(_ error: PostgresError) -> DomainError? {
        switch error.constraint {
        case "documents_symbol_key", "documents_sort_key_key", "documents_relation_key":
            return .conflict("symbol: that symbol is already registered; a symbol is given once")
        case "documents_title_not_blank": return .invalid("title", "must be 1 to 1000 characters")
        case "documents_distribution_agrees":
            return .conflict("distribution: the symbol says limited (L.n) or restricted (R.n)")
        case "document_versions_bytes_range": return .invalid("bytes", "must be 0 or more")
        case "document_versions_sha256_format": return .invalid("sha256", "must be 64 hexadecimal digits")
        case "document_versions_file_format": return .invalid("file", "must be a file name or URL on one line")
        case "document_counters_serial_range": return .conflict("series: no serial is left in that series")
        default: return nil
        }
    }
}
