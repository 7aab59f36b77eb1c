import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Sessions
import Storage
import Testing

/// Two writers who each check "is anything else on these days?" before writing would both pass; the database has
/// to make one of them lose. These tests race real transactions on separate connections.
@Suite("Sessions: concurrent scheduling")
struct SessionRaceTests {
    let conference: Conference

    init() async throws {
        conference = try await Conference()
    }

    @Test func ofConcurrentOverlappingSchedulesExactlyOneWins() async throws {
        let conninfo = conference.conninfo
        for round in 0..<4 {
            let year = 2001 + round
            let numbers = (1...8).map { round * 10 + $0 }
            // Each writer has a pool of its own: separate connections, separate transactions.
            let results = await withTaskGroup(of: (Int, Result<Session, DomainError>).self) { group in
                for number in numbers {
                    group.addTask {
                        let database = Database(
                            configuration: ConnectionPool.Configuration(conninfo: conninfo, size: 1))
                        defer { database.shutdown() }
                        let plan = SessionPlan(
                            number: number, venue: "Vienna", start: day("\(year)-05-0\(number % 10)"),
                            end: day("\(year)-05-20"))
                        do throws(DomainError) {
                            let session = try await SessionRegistry(database: database).schedule(
                                plan, body: "CTOC/COP", by: Conference.clerk)
                            return (number, .success(session))
                        } catch {
                            return (number, .failure(error))
                        }
                    }
                }
                var all: [(Int, Result<Session, DomainError>)] = []
                for await result in group { all.append(result) }
                return all
            }
            let winners = results.compactMap { try? $0.1.get() }
            #expect(winners.count == 1, "round \(round): \(winners.map(\.number))")
            guard let winner = winners.first else { continue }
            for case (let number, .failure(let error)) in results {
                #expect(error.kind == .conflict, "\(number): \(error)")
                #expect(
                    error.message.contains("would overlap session \(winner.number) "),
                    "\(number) names the winner: \(error.message)")
            }
        }
        let stored = try await conference.sessions.list(body: "CTOC/COP")
        #expect(stored.count == 4)
    }

    /// Starts `sql` on its own connection and its own thread, at once; it blocks until the holder ends its
    /// transaction. A thread of its own, started here and not from a task: a task may wait for a cooperative thread
    /// on a loaded machine, and a blocked libpq call on that small pool could starve the very task that is meant to
    /// end the holder's transaction.
    func contend(_ sql: String, _ parameters: [any PostgresEncodable]) throws -> Contender {
        let contender = try conference.connection()
        let outcome = Contender()
        Thread.detachNewThread {
            do throws(PostgresError) {
                try contender.query(sql, parameters)
                outcome.finish(nil)
            } catch {
                outcome.finish(error)
            }
        }
        return outcome
    }

    @Test(arguments: [true, false])
    func theExclusionConstraintAloneDecidesARaceOfRawInserts(triggersOn: Bool) async throws {
        let setup = try conference.connection()
        if !triggersOn {
            // What a superuser (or a bug in a trigger) could do: the constraint must still hold.
            try setup.simpleQuery("ALTER TABLE sessions DISABLE TRIGGER sessions_10_rules")
        }
        let body = try bodyID(setup)
        let insert =
            "INSERT INTO sessions (body_id, number, venue, timezone, start_date, end_date) "
            + "VALUES ($1, $2, 'Vienna', 'Europe/Vienna', $3, $4)"

        // First race: the holder commits, so the contender, which had to wait for it, loses.
        let holder = try conference.connection()
        try holder.simpleQuery("BEGIN")
        try holder.query(insert, [body, 1, "2008-10-08", "2008-10-17"])
        let loser = try contend(insert, [body, 2, "2008-10-15", "2008-10-20"])
        try await waitUntilBlocked(by: holder, conninfo: conference.conninfo)
        try holder.simpleQuery("COMMIT")
        let lost = await loser.outcome()
        if triggersOn {
            #expect(lost?.sqlState == "PL551", "\(String(describing: lost))")
            #expect(lost?.message.contains("would overlap session 1") == true)
        } else {
            #expect(lost?.sqlState == SQLState.exclusionViolation, "\(String(describing: lost))")
            #expect(lost?.constraint == "sessions_no_overlap")
        }

        // Second race: the holder rolls back, so the contender's same days are free after all.
        try holder.simpleQuery("BEGIN")
        try holder.query(insert, [body, 3, "2009-10-08", "2009-10-17"])
        let winner = try contend(insert, [body, 4, "2009-10-15", "2009-10-20"])
        try await waitUntilBlocked(by: holder, conninfo: conference.conninfo)
        try holder.simpleQuery("ROLLBACK")
        #expect(await winner.outcome() == nil)

        let numbers = try setup.query("SELECT number FROM sessions ORDER BY number").rows.map {
            try $0.decode("number", as: Int.self)
        }
        #expect(numbers == [1, 4])
        if !triggersOn { try setup.simpleQuery("ALTER TABLE sessions ENABLE TRIGGER sessions_10_rules") }
    }
}

/// The end of a contender's statement: nil when it succeeded, else its error.
final class Contender: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    // Written once by the contender's thread before `done` is signalled; read only after waiting for it.
    private var error: PostgresError?

    func finish(_ error: PostgresError?) {
        self.error = error
        done.signal()
    }

    /// Waits, off the cooperative pool, for the statement to end.
    func outcome() async -> PostgresError? {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                self.done.wait()
                continuation.resume(returning: self.error)
            }
        }
    }
}
