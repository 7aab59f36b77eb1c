import Foundation
import PlenaryTestSupport
import Postgres
import Testing

/// Array columns are read from the literal's bytes (issue 13: no `String` per element where the caller reads
/// integers or booleans). The server prints the literals here, so the reader meets PostgreSQL's own quoting.
@Suite("Array literals as the server prints them")
struct ArrayLiteralTests {
    let connection: Connection

    init() throws {
        connection = try Connection(conninfo: try TestCluster.makeDatabase(migrated: false))
    }

    /// Texts PostgreSQL has to quote or escape (quotes, backslashes, delimiters, braces, blanks, the word NULL, the
    /// empty string) and some it prints bare, with SQL NULLs between them.
    static let awkward: [String?] = [
        "en", "a \"quoted\" word", #"back\slash"#, #"\\"#, "comma,inside", "{braces}", " padded ", "", "NULL",
        "null", nil, "Русский", "中文", "عربي", "tab\there", "line\nbreak", #"\""#, "}", "{", ",", nil,
    ]

    @Test func textElementsComeBackAsSent() throws {
        let row = try #require(try connection.queryOne("SELECT $1::text[] AS a", [Self.awkward]))
        #expect(try row.decodeElements("a", as: String.self) == Self.awkward)
        // Every prefix too, so each element is met at the end of a literal as well as inside one.
        for count in 0...Self.awkward.count {
            let sent = Array(Self.awkward.prefix(count))
            let back = try #require(try connection.queryOne("SELECT $1::text[] AS a", [sent]))
            #expect(try back.decodeElements("a", as: String.self) == sent, "the first \(count) elements")
        }
    }

    @Test func integersBooleansAndDaysWithNulls() throws {
        let row = try #require(
            try connection.queryOne(
                """
                SELECT ARRAY[0, -1, 9007199254740993, NULL]::int8[] AS numbers,
                       ARRAY[true, NULL, false]::bool[] AS flags,
                       ARRAY[DATE '2008-10-08', NULL]::date[] AS days,
                       ARRAY[]::int[] AS empty,
                       ARRAY['en', 'fr', 'a "q"', 'b,c']::text[] AS codes
                """))
        #expect(try row.decodeElements("numbers", as: Int.self) == [0, -1, 9_007_199_254_740_993, nil])
        #expect(try row.decodeElements("flags", as: Bool.self) == [true, nil, false])
        #expect(try row.decodeElements("days", as: String.self) == ["2008-10-08", nil])
        #expect(try row.decodeElements("empty", as: Int.self) == [])
        #expect(try row.decode("codes", as: [String].self) == ["en", "fr", "a \"q\"", "b,c"])
        #expect(try [String](postgresText: #"{en,"a \"q\"",NULL2}"#) == ["en", "a \"q\"", "NULL2"])
    }

    @Test func malformedNestedOrNullWhereNoneMayBeIsRefusedNamingTheColumn() throws {
        let row = try #require(
            try connection.queryOne(
                """
                SELECT ARRAY[[1, 2], [3, 4]]::int[] AS nested, ARRAY['a', NULL]::text[] AS holed,
                       ARRAY['x']::text[] AS word, NULL::text[] AS missing
                """))
        let nested = #expect(throws: PostgresError.self) { try row.decodeElements("nested", as: Int.self) }
        #expect(throws: PostgresError.self) { try row.decode("holed", as: [String].self) }
        #expect(throws: PostgresError.self) { try row.decodeElements("word", as: Int.self) }
        #expect(throws: PostgresError.self) { try row.decodeElements("missing", as: String.self) }
        for literal in [#"{"unterminated}"#, #"{"ends in \"#, "no braces", "{", #"{"a"b}"#, "{a,{b}}", ""] {
            #expect(throws: PostgresError.self, "\(literal)") { try [String](postgresText: literal) }
        }
        #expect(nested?.message.hasPrefix("column nested: ") == true, "\(nested?.message ?? "")")
    }
}
