import Documents
import PlenaryCore
import Testing

/// A real symbol of one of the forms issue 16 widened the grammar for, with the components it must read into.
/// Only the form is claimed of each: the series, bodies, session or year and numbers as printed.
struct SymbolForm: Sendable, CustomTestStringConvertible {
    var symbol: String
    var components: [DocumentSymbol.Component]
    var part: String?
    var parenthetical: DocumentSymbol.Parenthetical?

    var testDescription: String { symbol }
}

private typealias F = SymbolForm
private typealias B = DocumentSymbol.SubsidiaryBody

/// Real symbols of every class the Dag Hammarskjöld Library's description gives and the grammar once refused.
let symbolForms: [SymbolForm] = [
    // Resolutions adopted in lettered parts (the six-week rule: resolutions 45/238 B and 49/221 B).
    F(
        symbol: "A/RES/49/221 B", components: [.series("A"), .special(.init(.resolution)), .session(49), .serial(221)],
        part: "B"),
    F(
        symbol: "A/RES/45/238 B", components: [.series("A"), .special(.init(.resolution)), .session(45), .serial(238)],
        part: "B"),
    F(
        symbol: "A/RES/2200 A (XXI)", components: [.series("A"), .special(.init(.resolution)), .serial(2200)],
        part: "A", parenthetical: .session(21)),
    // A body named by a word after a numbered one.
    F(
        symbol: "A/CONF.192/BMS/2005/1",
        components: [
            .series("A"), .subsidiaryBody(.init(.conference, 192)), .namedBody("BMS"), .year(2005), .serial(1),
        ]
    ),
    F(
        symbol: "E/CN.17/IFF/1999/L.1",
        components: [
            .series("E"), .subsidiaryBody(.init(.commission, 17)), .namedBody("IFF"), .year(1999),
            .special(.init(.limited, 1)),
        ]),
    F(
        symbol: "TD/B/C.I/CLP/1",
        components: [
            .series("TD"), .series("B"), .subsidiaryBody(B(.committee, designator: .roman(1))), .namedBody("CLP"),
            .serial(1),
        ]),
    // Subsidiary bodies numbered in Roman.
    F(
        symbol: "A/CN.9/WG.III/WP.1",
        components: [
            .series("A"), .subsidiaryBody(.init(.commission, 9)),
            .subsidiaryBody(B(.workingGroup, designator: .roman(3))), .special(.init(.workingPaper, 1)),
        ]),
    F(
        symbol: "A/CN.9/WG.II/WP.149",
        components: [
            .series("A"), .subsidiaryBody(.init(.commission, 9)),
            .subsidiaryBody(B(.workingGroup, designator: .roman(2))), .special(.init(.workingPaper, 149)),
        ]),
    // Lettered series.
    F(
        symbol: "ST/ESA/SER.A/423",
        components: [
            .series("ST"), .series("ESA"), .subsidiaryBody(B(.letteredSeries, designator: .letter("A"))), .serial(423),
        ]),
    F(
        symbol: "ST/SG/SER.E/1",
        components: [
            .series("ST"), .series("SG"), .subsidiaryBody(B(.letteredSeries, designator: .letter("E"))), .serial(1),
        ]),
    // Special sessions.
    F(
        symbol: "A/RES/S-26/2",
        components: [.series("A"), .special(.init(.resolution)), .specialSession(.init(.special, 26)), .serial(2)]),
    F(
        symbol: "A/RES/ES-10/2",
        components: [.series("A"), .special(.init(.resolution)), .specialSession(.init(.emergency, 10)), .serial(2)]),
    // A working party: WP.n with more of the symbol after it.
    F(
        symbol: "ECE/TRANS/WP.29/2020/1",
        components: [
            .series("ECE"), .series("TRANS"), .subsidiaryBody(.init(.workingParty, 29)), .year(2020), .serial(1),
        ]),
]

@Suite("Document symbols: the forms of the record")
struct SymbolFormsTests {
    @Test("each form reads into its components and prints back byte-identical", arguments: symbolForms)
    func readsAndPrints(_ form: SymbolForm) throws {
        let symbol = try DocumentSymbol.parse(form.symbol).get()
        #expect(symbol.components == form.components)
        #expect(symbol.part == form.part)
        #expect(symbol.parenthetical == form.parenthetical)
        #expect(symbol.description == form.symbol)
        #expect(
            try DocumentSymbol(components: form.components, part: form.part, parenthetical: form.parenthetical)
                == symbol)
        // People paste symbols in any case and as file names; they read as the same symbol.
        #expect(try DocumentSymbol.parse(form.symbol.lowercased()).get() == symbol)
        #expect(try DocumentSymbol.parse(form.symbol.replacingOccurrences(of: "/", with: "_")).get() == symbol)
        #expect(symbol.isIssued(byBody: symbol.body))
    }

    @Test("derived properties of the new forms")
    func derived() throws {
        let uncitral = try DocumentSymbol("A/CN.9/WG.III/WP.1")
        #expect(uncitral.workingGroup == "WG.III")
        #expect(uncitral.issuer == "A/CN.9/WG.III")
        #expect(uncitral.documentType == .workingPaper)
        #expect(uncitral.serial == 1)
        let special = try DocumentSymbol("A/RES/S-26/2")
        #expect(special.specialSession == .init(.special, 26))
        #expect(special.session == nil)
        #expect(special.serial == 2)
        #expect(DocumentRules.period(of: special) == "S-26")
        let parts = try DocumentSymbol("A/RES/49/221 B")
        #expect(parts.session == 49)
        #expect(parts.serial == 221)
        #expect(parts.base == parts)
        #expect(try parts.reissued().description == "A/RES/49/221 B*")
        #expect(DocumentRules.unmarked(try parts.reissued()) == parts)
        let named = try DocumentSymbol("A/CONF.192/BMS/2005/1")
        #expect(named.issuer == "A/CONF.192/BMS")
        #expect(named.body == "A")
        #expect(named.year == 2005)
        let party = try DocumentSymbol("ECE/TRANS/WP.29/2020/1")
        #expect(party.issuer == "ECE/TRANS/WP.29")
        #expect(party.documentType == .main)
        // At the end of the core, WP.n stays a working paper; with a modifier after it too.
        #expect(try DocumentSymbol("ECE/TRANS/WP.29").documentType == .workingPaper)
        #expect(try DocumentSymbol("A/CN.9/WG.III/WP.1/Add.1").documentType == .workingPaper)
        // A Roman numeral is read as one; a single letter that is not one is a letter.
        #expect(try DocumentSymbol("ST/ESA/SER.R/1").subsidiaryBodies == [B(.letteredSeries, designator: .letter("R"))])
        #expect(try DocumentSymbol("A/CN.9/WG.IV/1").subsidiaryBodies.last == B(.workingGroup, designator: .roman(4)))
        #expect(try DocumentSymbol("ECE/TRANS/WP.29/GRSP/2020/1").issuer == "ECE/TRANS/WP.29/GRSP")
    }

    /// Near misses of the new forms: refused, naming the component and the rule.
    static let nearMisses: [(String, String)] = [
        ("A/RES/49/221 b c", "spaces are allowed only before a final parenthetical"),
        ("A/49/221 B", "a lettered part (` B`) follows only the number of a resolution"),
        ("A/RES/49/221/Rev.1 B", "a lettered part (` B`) follows only the number of a resolution"),
        ("A/RES/49 /221", "spaces are allowed only before a final parenthetical"),
        ("A/RES/S-26", "S-26 is a session: a serial number must follow it"),
        ("A/RES/S-0/1", "numbers start at 1"),
        ("A/RES/S-1000/1", "a special session is numbered 1…999"),
        ("A/RES/X-26/1", "character `-` is not allowed"),
        ("A/RES/S-/1", "character `-` is not allowed"),
        ("A/RES/S26-1/1", "character `-` is not allowed"),
        ("A/61/S-26/1", "a special session stands in the session place"),
        ("A/CN.9/WG.IIII/1", "the designator after the dot must be digits, a Roman numeral (III) or one letter (A)"),
        ("A/CN.9/WG.AB/1", "the designator after the dot must be digits, a Roman numeral (III) or one letter (A)"),
        ("ST/ESA/SER/1", "SER needs a number: SER.n"),
        ("A/L.I/1", "must be digits"),
        ("A/C.5/2008/XYZ/1", "a series or body word may not follow the session"),
        ("A/C.5/XYZ", "ends without a serial number"),
    ]

    @Test("near misses of the new forms are refused with the rule", arguments: nearMisses)
    func nearMiss(_ input: String, _ reason: String) {
        switch DocumentSymbol.parse(input) {
        case .success(let symbol): Issue.record("\(input) parsed as \(symbol)")
        case .failure(let error): #expect(error.reason.contains(reason), "\(error)")
        }
    }
}
