import AdminProtocol
import Foundation
import PlenaryCommands
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Storage
import Testing

/// A secretariat officer's desk over a database of the test's own: lines of the command language run through the
/// real catalog, replies read back as the text the protocol sends.
struct Desk {
    let url: String
    let database: Database
    let dispatcher: CommandDispatcher
    static let actor = Actor.localOperator(user: "record-test")

    init() throws {
        url = try TestCluster.makeDatabase()
        database = Database(configuration: .init(conninfo: url, size: 2))
        dispatcher = CommandDispatcher(catalog: PlenaryCatalog.make(Services(database: database)))
    }

    func close() { database.shutdown() }

    /// Runs `line`; returns the reply as the text protocol writes it.
    @discardableResult
    func run(_ line: String) async throws -> String {
        guard case .success(let request) = LineParser.parse(line) else {
            Issue.record("unparsable line: \(line)")
            return ""
        }
        let reply = await dispatcher.run(request, actor: Self.actor)
        return String(decoding: ReplyEncoder.encode(reply, format: .text), as: UTF8.self)
    }

    /// Runs `line` and expects the final line to start with `code` and the reply to contain every one of `words`.
    @discardableResult
    func expect(
        _ line: String, _ code: Int, _ words: String..., sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        let text = try await run(line)
        let last = text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("\(code) "), "\(line)\n\(text)", sourceLocation: sourceLocation)
        for word in words {
            #expect(text.contains(word), "\(line): no \(word) in\n\(text)", sourceLocation: sourceLocation)
        }
        return text
    }

    /// One SQL statement straight to the database, bypassing the services: what the database itself holds.
    func sql(_ statement: String) throws {
        let connection = try Connection(conninfo: url)
        try connection.simpleQuery(statement)
    }

    /// The SQLSTATE and message PostgreSQL refuses `statement` with, or nil when it is accepted.
    func refusal(_ statement: String) -> (state: String?, message: String)? {
        do {
            try sql(statement)
            return nil
        } catch let error as PostgresError {
            return (error.sqlState, error.message)
        } catch {
            return (nil, "\(error)")
        }
    }

    /// CTOC/COP with session 5 (2030-10-07 to 2030-10-18) and a provisional agenda of items 1, 2, 2 (a), 3.
    static func conference() async throws -> Desk {
        let desk = try Desk()
        try await desk.expect(
            "body add code=CTOC/COP name=\"Conference of the Parties\" timezone=Europe/Vienna", 201)
        try await desk.expect(
            "session schedule body=CTOC/COP number=5 start=2030-10-07 end=2030-10-18 venue=Vienna", 201)
        for (item, title) in [
            ("1", "Opening"), ("2", "Organizational matters"), ("2(a)", "Adoption of the agenda"), ("3", "Reviews"),
        ] {
            try await desk.expect("agenda add body=CTOC/COP session=5 item=\(item) title=\"\(title)\"", 201)
        }
        return desk
    }
}
