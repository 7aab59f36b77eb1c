import PlenaryCore
import PlenaryTestSupport
import Postgres
import Testing

/// Rules Swift and the database both hold (Schema/0009), fed the same table of cases on each side: where they
/// disagreed, a value the service accepted was refused by a constraint (or the reverse) with a worse message.
@Suite struct SharedRuleTests {
    @Test func decisionReferences() throws {
        let connection = try Connection(conninfo: try TestCluster.makeDatabase())
        let cases: [(String, Bool)] = [
            ("decision 4/4", true), ("resolution 5/3", true), ("resolution 49/221 B", true),
            ("decision 9999/9999 Z", true), ("decision 4", false), ("decision  4/4", false), ("decision 04/4", false),
            ("decree 4/4", false), ("4/4", false), ("decision 4/4/1", false), ("decision 4/4 b", false),
            ("decision 4/4 BB", false), ("decision 0/1", false), ("decision 10000/1", false), ("", false),
        ]
        for (text, valid) in cases {
            // Swift reads other spellings too (`Decision 4/4`, `49/221B`); what is stored is the canonical one.
            let swift = DecisionCitation(parsing: text)?.description == text
            let sql = try connection.queryOne("SELECT plenary_is_decision_reference($1) AS ok", [text])
                .map { try $0.decode("ok", as: Bool.self) }
            #expect(swift == valid, "Swift, \(text.debugDescription)")
            #expect(sql == valid, "SQL, \(text.debugDescription)")
        }
    }

    @Test func blankValues() throws {
        let connection = try Connection(conninfo: try TestCluster.makeDatabase())
        let cases: [(String, Bool)] = [
            ("", true), (" ", true), ("\t", true), (" \n ", true), ("\u{00A0}", true), ("\u{3000}", true),
            ("\u{2003}\u{2029}", true), ("\u{0085}", true), ("a", false), (" a ", false), ("\u{200B}", false),
            ("_", false), ("\u{00A0}x", false),
        ]
        for (text, blank) in cases {
            let sql = try connection.queryOne("SELECT plenary_is_blank($1) AS blank", [text])
                .map { try $0.decode("blank", as: Bool.self) }
            #expect(FieldRules.isBlank(text) == blank, "Swift, \(text.unicodeScalars.map(\.value))")
            #expect(sql == blank, "SQL, \(text.unicodeScalars.map(\.value))")
        }
    }

    @Test func timeZones() throws {
        let connection = try Connection(conninfo: try TestCluster.makeDatabase())
        let cases: [(String, Bool)] = [
            ("UTC", true), ("Europe/Vienna", true), ("America/New_York", true), ("Etc/GMT+5", true),
            ("America/Argentina/Buenos_Aires", true), ("EST5EDT", false), ("utc", false), ("GMT", false),
            ("Europe/Nowhere", false), ("Europe/", false), ("/Vienna", false), ("Europe//Vienna", false), ("", false),
            ("Europe/Vienna ", false),
        ]
        for (text, valid) in cases {
            let sql = try connection.queryOne("SELECT plenary_is_time_zone($1) AS ok", [text])
                .map { try $0.decode("ok", as: Bool.self) }
            #expect(FieldRules.isTimeZone(text) == valid, "Swift, \(text.debugDescription)")
            #expect(sql == valid, "SQL, \(text.debugDescription)")
        }
    }
}
