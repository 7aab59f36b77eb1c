import Foundation
import Postgres
import Transfer

extension Exporter {
    /// The instruments and treaty acts of the bodies in `filter` (Schema/0011), keyed by natural keys.
    static func treaties(
        _ connection: Connection, _ filter: [any PostgresEncodable], into document: inout ExportDocument
    )
        throws
    {
        document.instruments = try connection.query(
            """
            SELECT b.code AS body, i.code, i.title, i.adopted_on::text AS adopted, i.adopted_by, p.code AS supplements,
                   i.signature_place, i.signature_from::text AS signature_from,
                   i.signature_until::text AS signature_until, i.depositary, i.texts, i.threshold, i.eif_days,
                   i.later_days, i.recorded_in_force::text AS in_force
            FROM instruments i JOIN bodies b ON b.id = i.body_id LEFT JOIN instruments p ON p.id = i.supplements_id
            WHERE \(Self.bodyFilter) ORDER BY b.code, i.code
            """, filter
        ).rows.map { row in
            let texts: [String] = try row.decode("texts")
            return InstrumentRecord(
                body: try row.decode("body"), code: try row.decode("code"), title: try row.decode("title"),
                adopted: try row.decode("adopted"), by: try row.decode("adopted_by"),
                supplements: try row.text("supplements"), signaturePlace: try row.text("signature_place"),
                signatureFrom: try row.text("signature_from"), signatureUntil: try row.text("signature_until"),
                depositary: try row.decode("depositary"), texts: texts.isEmpty ? nil : texts,
                threshold: try row.decode("threshold"), eifDays: try row.decode("eif_days"),
                laterDays: try row.decode("later_days"), inForce: try row.text("in_force"))
        }
        document.treatyActions = try connection.query(
            """
            SELECT b.code AS body, i.code AS instrument, a.participant, a.kind, a.acted_on::text AS date, a.wording,
                   a.article, w.kind AS w_kind, w.acted_on::text AS w_date, w.article AS w_article
            FROM treaty_actions a JOIN instruments i ON i.id = a.instrument_id JOIN bodies b ON b.id = i.body_id
            LEFT JOIN treaty_actions w ON w.id = a.withdraws_id
            WHERE \(Self.bodyFilter) ORDER BY a.id
            """, filter
        ).rows.map { row in
            let withdrawn = try row.text("w_kind").map { kind in
                WithdrawnStatement(kind: kind, date: try row.decode("w_date"), article: try row.text("w_article"))
            }
            return TreatyActionRecord(
                body: try row.decode("body"), instrument: try row.decode("instrument"),
                state: try row.decode("participant"), kind: try row.decode("kind"), date: try row.decode("date"),
                text: try row.text("wording"), article: try row.text("article"), withdraws: withdrawn)
        }
    }
}
