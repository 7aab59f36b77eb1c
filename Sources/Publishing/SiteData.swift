import Decisions
import Documents
import PlenaryCore
import Sessions
import WorkingGroups

/// A JSON value written deterministically: object keys sorted, two-space indentation, one line per value, no
/// floating point. The machine-readable files beside the pages are made of these, so they are byte-stable too.
indirect enum JSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    /// A string, or null.
    static func text(_ value: String?) -> JSON { value.map(JSON.string) ?? .null }

    /// The value's text, ending in a line break.
    func rendered() -> String {
        var out = ""
        write(into: &out, indent: 0)
        return out + "\n"
    }

    private func write(into out: inout String, indent: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .string(let value): Self.quote(value, into: &out)
        case .array(let values):
            guard !values.isEmpty else {
                out += "[]"
                return
            }
            out += "[\n"
            for (index, value) in values.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                value.write(into: &out, indent: indent + 2)
                out += index + 1 < values.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "]"
        case .object(let members):
            let present = members.filter { $0.value != .null }.sorted { $0.key < $1.key }
            guard !present.isEmpty else {
                out += "{}"
                return
            }
            out += "{\n"
            for (index, member) in present.enumerated() {
                out += String(repeating: " ", count: indent + 2)
                Self.quote(member.key, into: &out)
                out += ": "
                member.value.write(into: &out, indent: indent + 2)
                out += index + 1 < present.count ? ",\n" : "\n"
            }
            out += String(repeating: " ", count: indent) + "}"
        }
    }

    private static func quote(_ value: String, into out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}

extension SiteRenderer {
    /// A body's machine-readable data: the body, its sessions, working groups, meetings, decisions and upcoming
    /// events, each with the address of its page (relative to the file). Documents are in each session's file.
    public func data(_ model: FrontPageModel) -> SiteFile {
        let body = model.body
        let path = SitePaths.data(body.code)
        let link = { (target: String) in SitePaths.relative(from: path, to: target) }
        let numbers = Set(model.sessions.map(\.number))
        let value = JSON.object([
            "format": .string("plenary-site"),
            "version": .int(1),
            "body": .object([
                "code": .string(body.code), "name": .string(body.name), "treaty": .text(body.treaty),
                "timezone": .string(body.timeZone),
            ]),
            "instruments": .array(
                model.instruments.map { instrument in
                    JSON.object([
                        "name": .string(instrument.name), "adopted_by": .text(instrument.adoptedBy),
                        "adopted": .text(instrument.adoptedOn?.description),
                        "entry_into_force": .text(instrument.entryIntoForce?.description),
                        "entry_into_force_basis": .text(instrument.forceBasis?.rawValue),
                        "parties": instrument.parties.map(JSON.int) ?? .null,
                        "texts": .object(
                            instrument.texts.reduce(into: [:]) { $0[$1.key.rawValue] = .string($1.value) }),
                    ])
                }),
            "sessions": .array(
                numbers.sorted(by: >).map { number in
                    let parts = model.sessions.filter { $0.number == number }.sorted { $0.part < $1.part }
                    return .object([
                        "number": .int(number), "kind": .string(parts[0].kind.rawValue), "title": .text(parts[0].title),
                        "page": .string(link(SitePaths.session(body.code, number))),
                        "data": .string(link(SitePaths.sessionData(body.code, number))),
                        "parts": .array(parts.map(Self.json)),
                    ])
                }),
            "working_groups": .array(
                model.workingGroups.map { group in
                    JSON.object([
                        "code": .string(group.code), "name": .string(group.name), "kind": .string(group.kind.rawValue),
                        "status": .string(group.status.rawValue), "mandate": .text(group.mandate),
                        "established_by": .text(group.establishedBy?.description),
                        "page": .string(link(SitePaths.workingGroup(body.code, group.code))),
                        "meetings": .array(
                            model.meetings.filter { $0.workingGroup == group.code }.sorted { $0.number < $1.number }
                                .map(Self.json)),
                    ])
                }),
            "decisions": .array(
                model.decisions.compactMap { decision in
                    guard let citation = decision.citation else { return nil }
                    return Self.json(decision, page: link(SitePaths.decision(body.code, citation)))
                }),
            "upcoming": .array(
                model.upcoming.map { entry in
                    JSON.object([
                        "kind": .string(entry.kind.rawValue), "number": .int(entry.number), "part": .int(entry.part),
                        "working_group": .text(entry.workingGroup), "title": .text(entry.title),
                        "venue": .string(entry.venue), "start": .string(entry.start.description),
                        "end": .string(entry.end.description), "status": .string(entry.status),
                    ])
                }),
        ])
        return SiteFile(path: path, bytes: Array(value.rendered().utf8))
    }

    /// A session's machine-readable data: its parts, documents (with their six language versions) and decisions.
    public func sessionData(_ model: SessionPageModel) -> SiteFile {
        let body = model.body
        let number = model.parts[0].number
        let path = SitePaths.sessionData(body.code, number)
        let link = { (target: String) in SitePaths.relative(from: path, to: target) }
        let value = JSON.object([
            "format": .string("plenary-site"),
            "version": .int(1),
            "body": .string(body.code),
            "number": .int(number),
            "page": .string(link(SitePaths.session(body.code, number))),
            "parts": .array(model.parts.map(Self.json)),
            "agenda": model.agenda.map { agenda -> JSON in
                JSON.object([
                    "adopted": .text(agenda.adoptedOn?.description),
                    "items": .array(
                        agenda.items.map {
                            .object(["item": .string($0.number.description), "title": .string($0.title)])
                        }),
                ])
            } ?? .null,
            "documents": .array(
                model.documents.map { document in
                    JSON.object([
                        "symbol": .string(document.symbol.description), "title": .string(document.title),
                        "page": .string(link(SitePaths.document(body.code, document.symbol))),
                        "distribution": .string(document.distribution.rawValue),
                        "agenda_items": .array(document.agendaItems.map(JSON.string)),
                        "issued": .text(document.issuedOn?.description),
                        "parent": .text(document.parent?.description),
                        "relation": .text(document.relation?.rawValue),
                        "current_text": .text(document.supersededBy?.description),
                        "languages": .array(
                            document.versions.map { version in
                                JSON.object([
                                    "language": .string(version.language.rawValue), "required": .bool(version.required),
                                    "status": .string(version.status.rawValue),
                                    "issued": .text(version.issuedOn?.description), "file": .text(version.file),
                                ])
                            }),
                    ])
                }),
            "decisions": .array(
                model.decisions.compactMap { decision in
                    guard let citation = decision.citation else { return nil }
                    return Self.json(decision, page: link(SitePaths.decision(body.code, citation)))
                }),
        ])
        return SiteFile(path: path, bytes: Array(value.rendered().utf8))
    }

    static func json(_ session: Session) -> JSON {
        JSON.object([
            "part": .int(session.part), "venue": .string(session.venue), "start": .string(session.start.description),
            "end": .string(session.end.description), "status": .string(session.status.rawValue),
            "format": .string(session.format.rawValue), "timezone": .string(session.timeZone),
        ])
    }

    static func json(_ meeting: Meeting) -> JSON {
        JSON.object([
            "number": .int(meeting.number), "venue": .string(meeting.venue),
            "start": .string(meeting.start.description),
            "end": .string(meeting.end.description), "status": .string(meeting.status.rawValue),
            "with_session": meeting.withSession.map(JSON.int) ?? .null,
        ])
    }

    static func json(_ decision: Decision, page: String) -> JSON {
        JSON.object([
            "kind": .string(decision.kind.rawValue), "number": .text(decision.number?.description),
            "session": .int(decision.session), "title": .string(decision.title),
            "status": .string(decision.status.rawValue), "adopted": .text(decision.adoptedOn?.description),
            "ends": .text(decision.endsOn?.description), "page": .string(page),
        ])
    }
}
