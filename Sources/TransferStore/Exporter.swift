import Foundation
import Postgres
import Transfer

/// Reads the database into an export document: every table that holds the domain's records (Schema/0001 to 0008)
/// except tokens and the audit trail, keyed by natural keys. Runs on the caller's connection, so inside a
/// transaction it reads one consistent snapshot.
public enum Exporter {
    /// The records of `bodies` (every body when nil), in natural-key order.
    public static func read(_ connection: Connection, bodies: [String]? = nil) throws -> ExportDocument {
        let filter: [any PostgresEncodable] = [bodies.map { $0 } as [String]?]
        var document = ExportDocument()
        document.bodies = try connection.query(
            "SELECT code, name, treaty, timezone FROM bodies b WHERE \(Self.bodyFilter) ORDER BY code", filter
        ).rows.map { row in
            BodyRecord(
                code: try row.decode("code"), name: try row.decode("name"), treaty: try row.text("treaty"),
                timezone: try row.decode("timezone"))
        }
        document.deadlineRules = try connection.query(
            """
            SELECT b.code, r.pre_session_days, r.agenda_regular_days, r.agenda_special_days
            FROM document_deadline_rules r JOIN bodies b ON b.id = r.body_id WHERE \(Self.bodyFilter) ORDER BY b.code
            """, filter
        ).rows.map { row in
            DeadlineRuleRecord(
                body: try row.decode("code"), preSessionDays: try row.decode("pre_session_days"),
                agendaRegularDays: try row.decode("agenda_regular_days"),
                agendaSpecialDays: try row.decode("agenda_special_days"))
        }
        document.sessions = try connection.query(
            """
            SELECT b.code, s.number, s.part, s.kind, s.title, s.venue, s.timezone, s.format,
                   s.start_date::text AS start, s.end_date::text AS end, s.status, s.status_reason, s.revision
            FROM sessions s JOIN bodies b ON b.id = s.body_id WHERE \(Self.bodyFilter)
            ORDER BY b.code, s.number, s.part
            """, filter
        ).rows.map { row in
            SessionRecord(
                body: try row.decode("code"), number: try row.decode("number"), part: try row.decode("part"),
                kind: try row.decode("kind"), title: try row.text("title"), venue: try row.decode("venue"),
                timezone: try row.decode("timezone"), format: try row.decode("format"), start: try row.decode("start"),
                end: try row.decode("end"), status: try row.decode("status"), reason: try row.text("status_reason"),
                revision: try row.decode("revision"))
        }
        document.agendas = try agendas(connection, filter)
        document.workingGroups = try workingGroups(connection, filter)
        document.meetings = try connection.query(
            """
            SELECT b.code, g.code AS wg, m.number, m.start_date::text AS start, m.end_date::text AS end, m.venue,
                   m.timezone, ws.number AS with_session, CASE WHEN ws.part > 1 THEN ws.part END AS with_part,
                   m.status, m.status_reason, m.revision
            FROM working_group_meetings m JOIN working_groups g ON g.id = m.working_group_id
            JOIN bodies b ON b.id = g.body_id LEFT JOIN sessions ws ON ws.id = m.with_session_id
            WHERE \(Self.bodyFilter) ORDER BY b.code, g.code, m.number
            """, filter
        ).rows.map { row in
            MeetingRecord(
                body: try row.decode("code"), wg: try row.decode("wg"), number: try row.decode("number"),
                start: try row.decode("start"), end: try row.decode("end"), venue: try row.decode("venue"),
                timezone: try row.decode("timezone"), withSession: try row.decode("with_session", as: Int?.self),
                withSessionPart: try row.decode("with_part", as: Int?.self), status: try row.decode("status"),
                reason: try row.text("status_reason"), revision: try row.decode("revision"))
        }
        document.documents = try documents(connection, filter)
        try decisions(connection, filter, into: &document)
        try treaties(connection, filter, into: &document)
        return document.normalized()
    }

    /// `bodies b` is among those asked for.
    static let bodyFilter = "($1::text[] IS NULL OR b.code = ANY($1::text[]))"

    static func agendas(_ connection: Connection, _ filter: [any PostgresEncodable]) throws -> [AgendaRecord] {
        var agendas: [String: AgendaRecord] = [:]
        var order: [String] = []
        for row in try connection.query(
            """
            SELECT b.code, s.number, s.part, a.adopted_on::text AS adopted, i.item, i.sub, i.title,
                   to_char(i.amended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS amended_at
            FROM agenda_items i JOIN sessions s ON s.id = i.session_id JOIN bodies b ON b.id = s.body_id
            LEFT JOIN agenda_adoptions a ON a.session_id = s.id
            WHERE \(Self.bodyFilter) ORDER BY b.code, s.number, s.part, i.item, i.sub
            """, filter
        ).rows {
            let body: String = try row.decode("code")
            let number: Int = try row.decode("number")
            let part: Int = try row.decode("part")
            let key = "\(body) \(number) \(part)"
            if agendas[key] == nil {
                order.append(key)
                agendas[key] = AgendaRecord(
                    body: body, session: number, part: part, adopted: try row.text("adopted"), items: [])
            }
            let sub: String = try row.decode("sub")
            agendas[key]!.items.append(
                AgendaItemRecord(
                    item: try row.decode("item"), sub: sub.isEmpty ? nil : sub, title: try row.decode("title"),
                    amendedAt: try row.text("amended_at")))
        }
        return order.map { agendas[$0]! }
    }

    static func workingGroups(
        _ connection: Connection, _ filter: [any PostgresEncodable]
    ) throws -> [WorkingGroupRecord] {
        var renames: [Int: [RenameRecord]] = [:]
        for row in try connection.query(
            """
            SELECT r.working_group_id, r.old_name, r.new_name, r.by_reference, r.renamed_on::text AS renamed_on
            FROM working_group_renames r JOIN working_groups g ON g.id = r.working_group_id
            JOIN bodies b ON b.id = g.body_id WHERE \(Self.bodyFilter) ORDER BY r.working_group_id, r.id
            """, filter
        ).rows {
            renames[try row.decode("working_group_id"), default: []].append(
                RenameRecord(
                    from: try row.decode("old_name"), to: try row.decode("new_name"), by: try row.text("by_reference"),
                    on: try row.text("renamed_on")))
        }
        return try connection.query(
            """
            SELECT g.id, b.code AS body, g.code, g.name, g.mandate, g.kind, g.established_by,
                   g.established_on::text AS established_on, g.dissolved_on::text AS dissolved_on, g.dissolved_by
            FROM working_groups g JOIN bodies b ON b.id = g.body_id WHERE \(Self.bodyFilter) ORDER BY b.code, g.code
            """, filter
        ).rows.map { row in
            WorkingGroupRecord(
                body: try row.decode("body"), code: try row.decode("code"), name: try row.decode("name"),
                mandate: try row.text("mandate"), kind: try row.decode("kind"),
                establishedBy: try row.text("established_by"), establishedOn: try row.text("established_on"),
                dissolvedOn: try row.text("dissolved_on"), dissolvedBy: try row.text("dissolved_by"),
                renames: renames[try row.decode("id")] ?? [])
        }
    }

    static func documents(_ connection: Connection, _ filter: [any PostgresEncodable]) throws -> [DocumentRecord] {
        var versions: [Int: [LanguageRecord]] = [:]
        for row in try connection.query(
            """
            SELECT v.document_id, v.language, v.required, v.status, v.issued_on::text AS issued_on, v.file, v.bytes,
                   v.sha256
            FROM document_versions v JOIN documents d ON d.id = v.document_id JOIN bodies b ON b.id = d.body_id
            WHERE \(Self.bodyFilter)
            ORDER BY v.document_id, array_position(ARRAY['ar', 'zh', 'en', 'fr', 'ru', 'es'], v.language)
            """, filter
        ).rows {
            versions[try row.decode("document_id"), default: []].append(
                LanguageRecord(
                    language: try row.decode("language"), required: try row.decode("required"),
                    status: try row.decode("status"), date: try row.text("issued_on"), file: try row.text("file"),
                    bytes: try row.decode("bytes", as: Int?.self), sha256: try row.text("sha256")))
        }
        return try connection.query(
            """
            SELECT d.id, d.symbol, d.reissued, b.code AS body, s.number AS session, g.code AS wg, m.number AS meeting,
                   d.title, d.agenda_items, d.distribution, d.original_language, d.issued_on::text AS issued,
                   p.symbol AS parent, d.relation, d.withdrawn_on::text AS withdrawn, d.withdrawn_reason
            FROM documents d JOIN bodies b ON b.id = d.body_id
            LEFT JOIN sessions s ON s.id = d.session_id
            LEFT JOIN working_group_meetings m ON m.id = d.meeting_id
            LEFT JOIN working_groups g ON g.id = m.working_group_id
            LEFT JOIN documents p ON p.id = d.parent_id
            WHERE \(Self.bodyFilter) ORDER BY d.sort_key
            """, filter
        ).rows.map { row in
            let symbol: String = try row.decode("symbol")
            var record = DocumentRecord(
                symbol: try row.decode("reissued", as: Bool.self) ? symbol + "*" : symbol, body: try row.decode("body"),
                session: try row.decode("session", as: Int?.self), wg: try row.text("wg"),
                meeting: try row.decode("meeting", as: Int?.self), title: try row.decode("title"),
                agendaItems: try row.decode("agenda_items"), distribution: try row.decode("distribution"),
                originalLanguage: try row.decode("original_language"), issued: try row.text("issued"),
                parent: try row.text("parent"), relation: try row.text("relation"),
                languages: versions[try row.decode("id")] ?? [])
            record.withdrawn = try row.text("withdrawn")
            record.withdrawnReason = try row.text("withdrawn_reason")
            return record
        }
    }

    static func decisions(
        _ connection: Connection, _ filter: [any PostgresEncodable], into document: inout ExportDocument
    ) throws {
        var links: [Int: [LinkRecord]] = [:]
        for row in try connection.query(
            """
            SELECT l.decision_id, l.relation, l.wg_code, l.document,
                   plenary_decision_reference(t.kind, t.session_number, t.serial, t.letter) AS target
            FROM decision_links l JOIN bodies b ON b.id = l.body_id LEFT JOIN decisions t ON t.id = l.target_decision_id
            WHERE \(Self.bodyFilter) ORDER BY l.decision_id, l.id
            """, filter
        ).rows {
            links[try row.decode("decision_id"), default: []].append(
                LinkRecord(
                    relation: try row.decode("relation"), decision: try row.text("target"), wg: try row.text("wg_code"),
                    document: try row.text("document")))
        }
        for row in try connection.query(
            """
            SELECT d.id, b.code AS body, d.kind, d.session_number, d.session_part, d.stage,
                   plenary_decision_number(d.session_number, d.serial, d.letter) AS number, d.title, d.wording,
                   d.agenda_item, d.document, d.adopted_on::text AS adopted, d.ends_on::text AS ends, d.recorded,
                   d.withdrawn_reason
            FROM decisions d JOIN bodies b ON b.id = d.body_id WHERE \(Self.bodyFilter)
            ORDER BY b.code, d.session_number, d.session_part, d.kind, d.serial, d.letter, d.id
            """, filter
        ).rows {
            let stage: String = try row.decode("stage")
            if stage == "adopted" {
                document.decisions.append(
                    DecisionRecord(
                        body: try row.decode("body"), kind: try row.decode("kind"), number: try row.decode("number"),
                        part: try row.decode("session_part"), title: try row.decode("title"),
                        text: try row.text("wording"), agendaItem: try row.text("agenda_item"),
                        document: try row.text("document"), adopted: try row.decode("adopted"),
                        ends: try row.text("ends"), recorded: try row.decode("recorded"),
                        links: links[try row.decode("id")] ?? []))
            } else {
                document.drafts.append(
                    DraftRecord(
                        body: try row.decode("body"), kind: try row.decode("kind"),
                        session: try row.decode("session_number"), part: try row.decode("session_part"),
                        title: try row.decode("title"), text: try row.text("wording"),
                        agendaItem: try row.text("agenda_item"), document: try row.text("document"),
                        ends: try row.text("ends"), withdrawn: stage == "withdrawn",
                        reason: try row.text("withdrawn_reason")))
            }
        }
    }
}
