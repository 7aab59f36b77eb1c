import Foundation
import PropertyBased

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

    /// Session n is held in October of 2029 + n (regular) — or a special one in its spring.
    static func year(_ session: Int) -> Int { 2029 + session }

    static func pick<T>(_ values: [T], _ rng: inout any SeededRandomNumberGenerator) -> T {
        values.randomElement(using: &rng)!
    }

    static func day(_ session: Int, _ rng: inout any SeededRandomNumberGenerator, month: Int = 10) -> String {
        "\(year(session))-\(month < 10 ? "0" : "")\(month)-\(String(format: "%02d", Int.random(in: 1...28, using: &rng)))"
    }

    static func symbol(_ rng: inout any SeededRandomNumberGenerator) -> String {
        let session = Int.random(in: sessions, using: &rng)
        let serial = Int.random(in: 1...3, using: &rng)
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
        let decision = "\(n)/\(Int.random(in: 1...3, using: &rng))"
        switch Int.random(in: 0..<35, using: &rng) {
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
        case 14, 15:
            return "doc version \(symbol(&rng)) lang=\(pick(languages, &rng)) "
                + "status=\(pick(["submitted", "translated", "issued", "issued"], &rng)) date=\(day(n, &rng, month: 8))"
        case 16:
            return Bool.random(using: &rng)
                ? "doc correct \(symbol(&rng)) languages=\(languageList(&rng))" : "doc correct \(symbol(&rng))"
        case 17: return "doc revise \(symbol(&rng))"
        case 18: return "doc addendum \(symbol(&rng)) title=\"Addendum\""
        case 19: return pick(["doc amend \(symbol(&rng))", "doc reissue \(symbol(&rng))"], &rng)
        case 20: return "doc withdraw \(symbol(&rng)) reason=\"allocated by mistake\""
        case 21, 22:
            var line =
                "decision draft \(b) session=\(n) kind=decision title=\"Draft \(Int.random(in: 1...9, using: &rng))\""
            if Bool.random(using: &rng) { line += " agenda-item=\"\(Int.random(in: 1...4, using: &rng))\"" }
            if Bool.random(using: &rng) {
                line += " document=\(body)/\(year(n))/L.\(Int.random(in: 1...3, using: &rng))"
            }
            return line
        case 23:
            return
                "decision adopt id=\(Int.random(in: 1...6, using: &rng)) date=\(year(n))-10-1\(Int.random(in: 0...2, using: &rng))"
        case 24: return "decision withdraw id=\(Int.random(in: 1...6, using: &rng)) reason=merged"
        case 25:
            return "decision record \(b) session=\(n) kind=decision number=\(decision) title=\"Decision \(decision)\" "
                + "adopted=\(year(n))-10-1\(Int.random(in: 0...2, using: &rng))"
        case 26:
            let other = "\(Int.random(in: sessions, using: &rng))/\(Int.random(in: 1...3, using: &rng))"
            return
                "decision link \(b) number=\(decision) \(pick(["supersedes", "amends", "recalls"], &rng))=\"decision \(other)\""
        case 27:
            let other = "\(Int.random(in: sessions, using: &rng))/\(Int.random(in: 1...3, using: &rng))"
            return
                "decision unlink \(b) number=\(decision) \(pick(["supersedes", "amends", "recalls"], &rng))=\"decision \(other)\" "
                + "reason=\"linked by mistake\""
        case 28:
            return
                "wg establish \(b) code=\(wg) name=\"Group \(wg)\" established=\(year(1))-01-0\(Int.random(in: 1...9, using: &rng))"
        case 29:
            return
                "wg rename \(b) code=\(wg) name=\"Renamed \(Int.random(in: 1...9, using: &rng))\" date=\(day(1, &rng, month: 3))"
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
        case 33: return "session strike \(b) number=\(n) reason=\"scheduled by mistake\""
        default: return "meeting cancel \(b) wg=\(wg) number=\(Int.random(in: 1...2, using: &rng)) reason=\"no quorum\""
        }
    }

    static let history = Generator<History, Shrink.None<History>> { rng in
        var lines = ["body add code=\(body) name=\"Conference of the Parties\" timezone=Europe/Vienna"]
        // Sessions first more often than not, so later commands have something to refer to.
        for n in sessions where Int.random(in: 0..<4, using: &rng) > 0 {
            lines.append(
                "session schedule body=\(body) number=\(n) start=\(year(n))-10-01 end=\(year(n))-10-10 venue=Vienna")
        }
        for _ in 0..<Int.random(in: 40...90, using: &rng) { lines.append(line(&rng)) }
        return History(lines: lines)
    }
}
