import PlenaryCore
import Postgres

extension Body.Recorded {
    /// Finds the body and takes its calendar lock (`plenary_lock_calendar`, Schema/0004). Every change to the dates
    /// of a body's sessions and meetings starts here, so numbering and the checks that read other rows see a
    /// settled calendar even when several writers race; the lock ends with the transaction. Not found for an
    /// unknown code.
    public static func lock(_ connection: Connection, code: String) throws -> Body.Recorded {
        try fetch(
            connection, code: code,
            sql: "SELECT id, code, name, timezone, plenary_lock_calendar(id) FROM bodies WHERE upper(code) = upper($1)")
    }

    /// Finds the body without locking anything, for reads. Not found for an unknown code.
    public static func find(_ connection: Connection, code: String) throws -> Body.Recorded {
        try fetch(
            connection, code: code, sql: "SELECT id, code, name, timezone FROM bodies WHERE upper(code) = upper($1)")
    }

    private static func fetch(_ connection: Connection, code: String, sql: String) throws -> Body.Recorded {
        guard let row = try connection.queryOne(sql, [code]) else {
            throw DomainError.notFound("body \(code): no such body")
        }
        return Body.Recorded(
            id: try row.decode("id"), code: try row.decode("code"), name: try row.decode("name"),
            timeZone: try row.decode("timezone"))
    }
}
