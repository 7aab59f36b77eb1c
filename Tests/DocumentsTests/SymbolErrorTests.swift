import Documents
import PlenaryCore
import Testing

/// An input that is not a symbol, and the fault the parser must name: the 1-based component (nil for the symbol as
/// a whole), the 0-based scalar offset, and a fragment of the reason.
struct InvalidSymbol: Sendable, CustomTestStringConvertible {
    var input: String
    var component: Int?
    var offset: Int
    var reason: String

    init(_ input: String, _ component: Int?, _ offset: Int, _ reason: String) {
        self.input = input
        self.component = component
        self.offset = offset
        self.reason = reason
    }

    var testDescription: String { SymbolErrorTests.visible(input) }
}

private typealias I = InvalidSymbol

let invalidSymbols: [InvalidSymbol] = [
    I("", nil, 0, "empty"),
    I(" \t\n", nil, 3, "empty"),
    I("/", 1, 0, "empty component"),
    I("CTOC//COP", 2, 5, "empty component"),
    I("  CTOC//COP", 2, 7, "empty component"),
    I("/A/1", 1, 0, "empty component"),
    I("A/1_", 3, 4, "empty component"),
    I("CTOC/COP/20O8/1", 3, 9, "not a year, session number, special series or serial"),
    I("A/RES/", 3, 6, "empty component"),
    I("A/RES", 2, 2, "RES/ must be followed by a serial number"),
    I("A/61/NGO", 3, 5, "NGO/ must be followed by a serial number"),
    I("A/RES/Rev.1", 2, 2, "RES/ must be followed by a serial number"),
    I("Rev.1", 1, 0, "a symbol starts with its series"),
    I("61/1", 1, 0, "a symbol starts with its series"),
    I("WG.4/2010/1", 1, 0, "a symbol starts with its series"),
    I("A/61/L.", 3, 5, "needs a number after the dot"),
    I("A/61/L", 3, 5, "L needs a number: L.n"),
    I("A/61/1234567", 3, 5, "longer than 6 digits"),
    I("S/PV.1234567", 2, 2, "longer than 6 digits"),
    I("A/61/1/Rev.99999999999999999999", 4, 7, "longer than 6 digits"),
    I("A/" + String(repeating: "1", count: 298), nil, 200, "longer than 200 characters"),
    I("A/61/\u{1B}1", 3, 5, "control character U+001B"),
    I("A/6\u{0}1", 2, 3, "control character U+0000"),
    I("A/61\n/1", 2, 4, "control character U+000A"),
    I("CTOC/C\u{D6}P/2008/1", 2, 6, "non-ASCII character U+00D6"),
    I("A/1\u{301}", 2, 3, "non-ASCII character U+0301"),
    I("\u{202E}A/1", 1, 0, "non-ASCII character U+202E"),
    I("A/61/\u{FF11}", 3, 5, "non-ASCII character U+FF11"),
    I("A/61-1", 2, 4, "character `-` is not allowed"),
    I("A/61/Rev.1/Add.x", 4, 11, "must be digits"),
    I("A/61/Rev.1/L.1", 4, 11, "only modifiers"),
    I("A/61/Rev.1/2", 4, 11, "only modifiers"),
    I("A/0/1", 2, 2, "numbers start at 1"),
    I("A/61/01", 3, 5, "leading zero"),
    I("A/61/L.0", 3, 5, "numbers start at 1"),
    I("A/1945/1", 2, 2, "not a year (1946…2100) or a session number"),
    I("A/2101/1", 2, 2, "not a year (1946…2100) or a session number"),
    I("A/1000/L.1", 2, 2, "not a year (1946…2100) or a session number"),
    I("A/1945/1/XYZ", 2, 2, "not a year (1946…2100) or a session number"),
    I("E/3000/NGO/1", 2, 2, "not a year (1946…2100) or a session number"),
    I("A/1/2/3", 4, 6, "a third number"),
    I("CTOC/COP", nil, 8, "ends without a serial number"),
    I("E/CN.15", nil, 7, "ends without a serial number"),
    I("CTOC/COP/Rev.1", 3, 9, "a modifier follows a serial number"),
    I("CTOC/COP/WG/2010/1", 3, 9, "WG needs a number: WG.n"),
    I("CTOC/COP/WG4/2010/1", 3, 9, "write WG.4"),
    I("A/61/rev2", 3, 5, "write Rev.2"),
    I("A/61/XYZ/1", 3, 5, "a series or body word may not follow the session"),
    // A word after a subsidiary body names a body (A/CONF.192/BMS/2005/1), which a serial must still follow.
    I("A/C.5/XYZ", nil, 9, "ends without a serial number"),
    I("A/61/C.5/1", 3, 5, "a subsidiary body comes before"),
    I("A/RES/61/1/RES", 5, 11, "at most one special component"),
    I("A/61/L.1/2", 4, 9, "only modifiers may follow L.1"),
    I("A/61/L.1/CRP.2", 4, 9, "only modifiers may follow L.1"),
    I("A/61/1/L.1", 4, 7, "takes the place of the serial"),
    I("A/61/1/RES", 4, 7, "RES/ comes before the serial number"),
    I("A/RES.1/1", 2, 2, "RES takes no number"),
    I("A/XY.1", 2, 2, "unknown kind `XY`"),
    I("A/1.2", 2, 2, "not a subsidiary body, special component or modifier"),
    I("A/.1", 2, 2, "not a subsidiary body, special component or modifier"),
    I("A/L.1.2", 2, 2, "must be digits"),
    I("A/61/1/Summary.1", 4, 7, "Summary takes no number"),
    I("A/61/1/Rev", 4, 7, "Rev needs a number: Rev.n"),
    I("A/1*/2", 2, 3, "`*` marks a reissue"),
    I("A/1**", 2, 3, "`*` marks a reissue"),
    I("A/1 /2", 2, 3, "spaces are allowed only before a final parenthetical"),
    I("A /1", 1, 1, "spaces are allowed only before a final parenthetical"),
    I("S/RES/1566 (2004", 3, 11, "must be closed and come at the very end"),
    I("S/RES/1566 2004)", 3, 15, "without a matching `(`"),
    I("S/RES/1566 ()", 3, 11, "empty parenthetical"),
    I("S/RES/1566 (1900)", 3, 11, "outside 1946…2100"),
    I("S/RES/1566 (IIII)", 3, 11, "a session in Roman numerals"),
    I("S/RES/1566 (20x4)", 3, 11, "a session in Roman numerals"),
    I("S/RES/1566 (0)", 3, 11, "numbers start at 1"),
    I("S/RES/(2004)/1566", 3, 6, "must be closed and come at the very end"),
    I("A/1#", 2, 3, "character `#` is not allowed"),
    I("A/1`", 2, 3, "character `\\u{60}` is not allowed"),
    I("A/B/D/E/F/G/H/I/J/K/M/N/O/P/Q/T/U/1", 17, 32, "more than 16 components"),
    I("A/B2/1", 2, 2, "not a series word (letters only)"),
]

@Suite("Document symbols: invalid input")
struct SymbolErrorTests {
    static func visible(_ text: String) -> String {
        text.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? String($0) : "\\u{\(String($0.value, radix: 16))}" }
            .joined()
    }

    @Test("the table holds enough invalid cases")
    func tableSize() { #expect(invalidSymbols.count >= 60) }

    @Test("an invalid symbol is refused with the component, offset and rule at fault", arguments: invalidSymbols)
    func invalid(_ expected: InvalidSymbol) {
        switch DocumentSymbol.parse(expected.input) {
        case .success(let symbol):
            Issue.record("parsed as \(symbol)")
        case .failure(let error):
            #expect(error.component == expected.component)
            #expect(error.offset == expected.offset)
            #expect(error.reason.contains(expected.reason), "\(error.reason)")
            #expect(error.description.hasPrefix("symbol: "))
            #expect(!error.description.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
            #expect(error.description.unicodeScalars.count < 300)
            if let component = expected.component {
                #expect(error.description.hasPrefix("symbol: component \(component) `"))
            }
        }
    }

    @Test("the error message names the component, its text, the rule and the offset")
    func message() {
        guard case .failure(let error) = DocumentSymbol.parse("CTOC/COP/20O8/1") else {
            Issue.record("parsed")
            return
        }
        #expect(
            error.description
                == "symbol: component 3 `20O8`: not a year, session number, special series or serial (at offset 9)")
        #expect(error.text == "20O8")
        #expect(PlenaryError(error.domainError).code == .badArgument)
        #expect(PlenaryError(error.domainError).token == "BAD_ARGUMENT")
        #expect(PlenaryError(error.domainError).message == error.description)
    }

    @Test("the throwing initialiser gives 504 BAD_ARGUMENT symbol: …")
    func throwing() {
        #expect(
            throws: DomainError.invalid(
                "symbol", "component 3 `20O8`: not a year, session number, special series or serial (at offset 9)")
        ) {
            try DocumentSymbol("CTOC/COP/20O8/1")
        }
        do {
            _ = try DocumentSymbol("")
            Issue.record("an empty symbol was accepted")
        } catch {
            #expect(error.kind == .invalid)
            #expect(error.message.hasPrefix("symbol: empty"))
        }
    }

    @Test("control characters and long junk in the input are escaped and cut in the message")
    func printableMessages() {
        guard case .failure(let error) = DocumentSymbol.parse("A/\u{1B}[31m\u{202E}x") else {
            Issue.record("parsed")
            return
        }
        #expect(error.text == "\\u{1B}[31m\\u{202E}x")
        let long = "A/" + String(repeating: "1", count: 150) + "x"
        guard case .failure(let longError) = DocumentSymbol.parse(long) else {
            Issue.record("parsed")
            return
        }
        #expect(longError.text?.hasSuffix("…") == true)
        #expect((longError.text?.count ?? 0) <= 41)
    }

    @Test("a symbol of exactly the limits parses; one more is refused")
    func limits() throws {
        let sixteen = "A/B/D/E/F/G/H/I/J/K/M/N/O/P/Q/1"
        #expect(try DocumentSymbol.parse(sixteen).get().components.count == 16)
        let longest = String(repeating: "A", count: 197) + "/12"
        #expect(try DocumentSymbol.parse(longest).get().description == longest)
        #expect(try DocumentSymbol.parse("  " + longest + "\n").get().description == longest)
        let tooLong = String(repeating: "A", count: 198) + "/12"
        #expect(throws: SymbolError.self) { try DocumentSymbol.parse(tooLong).get() }
        #expect(try DocumentSymbol.parse("S/PV.999999").get().serial == 999_999)
        #expect(try DocumentSymbol.parse("A/999/999999/Rev.999999").get().session == 999)
        // Printing adds the space before the parenthetical: a 200-character input that would print as 201 is refused.
        let exact = String(repeating: "S", count: 192) + "/1(2004)"
        #expect(exact.count == 200)
        guard case .failure(let error) = DocumentSymbol.parse(exact) else {
            Issue.record("a symbol that prints longer than 200 characters was accepted")
            return
        }
        #expect(error.reason.contains("once printed"))
        #expect(
            try DocumentSymbol.parse(String(repeating: "S", count: 191) + "/1(2004)").get().description.count == 200)
    }
}
