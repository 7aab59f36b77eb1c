import Decisions
import Documents
import Foundation
import PlenaryCore
import Postgres
import Storage
import Transfer

/// Sessions, their parts and agendas, and the deadline rules.
extension Loader {
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
}
