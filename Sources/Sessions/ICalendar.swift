import PlenaryCore

/// Writes a body's calendar as an RFC 5545 iCalendar object that calendar programs import unchanged: one VEVENT per
/// session or meeting, all-day DATE values (DTEND is exclusive, so the day after the last day), stable UIDs, TEXT
/// values escaped, content lines folded at 75 octets, CRLF line endings.
public enum ICalendar {
    /// The product identifier (PRODID) of the calendars Plenary writes.
    public static let productID = "-//Plenary//Plenary conference backend//EN"

    /// The calendar as one string, each content line ending in CRLF.
    public static func render(_ view: CalendarView) -> String {
        lines(view).map { $0 + "\r\n" }.joined()
    }

    /// The calendar's physical lines, already folded, without their CRLF: what `calendar format=ics` sends, one per
    /// record, and what a client joins with CRLF (and ends with one) to get the calendar back byte for byte.
    public static func lines(_ view: CalendarView) -> [String] {
        var logical = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:\(productID)",
            "CALSCALE:GREGORIAN",
            "X-WR-CALNAME:\(escape("\(view.body.code) — \(view.body.name)"))",
        ]
        for entry in view.entries { logical += event(entry, bodyName: view.body.name) }
        logical.append("END:VCALENDAR")
        return logical.flatMap(fold)
    }

    /// The content lines of one event, unfolded.
    static func event(_ entry: CalendarEntry, bodyName: String) -> [String] {
        let status =
            switch entry.status {
            case "cancelled": "CANCELLED"
            case "postponed": "TENTATIVE"
            default: "CONFIRMED"
            }
        return [
            "BEGIN:VEVENT",
            "UID:\(entry.uid)",
            "DTSTAMP:\(entry.stamp)",
            "DTSTART;VALUE=DATE:\(basic(entry.start))",
            "DTEND;VALUE=DATE:\(basic(entry.end.adding(days: 1)))",
            "SUMMARY:\(escape(summary(entry)))",
            "LOCATION:\(escape(entry.venue))",
            "DESCRIPTION:\(escape(description(entry, bodyName: bodyName)))",
            "STATUS:\(status)",
            "SEQUENCE:\(entry.revision)",
            "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
    }

    /// `CTOC/COP session 4: Fourth session of …`, `CTOC/COP/WG.2 meeting 1: Working Group on …`.
    static func summary(_ entry: CalendarEntry) -> String {
        switch entry.kind {
        case .session:
            let label =
                entry.part > 1 ? "session \(entry.number) (resumed, part \(entry.part))" : "session \(entry.number)"
            return "\(entry.body) \(label)" + (entry.title.map { ": \($0)" } ?? "")
        case .meeting:
            return "\(entry.body)/\(entry.workingGroup ?? "?") meeting \(entry.number)"
                + (entry.workingGroupName.map { ": \($0)" } ?? "")
        }
    }

    /// Names the body (and the group), then the facts a reader of the calendar wants, one per line.
    static func description(_ entry: CalendarEntry, bodyName: String) -> String {
        var lines: [String] = []
        switch entry.kind {
        case .session:
            lines.append(
                "\(entry.label.prefix(1).uppercased())\(entry.label.dropFirst()) of the \(bodyName) (\(entry.body)).")
            if let title = entry.title { lines.append(title) }
            lines.append("Kind: \(entry.sessionKind ?? "regular"). Format: \(entry.format ?? "in-person").")
        case .meeting:
            let group = entry.workingGroupName ?? entry.workingGroup ?? "working group"
            lines.append(
                "Meeting \(entry.number) of the \(group) (\(entry.body)/\(entry.workingGroup ?? "?")), "
                    + "a working group of the \(bodyName) (\(entry.body)).")
            if let session = entry.withSession { lines.append("Held in conjunction with session \(session).") }
        }
        lines.append("Status: \(entry.status). Time zone: \(entry.timeZone).")
        return lines.joined(separator: "\n")
    }

    /// `20081008`: a DATE value.
    static func basic(_ date: CalendarDate) -> String { date.description.replacingOccurrences(of: "-", with: "") }

    /// Escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma get a backslash, a line break becomes
    /// `\n`; other control characters, which TEXT may not hold, become spaces.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = scalars.next()
        while let scalar = pending {
            pending = scalars.next()
            switch scalar {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\r":
                out += "\\n"
                if pending == "\n" { pending = scalars.next() }
            case "\n": out += "\\n"
            case "\t": out.unicodeScalars.append(scalar)
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

    /// Splits a content line into physical lines of at most 75 octets: the first as is, each continuation after
    /// one leading space (which counts). A UTF-8 sequence is never split.
    public static func fold(_ line: String) -> [String] {
        guard line.utf8.count > 75 else { return [line] }
        var lines: [String] = []
        var current = ""
        var octets = 0
        var limit = 75
        for scalar in line.unicodeScalars {
            let size = String(scalar).utf8.count
            if octets + size > limit {
                lines.append(current)
                current = " "
                octets = 1
                limit = 75
            }
            current.unicodeScalars.append(scalar)
            octets += size
        }
        lines.append(current)
        return lines
    }
}
