import Postgres

extension Optional where Wrapped == Row {
    /// The row a statement cannot fail to return (an `INSERT … RETURNING`, an aggregate): a missing one is a fault,
    /// reported as a decoding error that ``Database`` logs under an incident id, never a crash of the server.
    public func required(_ statement: @autoclosure () -> String) throws(PostgresError) -> Row {
        guard let row = self else {
            throw PostgresError(kind: .decoding, message: "\(statement()): no row came back")
        }
        return row
    }
}

extension Row {
    /// A text column read as one of a closed set of values (a language, a status): a value outside the set is a
    /// fault reported as a decoding error, never a crash of the server.
    public func decode<Value: RawRepresentable>(
        _ column: String, member type: Value.Type
    ) throws(PostgresError)
        -> Value where Value.RawValue == String
    {
        let text: String = try decode(column)
        guard let value = Value(rawValue: text) else {
            throw PostgresError(kind: .decoding, message: "column \(column): \(text.debugDescription) is not a \(type)")
        }
        return value
    }
}
