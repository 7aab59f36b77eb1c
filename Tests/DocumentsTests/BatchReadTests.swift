import Documents
import Foundation
import PlenaryCore
import PlenaryTestSupport
import Testing

/// `get` of many symbols at once (a client's pipelined `doc get`s): each answer exactly what `get` of that symbol
/// alone gives, in order, refusals included.
@Suite("Documents: reading many at once")
struct BatchReadTests {
    let office: Secretariat

    init() async throws { office = try await Secretariat() }

    @Test func eachAnswerIsWhatGetAloneGives() async throws {
        try await office.register("CTOC/COP/2008/19", "Report of the Conference")
        try await office.register("CTOC/COP/2008/CRP.1", "Statement", languages: [.en, .fr])
        try await office.documents.derive(.revision, of: try DocumentSymbol("CTOC/COP/2008/19"), by: Secretariat.clerk)
        try await office.documents.reissue(try DocumentSymbol("CTOC/COP/2008/CRP.1"), by: Secretariat.clerk)
        let asked = [
            "CTOC/COP/2008/19", "CTOC/COP/2008/99", "CTOC/COP/2008/CRP.1*", "CTOC/COP/2008/19/Rev.1",
            "CTOC/COP/2008/CRP.1", "CTOC/COP/2008/19",
        ]
        let symbols = try asked.map { try DocumentSymbol($0) }
        let together = await office.documents.get(symbols)
        #expect(together.count == asked.count)
        for (symbol, answer) in zip(symbols, together) {
            let alone: Result<Document, DomainError>
            do {
                alone = .success(try await office.documents.get(symbol))
            } catch {
                alone = .failure(error)
            }
            #expect(answer == alone, "\(symbol)")
        }
        guard case .failure(let missing) = together[1] else {
            Issue.record("an unregistered symbol was found")
            return
        }
        #expect(missing.kind == .notFound && missing.message.contains("CTOC/COP/2008/99"))
        #expect(try together[0].get().supersededBy?.description == "CTOC/COP/2008/19/Rev.1")
        #expect(try together[2].get().symbol.description == "CTOC/COP/2008/CRP.1*")
        #expect(await office.documents.get([]).isEmpty)
    }
}
