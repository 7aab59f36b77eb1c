import Documents
import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Storage
import Testing

/// Registration, the agreement of a symbol with its session or meeting, and refusals that write nothing.
@Suite("Documents: registration")
struct RegistrationTests {
    let office: Secretariat

    init() async throws { office = try await Secretariat() }

    @Test func registersAndReadsBackWithTypeAndDistributionFromTheSymbol() async throws {
        let report = try await office.register("CTOC/COP/2008/19", "Report of the Conference")
        #expect(report.symbol.description == "CTOC/COP/2008/19")
        #expect(report.type == .main && report.distribution == .general)
        #expect(report.placement == .session(4))
        #expect(report.requiredLanguages == Language.allCases)
        #expect(report.versions.allSatisfy { $0.status == .expected })

        let draft = try await office.register("ctoc/cop/2008/l.5", "Draft decision")
        #expect(draft.symbol.description == "CTOC/COP/2008/L.5")
        #expect(draft.type == .limited && draft.distribution == .limited)
        let paper = try await office.register("CTOC/COP/2008/CRP.1", "Statement", languages: [.en])
        #expect(paper.type == .conferenceRoomPaper && paper.requiredLanguages == [.en])

        let read = try await office.documents.get(try DocumentSymbol("CTOC/COP/2008/19"))
        #expect(read == report)
        let audit = try AuditLog.list(try AuditChain.sealed(try office.connection()), entity: "document")
        #expect(audit.count == 3 && audit.allSatisfy { $0.operation == "register" })
    }

    @Test func aWorkingGroupDocumentIsFiledUnderItsMeeting() async throws {
        let meeting = DocumentPlacement.meeting(workingGroup: "WG.4", number: 1)
        let document = try await office.register("CTOC/COP/WG.4/2010/1", "Provisional agenda", placement: meeting)
        #expect(document.placement == meeting)
        let before = try office.footprint()
        // The example of the issue: a 2010 working-group symbol cannot be filed under the 2008 session.
        await refused(.conflict, "symbol: CTOC/COP/WG.4/2010/2", "working group WG.4", "session 4 of CTOC/COP") {
            try await office.register("CTOC/COP/WG.4/2010/2")
        }
        await refused(.conflict, "carries the year 2010", "session 4 of CTOC/COP is held in 2008") {
            try await office.register("CTOC/COP/2010/1")
        }
        await refused(.conflict, "carries the year 2008", "meeting 1 of WG.4 of CTOC/COP") {
            try await office.register("CTOC/COP/WG.4/2008/1", placement: meeting)
        }
        await refused(.conflict, "names no working group") {
            try await office.register("CTOC/COP/2010/9", placement: meeting)
        }
        await refused(.notFound, "no body issues CAC/COSP/2008/1") { try await office.register("CAC/COSP/2008/1") }
        await refused(.notFound, "session: CTOC/COP has no session 9") {
            try await office.register("CTOC/COP/2008/1", placement: .session(9))
        }
        await refused(.notFound, "meeting: WG.4 of CTOC/COP has no meeting 7") {
            try await office.register("CTOC/COP/WG.4/2010/3", placement: .meeting(workingGroup: "WG.4", number: 7))
        }
        #expect(try office.footprint() == before)
    }

    @Test func theDatabaseHoldsTheAgreementRuleWhoeverWrites() async throws {
        let connection = try office.connection()
        let ids = try connection.queryOne(
            """
            SELECT b.id AS body, s.id AS session FROM bodies b JOIN sessions s ON s.body_id = b.id AND s.number = 4
            """)!
        let body: Int = try ids.decode("body")
        let session: Int = try ids.decode("session")
        let insert = """
            INSERT INTO documents (body_id, symbol, sort_key, session_id, issuer, doc_type, distribution, title)
            VALUES ($1, $2, $2, $3, $4, 'main', 'general', 'Forged')
            """
        for (symbol, issuer) in [
            ("CTOC/COP/WG.4/2010/1", "CTOC/COP/WG.4"), ("CTOC/COP/2010/1", "CTOC/COP"), ("CAC/COSP/2008/1", "CAC/COSP"),
        ] {
            do {
                try connection.query(insert, [body, symbol, session, issuer])
                Issue.record("the database accepted \(symbol) under session 4")
            } catch {
                #expect(error.sqlState == "PL551", "\(error)")
            }
        }
        // Limited by its symbol means limited, whatever the writer says.
        do {
            try connection.query(
                """
                INSERT INTO documents (body_id, symbol, sort_key, session_id, issuer, doc_type, distribution, title)
                VALUES ($1, 'CTOC/COP/2008/L.1', 'k', $2, 'CTOC/COP', 'limited', 'general', 'Forged')
                """, [body, session])
            Issue.record("the database accepted a general L document")
        } catch {
            #expect(error.constraint == "documents_distribution_agrees", "\(error)")
        }
        #expect(try office.count("documents") == 0)
    }

    @Test func aSymbolIsRegisteredOnceAndRefusalsWriteNothing() async throws {
        try await office.register("CTOC/COP/2008/4", "Implementation of the Protocol")
        let before = try office.footprint()
        await refused(.conflict, "symbol: CTOC/COP/2008/4 is already registered", "Implementation of the Protocol") {
            try await office.register("CTOC/COP/2008/4", "Again")
        }
        await refused(.badArgument, "symbol: component 3 `20O8`") { try await office.register("CTOC/COP/20O8/5") }
        await refused(.badArgument, "title: must not be blank") {
            try await office.register("CTOC/COP/2008/5", "  ")
        }
        await refused(.badArgument, "languages: unknown language de") {
            try Language.parseList(["en", "de"], key: "languages")
        }
        await refused(.conflict, "distribution: CTOC/COP/2008/L.2 is a limited-distribution document") {
            try await office.documents.register(
                symbol: try DocumentSymbol("CTOC/COP/2008/L.2"),
                DocumentDraft(title: "Draft", placement: .session(4), distribution: .general), by: Secretariat.clerk)
        }
        await refused(.notFound, "CTOC/COP/2008/7 that CTOC/COP/2008/7/Rev.1 modifies is not registered") {
            try await office.register("CTOC/COP/2008/7/Rev.1")
        }
        #expect(try office.footprint() == before)
    }

    @Test func versionsMoveForwardOnlyAndCheckTheirFiles() async throws {
        try await office.register("CTOC/COP/2008/2", "Report on the implementation")
        let symbol = try DocumentSymbol("CTOC/COP/2008/2")
        let sha = String(repeating: "ab", count: 32)
        let submitted = try await office.documents.version(
            symbol,
            VersionUpdate(
                language: .fr, status: .submitted, file: "V0855001.pdf", sha256: sha.uppercased(),
                bytes: 123_456), by: Secretariat.clerk)
        let french = submitted.versions.first { $0.language == .fr }!
        #expect(french.status == .submitted && french.sha256 == sha && french.bytes == 123_456)
        let issued = try await office.documents.version(
            symbol, VersionUpdate(language: .en, status: .issued, date: day("2008-08-20")),
            by: Secretariat.clerk)
        #expect(issued.versions.first { $0.language == .en }?.issuedOn == day("2008-08-20"))
        #expect(issued.issuedOn == day("2008-08-20"))

        let before = try office.footprint()
        await refused(.conflict, "status: the en version of CTOC/COP/2008/2 is issued", "never goes back") {
            try await office.documents.version(
                symbol, VersionUpdate(language: .en, status: .translated), by: Secretariat.clerk)
        }
        await refused(.badArgument, "bytes: must be 0 or more") {
            try await office.documents.version(
                symbol, VersionUpdate(language: .ru, status: .submitted, bytes: -1), by: Secretariat.clerk)
        }
        await refused(.badArgument, "sha256: must be 64 hexadecimal digits") {
            try await office.documents.version(
                symbol, VersionUpdate(language: .ru, status: .submitted, sha256: "xyz"), by: Secretariat.clerk)
        }
        await refused(.badArgument, "lang: unknown language de") { try Language.parse("de", key: "lang") }
        await refused(.notFound, "CTOC/COP/2008/99 is not registered") {
            try await office.documents.version(
                try DocumentSymbol("CTOC/COP/2008/99"), VersionUpdate(language: .en, status: .submitted),
                by: Secretariat.clerk)
        }
        #expect(try office.footprint() == before)

        // The database refuses a step back and a malformed file whoever writes.
        let connection = try office.connection()
        for (sql, state) in [
            ("UPDATE document_versions SET status = 'expected', issued_on = NULL WHERE language = 'en'", "PL551"),
            ("UPDATE document_versions SET bytes = -5 WHERE language = 'ru'", "23514"),
            ("UPDATE document_versions SET sha256 = 'ABC' WHERE language = 'ru'", "23514"),
        ] {
            do {
                try connection.query(sql)
                Issue.record("the database accepted: \(sql)")
            } catch {
                #expect(error.sqlState == state, "\(error)")
            }
        }
    }

    @Test func listsByMissingLanguageAndCompletenessAPageAtATime() async throws {
        for serial in 1...12 {
            try await office.register("CTOC/COP/2008/\(serial)", "Document \(serial)")
        }
        try await office.register("CTOC/COP/2008/CRP.1", "English only", languages: [.en])
        for serial in [2, 10] {
            for language in Language.allCases {
                try await office.documents.version(
                    try DocumentSymbol("CTOC/COP/2008/\(serial)"),
                    VersionUpdate(language: language, status: .issued, date: day("2008-08-01")),
                    by: Secretariat.clerk)
            }
        }
        var symbols: [String] = []
        var cursor: String?
        repeat {
            let page = try await office.documents.list(body: "CTOC/COP", after: cursor, limit: 5)
            symbols += page.documents.map(\.symbol.description)
            cursor = page.next
        } while cursor != nil
        #expect(symbols == (1...12).map { "CTOC/COP/2008/\($0)" } + ["CTOC/COP/2008/CRP.1"])

        let missingFrench = try await office.documents.list(
            body: "CTOC/COP", filter: DocumentFilter(missingLanguage: .fr), limit: 100)
        #expect(missingFrench.documents.count == 10)
        #expect(!missingFrench.documents.map(\.symbol.description).contains("CTOC/COP/2008/CRP.1"))
        let complete = try await office.documents.list(body: "CTOC/COP", filter: DocumentFilter(complete: true))
        #expect(complete.documents.map(\.symbol.description) == ["CTOC/COP/2008/2", "CTOC/COP/2008/10"])
        let papers = try await office.documents.list(
            body: "CTOC/COP", filter: DocumentFilter(type: .conferenceRoomPaper))
        #expect(papers.documents.map(\.symbol.description) == ["CTOC/COP/2008/CRP.1"])
        await refused(.badArgument, "after: not a cursor") {
            try await office.documents.list(body: "CTOC/COP", after: "garbage!")
        }
    }
}
