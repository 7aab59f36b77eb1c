import Foundation
import PlenaryCore

/// The rules of the registry that need no database, each naming the key at fault. The database holds the same
/// rules (Schema/0008_documents.sql); these give the contract's message before anything is sent.
public enum DocumentRules {
    /// The longest title.
    public static let titleLimit = 1000

    /// A title: not blank, at most 1000 characters.
    public static func title(_ title: String) throws(DomainError) {
        if title.allSatisfy(\.isWhitespace) { throw .invalid("title", "must not be blank") }
        if title.count > titleLimit { throw .invalid("title", "must be at most \(titleLimit) characters") }
    }

    /// Agenda items such as `4` or `4 (a)`.
    public static func agendaItems(_ items: [String]) throws(DomainError) {
        for item in items
        where item.range(of: #"^[1-9][0-9]{0,2}( ?\([a-z]{1,2}\))?$"#, options: .regularExpression) == nil {
            throw .invalid("agenda-item", "must be agenda items such as 4 or 4 (a), got \(item)")
        }
    }

    /// The distribution the document has: what the symbol says where it says it, else what was given, else general.
    /// 551 when the given class contradicts the symbol.
    public static func distribution(
        of symbol: DocumentSymbol, given: DocumentSymbol.Distribution?
    ) throws(DomainError) -> DocumentSymbol.Distribution {
        guard let said = symbol.distribution else { return given ?? .general }
        if let given, given != said {
            throw .conflict("distribution: \(symbol) is a \(said.rawValue)-distribution document by its symbol")
        }
        return said
    }

    /// The symbol without the reissue mark, as the registry keys documents.
    public static func unmarked(_ symbol: DocumentSymbol) -> DocumentSymbol {
        guard symbol.isReissue else { return symbol }
        // The components of a parsed symbol always read back as themselves.
        return
            (try? DocumentSymbol(
                components: symbol.components, part: symbol.part, parenthetical: symbol.parenthetical)) ?? symbol
    }

    /// The period of a symbol's namespace: its year or session number, or "" when it names neither.
    public static func period(of symbol: DocumentSymbol) -> String {
        if let year = symbol.year { return String(year) }
        if let session = symbol.session { return String(session) }
        if let session = symbol.specialSession { return session.description }
        return ""
    }

    /// A key that sorts symbols naturally (`2008/2` before `2008/10`, a document before its modifiers): numbers
    /// padded to six digits, the symbol's own text last so two symbols never share a key.
    public static func sortKey(_ symbol: DocumentSymbol) -> String {
        func padded(_ number: Int) -> String {
            let digits = String(number)
            return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
        }
        let parts = symbol.components.map { component -> String in
            switch component {
            case .year(let number), .session(let number), .serial(let number): padded(number)
            case .special(let special): special.kind.rawValue + (special.number.map { "." + padded($0) } ?? "")
            case .modifier(let modifier):
                modifier.kind.rawValue + (modifier.number.map { "." + padded($0) } ?? "")
            default: component.description
            }
        }
        return parts.joined(separator: "/") + (symbol.part.map { " \($0)" } ?? "")
            + (symbol.parenthetical.map { " (\($0))" } ?? "")
    }

    /// The meeting a document is filed under, as the agreement rule needs it.
    public struct Filing: Sendable, Hashable {
        /// `session 4 of CTOC/COP`, `meeting 2 of WG.4 of CTOC/COP`.
        public var label: String
        /// The body's code.
        public var body: String
        /// The session's number, for a session.
        public var session: Int?
        /// The working group's code, for a meeting.
        public var workingGroup: String?
        /// The calendar years the session (all its parts) or meeting spans.
        public var years: ClosedRange<Int>

        /// Creates a filing.
        public init(label: String, body: String, session: Int?, workingGroup: String?, years: ClosedRange<Int>) {
            self.label = label
            self.body = body
            self.session = session
            self.workingGroup = workingGroup
            self.years = years
        }
    }

    /// The agreement rule: the symbol's body, working group and year (or session) must be those of the session or
    /// meeting it is filed under. 551 naming `symbol` otherwise, in the words of the database's trigger.
    public static func agree(_ symbol: DocumentSymbol, with filing: Filing) throws(DomainError) {
        let printed = unmarked(symbol).description
        guard symbol.isIssued(byBody: filing.body), printed.hasPrefix(filing.body + "/") else {
            throw .conflict("symbol: \(printed) is not a symbol of \(filing.body)")
        }
        if let group = filing.workingGroup {
            if symbol.workingGroup != group {
                let names = symbol.workingGroup.map { "working group \($0)" } ?? "no working group"
                throw .conflict("symbol: \(printed) names \(names), but \(filing.label) is a meeting of \(group)")
            }
        } else if let group = symbol.workingGroup {
            throw .conflict(
                "symbol: \(printed) is a document of working group \(group); file it under wg=\(group) meeting=N, "
                    + "not \(filing.label)")
        }
        if let year = symbol.year, !filing.years.contains(year) {
            let held =
                filing.years.lowerBound == filing.years.upperBound
                ? "\(filing.years.lowerBound)" : "\(filing.years.lowerBound)-\(filing.years.upperBound)"
            throw .conflict("symbol: \(printed) carries the year \(year), but \(filing.label) is held in \(held)")
        }
        if let number = symbol.session, let session = filing.session, number != session {
            throw .conflict("symbol: \(printed) carries session \(number), but it is filed under \(filing.label)")
        }
    }
}

/// Keyset cursors: opaque to clients, the position after which the next page starts.
enum DocumentCursor {
    /// The cursor after the document with this sort key.
    static func encode(_ position: String) -> String {
        Data(position.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// The position a cursor names; 504 naming `after` for anything not made by ``encode(_:)``.
    static func decode(_ cursor: String) throws(DomainError) -> String {
        var text = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text), let position = String(data: data, encoding: .utf8),
            !position.isEmpty, encode(position) == cursor
        else {
            throw .invalid("after", "not a cursor from a previous reply: \(cursor.prefix(40))")
        }
        return position
    }
}
