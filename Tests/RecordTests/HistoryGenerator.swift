import Foundation
import PropertyBased
import Testing

/// A history a secretariat could make: random commands over one body, drawn from small pools of numbers, dates,
/// symbols and languages so that they often hit each other (a corrigendum of a document that exists, a draft on an
/// L document of its own session, a correction of what was just done). Many are refused; the property only ever
/// looks at what the services accepted.
struct History: Sendable, CustomTestStringConvertible {
    var lines: [String]

    var testDescription: String { lines.joined(separator: "\n") }
}

enum HistoryGen {
    static let body = "CTOC/COP"
    static let sessions = 1...4
    static let languages = ["ar", "zh", "en", "fr", "ru", "es"]

    /// Session n is held in October of 2009 + n: in the past, so it can open, close and adopt.
    static func year(_ session: Int) -> Int { 2009 + session }

    static func pick<T>(_ values: [T], _ rng: inout any SeededRandomNumberGenerator) -> T {
        values.randomElement(using: &rng)!
    }

    static func day(_ session: Int, _ rng: inout any SeededRandomNumberGenerator, month: Int = 10) -> String {
        "\(year(session))-\(month < 10 ? "0" : "")\(month)-"
            + String(format: "%02d", Int.random(in: 1...28, using: &rng))
    }

    static func symbol(_ rng: inout any SeededRandomNumberGenerator) -> String {
        let session = Int.random(in: sessions, using: &rng)
        let serial = Int.random(in: 1...2, using: &rng)
        var symbol =
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: "\(body)/\(year(session))/L.\(serial)"
            case 1: "\(body)/\(year(session))/CRP.\(serial)"
            default: "\(body)/\(year(session))/\(serial)"
            }
        if Int.random(in: 0..<3, using: &rng) == 0 {
            symbol += pick(["/Corr.1", "/Rev.1", "/Add.1", "/Rev.2"], &rng)
        }
        return symbol
    }

    static func languageList(_ rng: inout any SeededRandomNumberGenerator) -> String {
        let count = Int.random(in: 1...3, using: &rng)
        return Array(languages.shuffled(using: &rng).prefix(count)).joined(separator: ",")
    }

    static func item(_ rng: inout any SeededRandomNumberGenerator) -> String {
        let item = Int.random(in: 1...4, using: &rng)
        return Bool.random(using: &rng) ? "\(item)" : "\(item)(\(pick(["a", "b"], &rng)))"
    }

    // Every line starts with the command and names the body the same way.
    static func line(_ rng: inout any SeededRandomNumberGenerator) -> String {
        let b = "body=\(body)"
        let n = Int.random(in: sessions, using: &rng)
        let wg = "WG.\(Int.random(in: 1...2, using: &rng))"
        // Decisions are taken at sessions 1 and 2, the ones the setup opens: later decisions act on earlier ones.
        let d = Int.random(in: 1...2, using: &rng)
        let decision = "\(d)/\(Int.random(in: 1...3, using: &rng))"
        let earlier = pick(["1/1", "1/1", "1/2", "1/3"], &rng)
        switch Int.random(in: 0..<46, using: &rng) {
        case 0, 1:
            return "session schedule \(b) number=\(n) start=\(year(n))-10-0\(Int.random(in: 1...3, using: &rng)) "
                + "end=\(year(n))-10-1\(Int.random(in: 0...2, using: &rng)) venue=Vienna"
        case 2: return "session open \(b) number=\(n)"
        case 3: return "session close \(b) number=\(n)"
        case 4: return "session postpone \(b) number=\(n) reason=\"not enough funds\""
        case 5: return "session cancel \(b) number=\(n) reason=\"scheduled by mistake\""
        case 6:
            return "session reschedule \(b) number=\(n) start=\(year(n))-10-1\(Int.random(in: 3...5, using: &rng)) "
                + "end=\(year(n))-10-2\(Int.random(in: 0...5, using: &rng))"
        case 7, 8:
            return
                "agenda add \(b) session=\(n) item=\(item(&rng)) title=\"Item \(Int.random(in: 1...99, using: &rng))\""
        case 9: return "agenda adopt \(b) session=\(n) date=\(year(n))-10-0\(Int.random(in: 1...5, using: &rng))"
        case 10:
            return "agenda amend \(b) session=\(n) item=\(item(&rng)) title=\"Amended\" reason=\"as orally amended\""
        case 11: return "agenda remove \(b) session=\(n) item=\(item(&rng)) reason=\"added by mistake\""
        case 12, 13:
            var line =
                "doc allocate \(b) session=\(n) series=\(pick(["main", "main", "L", "CRP"], &rng)) title=\"Paper\""
            if Bool.random(using: &rng) { line += " agenda-item=\(item(&rng))" }
            if Int.random(in: 0..<3, using: &rng) == 0 { line += " languages=\(languageList(&rng))" }
            if Int.random(in: 0..<4, using: &rng) == 0 { line += " original=fr" }
            if Int.random(in: 0..<4, using: &rng) == 0 { line += " date=\(day(n, &rng, month: 8))" }
            return line
        case 14, 15, 35, 36:
            return "doc version \(symbol(&rng)) lang=\(pick(["en", "fr", "en", "fr", pick(languages, &rng)], &rng)) "
                + "status=\(pick(["submitted", "translated", "issued", "issued"], &rng)) date=\(day(n, &rng, month: 8))"
        case 16, 37:
            return Bool.random(using: &rng)
                ? "doc correct \(symbol(&rng)) languages=\(pick(["en", "fr", "en,fr", languageList(&rng)], &rng))"
                : "doc correct \(symbol(&rng))"
        case 17: return "doc revise \(symbol(&rng))"
        case 18: return "doc addendum \(symbol(&rng)) title=\"Addendum\""
        case 19: return pick(["doc amend \(symbol(&rng))", "doc reissue \(symbol(&rng))"], &rng)
        case 20: return "doc withdraw \(symbol(&rng)) reason=\"allocated by mistake\""
        case 21, 22:
            var line =
                "decision draft \(b) session=\(d) kind=decision title=\"Draft \(Int.random(in: 1...9, using: &rng))\""
            if Bool.random(using: &rng) { line += " agenda-item=\"\(Int.random(in: 1...4, using: &rng))\"" }
            if Bool.random(using: &rng) {
                line += " document=\(body)/\(year(d))/L.\(Int.random(in: 1...2, using: &rng))"
            }
            return line
        case 23:
            return
                "decision adopt id=DRAFT date=\(year(d))-10-0\(Int.random(in: 1...9, using: &rng))"
        case 24: return "decision withdraw id=DRAFT reason=merged"
        case 25:
            return "decision record \(b) session=\(d) kind=decision number=\(decision) title=\"Decision \(decision)\" "
                + "adopted=\(year(d))-10-0\(Int.random(in: 1...9, using: &rng))"
        case 26, 38:
            let other = earlier
            return
                "decision link \(b) number=\(decision) "
                + "\(pick(["supersedes", "amends", "recalls"], &rng))=\"decision \(other)\""
        case 27, 39:
            let other = earlier
            return
                "decision unlink \(b) number=\(decision) "
                + "\(pick(["supersedes", "amends", "recalls"], &rng))=\"decision \(other)\" "
                + "reason=\"linked by mistake\""
        case 28:
            return
                "wg establish \(b) code=\(wg) name=\"Group \(wg)\" "
                + "established=\(year(1))-01-0\(Int.random(in: 1...9, using: &rng))"
        case 29:
            return
                "wg rename \(b) code=\(wg) name=\"Renamed \(Int.random(in: 1...9, using: &rng))\" "
                + "date=\(day(1, &rng, month: 3))"
        case 30: return "wg dissolve \(b) code=\(wg) date=\(day(Int.random(in: 2...4, using: &rng), &rng, month: 12))"
        case 31:
            return
                "wg correct-dissolution \(b) code=\(wg) date=\(day(4, &rng, month: 12)) reason=\"wrong date entered\""
        case 32:
            var line =
                "meeting schedule \(b) wg=\(wg) start=\(year(n))-10-0\(Int.random(in: 1...3, using: &rng)) "
                + "end=\(year(n))-10-0\(Int.random(in: 4...6, using: &rng)) venue=Vienna"
            if Bool.random(using: &rng) { line += " with-session=\(n)" }
            return line
        // A mistake and its correction, back to back (each may still be refused by what came before).
        case 33:
            let mistaken = pick([n, 9, 9], &rng)
            return "session cancel \(b) number=\(mistaken) reason=\"scheduled by mistake\"\n"
                + "session strike \(b) number=\(mistaken) reason=\"scheduled by mistake\""
        case 40:
            let relation = pick(["supersedes", "amends", "recalls"], &rng)
            let later = pick(["2/1", "2/1", "2/2"], &rng)
            return "decision link \(b) number=\(later) \(relation)=\"decision \(earlier)\"\n"
                + "decision unlink \(b) number=\(later) \(relation)=\"decision \(earlier)\" reason=\"wrong decision\""
        case 43:
            return
                "doc withdraw \(body)/\(year(n))/\(Int.random(in: 2...3, using: &rng)) reason=\"allocated by mistake\""
        case 44:
            return "wg dissolve \(b) code=\(wg) date=\(year(3))-11-0\(Int.random(in: 1...9, using: &rng))\n"
                + "wg correct-dissolution \(b) code=\(wg) date=\(year(4))-12-1\(Int.random(in: 0...9, using: &rng)) "
                + "reason=\"wrong year entered\""
        case 45:
            return "meeting schedule \(b) wg=\(wg) start=\(year(n))-09-2\(Int.random(in: 5...8, using: &rng)) "
                + "end=\(year(n))-09-29 venue=Vienna with-session=\(n)"
        case 42:
            return "decision draft \(b) session=\(d) kind=decision title=\"Draft to adopt\"\n"
                + "decision adopt id=DRAFT date=\(year(d))-10-0\(Int.random(in: 1...9, using: &rng))"
        case 41:
            return "doc correct \(body)/\(year(n))/1 languages=\(pick(["en", "fr", "en,fr"], &rng))"
        default: return "meeting cancel \(b) wg=\(wg) number=\(Int.random(in: 1...2, using: &rng)) reason=\"no quorum\""
        }
    }

    /// A conference set up as a secretariat would (sessions, agendas, groups, a few documents, sessions 1 and 2
    /// met or meeting), then a random run of everything, corrections included.
    static let history = Generator<History, Shrink.None<History>> { rng in
        let b = "body=\(body)"
        var lines = ["body add code=\(body) name=\"Conference of the Parties\" timezone=Europe/Vienna"]
        let held = sessions.filter { _ in Int.random(in: 0..<4, using: &rng) > 0 }
        for n in held {
            lines.append("session schedule \(b) number=\(n) start=\(year(n))-10-01 end=\(year(n))-10-10 venue=Vienna")
        }
        for code in ["WG.1", "WG.2"] where Int.random(in: 0..<4, using: &rng) > 0 {
            lines.append("wg establish \(b) code=\(code) name=\"Group \(code)\" established=\(year(1))-01-02")
        }
        for n in held where Int.random(in: 0..<3, using: &rng) > 0 {
            for (item, title) in [
                ("1", "Opening"), ("2", "Organizational matters"), ("2(a)", "Agenda"), ("3", "Review"),
            ] {
                lines.append("agenda add \(b) session=\(n) item=\(item) title=\"\(title)\"")
            }
        }
        for n in held {
            for series in ["main", "main", "main", "L", "L", "CRP"] where Bool.random(using: &rng) {
                lines.append("doc allocate \(b) session=\(n) series=\(series) title=\"Paper\"")
            }
        }
        // A session scheduled under a wrong number, for the corrections to find.
        if Bool.random(using: &rng) {
            lines.append("session schedule \(b) number=9 start=\(year(9))-10-01 end=\(year(9))-10-10 venue=Vienna")
        }
        for n in [1, 2] where held.contains(n) && Int.random(in: 0..<4, using: &rng) > 0 {
            lines.append("session open \(b) number=\(n)")
            if n == 1 && Bool.random(using: &rng) { lines.append("session close \(b) number=1") }
        }
        // Texts issued in some languages, decisions taken and drafts tabled: what the corrections and the
        // lineage act on.
        for n in held where Bool.random(using: &rng) {
            for language in ["en", "fr"] where Int.random(in: 0..<3, using: &rng) > 0 {
                lines.append("doc version \(body)/\(year(n))/1 lang=\(language) status=issued date=\(year(n))-08-0\(n)")
            }
        }
        for n in [1, 2] where held.contains(n) {
            for serial in 1...3 where serial == 1 || Bool.random(using: &rng) {
                lines.append(
                    "decision record \(b) session=\(n) kind=decision number=\(n)/\(serial) "
                        + "title=\"Decision \(serial)\" "
                        + "adopted=\(year(n))-10-0\(serial + 1)")
            }
            for draft in 1...2 where Bool.random(using: &rng) {
                lines.append("decision draft \(b) session=\(n) kind=decision title=\"Draft \(draft)\"")
            }
        }
        for _ in 0..<Int.random(in: 30...60, using: &rng) {
            lines += line(&rng).split(separator: "\n").map(String.init)
        }
        return History(lines: lines)
    }
}
