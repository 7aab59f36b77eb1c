import Foundation
import PlenaryCore

/// The depositary's status table of one instrument: one row per participant with its signature, its instrument
/// of consent marked ratification plain, acceptance (A), approval (AA), accession (a), succession (d), the day the
/// instrument entered into force for it, and its declarations. Pure.
public enum DepositaryTable {
    /// The columns, as the CSV header names them.
    public static let header = [
        "Participant", "Code", "Signature",
        "Ratification, Acceptance (A), Approval (AA), Accession (a), Succession (d)", "Entry into force",
        "Status", "Denunciation", "Declarations",
    ]

    /// One row's cells, in ``header``'s order.
    public static func cells(_ standing: Standing) -> [String] {
        [
            standing.participant.name, standing.participant.code, standing.signature?.description ?? "",
            standing.consentMarked ?? "", standing.inForce?.description ?? "", standing.status.rawValue,
            standing.denunciationReceived.map { "received \($0), effective \(standing.denunciationEffective!)" } ?? "",
            declarations(standing),
        ]
    }

    /// `reservation 35(2) (2004-01-01); declaration (2004-01-01, withdrawn 2006-05-01)`.
    public static func declarations(_ standing: Standing) -> String {
        standing.statements.map { statement in
            let act = statement.action
            var label = act.kind.rawValue
            if let article = act.article { label += " art. \(article)" }
            var when = act.date.description
            if let withdrawn = statement.withdrawn { when += ", withdrawn \(withdrawn)" }
            return "\(label) [\(act.id)] (\(when))"
        }.joined(separator: "; ")
    }

    /// The table as CSV (RFC 4180: CRLF line ends, fields quoted where they hold a comma, quote or line break).
    public static func csv(_ standings: [Standing]) -> [String] {
        ([header] + standings.map(cells)).map { $0.map(field).joined(separator: ",") }
    }

    /// One CSV field.
    public static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
