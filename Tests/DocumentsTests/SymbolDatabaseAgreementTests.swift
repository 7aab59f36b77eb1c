import Documents
import PlenaryCore
import PlenaryTestSupport
import Postgres
import PropertyBased
import Testing

/// The rules of symbols held twice — the shape of a stored symbol, its year (one rule: 1946 … 2100), its session
/// number and its working group — fed to Swift and to the database's functions (Schema/0012) alike, case by case.
@Suite("Document symbols: Swift and the database read them alike")
struct SymbolDatabaseAgreementTests {
    let connection: Connection

    init() throws {
        connection = try Connection(conninfo: try TestCluster.makeDatabase())
    }

    /// Edge cases of the year and session rules, beside the real symbols of every class.
    static let edges = [
        "A/1946/1", "A/2100/1", "A/999/1", "A/59/2005/Add.1", "A/AC.254/2008", "A/AC.254/2008/Rev.1",
        "A/AC.254/61/Summary", "A/61/1/Summary", "S/RES/1566 (2004)", "A/RES/1514 (XV)", "A/RES/2200 A (XXI)",
        "E/CN.6/2008/NGO/1", "CTOC/COP/WG.4/WG.5/2010/1", "A/CN.9/WG.III/61/1", "A/RES/S-26/2", "A/S-26/L.2",
        "A/RES/49/221 B", "A/61/L.1/Corr.1", "A/C.5/61/L.20", "A/1946/Add.1/Summary",
    ]

    /// One symbol as Swift reads it and as the database reads its stored (unmarked) form.
    func agree(_ text: String) throws {
        let symbol = try DocumentSymbol(text)
        let stored = DocumentRules.unmarked(symbol).description
        let row = try #require(
            try connection.queryOne(
                """
                SELECT plenary_symbol_shape($1) AS shape, plenary_symbol_year($1) AS year,
                       plenary_symbol_session($1) AS session, plenary_symbol_working_group($1) AS wg
                """,
                [stored]))
        #expect(try row.decode("shape", as: Bool.self), "\(stored)")
        #expect(try row.decode("year", as: Int?.self) == symbol.year, "year of \(stored)")
        #expect(try row.decode("session", as: Int?.self) == symbol.session, "session of \(stored)")
        #expect(try row.decode("wg", as: String?.self) == symbol.workingGroup, "working group of \(stored)")
    }

    @Test("real symbols of every class and the edge cases read alike")
    func table() throws {
        for text in realSymbols.map(\.symbol) + symbolForms.map(\.symbol) + Self.edges { try agree(text) }
    }

    @Test("random well-formed symbols read alike")
    func generated() async throws {
        await propertyCheck(count: 300, input: SymbolGens.wellFormed) { parts in
            guard
                let symbol = try? DocumentSymbol(
                    components: parts.components, part: parts.part, parenthetical: parts.parenthetical,
                    isReissue: parts.isReissue)
            else {
                Issue.record("refused \(parts.components)")
                return
            }
            do { try agree(symbol.description) } catch { Issue.record(error) }
        }
    }

    @Test("the year rule is one: 1946 to 2100, in Swift and in the database")
    func years() throws {
        let cases: [(year: Int, valid: Bool)] = [
            (1940, false), (1945, false), (1946, true), (1999, true), (2100, true), (2101, false),
        ]
        for (year, valid) in cases {
            let text = "CTOC/COP/\(year)/1"
            #expect(((try? DocumentSymbol(text)) != nil) == valid, "\(text)")
            let read = try connection.queryOne("SELECT plenary_symbol_year($1) AS year", [text])?
                .decode("year", as: Int?.self)
            #expect(read == (valid ? year : nil), "\(text)")
        }
    }

    @Test("the stored shape admits what Swift prints and refuses what no symbol is")
    func shape() throws {
        for text in ["A/RES/49/221 B B", "A/RES/S-26-1/2", "a/1", "A//1", "A/1 (2004", "A/RES/49/221 b", "A/ES-/1"] {
            let shape = try connection.queryOne("SELECT plenary_symbol_shape($1) AS shape", [text])?
                .decode("shape", as: Bool.self)
            #expect(shape == false, "\(text)")
            if case .success(let symbol) = DocumentSymbol.parse(text) {
                // Swift normalises it; what it would store is the canonical form, which the shape admits.
                #expect(symbol.description != text)
            }
        }
    }
}

@Suite("Documents: the session a symbol carries, held in the database too")
struct SymbolSessionAgreementTests {
    @Test func aSymbolThatCarriesASessionIsFiledUnderIt() async throws {
        let secretariat = try await Secretariat()
        // Swift refuses first, naming the rule.
        await refused(.conflict, "symbol: CTOC/COP/4/2 carries session 4, but it is filed under session 5 of CTOC/COP")
        {
            try await secretariat.register("CTOC/COP/4/2", placement: .session(5))
        }
        try await secretariat.register("CTOC/COP/4/2", placement: .session(4))
        // The database refuses it whoever writes, in the same words.
        let connection = try secretariat.connection()
        func insert(_ symbol: String, session: Int) throws {
            try connection.query(
                """
                INSERT INTO documents (body_id, symbol, sort_key, session_id, issuer, doc_type, distribution, title)
                SELECT s.body_id, $1, $1, s.id, 'CTOC/COP', 'main', 'general', 'A document'
                FROM sessions s WHERE s.number = $2
                """,
                [symbol, session])
        }
        let error = #expect(throws: PostgresError.self) { try insert("CTOC/COP/4/3", session: 5) }
        #expect(error?.constraint == "documents_symbol_session")
        #expect(
            error?.message == "symbol: CTOC/COP/4/3 carries session 4, but it is filed under session 5 of CTOC/COP")
        try insert("CTOC/COP/5/3", session: 5)
    }
}
