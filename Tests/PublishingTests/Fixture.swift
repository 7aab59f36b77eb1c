import Decisions
import Documents
import Foundation
import PlenaryCore
import Publishing
import Sessions
import WorkingGroups

/// A small body in memory, shaped like the Conference's record, for the renderer's tests: no database.
enum Fixture {
    static let body = Body(
        code: "CTOC/COP",
        name: "Conference of the Parties to the United Nations Convention against Transnational Organized Crime",
        treaty: "United Nations Convention against Transnational Organized Crime", timeZone: "Europe/Vienna")

    static func day(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    static func session(_ number: Int, _ start: String, _ end: String, kind: SessionKind = .regular) -> Session {
        Session(
            body: body.code, number: number, kind: kind, title: "Session number \(number) of the Conference",
            venue: "Vienna, Austria", timeZone: "Europe/Vienna", start: day(start), end: day(end), status: .closed)
    }

    /// Sessions deliberately out of order: the page, not the input, puts them newest first.
    static let sessions = [
        session(2, "2005-10-10", "2005-10-21"), session(4, "2008-10-08", "2008-10-17"),
        session(1, "2004-06-28", "2004-07-08"), session(3, "2006-10-09", "2006-10-18"),
    ]

    /// A document decoded from the registry's own Codable form (Document has no public memberwise init).
    static func document(
        _ symbol: String, title: String, session: Int = 4, parent: String? = nil, relation: String? = nil,
        supersededBy: String? = nil, issued: [String: String] = ["en": "2008-08-01"]
    ) -> Document {
        let versions = ["ar", "zh", "en", "fr", "ru", "es"].map { code -> [String: Any] in
            var version: [String: Any] = ["language": code, "required": true, "status": "expected"]
            if let date = issued[code] {
                version["status"] = "issued"
                version["issuedOn"] = date
                version["file"] = "https://documents.example.org/\(code)/\(symbol).pdf"
            }
            return version
        }
        var object: [String: Any] = [
            "symbol": symbol, "body": body.code, "placement": ["session": ["_0": session]], "type": "main",
            "distribution": "general", "title": title, "agendaItems": ["2"], "originalLanguage": "en",
            "issuedOn": "2008-08-01", "versions": versions,
        ]
        if let parent { object["parent"] = parent }
        if let relation { object["relation"] = relation }
        if let supersededBy { object["supersededBy"] = supersededBy }
        let data = try! JSONSerialization.data(withJSONObject: object)
        return try! JSONDecoder().decode(Document.self, from: data)
    }

    static func decision(_ session: Int, _ serial: Int, _ title: String, status: DecisionStatus = .inForce) -> Decision
    {
        Decision(
            id: session * 100 + serial, body: body.code, kind: .decision, session: session, stage: .adopted,
            number: DecisionNumber(session: session, serial: serial), title: title, text: "The Conference\nDecides.",
            adoptedOn: day("2008-10-17"), status: status)
    }

    static func citation(_ session: Int, _ serial: Int) -> DecisionCitation {
        DecisionCitation(kind: .decision, number: DecisionNumber(session: session, serial: serial))
    }

    static let group = WorkingGroup(
        body: body.code, code: "WG.2", name: "Working Group of Government Experts on Technical Assistance",
        mandate: "To advise the Conference on technical assistance.", kind: .interim,
        establishedBy: DecisionCitation(kind: .decision, session: 2, serial: 6))

    static let meeting = Meeting(
        body: body.code, workingGroup: "WG.2", number: 1, start: day("2007-10-03"), end: day("2007-10-05"),
        venue: "Vienna, Austria", timeZone: "Europe/Vienna")

    static var front: FrontPageModel {
        FrontPageModel(
            body: body, sessions: sessions, workingGroups: [group], meetings: [meeting],
            upcoming: [
                CalendarEntry(
                    kind: .meeting, body: body.code, number: 1, workingGroup: "WG.2", workingGroupName: group.name,
                    venue: "Vienna, Austria", timeZone: "Europe/Vienna", start: day("2007-10-03"),
                    end: day("2007-10-05"), status: "scheduled", stamp: "20070101T000000Z")
            ],
            decisions: [decision(4, 7, "Amending the rules")])
    }
}
