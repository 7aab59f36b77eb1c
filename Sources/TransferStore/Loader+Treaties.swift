import Foundation
import Postgres
import Transfer

extension Loader {
    /// Instruments (Conventions, then Protocols, which name them), then acts in load order, then withdrawals: a
    /// withdrawal names its declaration by kind, day and article, and one `INSERT … SELECT` cannot find a row it is
    /// itself writing.
    mutating func loadTreaties(_ plan: ImportPlan, _ top: RecordPath) throws {
        let instruments = plan.instruments
        for protocols in [false, true] {
            let table = protocols ? "import_protocols" : "import_conventions"
            let chosen = instruments.filter { ($0.record.supplements != nil) == protocols }
            try stage(
                table,
                """
                body text, code text, title text, adopted date, adopted_by text, supplements text, place text,
                sign_from date, sign_until date, depositary text, texts text[], threshold int, eif int, later int,
                in_force date
                """,
                chosen.map { placed in
                    let i = placed.record
                    return [
                        i.body, i.code, i.title, i.adopted, i.by, i.supplements, i.signaturePlace, i.signatureFrom,
                        i.signatureUntil, i.depositary, Self.arrayLiteral(i.texts ?? []), "\(i.threshold)",
                        "\(i.eifDays)", "\(i.laterDays)", i.inForce,
                    ]
                })
            try run(
                Step(
                    sql: """
                        INSERT INTO instruments (body_id, code, title, adopted_on, adopted_by, supplements_id,
                            signature_place, signature_from, signature_until, depositary, texts, threshold, eif_days,
                            later_days, recorded_in_force)
                        SELECT b.id, s.code, s.title, s.adopted, s.adopted_by, p.id, s.place, s.sign_from, s.sign_until,
                               s.depositary, s.texts, s.threshold, s.eif, s.later, s.in_force
                        FROM \(table) s JOIN bodies b ON b.code = s.body
                        LEFT JOIN instruments p ON p.body_id = b.id AND p.code = s.supplements
                        WHERE s.ord >= $1 AND s.ord < $2 ORDER BY s.ord
                        """,
                    range: 0..<chosen.count,
                    locate: { (top.key("instruments").index(chosen[$0].index), chosen[$0].record.label) }))
        }

        let acts = plan.treatyActions
        for withdrawals in [false, true] {
            let table = withdrawals ? "import_withdrawals" : "import_acts"
            let chosen = acts.filter { ($0.record.withdraws != nil) == withdrawals }
            try stage(
                table,
                """
                body text, instrument text, state text, kind text, acted date, wording text, article text,
                w_kind text, w_date date, w_article text
                """,
                chosen.map { placed in
                    let a = placed.record
                    return [
                        a.body, a.instrument, a.state, a.kind, a.date, a.text, a.article, a.withdraws?.kind,
                        a.withdraws?.date, a.withdraws?.article,
                    ]
                })
            try run(
                Step(
                    sql: """
                        INSERT INTO treaty_actions (instrument_id, participant, kind, acted_on, wording, article,
                                                    withdraws_id)
                        SELECT i.id, s.state, s.kind, s.acted, s.wording, s.article,
                               (SELECT w.id FROM treaty_actions w
                                WHERE w.instrument_id = i.id AND w.participant = s.state AND w.kind = s.w_kind
                                  AND w.acted_on = s.w_date AND w.article IS NOT DISTINCT FROM s.w_article
                                  AND NOT EXISTS (SELECT 1 FROM treaty_actions x WHERE x.withdraws_id = w.id)
                                ORDER BY w.id LIMIT 1)
                        FROM \(table) s JOIN bodies b ON b.code = s.body
                        JOIN instruments i ON i.body_id = b.id AND i.code = s.instrument
                        WHERE s.ord >= $1 AND s.ord < $2 ORDER BY s.ord
                        """,
                    range: 0..<chosen.count,
                    locate: { (top.key("treaty_actions").index(chosen[$0].index), chosen[$0].record.label) }))
        }
    }
}
