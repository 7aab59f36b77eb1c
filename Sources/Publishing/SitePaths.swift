import Decisions
import Documents
import PlenaryCore

/// Where each page lives in the site, relative to its root. Every name is made from a natural key, so a page keeps
/// its address across publications and databases: `CTOC_COP/sessions/4.html`,
/// `CTOC_COP/documents/CTOC-COP-2008-19.html`, `CTOC_COP/decisions/decision-4-4.html`,
/// `CTOC_COP/working-groups/WG.2.html`. Symbols never hold `-` and body codes never hold `_`, so the names are
/// one-to-one with their keys.
public enum SitePaths {
    /// The list of bodies.
    public static let index = "index.html"
    /// The one stylesheet.
    public static let stylesheet = "style.css"

    /// `CTOC_COP`: the body's directory.
    public static func body(_ code: String) -> String { code.replacingOccurrences(of: "/", with: "_") }

    /// The body's front page.
    public static func front(_ code: String) -> String { body(code) + "/index.html" }

    /// The body's machine-readable data.
    public static func data(_ code: String) -> String { body(code) + "/data.json" }

    /// The body's calendar.
    public static func calendar(_ code: String) -> String { body(code) + "/calendar.ics" }

    /// Session `number`'s page (all its parts).
    public static func session(_ code: String, _ number: Int) -> String { body(code) + "/sessions/\(number).html" }

    /// Session `number`'s machine-readable data: its documents and decisions.
    public static func sessionData(_ code: String, _ number: Int) -> String {
        body(code) + "/sessions/\(number).json"
    }

    /// A document's page, by its unmarked symbol: `/` becomes `-`, a space `+`.
    public static func document(_ code: String, _ symbol: DocumentSymbol) -> String {
        body(code) + "/documents/" + documentName(DocumentRules.unmarked(symbol).description) + ".html"
    }

    /// The file name part for a symbol's text.
    static func documentName(_ symbol: String) -> String {
        String(
            symbol.map { character -> Character in
                switch character {
                case "/": "-"
                case " ": "+"
                default: character
                }
            })
    }

    /// An adopted decision's or resolution's page: `decision-4-4`, `resolution-1-2A`.
    public static func decision(_ code: String, _ citation: DecisionCitation) -> String {
        body(code) + "/decisions/\(citation.kind.rawValue)-\(citation.number.session)-\(citation.number.serial)"
            + (citation.number.letter ?? "") + ".html"
    }

    /// A working group's page.
    public static func workingGroup(_ code: String, _ group: String) -> String {
        body(code) + "/working-groups/\(group).html"
    }

    /// The way from the directory of `from` to `to`: both are paths from the root.
    public static func relative(from: String, to: String) -> String {
        let here = from.split(separator: "/").dropLast()
        let there = to.split(separator: "/")
        var common = 0
        while common < here.count, common < there.count - 1, here[here.startIndex + common] == there[common] {
            common += 1
        }
        return String(repeating: "../", count: here.count - common) + there[common...].joined(separator: "/")
    }
}
