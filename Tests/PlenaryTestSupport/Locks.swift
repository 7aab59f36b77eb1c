import Foundation
import Postgres
import Testing

/// Waits until some other backend is blocked by a lock that `holder`'s backend holds (`pg_blocking_pids`), polling
/// from a connection of its own: how a race test knows its contender is queued on the lock — not a sleep that
/// passes whether or not it is. Records an issue and returns false when no one blocks within `timeout`.
@discardableResult
public func waitUntilBlocked(
    by holder: Connection, conninfo: String, timeout: Duration = .seconds(20),
    sourceLocation: SourceLocation = #_sourceLocation
) async throws -> Bool {
    let holderPID = try holder.queryOne("SELECT pg_backend_pid() AS pid")?.decode("pid", as: Int32.self) ?? 0
    let observer = try Connection(conninfo: conninfo)
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        let blocked = try observer.queryOne(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE $1::int = ANY (pg_blocking_pids(pid))) AS blocked",
            [Int(holderPID)])
        if try blocked?.decode("blocked", as: Bool.self) == true { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("no backend waited for the lock held by backend \(holderPID)", sourceLocation: sourceLocation)
    return false
}
