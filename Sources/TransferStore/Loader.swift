import Decisions
import Documents
import Foundation
import PlenaryCore
import Postgres
import Storage
import Transfer

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
                    SELECT b.id, r.pre, r.regular, r.special
                    FROM import_deadline_rules r JOIN bodies b ON b.code = r.body
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
        try loadTreaties(plan, top)
    }
}
