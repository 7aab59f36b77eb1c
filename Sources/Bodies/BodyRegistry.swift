import Foundation
import PlenaryCore
import Postgres
import Storage

/// The treaty bodies Plenary manages. Rules are held twice: here, to answer with the field at fault before a
/// round trip, and in the database (`bodies_*` constraints), which has the last word whoever connects.
public struct BodyRegistry: Sendable {
    private let database: Database

    /// Creates the registry over a database.
    public init(database: Database) {
        self.database = database
    }

    /// Adds a body, audited as `actor`. A code already in use is 551 CONFLICT; a malformed field is 504 naming it.
    public func add(_ body: Body, by actor: Actor) async throws(DomainError) -> Body {
        try body.validate()
        return try await database.write(explaining: { Self.explain($0, body: body) }) { connection in
            let row = try connection.queryOne(
                """
                INSERT INTO bodies (code, name, treaty, timezone) VALUES ($1, $2, $3, $4)
                RETURNING code, name, treaty, timezone
                """,
                [body.code, body.name, body.treaty, body.timeZone])
            let added = try Self.body(from: row.required("INSERT INTO bodies"))
            try AuditLog.record(
                connection, actor: actor, entity: "body", id: added.code, operation: "add", after: added)
            return added
        }
    }

    /// The body with this code, or 550 NOT_FOUND.
    public func get(code: String) async throws(DomainError) -> Body {
        let found = try await database.read { connection in
            try connection.queryOne(
                "SELECT code, name, treaty, timezone FROM bodies WHERE upper(code) = upper($1)", [code]
            ).map(Self.body(from:))
        }
        guard let found else { throw DomainError.notFound("body \(code): no such body") }
        return found
    }

    /// Every body, by code.
    public func list() async throws(DomainError) -> [Body] {
        try await database.read { connection in
            try connection.query("SELECT code, name, treaty, timezone FROM bodies ORDER BY code").rows
                .map(Self.body(from:))
        }
    }

    private static func body(from row: Row) throws -> Body {
        Body(
            code: try row.decode("code"), name: try row.decode("name"),
            treaty: try row.decode("treaty", as: String?.self),
            timeZone: try row.decode("timezone"))
    }

    /// The database's refusals, in the contract's words, naming the field.
    private static func explain(_ error: PostgresError, body: Body) -> DomainError? {
        switch error.constraint {
        case "bodies_code_key": .conflict("code: body \(body.code) already exists")
        case "bodies_code_format": .invalid("code", "not a valid body code: \(body.code)")
        case "bodies_name_not_blank": .invalid("name", "must be 1 to 500 characters")
        case "bodies_treaty_not_blank": .invalid("treaty", "must be 1 to 500 characters when given")
        case "bodies_timezone_valid": .invalid("timezone", "not a time zone PostgreSQL knows: \(body.timeZone)")
        default: nil
        }
    }
}
