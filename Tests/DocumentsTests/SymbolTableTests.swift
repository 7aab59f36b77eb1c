import Documents
import Testing

/// What a real symbol must parse to. Unnamed properties take the value most symbols have: no working group, no
/// special component, no modifiers, the series as issuer, the symbol as its own base.
struct RealSymbol: Sendable, CustomTestStringConvertible {
    var symbol: String
    var body: String
    var issuer: String?
    var workingGroup: String?
    var year: Int?
    var session: Int?
    var type: DocumentSymbol.DocumentType = .main
    var distribution: DocumentSymbol.Distribution?
    var serial: Int?
    var modifiers: [DocumentSymbol.Modifier] = []
    var reissue = false
    var base: String?

    var testDescription: String { symbol }
}

private typealias R = RealSymbol

/// Real symbols from many series, as the UN prints them.
let realSymbols: [RealSymbol] = [
    // CTOC/COP: the Conference of the Parties to UNTOC and its working groups.
    R(symbol: "CTOC/COP/2004/6", body: "CTOC/COP", year: 2004, serial: 6),
    R(symbol: "CTOC/COP/2005/8", body: "CTOC/COP", year: 2005, serial: 8),
    R(symbol: "CTOC/COP/2006/14", body: "CTOC/COP", year: 2006, serial: 14),
    R(symbol: "CTOC/COP/2008/19", body: "CTOC/COP", year: 2008, serial: 19),
    R(
        symbol: "CTOC/COP/2008/CRP.1", body: "CTOC/COP", year: 2008, type: .conferenceRoomPaper, serial: 1),
    R(symbol: "CTOC/COP/2010/12*", body: "CTOC/COP", year: 2010, serial: 12, reissue: true, base: "CTOC/COP/2010/12"),
    R(symbol: "CTOC/COP/2010/17", body: "CTOC/COP", year: 2010, serial: 17),
    R(symbol: "CTOC/COP/2012/15", body: "CTOC/COP", year: 2012, serial: 15),
    R(
        symbol: "CTOC/COP/WG.2/2007/1", body: "CTOC/COP", issuer: "CTOC/COP/WG.2", workingGroup: "WG.2",
        year: 2007, serial: 1),
    R(
        symbol: "CTOC/COP/WG.4/2010/L.1", body: "CTOC/COP", issuer: "CTOC/COP/WG.4", workingGroup: "WG.4",
        year: 2010, type: .limited, distribution: .limited, serial: 1),
    R(
        symbol: "CTOC/COP/WG.7/2015/CRP.2", body: "CTOC/COP", issuer: "CTOC/COP/WG.7", workingGroup: "WG.7",
        year: 2015, type: .conferenceRoomPaper, serial: 2),
    R(
        symbol: "CTOC/COP/WG.6/2011/4", body: "CTOC/COP", issuer: "CTOC/COP/WG.6", workingGroup: "WG.6",
        year: 2011, serial: 4),
    R(symbol: "CTOC/COP/2008/L.5", body: "CTOC/COP", year: 2008, type: .limited, distribution: .limited, serial: 5),
    R(
        symbol: "CTOC/COP/2008/4/Rev.1", body: "CTOC/COP", year: 2008, serial: 4, modifiers: [.revision(1)],
        base: "CTOC/COP/2008/4"),
    R(
        symbol: "CTOC/COP/2018/L.4/Rev.1", body: "CTOC/COP", year: 2018, type: .limited, distribution: .limited,
        serial: 4, modifiers: [.revision(1)], base: "CTOC/COP/2018/L.4"),
    // CAC/COSP: the Conference of the States Parties to UNCAC, its working groups and review group.
    R(symbol: "CAC/COSP/2006/12", body: "CAC/COSP", year: 2006, serial: 12),
    R(symbol: "CAC/COSP/2009/15", body: "CAC/COSP", year: 2009, serial: 15),
    R(
        symbol: "CAC/COSP/WG.1/2010/2", body: "CAC/COSP", issuer: "CAC/COSP/WG.1", workingGroup: "WG.1",
        year: 2010, serial: 2),
    R(
        symbol: "CAC/COSP/WG.2/2008/CRP.1", body: "CAC/COSP", issuer: "CAC/COSP/WG.2", workingGroup: "WG.2",
        year: 2008, type: .conferenceRoomPaper, serial: 1),
    R(symbol: "CAC/COSP/IRG/2010/7", body: "CAC/COSP/IRG", year: 2010, serial: 7),
    R(symbol: "UNODC/CCPCJ/EG.4/2013/1", body: "UNODC/CCPCJ", issuer: "UNODC/CCPCJ/EG.4", year: 2013, serial: 1),
    R(symbol: "CAC/COSP/2011/L.1", body: "CAC/COSP", year: 2011, type: .limited, distribution: .limited, serial: 1),
    // General Assembly: plenary, Main Committees, ad hoc committees, conferences, the Human Rights Council.
    R(symbol: "A/RES/61/1", body: "A", session: 61, type: .resolution, serial: 1),
    R(symbol: "A/RES/55/25", body: "A", session: 55, type: .resolution, serial: 25),
    R(symbol: "A/RES/58/4", body: "A", session: 58, type: .resolution, serial: 4),
    R(symbol: "A/RES/1514 (XV)", body: "A", session: 15, type: .resolution, serial: 1514),
    R(
        symbol: "A/C.5/61/L.20", body: "A", issuer: "A/C.5", session: 61, type: .limited, distribution: .limited,
        serial: 20),
    R(
        symbol: "A/C.6/61/L.1", body: "A", issuer: "A/C.6", session: 61, type: .limited, distribution: .limited,
        serial: 1),
    R(symbol: "A/C.3/61/SR.2", body: "A", issuer: "A/C.3", session: 61, type: .summaryRecord, serial: 2),
    R(symbol: "A/61/PV.1", body: "A", session: 61, type: .verbatimRecord, serial: 1),
    R(symbol: "A/60/PV.2", body: "A", session: 60, type: .verbatimRecord, serial: 2),
    R(
        symbol: "A/61/L.1/Corr.1", body: "A", session: 61, type: .limited, distribution: .limited, serial: 1,
        modifiers: [.corrigendum(1)], base: "A/61/L.1"),
    R(symbol: "A/55/383", body: "A", session: 55, serial: 383),
    R(symbol: "A/58/422", body: "A", session: 58, serial: 422),
    R(
        symbol: "A/59/565/Add.2/Rev.1", body: "A", session: 59, serial: 565, modifiers: [.addendum(2), .revision(1)],
        base: "A/59/565"),
    R(symbol: "A/INF/61/5", body: "A", session: 61, type: .information, serial: 5),
    R(
        symbol: "A/CONF.222/L.1", body: "A", issuer: "A/CONF.222", type: .limited, distribution: .limited,
        serial: 1),
    R(symbol: "A/CONF.213/18", body: "A", issuer: "A/CONF.213", serial: 18),
    R(symbol: "A/CONF.62/122", body: "A", issuer: "A/CONF.62", serial: 122),
    R(
        symbol: "A/CONF.151/26/Rev.1", body: "A", issuer: "A/CONF.151", serial: 26, modifiers: [.revision(1)],
        base: "A/CONF.151/26"),
    R(symbol: "A/CONF.151/PC/100", body: "A", issuer: "A/CONF.151/PC", serial: 100),
    R(
        symbol: "A/AC.254/4/Rev.1", body: "A", issuer: "A/AC.254", serial: 4, modifiers: [.revision(1)],
        base: "A/AC.254/4"),
    R(
        symbol: "A/AC.105/C.1/L.1", body: "A", issuer: "A/AC.105/C.1", type: .limited, distribution: .limited,
        serial: 1),
    R(symbol: "A/HRC/RES/5/1", body: "A/HRC", session: 5, type: .resolution, serial: 1),
    R(symbol: "A/HRC/4/18", body: "A/HRC", session: 4, serial: 18),
    // Economic and Social Council and its functional commissions.
    R(symbol: "E/2008/30", body: "E", year: 2008, serial: 30),
    R(symbol: "E/RES/2004/26", body: "E", year: 2004, type: .resolution, serial: 26),
    R(
        symbol: "E/CN.15/2008/L.1/Rev.1", body: "E", issuer: "E/CN.15", year: 2008, type: .limited,
        distribution: .limited, serial: 1, modifiers: [.revision(1)], base: "E/CN.15/2008/L.1"),
    R(
        symbol: "E/CN.15/2008/CRP.1", body: "E", issuer: "E/CN.15", year: 2008, type: .conferenceRoomPaper,
        serial: 1),
    R(symbol: "E/CN.7/2008/15", body: "E", issuer: "E/CN.7", year: 2008, serial: 15),
    R(
        symbol: "E/CN.4/Sub.2/2004/L.1", body: "E", issuer: "E/CN.4/Sub.2", year: 2004, type: .limited,
        distribution: .limited, serial: 1),
    R(symbol: "E/CN.6/2008/NGO/1", body: "E", issuer: "E/CN.6", year: 2008, type: .ngo, serial: 1),
    R(symbol: "E/CN.4/2005/NGO/1", body: "E", issuer: "E/CN.4", year: 2005, type: .ngo, serial: 1),
    R(symbol: "E/C.12/GC/20", body: "E", issuer: "E/C.12/GC", serial: 20),
    // Security Council.
    R(symbol: "S/RES/1566 (2004)", body: "S", year: 2004, type: .resolution, serial: 1566),
    R(symbol: "S/RES/1373 (2001)", body: "S", year: 2001, type: .resolution, serial: 1373),
    R(symbol: "S/PRST/2004/37", body: "S", year: 2004, type: .presidentialStatement, serial: 37),
    R(symbol: "S/PV.4385", body: "S", type: .verbatimRecord, serial: 4385),
    R(symbol: "S/2004/1", body: "S", year: 2004, serial: 1),
    // Secretariat.
    R(symbol: "ST/SGB/2004/15", body: "ST/SGB", year: 2004, serial: 15),
    R(symbol: "ST/SGB/2003/13", body: "ST/SGB", year: 2003, serial: 13),
    R(symbol: "ST/AI/2010/5", body: "ST/AI", year: 2010, serial: 5),
    R(
        symbol: "ST/AI/1999/7/Amend.1", body: "ST/AI", year: 1999, serial: 7, modifiers: [.amendment(1)],
        base: "ST/AI/1999/7"),
    // Other organs, programmes and treaty bodies.
    R(
        symbol: "TD/B/C.1/L.1", body: "TD/B", issuer: "TD/B/C.1", type: .limited, distribution: .limited,
        serial: 1),
    R(symbol: "UNEP/GC.25/INF/2", body: "UNEP", issuer: "UNEP/GC.25", type: .information, serial: 2),
    R(symbol: "UNEP/GC.25/17", body: "UNEP", issuer: "UNEP/GC.25", serial: 17),
    R(symbol: "CCPR/C/GC/34", body: "CCPR", issuer: "CCPR/C/GC", serial: 34),
    R(symbol: "CRC/C/GC/12", body: "CRC", issuer: "CRC/C/GC", serial: 12),
    R(
        symbol: "FCCC/CP/2015/10/Add.1", body: "FCCC/CP", year: 2015, serial: 10, modifiers: [.addendum(1)],
        base: "FCCC/CP/2015/10"),
    R(symbol: "FCCC/SBSTA/2015/INF.1", body: "FCCC/SBSTA", year: 2015, type: .information, serial: 1),
]

@Suite("Document symbols: real symbols")
struct SymbolTableTests {
    @Test("the table holds at least 60 distinct real symbols from at least 8 series")
    func tableSize() {
        #expect(realSymbols.count >= 60)
        #expect(Set(realSymbols.map(\.symbol)).count == realSymbols.count)
        #expect(Set(realSymbols.map { $0.body.split(separator: "/")[0] }).count >= 8)
    }

    @Test("a real symbol parses, prints as itself and has the expected properties", arguments: realSymbols)
    func real(_ expected: RealSymbol) throws {
        let symbol = try DocumentSymbol.parse(expected.symbol).get()
        #expect(symbol.description == expected.symbol)
        #expect(symbol.body == expected.body)
        #expect(symbol.issuer == (expected.issuer ?? expected.body))
        #expect(symbol.workingGroup == expected.workingGroup)
        #expect(symbol.year == expected.year)
        #expect(symbol.session == expected.session)
        #expect(symbol.documentType == expected.type)
        #expect(symbol.distribution == expected.distribution)
        #expect(symbol.serial == expected.serial)
        #expect(symbol.modifiers == expected.modifiers)
        #expect(symbol.isReissue == expected.reissue)
        #expect(symbol.base.description == (expected.base ?? expected.symbol))
        #expect(try DocumentSymbol(expected.symbol) == symbol)
        #expect(symbol.isIssued(byBody: expected.body))
    }

    @Test("symbols read into the expected typed components")
    func components() throws {
        let cases: [(String, [DocumentSymbol.Component])] = [
            ("CTOC/COP/2008/19", [.series("CTOC"), .series("COP"), .year(2008), .serial(19)]),
            (
                "CTOC/COP/WG.4/2010/L.1",
                [
                    .series("CTOC"), .series("COP"), .subsidiaryBody(.init(.workingGroup, 4)), .year(2010),
                    .special(.init(.limited, 1)),
                ]
            ),
            ("A/RES/61/1", [.series("A"), .special(.init(.resolution)), .session(61), .serial(1)]),
            (
                "A/C.5/61/L.20",
                [.series("A"), .subsidiaryBody(.init(.committee, 5)), .session(61), .special(.init(.limited, 20))]
            ),
            (
                "E/CN.4/Sub.2/2004/L.1",
                [
                    .series("E"), .subsidiaryBody(.init(.commission, 4)), .subsidiaryBody(.init(.subCommission, 2)),
                    .year(2004), .special(.init(.limited, 1)),
                ]
            ),
            (
                "E/CN.6/2008/NGO/1",
                [.series("E"), .subsidiaryBody(.init(.commission, 6)), .year(2008), .special(.init(.ngo)), .serial(1)]
            ),
            (
                "A/59/565/Add.2/Rev.1",
                [.series("A"), .session(59), .serial(565), .modifier(.addendum(2)), .modifier(.revision(1))]
            ),
            (
                "A/CONF.151/PC/100",
                [
                    .series("A"), .subsidiaryBody(.init(.conference, 151)),
                    .subsidiaryBody(.init(.preparatoryCommittee)), .serial(100),
                ]
            ),
            ("ST/SGB/2004/15", [.series("ST"), .series("SGB"), .year(2004), .serial(15)]),
            (
                "UNEP/GC.25/INF/2",
                [
                    .series("UNEP"), .subsidiaryBody(.init(.governingCouncil, 25)),
                    .special(.init(.information)), .serial(2),
                ]
            ),
        ]
        for (text, components) in cases {
            let symbol = try DocumentSymbol.parse(text).get()
            #expect(symbol.components == components, "\(text)")
            #expect(try DocumentSymbol(components: components, parenthetical: nil) == symbol, "\(text)")
        }
        let resolution = try DocumentSymbol.parse("S/RES/1566 (2004)").get()
        #expect(resolution.components == [.series("S"), .special(.init(.resolution)), .serial(1566)])
        #expect(resolution.parenthetical == .year(2004))
        let early = try DocumentSymbol.parse("A/RES/1514 (XV)").get()
        #expect(early.parenthetical == .session(15))
        #expect(early.year == nil)
    }

    @Test("subsidiary bodies and specials are listed in order")
    func subsidiaryBodies() throws {
        let symbol = try DocumentSymbol.parse("E/CN.4/Sub.2/2004/L.1").get()
        #expect(symbol.subsidiaryBodies == [.init(.commission, 4), .init(.subCommission, 2)])
        #expect(symbol.subsidiaryBodies.map(\.description) == ["CN.4", "Sub.2"])
        #expect(symbol.special == .init(.limited, 1))
        #expect(symbol.series == ["E"])
        #expect(try DocumentSymbol.parse("CTOC/COP/2008/19").get().special == nil)
    }
}
