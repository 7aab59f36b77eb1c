import Foundation
import PlenaryTestSupport
import Postgres
import Testing

/// Clients that write and read over TCP until told to stop, each remembering every command, its reply and how long
/// the reply took: the raw material for "every acknowledged write is there, nothing else is".
///
/// Client `c` writes bodies `L<c>.<n>` (`body add`, unique, so a write is found or not by its code) and reads each
/// back (`body get`). A client whose connection ends reconnects when `reconnect` is set, else stops.
final class Load: @unchecked Sendable {
    /// One command and what came of it.
    struct Outcome: Sendable {
        /// The request line.
        var line: String
        /// The reply's last line, or "" when the connection ended before it.
        var reply: String
        /// The body code a write would create; nil for reads.
        var writes: String?
        var sent: ContinuousClock.Instant
        var answered: ContinuousClock.Instant

        var code: String { String(reply.prefix(3)) }
        var seconds: Double { (answered - sent).seconds }
    }

    private let ports: [Int]
    private let token: String
    private let clients: Int
    private let reconnect: Bool
    // The lock guards everything below; it is the only way to them, hence @unchecked.
    private let lock = NSLock()
    private var outcomes: [[Outcome]]
    private var stopping = false
    private let finished = DispatchGroup()

    /// Starts `clients` clients spread over the servers on `ports`, authenticated with `token`.
    init(ports: [Int], token: String, clients: Int, reconnect: Bool = true) {
        self.ports = ports
        self.token = token
        self.clients = clients
        self.reconnect = reconnect
        self.outcomes = Array(repeating: [], count: clients)
        for client in 0..<clients {
            finished.enter()
            let thread = Thread { [self] in
                run(client)
                finished.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    private var isStopping: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopping
    }

    private func record(_ client: Int, _ outcome: Outcome) {
        lock.lock()
        outcomes[client].append(outcome)
        lock.unlock()
    }

    private func run(_ client: Int) {
        let port = ports[client % ports.count]
        var serial = 0
        var connection: ProtocolClient?
        while !isStopping {
            if connection == nil {
                connection = try? ProtocolClient.authenticated(port: port, token: token, timeout: 120)
                if connection == nil {
                    guard reconnect else { return }
                    Thread.sleep(forTimeInterval: 0.1)
                    continue
                }
            }
            guard let open = connection else { continue }
            serial += 1
            let code = "L\(client).\(serial)"
            // The write, then — once it is acknowledged — its read-back.
            for (line, writes) in [
                ("body add code=\(code) name=\"Load \(client) \(serial)\"", code), ("body get \(code)", nil),
            ] {
                let sent = ContinuousClock.now
                let reply = open.command(line).last ?? ""
                record(client, Outcome(line: line, reply: reply, writes: writes, sent: sent, answered: .now))
                if reply.isEmpty || reply.hasPrefix("421") {
                    connection = nil
                    guard reconnect else { return }
                    break
                }
                guard reply.hasPrefix("20") else {
                    // A client told the database is away waits a moment before it asks again, as a script would.
                    if reply.hasPrefix("451") { Thread.sleep(forTimeInterval: 0.05) }
                    break
                }
            }
        }
    }

    /// Commands answered so far, by every client.
    var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return outcomes.reduce(0) { $0 + $1.count }
    }

    /// Waits until `more` commands beyond `count` now were answered, or `timeout` passed.
    @discardableResult
    func waitFor(more: Int, timeout: TimeInterval = 120) -> Bool {
        let target = count + more
        let deadline = Date().addingTimeInterval(timeout)
        while count < target {
            if Date() > deadline { return false }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return true
    }

    /// The first command sent at or after `instant` that succeeded: how soon service came back.
    func firstSuccess(after instant: ContinuousClock.Instant) -> Outcome? {
        lock.lock()
        defer { lock.unlock() }
        return outcomes.joined().filter { $0.sent >= instant && $0.reply.hasPrefix("20") }.min {
            $0.answered < $1.answered
        }
    }

    /// Waits until a command sent after `instant` succeeded, or `timeout` passed.
    func waitForSuccess(after instant: ContinuousClock.Instant, timeout: TimeInterval = 60) -> Outcome? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let outcome = firstSuccess(after: instant) { return outcome }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return nil
    }

    /// Stops every client after its current command and returns everything that happened.
    func stop() -> [Outcome] {
        lock.lock()
        stopping = true
        lock.unlock()
        finished.wait()
        lock.lock()
        defer { lock.unlock() }
        return Array(outcomes.joined())
    }
}

/// What a load run left in the database, checked against what the clients were told.
struct LoadAudit: CustomStringConvertible {
    var commands = 0
    var writes = 0
    var acknowledged = 0
    var lost: [String] = []
    var unavailable = 0
    /// Of those, the ones the command timeout answered.
    var timedOut = 0
    /// Writes answered 451 (or never answered) that are in the database all the same.
    var presentThoughRefused: [String] = []
    var unanswered = 0
    var otherCodes: [String: Int] = [:]
    var slowest = 0.0
    /// The three slowest commands, with their replies, for a failure message.
    var slowestCommands: [String] = []
    /// Commands answered later than `lateAfter` seconds: only a write whose COMMIT was already on its way may be.
    var late: [Load.Outcome] = []

    /// Compares `outcomes` with the bodies in `database`.
    init(_ outcomes: [Load.Outcome], database: String, lateAfter: Double = .infinity) throws {
        late = outcomes.filter { $0.seconds > lateAfter }
        let stored = Set(
            try Connection(conninfo: database).query("SELECT code FROM bodies").rows.map {
                try $0.decode("code", as: String.self)
            })
        slowestCommands = outcomes.sorted { $0.seconds > $1.seconds }.prefix(3).map {
            "\($0.line) → \($0.reply) after \(Int($0.seconds * 1000)) ms"
        }
        for outcome in outcomes {
            commands += 1
            slowest = max(slowest, outcome.seconds)
            switch outcome.code {
            case "200", "201": break
            case "451":
                unavailable += 1
                if outcome.reply.contains("no answer within") { timedOut += 1 }
            case "": unanswered += 1
            default: otherCodes[outcome.reply, default: 0] += 1
            }
            guard let code = outcome.writes else { continue }
            writes += 1
            if outcome.code == "201" {
                acknowledged += 1
                if !stored.contains(code) { lost.append(code) }
            } else if outcome.code == "451", stored.contains(code) {
                presentThoughRefused.append(code)
            }
        }
    }

    var description: String {
        "\(commands) commands (\(writes) writes, \(acknowledged) acknowledged), \(unavailable) answered 451 "
            + "(\(timedOut) by the command timeout), "
            + "\(unanswered) cut off, \(otherCodes.values.reduce(0, +)) other errors, writes lost: \(lost.count), "
            + "451 yet written: \(presentThoughRefused.count), slowest reply \(Int(slowest * 1000)) ms, "
            + "past the command timeout: \(late.count) (each a COMMIT in flight, then acknowledged)"
    }
}

/// Nothing half-written: every body has its audit row and every body audit row its body, and the chain holds.
func expectWholeAndChained(
    _ database: String, port: Int, token: String, sourceLocation: SourceLocation = #_sourceLocation
)
    throws
{
    let connection = try Connection(conninfo: database)
    let orphans = try connection.queryOne(
        """
        SELECT (SELECT count(*) FROM bodies b WHERE NOT EXISTS
                    (SELECT 1 FROM audit_log a WHERE a.entity = 'body' AND a.entity_id = b.code)) AS bodies,
               (SELECT count(*) FROM audit_log a WHERE a.entity = 'body' AND a.operation = 'add' AND NOT EXISTS
                    (SELECT 1 FROM bodies b WHERE b.code = a.entity_id)) AS rows
        """)
    #expect(
        try orphans?.decode("bodies", as: Int.self) == 0, "a body without its audit row", sourceLocation: sourceLocation
    )
    #expect(
        try orphans?.decode("rows", as: Int.self) == 0, "an audit row without its body", sourceLocation: sourceLocation)
    let client = try ProtocolClient.authenticated(port: port, token: token)
    let verified = client.last("audit verify")
    #expect(verified.hasPrefix("200 OK intact=true"), "\(verified)", sourceLocation: sourceLocation)
}

/// A number from the environment (the soak script's longer settings), or `fallback` for the bounded CI run.
func setting(_ name: String, _ fallback: Int) -> Int {
    ProcessInfo.processInfo.environment[name].flatMap(Int.init) ?? fallback
}

extension Duration {
    /// The duration in seconds, as a floating-point number for figures.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
