import PlenaryCore
import Postgres
import Testing

// Expectations shared by the service modules' tests: refusals by the service and by the database itself.

/// `2008-10-08` as a date; traps on a typo in a test.
public func day(_ text: String) -> CalendarDate {
    guard let date = CalendarDate(iso: text) else { fatalError("not a date: \(text)") }
    return date
}

/// Runs `operation`, expecting it to be refused with `code` and a message holding every fragment; returns the error.
@discardableResult
public func refused<T>(
    _ code: ReplyCode, _ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation,
    _ operation: () async throws -> T
) async -> PlenaryError? {
    func check(_ error: PlenaryError) -> PlenaryError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(
                error.message.contains(fragment), "“\(error.message)” lacks “\(fragment)”",
                sourceLocation: sourceLocation)
        }
        return error
    }
    do {
        _ = try await operation()
        Issue.record("expected a \(code.rawValue) refusal, but it was allowed", sourceLocation: sourceLocation)
        return nil
    } catch let error as PlenaryError {
        return check(error)
    } catch let refusal as DomainError {
        // A service's refusal, as the command language would answer it.
        return check(PlenaryError(refusal))
    } catch {
        Issue.record("expected a refusal, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Runs SQL a service would never send and expects the database itself to refuse it with `sqlState`.
@discardableResult
public func databaseRefuses(
    _ connection: Connection, _ sql: String, _ parameters: [any PostgresEncodable] = [], sqlState: String,
    constraint: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
) -> PostgresError? {
    do {
        try connection.query(sql, parameters)
        Issue.record("the database accepted: \(sql)", sourceLocation: sourceLocation)
        return nil
    } catch {
        #expect(error.sqlState == sqlState, "\(error)", sourceLocation: sourceLocation)
        if let constraint {
            #expect(error.constraint == constraint, "\(error)", sourceLocation: sourceLocation)
        }
        return error
    }
}
