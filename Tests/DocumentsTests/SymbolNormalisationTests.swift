import Documents
import Foundation
import PlenaryCore
import Testing

/// Spellings people paste, and the canonical form each must print as.
let normalisations: [(input: String, canonical: String)] = [
    ("a_c.5_61_l.20", "A/C.5/61/L.20"),
    ("A_C.5_61_L.20", "A/C.5/61/L.20"),
    ("A/C.5_61/L.20", "A/C.5/61/L.20"),
    ("A/59/565/ADD.2/REV.1", "A/59/565/Add.2/Rev.1"),
    ("a/59/565/add.2/rev.1", "A/59/565/Add.2/Rev.1"),
    ("CTOC/COP/2008/4/REV.2", "CTOC/COP/2008/4/Rev.2"),
    ("ctoc/cop/2008/crp.1", "CTOC/COP/2008/CRP.1"),
    ("Ctoc/Cop/Wg.2/2007/1", "CTOC/COP/WG.2/2007/1"),
    ("CTOC_COP_WG.4_2010_L.1", "CTOC/COP/WG.4/2010/L.1"),
    ("  CTOC/COP/2008/19 \n", "CTOC/COP/2008/19"),
    ("\tA/61/L.1/corr.1\u{A0}", "A/61/L.1/Corr.1"),
    ("\u{3000}E/2008/30\r\n", "E/2008/30"),
    ("S/RES/1566(2004)", "S/RES/1566 (2004)"),
    ("S/RES/1566   (2004)", "S/RES/1566 (2004)"),
    ("s_res_1566 (2004)", "S/RES/1566 (2004)"),
    ("a/res/1514(xv)", "A/RES/1514 (XV)"),
    ("e/cn.4/sub.2/2004/l.1", "E/CN.4/Sub.2/2004/L.1"),
    ("E/CN.4/SUB.2/2004/L.1", "E/CN.4/Sub.2/2004/L.1"),
    ("ctoc/cop/2010/12*", "CTOC/COP/2010/12*"),
    ("a/61/4/summary", "A/61/4/Summary"),
    ("A/61/4/SUMMARY", "A/61/4/Summary"),
    ("st/ai/1999/7/amend.1", "ST/AI/1999/7/Amend.1"),
    ("unep/gc.25/inf/2", "UNEP/GC.25/INF/2"),
    ("a/conf.151/pc/100", "A/CONF.151/PC/100"),
    ("e/cn.6/2008/ngo/1", "E/CN.6/2008/NGO/1"),
    ("s/prst/2004/37", "S/PRST/2004/37"),
    ("a/c.3/61/sr.2", "A/C.3/61/SR.2"),
    ("a/61/pv.1", "A/61/PV.1"),
    ("e/2008/r.3", "E/2008/R.3"),
    ("a/ac.254/wp.7", "A/AC.254/WP.7"),
    ("fccc/sbsta/2015/inf.1", "FCCC/SBSTA/2015/INF.1"),
]

@Suite("Document symbols: normalisation and helpers")
struct SymbolNormalisationTests {
    @Test("pasted spellings print in canonical form, which parses to the same symbol")
    func normalise() throws {
        for (input, canonical) in normalisations {
            let symbol = try DocumentSymbol.parse(input).get()
            #expect(symbol.description == canonical, "\(input)")
            #expect(try DocumentSymbol.parse(canonical).get() == symbol, "\(input)")
            #expect(try DocumentSymbol(input) == symbol)
        }
    }

    @Test("distribution and type come from L and R, and nowhere else")
    func distribution() throws {
        #expect(try DocumentSymbol.parse("E/2008/R.3").get().distribution == .restricted)
        #expect(try DocumentSymbol.parse("E/2008/R.3").get().documentType == .restricted)
        #expect(try DocumentSymbol.parse("A/61/L.1/Corr.1").get().distribution == .limited)
        #expect(try DocumentSymbol.parse("CTOC/COP/2008/CRP.1").get().distribution == nil)
        #expect(try DocumentSymbol.parse("CTOC/COP/2008/19").get().distribution == nil)
        #expect(try DocumentSymbol.parse("A/AC.254/WP.7").get().documentType == .workingPaper)
    }

    @Test("base strips the modifiers and the reissue mark; parent strips the last modifier")
    func baseAndParent() throws {
        let revised = try DocumentSymbol.parse("CTOC/COP/2008/4/Rev.1").get()
        #expect(revised.base.description == "CTOC/COP/2008/4")
        #expect(revised.parent?.description == "CTOC/COP/2008/4")
        let stacked = try DocumentSymbol.parse("A/59/565/Add.2/Rev.1*").get()
        #expect(stacked.base.description == "A/59/565")
        #expect(stacked.parent?.description == "A/59/565/Add.2")
        #expect(stacked.parent?.parent?.description == "A/59/565")
        #expect(stacked.parent?.parent?.parent == nil)
        let reissue = try DocumentSymbol.parse("CTOC/COP/2010/12*").get()
        #expect(reissue.base.description == "CTOC/COP/2010/12")
        #expect(!reissue.base.isReissue)
        #expect(reissue.parent == nil)
        // The parenthetical closes the symbol; modifiers go before it.
        #expect(throws: SymbolError.self) { try DocumentSymbol.parse("S/RES/1566 (2004)/Corr.1").get() }
    }

    @Test("helpers make the next revision, corrigendum, addendum, amendment, summary and reissue")
    func helpers() throws {
        let document = try DocumentSymbol("CTOC/COP/2008/4")
        #expect(try document.adding(.revision(1)).description == "CTOC/COP/2008/4/Rev.1")
        #expect(try document.adding(.corrigendum(2)).description == "CTOC/COP/2008/4/Corr.2")
        #expect(try document.adding(.addendum(3)).description == "CTOC/COP/2008/4/Add.3")
        #expect(try document.adding(.amendment(1)).description == "CTOC/COP/2008/4/Amend.1")
        #expect(try document.adding(.summary).description == "CTOC/COP/2008/4/Summary")
        #expect(try document.adding(.addendum(2)).adding(.revision(1)).description == "CTOC/COP/2008/4/Add.2/Rev.1")
        #expect(try document.reissued().description == "CTOC/COP/2008/4*")
        #expect(try document.reissued().reissued().description == "CTOC/COP/2008/4*")
        // A modified text is a new document: it does not inherit the reissue mark.
        #expect(try document.reissued().adding(.corrigendum(1)).description == "CTOC/COP/2008/4/Corr.1")
        let resolution = try DocumentSymbol("S/RES/1566 (2004)")
        #expect(try resolution.adding(.corrigendum(1)).description == "S/RES/1566/Corr.1 (2004)")
        #expect(try resolution.adding(.corrigendum(1)).base == resolution)
        #expect(throws: DomainError.self) { try document.adding(.revision(0)) }
        #expect(throws: DomainError.self) { try document.adding(.revision(1_000_000)) }
        #expect(throws: DomainError.self) { try document.adding(.addendum(-1)) }
        let longest = try DocumentSymbol(String(repeating: "A", count: 197) + "/12")
        #expect(throws: DomainError.self) { try longest.reissued() }
        #expect(throws: DomainError.self) { try longest.adding(.revision(1)) }
        let sixteen = try DocumentSymbol("A/B/D/E/F/G/H/I/J/K/M/N/O/P/Q/1")
        #expect(throws: DomainError.self) { try sixteen.adding(.revision(1)) }
    }

    @Test("Modifier kinds and numbers")
    func modifiers() {
        #expect(DocumentSymbol.Modifier(.revision, 2) == .revision(2))
        #expect(DocumentSymbol.Modifier(.summary, nil) == .summary)
        #expect(DocumentSymbol.Modifier(.addendum, nil) == nil)
        #expect(DocumentSymbol.Modifier.corrigendum(3).kind == .corrigendum)
        #expect(DocumentSymbol.Modifier.corrigendum(3).number == 3)
        #expect(DocumentSymbol.Modifier.summary.number == nil)
        #expect(DocumentSymbol.Modifier.amendment(4).description == "Amend.4")
    }

    @Test("a symbol is issued by its series and by its series with leading subsidiary bodies")
    func issuedBy() throws {
        let commission = try DocumentSymbol("E/CN.15/2008/L.1/Rev.1")
        #expect(commission.isIssued(byBody: "E"))
        #expect(commission.isIssued(byBody: "E/CN.15"))
        #expect(!commission.isIssued(byBody: "E/CN.1"))
        #expect(!commission.isIssued(byBody: "E/CN.15/2008"))
        #expect(!commission.isIssued(byBody: "A"))
        let group = try DocumentSymbol("CTOC/COP/WG.4/2010/L.1")
        #expect(group.isIssued(byBody: "CTOC/COP"))
        #expect(group.isIssued(byBody: "CTOC/COP/WG.4"))
        #expect(!group.isIssued(byBody: "CTOC"))
        #expect(!group.isIssued(byBody: "CAC/COSP"))
        #expect(!group.isIssued(byBody: "ctoc/cop"))
        #expect(!group.isIssued(byBody: ""))
    }

    @Test("building from components accepts only canonical, grammatical lists")
    func fromComponents() throws {
        let symbol = try DocumentSymbol(
            components: [.series("A"), .special(.init(.resolution)), .session(61), .serial(1)])
        #expect(symbol.description == "A/RES/61/1")
        let marked = try DocumentSymbol(
            components: [.series("S"), .special(.init(.resolution)), .serial(1566)], parenthetical: .year(2004),
            isReissue: true)
        #expect(marked.description == "S/RES/1566 (2004)*")
        let refused: [[DocumentSymbol.Component]] = [
            [],
            [.series("a"), .serial(1)],
            [.series("A/B"), .serial(1)],
            [.series("A"), .session(2008), .serial(1)],
            [.series("A"), .year(61), .serial(1)],
            [.series("A"), .serial(0)],
            [.series("A"), .serial(-1)],
            [.series("A"), .subsidiaryBody(.init(.workingGroup, 1)), .series("B"), .serial(1)],
            [.series("A"), .subsidiaryBody(.init(.workingGroup)), .serial(1)],
            [.series("A"), .special(.init(.limited)), .serial(1)],
            [.series("A"), .serial(1), .session(2)],
            [.series("CN"), .serial(1)],
            [.series("A"), .modifier(.revision(1))],
        ]
        for components in refused {
            #expect(throws: DomainError.self, "\(components)") { try DocumentSymbol(components: components) }
        }
        #expect(throws: DomainError.self) {
            try DocumentSymbol(components: [.series("S"), .serial(1)], parenthetical: .year(1900))
        }
    }

    @Test("a symbol encodes as its printed form and decodes from any spelling")
    func codable() throws {
        let symbol = try DocumentSymbol("A/C.5/61/L.20")
        let data = try JSONEncoder().encode([symbol])
        #expect(try JSONDecoder().decode([String].self, from: data) == ["A/C.5/61/L.20"])
        #expect(try JSONDecoder().decode([DocumentSymbol].self, from: data) == [symbol])
        let pasted = try JSONDecoder().decode([DocumentSymbol].self, from: Data(#"["a_c.5_61_l.20"]"#.utf8))
        #expect(pasted == [symbol])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([DocumentSymbol].self, from: Data(#"["A/61/L."]"#.utf8))
        }
    }

    @Test("equal symbols hash equally whatever their spelling")
    func hashing() throws {
        let spellings = ["A/C.5/61/L.20", "a_c.5_61_l.20", " A_C.5_61_L.20 "]
        let symbols = Set(try spellings.map { try DocumentSymbol($0) })
        #expect(symbols.count == 1)
        #expect(try DocumentSymbol("A/61/1") != DocumentSymbol("A/61/1*"))
        #expect(try DocumentSymbol("S/RES/1566 (2004)") != DocumentSymbol("S/RES/1566"))
    }
}
