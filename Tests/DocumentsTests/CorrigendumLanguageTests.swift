import Documents
import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Testing

/// A corrigendum corrects an issued text (issue 17, point 5): Swift refuses a corrigendum in a language whose text
/// is not issued, and the database (Schema/0014) refuses the same rows however they arrive, in the same words.
@Suite("Documents: a corrigendum corrects an issued text")
struct CorrigendumLanguageTests {
    let office: Secretariat

    init() async throws { office = try await Secretariat() }

    static let rule =
        "languages: the en version of CTOC/COP/2008/2 is not issued; a corrigendum corrects an issued text"

    func correct(_ symbol: String, _ languages: [Language]?) async throws -> Document {
        try await office.documents.derive(
            .corrigendum, of: try DocumentSymbol(symbol), languages: languages, by: Secretariat.clerk)
    }

    /// /2, issued in French only.
    func frenchOnly() async throws {
        try await office.register("CTOC/COP/2008/2", "Implementation of the Convention")
        try await office.documents.version(
            try DocumentSymbol("CTOC/COP/2008/2"),
            VersionUpdate(language: .fr, status: .issued, date: day("2008-08-20")),
            by: Secretariat.clerk)
    }

    @Test func theServicesRefuseACorrigendumOfATextNotIssued() async throws {
        try await frenchOnly()
        let before = try office.footprint()
        await refused(.conflict, Self.rule) { try await correct("CTOC/COP/2008/2", [.fr, .en]) }
        #expect(try office.footprint() == before)
        let french = try await correct("CTOC/COP/2008/2", [.fr])
        #expect(french.symbol.description == "CTOC/COP/2008/2/Corr.1" && french.requiredLanguages == [.fr])
        // Without languages= a corrigendum covers every language of its document and is not checked (Swift and
        // the database agree on that too).
        let whole = try await correct("CTOC/COP/2008/2", nil)
        #expect(whole.requiredLanguages == Language.allCases)
    }

    /// A partial corrigendum of /2 in `language` written straight in SQL: the document, then its six versions.
    static func forge(_ language: String, number: Int) -> String {
        """
        INSERT INTO documents (body_id, symbol, sort_key, session_id, issuer, period, doc_type, distribution, title,
                               parent_id, relation, relation_number)
        SELECT p.body_id, p.symbol || '/Corr.\(number)', p.sort_key || '/corr\(number)', p.session_id, p.issuer,
               p.period, p.doc_type, p.distribution, p.title, p.id, 'corrigendum', \(number)
        FROM documents p WHERE p.symbol = 'CTOC/COP/2008/2';
        INSERT INTO document_versions (document_id, language, required, status)
        SELECT c.id, l, l = '\(language)', 'expected'
        FROM documents c, unnest(ARRAY['ar', 'zh', 'en', 'fr', 'ru', 'es']) AS l
        WHERE c.symbol = 'CTOC/COP/2008/2/Corr.\(number)';
        """
    }

    /// The refusal of `sql`, which must be one.
    static func refusal(_ connection: Connection, _ sql: String) -> PostgresError? {
        do {
            try connection.simpleQuery(sql)
            Issue.record("the database accepted: \(sql)")
            return nil
        } catch {
            try? connection.simpleQuery("ROLLBACK")
            #expect(error.sqlState == "PL551", "\(error)")
            #expect(error.constraint == "documents_corrigendum_corrects_issued", "\(error)")
            #expect(error.message == Self.rule, "\(error)")
            return error
        }
    }

    @Test func theDatabaseRefusesItWhoeverWrites() async throws {
        try await frenchOnly()
        let connection = try office.connection()
        let before = try office.count("documents")
        let versions = try office.count("document_versions")
        // In one transaction, as the services and an import write: refused at commit.
        _ = Self.refusal(connection, "BEGIN; " + Self.forge("en", number: 1) + " COMMIT;")
        // The document alone, then its versions in a later transaction: refused as the versions arrive.
        try connection.simpleQuery(Self.forge("en", number: 1).components(separatedBy: ";")[0])
        _ = Self.refusal(connection, Self.forge("en", number: 1).components(separatedBy: ";")[1])
        #expect(try office.count("documents") == before + 1)
        #expect(try office.count("document_versions") == versions)

        // A French corrigendum is one; making English one of its languages afterwards is refused at commit.
        try connection.simpleQuery(Self.forge("fr", number: 2))
        _ = Self.refusal(
            connection,
            """
            UPDATE document_versions SET required = true WHERE language = 'en'
              AND document_id = (SELECT id FROM documents WHERE symbol = 'CTOC/COP/2008/2/Corr.2')
            """)

        // The order of rows inside a transaction does not matter (an import writes versions after documents):
        // English issued after the corrigendum's rows, before the commit, is in time.
        try connection.simpleQuery(
            "BEGIN; " + Self.forge("en", number: 3)
                + """
                 UPDATE document_versions SET status = 'issued', issued_on = '2008-08-25'
                 WHERE language = 'en' AND document_id = (SELECT id FROM documents WHERE symbol = 'CTOC/COP/2008/2');
                COMMIT;
                """)
        #expect(try office.count("documents") == before + 3)
    }
}
