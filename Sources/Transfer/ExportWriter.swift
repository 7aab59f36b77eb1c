import Decisions
import Documents
import Foundation
import PlenaryCore

/// Writes an export document deterministically: sections in load order, records in the order of their natural keys,
/// keys of every record sorted, one record per line. Equal databases give equal bytes, and a diff of two exports
/// shows changed records line by line.
public enum ExportWriter {
    /// The document with every section in natural-key order (see ``ExportDocument/normalized()``), as bytes.
    public static func write(_ document: ExportDocument) throws -> Data {
        let document = document.normalized()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var out = Data()
        out.append(contentsOf: Array("{\n\"format\": \"\(ExportDocument.formatName)\",\n".utf8))
        out.append(contentsOf: Array("\"version\": \(document.version)".utf8))
        func section<T: Encodable>(_ key: ExportDocument.CodingKeys, _ records: [T]) throws {
            out.append(contentsOf: Array(",\n\"\(key.rawValue)\": [".utf8))
            for (position, record) in records.enumerated() {
                out.append(contentsOf: Array((position == 0 ? "\n" : ",\n").utf8))
                out.append(try encoder.encode(record))
            }
            out.append(contentsOf: Array((records.isEmpty ? "]" : "\n]").utf8))
        }
        try section(.bodies, document.bodies)
        try section(.deadlineRules, document.deadlineRules)
        try section(.sessions, document.sessions)
        try section(.agendas, document.agendas)
        try section(.workingGroups, document.workingGroups)
        try section(.meetings, document.meetings)
        try section(.documents, document.documents)
        try section(.decisions, document.decisions)
        try section(.drafts, document.drafts)
        try section(.instruments, document.instruments)
        try section(.treatyActions, document.treatyActions)
        out.append(contentsOf: Array("\n}\n".utf8))
        return out
    }
}

extension ExportDocument {
    /// The same records in natural-key order: bodies by code; sessions by body, number and part; agenda items in
    /// agenda order; meetings by group and number; documents in the registry's natural symbol order (a document
    /// before its revisions); decisions by kind and number, their links by relation and target. Drafts, which have
    /// no number, keep their relative order within a session.
    public func normalized() -> ExportDocument {
        var copy = self
        copy.bodies.sort { $0.code < $1.code }
        copy.deadlineRules.sort { $0.body < $1.body }
        copy.sessions.sort { ($0.body, $0.number, $0.part) < ($1.body, $1.number, $1.part) }
        copy.agendas = agendas.map { agenda in
            var agenda = agenda
            agenda.items.sort { ($0.item, $0.sub ?? "") < ($1.item, $1.sub ?? "") }
            return agenda
        }.sorted { ($0.body, $0.session, $0.part) < ($1.body, $1.session, $1.part) }
        copy.workingGroups.sort { ($0.body, $0.code) < ($1.body, $1.code) }
        copy.meetings.sort { ($0.body, $0.wg, $0.number) < ($1.body, $1.wg, $1.number) }
        copy.documents = documents.map { ($0.normalizedLanguages, Self.sortKey(symbol: $0.symbol)) }.sorted {
            $0.1 < $1.1
        }.map(\.0)
        copy.decisions = decisions.map { decision in
            var decision = decision
            decision.links.sort { ($0.relation, $0.target) < ($1.relation, $1.target) }
            return decision
        }.sorted { Self.decisionKey($0) < Self.decisionKey($1) }
        copy.drafts = drafts.enumerated().sorted { left, right in
            let (a, b) = (left.element, right.element)
            return (a.body, a.session, a.part, a.kind, left.offset) < (b.body, b.session, b.part, b.kind, right.offset)
        }.map(\.element)
        (copy.instruments, copy.treatyActions) = normalizedTreaties()
        return copy
    }

    /// The registry's natural order of a symbol (`…/2008/2` before `…/2008/10`), ignoring a reissue mark.
    static func sortKey(symbol: String) -> String {
        let unmarked = symbol.hasSuffix("*") ? String(symbol.dropLast()) : symbol
        guard case .success(let parsed) = DocumentSymbol.parse(unmarked) else { return unmarked }
        return DocumentRules.sortKey(parsed)
    }

    /// Body, kind, then session, serial and letter as numbers.
    static func decisionKey(_ decision: DecisionRecord) -> DecisionKey {
        let number = DecisionNumber(parsing: decision.number)
        return DecisionKey(
            body: decision.body, kind: decision.kind, session: number?.session ?? 0, serial: number?.serial ?? 0,
            letter: number?.storedLetter ?? decision.number)
    }

    struct DecisionKey: Comparable {
        var body: String
        var kind: String
        var session: Int
        var serial: Int
        var letter: String

        static func < (lhs: DecisionKey, rhs: DecisionKey) -> Bool {
            (lhs.body, lhs.kind, lhs.session, lhs.serial, lhs.letter)
                < (rhs.body, rhs.kind, rhs.session, rhs.serial, rhs.letter)
        }
    }
}
