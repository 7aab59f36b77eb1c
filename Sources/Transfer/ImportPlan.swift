import Decisions
import Documents
import Foundation
import PlenaryCore

/// A record of the file and its position in its section, so anything refused later is reported where it is.
public struct Placed<Record: Sendable & Hashable>: Sendable, Hashable {
    /// The position in the file's section, from 0.
    public var index: Int
    /// The record.
    public var record: Record
}

/// What an import will write: the file's records that the database does not hold yet, in the order they load
/// (parents before children, numbers in order). Records equal to one already in the database are skipped, which is
/// what makes running an import twice harmless; a record whose key is taken by a different one is refused.
public struct ImportPlan: Sendable {
    /// New bodies.
    public var bodies: [Placed<BodyRecord>] = []
    /// New deadline rules.
    public var deadlineRules: [Placed<DeadlineRuleRecord>] = []
    /// New sessions.
    public var sessions: [Placed<SessionRecord>] = []
    /// New agendas.
    public var agendas: [Placed<AgendaRecord>] = []
    /// New working groups.
    public var workingGroups: [Placed<WorkingGroupRecord>] = []
    /// New meetings.
    public var meetings: [Placed<MeetingRecord>] = []
    /// New documents.
    public var documents: [Placed<DocumentRecord>] = []
    /// New adopted decisions.
    public var decisions: [Placed<DecisionRecord>] = []
    /// New drafts.
    public var drafts: [Placed<DraftRecord>] = []
    /// New instruments, Conventions before their Protocols.
    public var instruments: [Placed<InstrumentRecord>] = []
    /// New treaty acts, in load order.
    public var treatyActions: [Placed<TreatyActionRecord>] = []
    /// How many records of the file the database already held, by section.
    public var skipped: [String: Int] = [:]

    /// How many records will be written, by section (nested records counted in their own sections).
    public var counts: [String: Int] {
        [
            "bodies": bodies.count, "deadline_rules": deadlineRules.count, "sessions": sessions.count,
            "agendas": agendas.count, "agenda_items": agendas.reduce(0) { $0 + $1.record.items.count },
            "working_groups": workingGroups.count,
            "renames": workingGroups.reduce(0) { $0 + $1.record.renames.count }, "meetings": meetings.count,
            "documents": documents.count, "language_versions": documents.reduce(0) { $0 + $1.record.languages.count },
            "decisions": decisions.count, "links": decisions.reduce(0) { $0 + $1.record.links.count },
            "drafts": drafts.count, "instruments": instruments.count, "treaty_actions": treatyActions.count,
        ]
    }

    /// Rows to write in all.
    public var total: Int { counts.values.reduce(0, +) }

    /// Compares the file with what the database holds (`existing`, an export of the database covering at least the
    /// bodies the file names) and plans the writes. Throws the first conflict (a key taken by a different record) or
    /// the first reference to something neither the file nor the database has, with its path.
    public static func make(file: ExportDocument, existing: ExportDocument) throws(TransferError) -> ImportPlan {
        var plan = ImportPlan()
        let top = RecordPath()
        let known = KnownKeys(file: file, existing: existing)

        plan.bodies = try merge(
            file.bodies, existing.bodies, path: top.key("bodies"), key: \.code, label: { "body \($0.code)" },
            skipped: &plan.skipped["bodies", default: 0])
        for (index, rule) in file.deadlineRules.enumerated() {
            try known.body(rule.body, top.key("deadline_rules").index(index), "deadline rule of \(rule.body)")
        }
        plan.deadlineRules = try merge(
            file.deadlineRules, existing.deadlineRules, path: top.key("deadline_rules"), key: \.body,
            label: { "deadline rule of \($0.body)" }, skipped: &plan.skipped["deadline_rules", default: 0])
        for (index, session) in file.sessions.enumerated() {
            try known.body(session.body, top.key("sessions").index(index), session.label)
        }
        plan.sessions = try merge(
            file.sessions, existing.sessions, path: top.key("sessions"), key: \.label, label: \.label,
            skipped: &plan.skipped["sessions", default: 0]
        ).sorted {
            ($0.record.body, $0.record.number, $0.record.part) < ($1.record.body, $1.record.number, $1.record.part)
        }
        for (index, agenda) in file.agendas.enumerated() {
            let path = top.key("agendas").index(index)
            if !known.sessions.contains("\(agenda.body) \(agenda.session) \(agenda.part)") {
                throw missing(path.key("session"), "\(agenda.body) has no \(agenda.sessionLabel)", "agenda")
            }
        }
        plan.agendas = try merge(
            file.agendas.map(\.normalizedItems), existing.agendas.map(\.normalizedItems), path: top.key("agendas"),
            key: \.sessionLabel, label: { "agenda of \($0.sessionLabel)" },
            skipped: &plan.skipped["agendas", default: 0])
        for (index, group) in file.workingGroups.enumerated() {
            try known.body(group.body, top.key("working_groups").index(index), "\(group.body)/\(group.code)")
        }
        plan.workingGroups = try merge(
            file.workingGroups, existing.workingGroups, path: top.key("working_groups"),
            key: { "\($0.body) \($0.code)" }, label: { "\($0.body)/\($0.code)" },
            skipped: &plan.skipped["working_groups", default: 0])
        for (index, meeting) in file.meetings.enumerated() {
            let path = top.key("meetings").index(index)
            if !known.groups.contains("\(meeting.body) \(meeting.wg)") {
                throw missing(path.key("wg"), "\(meeting.body) has no working group \(meeting.wg)", meeting.label)
            }
            if let session = meeting.withSession,
                !known.sessions.contains("\(meeting.body) \(session) \(meeting.withSessionPart ?? 1)")
            {
                throw missing(path.key("with_session"), "\(meeting.body) has no session \(session)", meeting.label)
            }
        }
        plan.meetings = try merge(
            file.meetings, existing.meetings, path: top.key("meetings"), key: \.label, label: \.label,
            skipped: &plan.skipped["meetings", default: 0]
        ).sorted { ($0.record.body, $0.record.wg, $0.record.number) < ($1.record.body, $1.record.wg, $1.record.number) }
        for (index, document) in file.documents.enumerated() {
            try known.check(document, top.key("documents").index(index))
        }
        plan.documents = try merge(
            file.documents.map(\.normalizedLanguages), existing.documents.map(\.normalizedLanguages),
            path: top.key("documents"), key: \.key, label: { "document \($0.symbol)" },
            skipped: &plan.skipped["documents", default: 0]
        ).map { ($0, ExportDocument.sortKey(symbol: $0.record.symbol)) }.sorted { $0.1 < $1.1 }.map(\.0)
        for (index, decision) in file.decisions.enumerated() {
            try known.check(decision, top.key("decisions").index(index))
        }
        plan.decisions = try merge(
            file.decisions.map(\.normalizedLinks), existing.decisions.map(\.normalizedLinks),
            path: top.key("decisions"), key: \.label, label: \.label, skipped: &plan.skipped["decisions", default: 0]
        ).sorted { ExportDocument.decisionKey($0.record) < ExportDocument.decisionKey($1.record) }
        for (index, draft) in file.drafts.enumerated() {
            if !known.sessions.contains("\(draft.body) \(draft.session) \(draft.part)") {
                throw missing(
                    top.key("drafts").index(index).key("session"),
                    "\(draft.body) has no session \(draft.session)\(draft.part > 1 ? " (part \(draft.part))" : "")",
                    "draft")
            }
        }
        // Drafts have no number: one the database holds as many times as the file does is already there.
        var held: [DraftRecord: Int] = [:]
        for draft in existing.drafts { held[draft, default: 0] += 1 }
        for (index, draft) in file.drafts.enumerated() {
            if let count = held[draft], count > 0 {
                held[draft] = count - 1
                plan.skipped["drafts", default: 0] += 1
            } else {
                plan.drafts.append(Placed(index: index, record: draft))
            }
        }
        try planTreaties(file: file, existing: existing, known: known, into: &plan)
        return plan
    }

    /// The file's records whose key the database does not hold; equal ones are counted as skipped, different ones
    /// refused naming the first field that differs.
    static func merge<Record: Codable & Sendable & Hashable>(
        _ records: [Record], _ existing: [Record], path: RecordPath, key: (Record) -> String,
        label: (Record) -> String, skipped: inout Int
    ) throws(TransferError) -> [Placed<Record>] {
        var held: [String: Record] = [:]
        for record in existing { held[key(record)] = record }
        var new: [Placed<Record>] = []
        for (index, record) in records.enumerated() {
            guard let current = held[key(record)] else {
                new.append(Placed(index: index, record: record))
                continue
            }
            if current == record {
                skipped += 1
                continue
            }
            let (field, reason) = difference(record, current)
            throw TransferError(
                path: field.map { path.index(index).key($0) } ?? path.index(index),
                reason: "the database already holds \(label(record)) with other values: \(reason)",
                record: label(record),
                code: .conflict)
        }
        return new
    }

    /// The first field (in key order) where two records differ, and both values.
    static func difference<Record: Encodable>(_ file: Record, _ database: Record) -> (String?, String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let left = try? JSONSerialization.jsonObject(with: encoder.encode(file)) as? [String: Any],
            let right = try? JSONSerialization.jsonObject(with: encoder.encode(database)) as? [String: Any]
        else { return (nil, "the records differ") }
        func render(_ value: Any?) -> String {
            guard let value else { return "nothing" }
            guard
                let data = try? JSONSerialization.data(
                    withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes]),
                let text = String(data: data, encoding: .utf8)
            else { return "\(value)" }
            return text.count > 80 ? String(text.prefix(77)) + "..." : text
        }
        for field in Set(left.keys).union(right.keys).sorted() {
            let a = left[field].map { render($0) }
            let b = right[field].map { render($0) }
            if a != b { return (field, "the file has \(a ?? "nothing"), the database \(b ?? "nothing")") }
        }
        return (nil, "the records differ")
    }

    static func missing(_ path: RecordPath, _ reason: String, _ record: String) -> TransferError {
        TransferError(
            path: path, reason: reason + " (neither in the file nor in the database)", record: record,
            code: .notFound)
    }
}

/// The natural keys the file and the database hold together, for references.
struct KnownKeys {
    var bodies = Set<String>()
    /// `CTOC/COP 4 1`: body, number, part.
    var sessions = Set<String>()
    /// `CTOC/COP WG.2`.
    var groups = Set<String>()
    /// `CTOC/COP WG.2 1`.
    var meetings = Set<String>()
    var documents = Set<String>()
    /// `CTOC/COP decision 4/4`.
    var decisions = Set<String>()

    init(file: ExportDocument, existing: ExportDocument) {
        for document in [file, existing] {
            bodies.formUnion(document.bodies.map(\.code))
            sessions.formUnion(document.sessions.map { "\($0.body) \($0.number) \($0.part)" })
            groups.formUnion(document.workingGroups.map { "\($0.body) \($0.code)" })
            meetings.formUnion(document.meetings.map { "\($0.body) \($0.wg) \($0.number)" })
            documents.formUnion(document.documents.map(\.key))
            decisions.formUnion(
                document.decisions.map {
                    "\($0.body) \($0.kind) \(DecisionNumber(parsing: $0.number)?.description ?? "")"
                })
        }
    }

    func body(_ code: String, _ path: RecordPath, _ record: String) throws(TransferError) {
        if !bodies.contains(code) { throw ImportPlan.missing(path.key("body"), "no body \(code)", record) }
    }

    func check(_ document: DocumentRecord, _ path: RecordPath) throws(TransferError) {
        let record = "document \(document.symbol)"
        try body(document.body, path, record)
        if let session = document.session, !sessions.contains("\(document.body) \(session) 1") {
            throw ImportPlan.missing(path.key("session"), "\(document.body) has no session \(session)", record)
        }
        if let group = document.wg, let meeting = document.meeting,
            !meetings.contains("\(document.body) \(group) \(meeting)")
        {
            throw ImportPlan.missing(
                path.key("meeting"), "\(group) of \(document.body) has no meeting \(meeting)", record)
        }
        if let parent = document.parent, !documents.contains(parent) {
            throw ImportPlan.missing(path.key("parent"), "\(parent) is not registered", record)
        }
    }

    func check(_ decision: DecisionRecord, _ path: RecordPath) throws(TransferError) {
        try body(decision.body, path, decision.label)
        let session = DecisionNumber(parsing: decision.number)?.session ?? 0
        if !sessions.contains("\(decision.body) \(session) \(decision.part)") {
            throw ImportPlan.missing(
                path.key("part"),
                "\(decision.body) has no session \(session)"
                    + (decision.part > 1 ? " (part \(decision.part))" : ""), decision.label)
        }
        for (index, link) in decision.links.enumerated() {
            if let target = link.decision, let citation = DecisionCitation(parsing: target),
                !decisions.contains("\(decision.body) \(citation.kind.rawValue) \(citation.number)")
            {
                throw ImportPlan.missing(
                    path.key("links").index(index).key("decision"), "\(decision.body) has no adopted \(target)",
                    decision.label)
            }
            if let group = link.wg, !groups.contains("\(decision.body) \(group)") {
                throw ImportPlan.missing(
                    path.key("links").index(index).key("wg"), "\(decision.body) has no working group \(group)",
                    decision.label)
            }
        }
    }
}

extension AgendaRecord {
    /// The agenda with its items in agenda order, as the database returns them.
    var normalizedItems: AgendaRecord {
        var copy = self
        copy.items.sort { ($0.item, $0.sub ?? "") < ($1.item, $1.sub ?? "") }
        return copy
    }
}

extension DocumentRecord {
    /// The record with its versions in UN order, as the database returns them.
    public var normalizedLanguages: DocumentRecord {
        var copy = self
        let order = Language.allCases.map(\.rawValue)
        copy.languages.sort { (order.firstIndex(of: $0.language) ?? 9) < (order.firstIndex(of: $1.language) ?? 9) }
        return copy
    }
}

extension DecisionRecord {
    /// The record with its links in the export's order.
    var normalizedLinks: DecisionRecord {
        var copy = self
        copy.links.sort { ($0.relation, $0.target) < ($1.relation, $1.target) }
        return copy
    }
}
