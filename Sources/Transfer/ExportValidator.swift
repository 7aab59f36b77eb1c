import Decisions
import Documents
import Foundation
import PlenaryCore
import Sessions
import WorkingGroups

/// Checks every value of an export document with the rules the services apply to the same fields (the domain's
/// own parsers and validators: CalendarDate, DocumentSymbol, DecisionNumber, FieldRules …), and that no natural key
/// appears twice. Stops at the first fault, in load order, naming its path. What needs the database (overlaps,
/// numbering order, the agreement of a symbol's year with its session) is left to its constraints and triggers,
/// which the importer maps back to the record.
public enum ExportValidator {
    /// Throws the first fault of `document`.
    public static func validate(_ document: ExportDocument) throws(TransferError) {
        let top = RecordPath()
        var keys = Set<String>()
        func unique(_ key: String, _ path: RecordPath, _ record: String) throws(TransferError) {
            guard keys.insert(key).inserted else {
                throw TransferError(path: path, reason: "repeats a record earlier in the file", record: record)
            }
        }
        for (index, body) in document.bodies.enumerated() {
            let check = Check(path: top.key("bodies").index(index), record: "body \(body.code)")
            try check.rule(["code": "code", "name": "name", "treaty": "treaty", "timezone": "timezone"]) {
                () throws(DomainError) in
                try Body(code: body.code, name: body.name, treaty: body.treaty, timeZone: body.timezone).validate()
            }
            try unique("body \(body.code)", check.path, check.record)
        }
        for (index, rule) in document.deadlineRules.enumerated() {
            let check = Check(path: top.key("deadline_rules").index(index), record: "deadline rule of \(rule.body)")
            try check.bodyCode(rule.body)
            for (key, value) in [
                ("pre_session_days", rule.preSessionDays), ("agenda_regular_days", rule.agendaRegularDays),
                ("agenda_special_days", rule.agendaSpecialDays),
            ] where !(0...365).contains(value) {
                throw check.fault(key, "must be 0 to 365 days, got \(value)")
            }
            try unique("deadline \(rule.body)", check.path, check.record)
        }
        for (index, session) in document.sessions.enumerated() {
            try validate(session, Check(path: top.key("sessions").index(index), record: session.label))
            try unique(session.label, top.key("sessions").index(index), session.label)
        }
        for (index, agenda) in document.agendas.enumerated() {
            let check = Check(path: top.key("agendas").index(index), record: "agenda of \(agenda.sessionLabel)")
            try validate(agenda, check)
            try unique(check.record, check.path, check.record)
        }
        for (index, group) in document.workingGroups.enumerated() {
            let check = Check(path: top.key("working_groups").index(index), record: "\(group.body)/\(group.code)")
            try validate(group, check)
            try unique("wg \(check.record)", check.path, check.record)
        }
        for (index, meeting) in document.meetings.enumerated() {
            let check = Check(path: top.key("meetings").index(index), record: meeting.label)
            try validate(meeting, check)
            try unique(meeting.label, check.path, check.record)
        }
        // The versions of each document of the file, by symbol without its reissue mark: a partial corrigendum
        // is checked against the document it corrects when that document is in the file too, wherever it stands
        // (one already in the database is checked by the database at commit).
        var versions: [String: [LanguageRecord]] = [:]
        for (index, document) in document.documents.enumerated() {
            let check = Check(path: top.key("documents").index(index), record: "document \(document.symbol)")
            try validate(document, check)
            try unique("document \(document.key)", check.path, check.record)
            versions[document.key] = document.languages
        }
        for (index, document) in document.documents.enumerated()
        where document.relation == DocumentRelation.corrigendum.rawValue {
            guard let parent = document.parent, let corrected = versions[DocumentRecord.key(of: parent)] else {
                continue
            }
            let check = Check(path: top.key("documents").index(index), record: "document \(document.symbol)")
            try validateCorrigendum(document, correcting: parent, corrected, check)
        }
        for (index, decision) in document.decisions.enumerated() {
            let check = Check(path: top.key("decisions").index(index), record: decision.label)
            try validate(decision, check)
            let number = DecisionNumber(parsing: decision.number)
            try unique("\(decision.body) \(decision.kind) \(number?.description ?? "")", check.path, check.record)
            if let number, number.letter != nil {
                try unique(
                    "\(decision.body) \(decision.kind) lettered \(number.session)/\(number.serial)", check.path,
                    check.record, whole: "\(decision.body) \(decision.kind) \(number.session)/\(number.serial)")
            }
        }
        for (index, draft) in document.drafts.enumerated() {
            let check = Check(
                path: top.key("drafts").index(index),
                record: "draft \(draft.kind) of session \(draft.session) of \(draft.body)")
            try validate(draft, check)
        }
        try validateTreaties(document)

        /// A lettered part may not stand beside its whole number.
        func unique(_ key: String, _ path: RecordPath, _ record: String, whole: String) throws(TransferError) {
            keys.insert(key)
            if keys.contains(whole) {
                throw TransferError(
                    path: path.key("number"),
                    reason: "a number stands alone or has lettered parts, never both; the file has both",
                    record: record)
            }
        }
    }

    static func validate(_ session: SessionRecord, _ check: Check) throws(TransferError) {
        try check.bodyCode(session.body)
        try check.range(session.number, 1...9999, "number")
        try check.range(session.part, 1...99, "part")
        guard let kind = SessionKind(rawValue: session.kind) else {
            throw check.fault("kind", check.choices(SessionKind.allCases.map(\.rawValue), session.kind))
        }
        if (kind == .resumed) != (session.part > 1) {
            throw check.fault("kind", "a later part (part > 1) is kind resumed, and only a later part is")
        }
        guard SessionFormat(rawValue: session.format) != nil else {
            throw check.fault("format", check.choices(SessionFormat.allCases.map(\.rawValue), session.format))
        }
        guard SessionStatus(rawValue: session.status) != nil else {
            throw check.fault("status", check.choices(SessionStatus.allCases.map(\.rawValue), session.status))
        }
        let start = try check.date(session.start, "start")
        let end = try check.date(session.end, "end")
        try check.rule(["title": "title", "venue": "venue", "timezone": "timezone", "end": "end"]) {
            () throws(DomainError) in
            try FieldRules.optionalText(session.title, field: "title", limit: 500)
            try FieldRules.text(session.venue, field: "venue", limit: 200)
            try FieldRules.timeZone(session.timezone)
            try FieldRules.dates(start: start, end: end)
            try FieldRules.optionalText(session.reason, field: "reason", limit: 1000)
        }
        try check.range(session.revision, 0...Int(Int32.max), "revision")
    }

    static func validate(_ agenda: AgendaRecord, _ check: Check) throws(TransferError) {
        try check.bodyCode(agenda.body)
        try check.range(agenda.session, 1...9999, "session")
        try check.range(agenda.part, 1...99, "part")
        _ = try agenda.adopted.map { value throws(TransferError) in try check.date(value, "adopted") }
        if agenda.adopted != nil, agenda.items.isEmpty {
            throw check.fault("items", "an adopted agenda has items")
        }
        var seen = Set<String>()
        for (index, item) in agenda.items.enumerated() {
            let itemCheck = Check(path: check.path.key("items").index(index), record: check.record)
            try itemCheck.range(item.item, 1...999, "item")
            if let sub = item.sub {
                guard sub.wholeMatch(of: /[a-z]{1,2}/) != nil else {
                    throw itemCheck.fault("sub", "must be one or two lower-case letters such as a, got \(sub)")
                }
                if !seen.contains("\(item.item)") {
                    throw itemCheck.fault("sub", "sub-item \(item.item) (\(sub)) needs item \(item.item) before it")
                }
            }
            guard seen.insert("\(item.item)" + (item.sub.map { " (\($0))" } ?? "")).inserted else {
                throw TransferError(
                    path: itemCheck.path, reason: "repeats an item of this agenda", record: check.record)
            }
            try itemCheck.rule(["title": "title"]) { () throws(DomainError) in
                try FieldRules.text(item.title, field: "title", limit: 1000)
            }
            if let at = item.amendedAt, at.wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z/) == nil {
                throw itemCheck.fault("amended_at", "must be a UTC time such as 2008-10-09T10:00:00.000000Z")
            }
        }
    }

    static func validate(_ group: WorkingGroupRecord, _ check: Check) throws(TransferError) {
        try check.bodyCode(group.body)
        if let rule = WorkingGroup.codeViolation(group.code) { throw check.fault("code", rule) }
        try check.rule(["name": "name", "mandate": "mandate"]) { () throws(DomainError) in
            try FieldRules.text(group.name, field: "name", limit: 500)
            try FieldRules.optionalText(group.mandate, field: "mandate", limit: 20_000)
        }
        guard WorkingGroupKind(rawValue: group.kind) != nil else {
            throw check.fault("kind", check.choices(WorkingGroupKind.allCases.map(\.rawValue), group.kind))
        }
        try check.reference(group.establishedBy, "established_by")
        try check.reference(group.dissolvedBy, "dissolved_by")
        let established = try group.establishedOn.map { value throws(TransferError) in
            try check.date(value, "established_on")
        }
        let dissolved = try group.dissolvedOn.map { value throws(TransferError) in
            try check.date(value, "dissolved_on")
        }
        if group.dissolvedBy != nil, dissolved == nil {
            throw check.fault("dissolved_on", "is required with dissolved_by")
        }
        if let established, let dissolved, dissolved < established {
            throw check.fault("dissolved_on", "must not be before established_on=\(established)")
        }
        var current = group.originalName
        for (index, rename) in group.renames.enumerated() {
            let renameCheck = Check(path: check.path.key("renames").index(index), record: check.record)
            if rename.from != current {
                throw renameCheck.fault("from", "must be the name before this rename, \"\(current)\"")
            }
            if rename.to == rename.from { throw renameCheck.fault("to", "must differ from the name before") }
            try renameCheck.rule(["name": "to"]) { () throws(DomainError) in
                try FieldRules.text(rename.to, field: "name", limit: 500)
            }
            try renameCheck.reference(rename.by, "by")
            if let on = rename.on {
                let day = try renameCheck.date(on, "on")
                if let established, day < established {
                    throw renameCheck.fault("on", "must not be before the group was established, \(established)")
                }
            }
            current = rename.to
        }
        if current != group.name {
            throw check.fault("name", "must be the name the last rename gave, \"\(current)\"")
        }
    }

    static func validate(_ meeting: MeetingRecord, _ check: Check) throws(TransferError) {
        try check.bodyCode(meeting.body)
        if let rule = WorkingGroup.codeViolation(meeting.wg) { throw check.fault("wg", rule) }
        try check.range(meeting.number, 1...9999, "number")
        if let session = meeting.withSession { try check.range(session, 1...9999, "with_session") }
        if let part = meeting.withSessionPart {
            try check.range(part, 2...99, "with_session_part")
            if meeting.withSession == nil { throw check.fault("with_session_part", "needs with_session") }
        }
        guard let status = MeetingStatus(rawValue: meeting.status), MeetingStatus.stored.contains(status) else {
            throw check.fault("status", check.choices(MeetingStatus.stored.map(\.rawValue), meeting.status))
        }
        let start = try check.date(meeting.start, "start")
        let end = try check.date(meeting.end, "end")
        try check.rule(["venue": "venue", "timezone": "timezone", "end": "end", "reason": "reason"]) {
            () throws(DomainError) in
            try FieldRules.text(meeting.venue, field: "venue", limit: 200)
            try FieldRules.timeZone(meeting.timezone)
            try FieldRules.dates(start: start, end: end)
            try FieldRules.optionalText(meeting.reason, field: "reason", limit: 1000)
        }
        try check.range(meeting.revision, 0...Int(Int32.max), "revision")
    }

    static func validate(_ document: DocumentRecord, _ check: Check) throws(TransferError) {
        let symbol = try check.symbol(document.key, "symbol")
        if symbol.description != document.key {
            throw check.fault("symbol", "must be written as the registry prints it, \(symbol)")
        }
        try check.bodyCode(document.body)
        guard symbol.isIssued(byBody: document.body), document.key.hasPrefix(document.body + "/") else {
            throw check.fault("symbol", "\(symbol) is not a symbol of \(document.body)")
        }
        switch (document.session, document.wg, document.meeting) {
        case (let session?, nil, nil):
            try check.range(session, 1...9999, "session")
            if let group = symbol.workingGroup {
                throw check.fault(
                    "session", "\(symbol) is a document of working group \(group); file it under wg= and meeting=")
            }
        case (nil, let group?, let meeting?):
            if let rule = WorkingGroup.codeViolation(group) { throw check.fault("wg", rule) }
            try check.range(meeting, 1...9999, "meeting")
            if symbol.workingGroup != group {
                throw check.fault(
                    "wg", "\(symbol) names \(symbol.workingGroup.map { "working group \($0)" } ?? "no working group")")
            }
        default:
            throw check.fault("session", "a document is filed under a session, or under wg and meeting, not both")
        }
        try check.rule(["title": "title", "agenda-item": "agenda_items"]) { () throws(DomainError) in
            try DocumentRules.title(document.title)
            try DocumentRules.agendaItems(document.agendaItems)
        }
        guard let distribution = DocumentSymbol.Distribution(rawValue: document.distribution) else {
            throw check.fault(
                "distribution",
                check.choices(DocumentSymbol.Distribution.allCases.map(\.rawValue), document.distribution))
        }
        try check.rule(["distribution": "distribution"]) { () throws(DomainError) in
            _ = try DocumentRules.distribution(of: symbol, given: distribution)
        }
        guard let original = Language(rawValue: document.originalLanguage) else {
            throw check.fault("original_language", Language.rule + ", got \(document.originalLanguage)")
        }
        _ = try document.issued.map { value throws(TransferError) in try check.date(value, "issued") }
        _ = try document.withdrawn.map { value throws(TransferError) in try check.date(value, "withdrawn") }
        if (document.withdrawn == nil) != (document.withdrawnReason == nil) {
            throw check.fault("withdrawn_reason", "is given with withdrawn, and only with it")
        }
        if let reason = document.withdrawnReason, reason.allSatisfy(\.isWhitespace) || reason.count > 1000 {
            throw check.fault("withdrawn_reason", "must be 1 to 1000 characters")
        }
        let relation = symbol.modifiers.last.flatMap(DocumentRelation.init)
        let parent = relation == nil ? nil : symbol.parent?.description
        if document.parent != parent {
            throw check.fault("parent", parent.map { "must be \($0), which \(symbol) modifies" } ?? "must be absent")
        }
        if document.relation != relation?.rawValue {
            throw check.fault(
                "relation", relation.map { "must be \($0.rawValue), as the symbol says" } ?? "must be absent")
        }
        var languages = Set<Language>()
        for (index, version) in document.languages.enumerated() {
            let versionCheck = Check(path: check.path.key("languages").index(index), record: check.record)
            guard let language = Language(rawValue: version.language) else {
                throw versionCheck.fault("language", Language.rule + ", got \(version.language)")
            }
            guard languages.insert(language).inserted else {
                throw versionCheck.fault("language", "\(language.rawValue) is given twice")
            }
            guard let status = VersionStatus(rawValue: version.status) else {
                throw versionCheck.fault(
                    "status", versionCheck.choices(VersionStatus.allCases.map(\.rawValue), version.status))
            }
            let date = try version.date.map { value throws(TransferError) in try versionCheck.date(value, "date") }
            if status == .issued, date == nil { throw versionCheck.fault("date", "is required with status issued") }
            try versionCheck.rule(["bytes": "bytes", "sha256": "sha256", "file": "file", "date": "date"]) {
                () throws(DomainError) in
                let update = try VersionUpdate(
                    language: language, status: status, date: date, file: version.file, sha256: version.sha256,
                    bytes: version.bytes
                ).validated()
                if update.sha256 != version.sha256 { throw .invalid("sha256", "must be in lower case") }
            }
            // A corrigendum may correct one language only (a French-only corrigendum): it, and what is derived
            // from it (its addenda, revisions), need not exist in the original language. Every other document does.
            let partial = symbol.modifiers.contains { DocumentRelation($0) == .corrigendum }
            if language == original, !version.required, !partial {
                throw versionCheck.fault("required", "the original language is always required")
            }
        }
        if !document.languages.contains(where: \.required) {
            throw check.fault("languages", "at least one language must be required")
        }
        if languages.count != Language.allCases.count {
            throw check.fault("languages", "must list the six languages ar, zh, en, fr, ru, es once each")
        }
    }

    /// A corrigendum that leaves out a language its document requires (a French-only corrigendum) corrects, in
    /// each language it covers, an issued text — the rule `doc correct … languages=` and Schema/0014 hold.
    static func validateCorrigendum(
        _ corrigendum: DocumentRecord, correcting parent: String, _ corrected: [LanguageRecord], _ check: Check
    ) throws(TransferError) {
        let covered = Set(corrigendum.languages.filter(\.required).map(\.language))
        guard corrected.contains(where: { $0.required && !covered.contains($0.language) }) else { return }
        let issued = Set(corrected.filter { $0.status == VersionStatus.issued.rawValue }.map(\.language))
        for language in Language.allCases.map(\.rawValue) where covered.contains(language) && !issued.contains(language)
        {
            throw check.fault(
                "languages", "the \(language) version of \(parent) is not issued; a corrigendum corrects an issued text"
            )
        }
    }

    static func validate(_ decision: DecisionRecord, _ check: Check) throws(TransferError) {
        try check.bodyCode(decision.body)
        guard DecisionKind(rawValue: decision.kind) != nil else {
            throw check.fault("kind", check.choices(DecisionKind.allCases.map(\.rawValue), decision.kind))
        }
        guard let number = DecisionNumber(parsing: decision.number), number.description == decision.number else {
            throw check.fault("number", DecisionNumber.rule + ", written as 4/4 or 49/221 B, got \(decision.number)")
        }
        try check.range(number.session, 1...9999, "number")
        try check.range(decision.part, 1...99, "part")
        try check.text(title: decision.title, text: decision.text, agendaItem: decision.agendaItem)
        try check.limited(decision.document, body: decision.body)
        let adopted = try check.date(decision.adopted, "adopted")
        if let ends = decision.ends, try check.date(ends, "ends") < adopted {
            throw check.fault("ends", "must not be before adopted=\(adopted)")
        }
        for (index, link) in decision.links.enumerated() {
            let linkCheck = Check(path: check.path.key("links").index(index), record: check.record)
            guard let relation = DecisionRelation(rawValue: link.relation) else {
                throw linkCheck.fault(
                    "relation", linkCheck.choices(DecisionRelation.allCases.map(\.rawValue), link.relation))
            }
            let given = [("decision", link.decision), ("wg", link.wg), ("document", link.document)].filter {
                $0.1 != nil
            }
            let wanted =
                switch relation.targetKind {
                case .decision: "decision"
                case .workingGroup: "wg"
                case .document: "document"
                }
            guard given.count == 1, given[0].0 == wanted else {
                throw linkCheck.fault(wanted, "\(relation.rawValue) takes exactly one target, a \(wanted)")
            }
            if let target = link.decision {
                guard let citation = DecisionCitation(parsing: target), citation.description == target else {
                    throw linkCheck.fault("decision", DecisionCitation.rule + ", got \(target)")
                }
                if citation.kind.rawValue == decision.kind, citation.number == number {
                    throw linkCheck.fault("decision", "a decision does not act on itself")
                }
            }
            if let code = link.wg, let rule = DecisionRules.workingGroupCodeViolation(code) {
                throw linkCheck.fault("wg", rule)
            }
            if let symbol = link.document, let rule = DecisionRules.symbolViolation(symbol) {
                throw linkCheck.fault("document", rule)
            }
            if decision.links[..<index].contains(link) {
                throw TransferError(
                    path: linkCheck.path, reason: "repeats a link of this decision", record: check.record)
            }
        }
    }

    static func validate(_ draft: DraftRecord, _ check: Check) throws(TransferError) {
        try check.bodyCode(draft.body)
        guard DecisionKind(rawValue: draft.kind) != nil else {
            throw check.fault("kind", check.choices(DecisionKind.allCases.map(\.rawValue), draft.kind))
        }
        try check.range(draft.session, 1...9999, "session")
        try check.range(draft.part, 1...99, "part")
        try check.text(title: draft.title, text: draft.text, agendaItem: draft.agendaItem)
        try check.limited(draft.document, body: draft.body)
        _ = try draft.ends.map { value throws(TransferError) in try check.date(value, "ends") }
        if draft.reason != nil, !draft.withdrawn { throw check.fault("reason", "is given only with withdrawn: true") }
        try check.rule(["reason": "reason"]) { () throws(DomainError) in try DecisionRules.reason(draft.reason) }
    }
}

/// The checks of one record: each fault names the record's path plus the field.
struct Check {
    let path: RecordPath
    let record: String

    func fault(_ field: String, _ reason: String, code: ReplyCode = .badArgument) -> TransferError {
        TransferError(path: path.key(field), reason: reason, record: record, code: code)
    }

    func choices(_ values: [String], _ given: String) -> String {
        "must be one of \(values.joined(separator: ", ")), got \(given)"
    }

    func range(_ value: Int, _ range: ClosedRange<Int>, _ field: String) throws(TransferError) {
        if !range.contains(value) {
            throw fault(field, "must be \(range.lowerBound) to \(range.upperBound), got \(value)")
        }
    }

    func date(_ value: String, _ field: String) throws(TransferError) -> CalendarDate {
        guard let date = CalendarDate(iso: value) else {
            throw fault(field, "must be a date YYYY-MM-DD, got \(value.debugDescription)")
        }
        return date
    }

    func bodyCode(_ code: String) throws(TransferError) {
        if let rule = Body.codeViolation(code) { throw fault("body", rule) }
    }

    func reference(_ value: String?, _ field: String) throws(TransferError) {
        guard let value else { return }
        guard let reference = DecisionCitation(parsing: value), reference.description == value else {
            throw fault(field, "must be a reference such as \"decision 4/4\", got \(value)")
        }
    }

    func symbol(_ value: String, _ field: String) throws(TransferError) -> DocumentSymbol {
        switch DocumentSymbol.parse(value) {
        case .success(let symbol): return symbol
        case .failure(let error): throw fault(field, error.rule)
        }
    }

    func text(title: String, text: String?, agendaItem: String?) throws(TransferError) {
        try rule(["title": "title", "text": "text", "agenda-item": "agenda_item"]) { () throws(DomainError) in
            try DecisionRules.title(title)
            try DecisionRules.text(text)
            if let agendaItem, try DecisionRules.agendaItem(agendaItem) != agendaItem {
                throw .invalid("agenda-item", "must be written as 4 or 4 (a), got \(agendaItem)")
            }
        }
    }

    func limited(_ document: String?, body: String) throws(TransferError) {
        try rule(["document": "document"]) { () throws(DomainError) in
            try DecisionRules.document(document)
            try DecisionRules.document(document, of: body)
        }
    }

    /// Runs a service's own validator and reports its fault under this record's path; `fields` maps the
    /// command's key to the file's.
    func rule(_ fields: [String: String], _ body: () throws(DomainError) -> Void) throws(TransferError) {
        do {
            try body()
        } catch {
            let (key, reason) = error.field.map { ($0, error.rule) } ?? Self.split(error.rule)
            throw TransferError(
                path: key.map { path.key(fields[$0] ?? $0) } ?? path, reason: reason, record: record,
                code: PlenaryError(error).code)
        }
    }

    /// `title: must not be blank` → (`title`, `must not be blank`).
    static func split(_ message: String) -> (String?, String) {
        guard let colon = message.range(of: ": ") else { return (nil, message) }
        let key = String(message[..<colon.lowerBound])
        guard key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else { return (nil, message) }
        return (key, String(message[colon.upperBound...]))
    }
}

extension SessionRecord {
    /// `session 4 of CTOC/COP`, `session 4 (part 2) of CTOC/COP`.
    public var label: String { "session \(number)\(part > 1 ? " (part \(part))" : "") of \(body)" }
}

extension AgendaRecord {
    /// The session the agenda belongs to, as messages name it.
    public var sessionLabel: String { "session \(session)\(part > 1 ? " (part \(part))" : "") of \(body)" }
}

extension MeetingRecord {
    /// `meeting 1 of CTOC/COP/WG.2`.
    public var label: String { "meeting \(number) of \(body)/\(wg)" }
}

extension DocumentRecord {
    /// The symbol without the reissue mark: the registry's key.
    public var key: String { Self.key(of: symbol) }
    /// `symbol` (this record's or its parent's) without the reissue mark.
    public static func key(of symbol: String) -> String {
        symbol.hasSuffix("*") ? String(symbol.dropLast()) : symbol
    }
    /// Whether the symbol carries the reissue mark.
    public var isReissued: Bool { symbol.hasSuffix("*") }
}

extension DecisionRecord {
    /// `decision 4/4 of CTOC/COP`.
    public var label: String { "\(kind) \(number) of \(body)" }
}
