/// A page being written: HTML appended to one buffer, every text and attribute value escaped on the way in, so
/// no record can inject markup. Only the renderer writes tags, and it writes them balanced.
struct HTML {
    private(set) var text = ""

    init(capacity: Int = 8192) { text.reserveCapacity(capacity) }

    /// `<tag a="v">`; attributes with a nil value are left out.
    mutating func open(_ tag: String, _ attributes: [(String, String?)] = []) {
        text += "<" + tag
        for (name, value) in attributes {
            guard let value else { continue }
            text += " " + name + "=\"" + Self.escape(value, attribute: true) + "\""
        }
        text += ">"
    }

    /// `</tag>`, then a line break when `newline` (keeps the source readable and diffs small).
    mutating func close(_ tag: String, newline: Bool = false) {
        text += "</" + tag + ">"
        if newline { text += "\n" }
    }

    /// Escaped text.
    mutating func put(_ words: String) { text += Self.escape(words, attribute: false) }

    /// Markup the renderer wrote itself (never a record's text).
    mutating func raw(_ markup: String) { text += markup }

    /// `<tag …>text</tag>`.
    mutating func element(_ tag: String, _ attributes: [(String, String?)] = [], _ words: String, newline: Bool = true)
    {
        open(tag, attributes)
        put(words)
        close(tag, newline: newline)
    }

    /// `<a href="…">text</a>`.
    mutating func link(_ href: String, _ words: String, attributes: [(String, String?)] = []) {
        var all: [(String, String?)] = [("href", href)]
        all += attributes
        open("a", all)
        put(words)
        close("a")
    }

    /// `template` — words holding one `{L}` marker — with a link in place of the marker.
    mutating func sentence(_ template: String, href: String, label: String) {
        let parts = template.components(separatedBy: "{L}")
        put(parts[0])
        link(href, label)
        if parts.count > 1 { put(parts[1...].joined()) }
    }

    /// Escapes `&`, `<`, `>` (and `"` in attributes); control characters other than tab and line breaks, which
    /// HTML may not carry, become spaces.
    static func escape(_ value: String, attribute: Bool) -> String {
        var needs = false
        for byte in value.utf8 where byte == 0x26 || byte == 0x3C || byte == 0x3E || byte == 0x22 || byte < 0x20 {
            needs = true
            break
        }
        guard needs else { return value }
        var out = ""
        out.reserveCapacity(value.utf8.count + 16)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where attribute: out += "&quot;"
            case "\t", "\n": out.unicodeScalars.append(scalar)
            case "\r": out += "\n"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += " "
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
