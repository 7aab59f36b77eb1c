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
    public func add(_ body: Body, by actor: Actor) async throws(PlenaryError) -> Body {
        try Self.validate(body)
        return try await database.write(explaining: { Self.explain($0, body: body) }) { connection in
            let row = try connection.queryOne(
                """
                INSERT INTO bodies (code, name, treaty, timezone) VALUES ($1, $2, $3, $4)
                RETURNING code, name, treaty, timezone
                """,
                [body.code, body.name, body.treaty, body.timeZone])
            let added = try Self.body(from: row!)
            try AuditLog.record(
                connection, actor: actor, entity: "body", id: added.code, operation: "add", after: added)
            return added
        }
    }

    /// The body with this code, or 550 NOT_FOUND.
    public func get(code: String) async throws(PlenaryError) -> Body {
        let found = try await database.read { connection in
            try connection.queryOne(
                "SELECT code, name, treaty, timezone FROM bodies WHERE upper(code) = upper($1)", [code]
            ).map(Self.body(from:))
        }
        guard let found else { throw PlenaryError.notFound("body \(code): no such body") }
        return found
    }

    /// Every body, by code.
    public func list() async throws(PlenaryError) -> [Body] {
        try await database.read { connection in
            try connection.query("SELECT code, name, treaty, timezone FROM bodies ORDER BY code").rows
                .map(Self.body(from:))
        }
    }

    /// Checks every field, naming the first one at fault.
    public static func validate(_ body: Body) throws(PlenaryError) {
        if let rule = Body.codeViolation(body.code) { throw PlenaryError.badArgument("code", rule) }
        if body.name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw PlenaryError.badArgument("name", "must not be blank")
        }
        if body.name.count > 500 { throw PlenaryError.badArgument("name", "must be at most 500 characters") }
        if let treaty = body.treaty, treaty.trimmingCharacters(in: .whitespaces).isEmpty || treaty.count > 500 {
            throw PlenaryError.badArgument("treaty", "must be 1 to 500 characters when given")
        }
        if TimeZone(identifier: body.timeZone) == nil || !body.timeZone.contains("/") && body.timeZone != "UTC" {
            throw PlenaryError.badArgument(
                "timezone", "must be an IANA time zone name such as Europe/Vienna, got \(body.timeZone)")
        }
    }

    private static func body(from row: Row) throws -> Body {
        Body(
            code: try row.decode("code"), name: try row.decode("name"),
            treaty: try row.decode("treaty", as: String?.self),
            timeZone: try row.decode("timezone"))
    }

    /// The database's refusals, in the contract's words, naming the field.
    private static func explain(_ error: PostgresError, body: Body) -> PlenaryError? {
        switch error.constraint {
        case "bodies_code_key": .conflict("code: body \(body.code) already exists")
        case "bodies_code_format": .badArgument("code", "not a valid body code: \(body.code)")
        case "bodies_name_not_blank": .badArgument("name", "must be 1 to 500 characters")
        case "bodies_treaty_not_blank": .badArgument("treaty", "must be 1 to 500 characters when given")
        case "bodies_timezone_valid": .badArgument("timezone", "not a time zone PostgreSQL knows: \(body.timeZone)")
        default: nil
        }
    }
}
