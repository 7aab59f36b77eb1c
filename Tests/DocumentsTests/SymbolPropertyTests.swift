import Documents
import PlenaryCore
import PropertyBased
import Testing

/// The parts of a well-formed symbol, drawn at random by the grammar's rules.
struct SymbolParts: Sendable, CustomTestStringConvertible {
    var components: [DocumentSymbol.Component]
    var part: String? = nil
    var parenthetical: DocumentSymbol.Parenthetical?
    var isReissue: Bool

    var testDescription: String {
        "\(components.map(\.description)) \(part ?? "-") (\(parenthetical.map(\.description) ?? "-"))"
    }
}

enum SymbolGens {
    /// Words the grammar reserves for kinds; a series word is never one of them.
    static let reserved: Set<String> = Set(
        DocumentSymbol.SubsidiaryBody.Kind.allCases.map { $0.rawValue.uppercased() }
            + DocumentSymbol.Special.Kind.allCases.map { $0.rawValue.uppercased() }
            + DocumentSymbol.Modifier.Kind.allCases.map { $0.rawValue.uppercased() })

    static func number(_ rng: inout any SeededRandomNumberGenerator) -> Int {
        // Mostly small numbers, sometimes up to the six-digit limit.
        Bool.random(using: &rng) ? Int.random(in: 1...30, using: &rng) : Int.random(in: 1...999_999, using: &rng)
    }

    static func word(_ rng: inout any SeededRandomNumberGenerator) -> String {
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let word = String((0..<Int.random(in: 1...5, using: &rng)).map { _ in letters.randomElement(using: &rng)! })
        // No kind ends in Q, so appending one always gives a plain word.
        return reserved.contains(word) ? word + "Q" : word
    }

    static func sessionOrYear(_ rng: inout any SeededRandomNumberGenerator) -> DocumentSymbol.Component {
        Bool.random(using: &rng)
            ? .year(Int.random(in: DocumentSymbol.years, using: &rng))
            : .session(Int.random(in: DocumentSymbol.sessions, using: &rng))
    }

    static func slashSpecial(_ rng: inout any SeededRandomNumberGenerator) -> DocumentSymbol.Component {
        let kinds = DocumentSymbol.Special.Kind.allCases.filter { $0.numbering != .required }
        return .special(.init(kinds.randomElement(using: &rng)!))
    }

    static func dottedSpecial(_ rng: inout any SeededRandomNumberGenerator) -> DocumentSymbol.Component {
        let kinds = DocumentSymbol.Special.Kind.allCases.filter { $0.numbering != .none }
        return .special(.init(kinds.randomElement(using: &rng)!, number(&rng)))
    }

    static func modifier(_ rng: inout any SeededRandomNumberGenerator) -> DocumentSymbol.Component {
        let kind = DocumentSymbol.Modifier.Kind.allCases.randomElement(using: &rng)!
        return .modifier(DocumentSymbol.Modifier(kind, number(&rng))!)
    }

    /// A subsidiary body numbered in arabic, in Roman or by a letter (`WG.4`, `WG.III`, `SER.A`), or bare (`PC`).
    /// A working party (`WP.n`) is drawn apart, since only its place makes it one.
    static func body(_ rng: inout any SeededRandomNumberGenerator) -> DocumentSymbol.Component {
        let kind = DocumentSymbol.SubsidiaryBody.Kind.allCases.filter { $0 != .workingParty }.randomElement(
            using: &rng)!
        if kind.numberIsOptional && Int.random(in: 0..<3, using: &rng) == 0 { return .subsidiaryBody(.init(kind)) }
        switch Int.random(in: 0..<4, using: &rng) {
        case 0:
            return .subsidiaryBody(
                .init(kind, designator: .roman(Int.random(in: DocumentSymbol.sessions, using: &rng))))
        case 1:
            // The letters that are not Roman numerals.
            let letter = String("ABEFGHJKNOPQRSTUWYZ".randomElement(using: &rng)!)
            return .subsidiaryBody(.init(kind, designator: .letter(letter)))
        default: return .subsidiaryBody(.init(kind, number(&rng)))
        }
    }

    /// A body named by a word (it must follow another body).
    static func namedBody(_ rng: inout any SeededRandomNumberGenerator) -> DocumentSymbol.Component {
        .namedBody(word(&rng))
    }

    /// The session place: a year, a session, or now and then a special or emergency special session.
    static func sessionPlace(_ rng: inout any SeededRandomNumberGenerator) -> DocumentSymbol.Component {
        guard Int.random(in: 0..<5, using: &rng) == 0 else { return sessionOrYear(&rng) }
        let kind = DocumentSymbol.SpecialSession.Kind.allCases.randomElement(using: &rng)!
        return .specialSession(.init(kind, Int.random(in: DocumentSymbol.sessions, using: &rng)))
    }

    /// A symbol built by the grammar: series words, subsidiary bodies, one of the seven core shapes, modifiers,
    /// perhaps a parenthetical and a reissue mark.
    static let wellFormed = Generator<SymbolParts, Shrink.None<SymbolParts>> { rng in
        var components = (0..<Int.random(in: 1...3, using: &rng)).map { _ in DocumentSymbol.Component.series(word(&rng))
        }
        // Bodies: numbered ones, each perhaps followed by named ones, and now and then a working party, which the
        // core always follows.
        for _ in 0..<Int.random(in: 0...3, using: &rng) {
            components.append(
                Int.random(in: 0..<6, using: &rng) == 0
                    ? .subsidiaryBody(.init(.workingParty, number(&rng))) : body(&rng))
            components += (0..<Int.random(in: 0...1, using: &rng)).map { _ in namedBody(&rng) }
        }
        let serial = DocumentSymbol.Component.serial(number(&rng))
        var isResolution = false
        switch Int.random(in: 0..<7, using: &rng) {
        case 0: components += [serial]
        case 1: components += [sessionPlace(&rng), serial]
        case 2:
            let special = slashSpecial(&rng)
            isResolution = special == .special(.init(.resolution))
            components += [special, serial]
        case 3:
            let special = slashSpecial(&rng)
            isResolution = special == .special(.init(.resolution))
            components += [special, sessionPlace(&rng), serial]
        case 4: components += [sessionPlace(&rng), slashSpecial(&rng), serial]
        case 5: components += [dottedSpecial(&rng)]
        default: components += [sessionPlace(&rng), dottedSpecial(&rng)]
        }
        let modifiers = (0..<Int.random(in: 0...4, using: &rng)).map { _ in modifier(&rng) }
        components += modifiers
        // A resolution adopted in lettered parts: the letter follows its number.
        let part: String? =
            isResolution && modifiers.isEmpty && Bool.random(using: &rng)
            ? String("ABCDEFGHIJKLMNOPQRSTUVWXYZ".randomElement(using: &rng)!) : nil
        let parenthetical: DocumentSymbol.Parenthetical? =
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: .year(Int.random(in: DocumentSymbol.years, using: &rng))
            case 1: .session(Int.random(in: DocumentSymbol.sessions, using: &rng))
            default: nil
            }
        return SymbolParts(
            components: components, part: part, parenthetical: parenthetical, isReissue: Bool.random(using: &rng))
    }

    /// Pieces of symbols, near misses and junk: joined at random they parse often enough to exercise both sides.
    static let fragments: [String] = [
        "A", "E", "S", "ST", "CTOC", "COP", "CAC", "cosp", "SGB", "HRC", "/", "/", "/", "/", "_", ".", "*", "(", ")",
        " ", " (2004)", "(XV)", "(xv)", "(1900)", "L.", "l.", "CRP.", "INF", "INF.", "WP.", "R.", "SR.", "PV.", "NGO",
        "RES", "res", "PRST", "Rev.", "REV.", "Corr.", "Add.", "add.", "Amend.", "Summary", "WG.", "wg.", "C.", "CN.",
        "CONF.", "AC.", "Sub.", "sub.", "GC", "GC.", "SC.", "PC", "SER.", "III", "iv", "S-", "ES-", "-", " B", " b",
        "1", "2", "5", "61", "999", "2008", "1945", "2101",
        "0", "01", "999999", "1234567", "20O8", "x", "-", "#", "\u{0}", "\u{1B}", "\u{7F}", "\n", "\t", "\u{A0}",
        "\u{85}", "\u{200B}", "\u{202E}", "\u{FEFF}", "é", "e\u{301}", "\u{301}", "Ö", "中", "😀", "\u{10FFFF}",
    ]

    static let fragment = Gen<String>.oneOf(
        Gen<String?>.element(of: fragments).map { $0! },
        Gen<String?>.element(of: fragments).map { $0! },
        Gen<String?>.element(of: fragments).map { $0! },
        Gen<Unicode.Scalar>.unicodeScalar(in: "\u{0}"..."\u{D7FF}").map { String(Character($0)) },
        Gen<Unicode.Scalar>.unicodeScalar(in: "\u{E000}"..."\u{10FFFF}").map { String(Character($0)) })

    /// Valid components in random order: often ungrammatical, often not.
    static let tokens: [String] = [
        "A", "COP", "SGB", "2008", "61", "1", "19", "l.1", "CRP.2", "RES", "INF", "NGO", "PRST", "WG.4", "C.5",
        "CN.15", "sub.2", "PC", "Rev.1", "CORR.2", "Add.3", "Amend.1", "Summary", "PV.3", "SR.2", "GC", "R.4", "wp.5",
        "WG.III", "c.i", "SER.A", "ser.e", "S-26", "es-10", "BMS", "WP.29",
    ]

    static let symbolLike = zip(
        Gen<String?>.element(of: ["A", "E", "S", "ST", "CTOC/COP", "cac_cosp", " E/CN.15"]).map { $0! },
        Gen<String?>.element(of: tokens).map { $0! }.array(of: 0...6),
        Gen<String?>.element(of: ["/", "_"]).map { $0! },
        Gen<String?>.element(of: ["", "", "", "*", " (2004)", "(XV)", "  (1999)*", " \n", " B", " a (XXI)"]).map { $0! }
    ).map { series, tokens, separator, suffix in ([series] + tokens).joined(separator: separator) + suffix }

    static let junk = Gen<String>.oneOf(fragment.array(of: 0...16).map { $0.joined() }, symbolLike)
}

@Suite("Document symbols: properties")
struct SymbolPropertyTests {
    @Test("a symbol built from well-formed components prints, parses back equal, and keeps its components")
    func wellFormedRoundTrip() async {
        await propertyCheck(count: 500, input: SymbolGens.wellFormed) { parts in Self.roundTrip(parts) }
    }

    private static func roundTrip(_ parts: SymbolParts) {
        let symbol: DocumentSymbol
        do {
            symbol = try DocumentSymbol(
                components: parts.components, part: parts.part, parenthetical: parts.parenthetical,
                isReissue: parts.isReissue)
        } catch {
            Issue.record("refused \(parts.components): \(error)")
            return
        }
        let printed = symbol.description
        #expect(DocumentSymbol.parse(printed) == .success(symbol))
        #expect(symbol.components == parts.components)
        #expect(symbol.part == parts.part)
        #expect(symbol.parenthetical == parts.parenthetical)
        #expect(symbol.isReissue == parts.isReissue)
        // Every symbol has a number of its own.
        #expect(symbol.serial != nil)
        #expect(symbol.base.modifiers.isEmpty)
        #expect(symbol.base.components == parts.components.filter { if case .modifier = $0 { false } else { true } })
        #expect(symbol.isIssued(byBody: symbol.body))
        #expect(symbol.isIssued(byBody: symbol.issuer))
        #expect(symbol.issuer.hasPrefix(symbol.body))
        // The spellings people paste read as the same symbol.
        #expect(DocumentSymbol.parse(printed.lowercased()) == .success(symbol))
        #expect(DocumentSymbol.parse(printed.uppercased()) == .success(symbol))
        let fileName = String(printed.map { $0 == "/" ? "_" : $0 }).replacing(" (", with: "(")
        #expect(DocumentSymbol.parse(" \t" + fileName + "\n") == .success(symbol))
        // Removing the last modifier and adding it again gives the symbol back, less any reissue mark.
        if let modifier = symbol.modifiers.last {
            do {
                let rebuilt = try #require(symbol.parent).adding(modifier)
                #expect(rebuilt.description == (parts.isReissue ? String(printed.dropLast()) : printed))
            } catch {
                Issue.record(error)
            }
        } else {
            #expect(symbol.parent == nil)
        }
    }

    @Test("any string either parses to a fixed point of print-then-parse or is refused with a located error")
    func total() async {
        var parsed = 0
        await propertyCheck(count: 3000, input: SymbolGens.junk) { text in
            if Self.check(text) { parsed += 1 }
        }
        // The fragments are chosen so that a fair share parses; if none did, the round trip went unexercised.
        #expect(parsed >= 30)
        await propertyCheck(count: 1000, input: SymbolGens.wellFormed) { parts in
            // Well-formed symbols with one character replaced anywhere: never a crash, always a located answer.
            guard
                let symbol = try? DocumentSymbol(
                    components: parts.components, part: parts.part, parenthetical: parts.parenthetical,
                    isReissue: parts.isReissue)
            else {
                Issue.record("refused \(parts.components)")
                return
            }
            let printed = Array(symbol.description.unicodeScalars)
            for index in stride(from: 0, to: printed.count, by: max(1, printed.count / 5)) {
                for replacement in ["", "/", "0", ".", " ", "\u{0}", "é", "*"] {
                    var mangled = printed
                    mangled.replaceSubrange(index...index, with: replacement.unicodeScalars)
                    _ = Self.check(String(String.UnicodeScalarView(mangled)))
                }
            }
        }
    }

    /// Checks one input; returns whether it parsed.
    @discardableResult
    private static func check(_ text: String) -> Bool {
        switch DocumentSymbol.parse(text) {
        case .success(let symbol):
            let printed = symbol.description
            #expect(printed.unicodeScalars.count <= DocumentSymbol.maximumLength)
            #expect(printed.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F })
            #expect(symbol.components.count <= DocumentSymbol.maximumComponents)
            guard case .success(let again) = DocumentSymbol.parse(printed) else {
                Issue.record("\(printed) (from \(text.debugDescription)) does not parse")
                return true
            }
            #expect(again == symbol)
            #expect(again.description == printed)
            #expect(symbol.serial != nil)
            return true
        case .failure(let error):
            #expect(error.description.hasPrefix("symbol: "))
            #expect(!error.description.unicodeScalars.contains { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) })
            #expect((0...text.unicodeScalars.count).contains(error.offset))
            if let component = error.component {
                // A character fault names the component it lies in, which may be past the 16th.
                #expect((1...DocumentSymbol.maximumLength + 1).contains(component))
                #expect(error.text != nil)
            }
            #expect(PlenaryError(error.domainError).code == .badArgument)
            return false
        }
    }
}
