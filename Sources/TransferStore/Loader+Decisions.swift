import Decisions
import Documents
import Foundation
import PlenaryCore
import Postgres
import Storage
import Transfer

/// Decisions, their lineage, and drafts.
extension Loader {
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
}
