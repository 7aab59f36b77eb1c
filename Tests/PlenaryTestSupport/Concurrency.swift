import Foundation

/// Runs `body(index)` for `0..<count`, each on a thread of its own, all released at once, and returns the results
/// in index order. Real threads, not tasks: the blocking line client on Swift's cooperative pool (two threads on a
/// two-core machine) would run two at a time, and a race between two is no race between many.
public func onThreads<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) -> [T] {
    let results = ThreadResults<T>(count: count)
    let gate = StartGate()
    let done = DispatchGroup()
    for index in 0..<count {
        done.enter()
        let thread = Thread {
            gate.wait()
            results.set(index, body(index))
            done.leave()
        }
        thread.stackSize = 1 << 20
        thread.start()
    }
    gate.open()
    done.wait()
    return results.all
}

/// Holds threads until all are started, then lets them go together.
private final class StartGate: @unchecked Sendable {
    // The condition guards `isOpen`; it is the only way to it, hence @unchecked.
    private let condition = NSCondition()
    private var isOpen = false

    func wait() {
        condition.lock()
        while !isOpen { condition.wait() }
        condition.unlock()
    }

    func open() {
        condition.lock()
        isOpen = true
        condition.broadcast()
        condition.unlock()
    }
}

/// Results written by many threads, read once they are done.
private final class ThreadResults<T: Sendable>: @unchecked Sendable {
    // The lock guards `values`; it is the only way to them, hence @unchecked.
    private let lock = NSLock()
    private var values: [T?]

    init(count: Int) { values = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: T) {
        lock.lock()
        values[index] = value
        lock.unlock()
    }

    var all: [T] {
        lock.lock()
        defer { lock.unlock() }
        return values.map { $0! }
    }
}

/// The value of `key=` in a reply line (`201 OK symbol=CTOC/COP/2008/3` → `CTOC/COP/2008/3`), unquoted; nil when the
/// line has no such field. Values with spaces come quoted and are read whole.
public func replyField(_ key: String, _ line: String) -> String? {
    guard let range = line.range(of: " \(key)=") else { return nil }
    let rest = line[range.upperBound...]
    guard rest.first == "\"" else { return String(rest.prefix { $0 != " " }) }
    var value = ""
    var escaped = false
    for character in rest.dropFirst() {
        if escaped {
            value.append(character == "n" ? "\n" : character)
            escaped = false
        } else if character == "\\" {
            escaped = true
        } else if character == "\"" {
            return value
        } else {
            value.append(character)
        }
    }
    return value
}

extension ProtocolClient {
    /// A client that has read the greeting and authenticated with `token`; throws when either went wrong.
    public static func authenticated(port: Int, token: String, timeout: Int = 60) throws -> ProtocolClient {
        let client = try ProtocolClient(port: port, timeout: timeout)
        guard let greeting = client.readLine(), greeting.hasPrefix("220 ") else {
            throw TestCluster.Unavailable(description: "no greeting from 127.0.0.1:\(port)")
        }
        let reply = client.command("auth token=\(token)")
        guard reply.count == 1, reply[0].hasPrefix("200 OK") else {
            throw TestCluster.Unavailable(description: "auth on 127.0.0.1:\(port) was answered \(reply)")
        }
        return client
    }

    /// Sends `line` and returns its reply's last line (the one with the code that counts), or "" when the
    /// connection ended first.
    public func last(_ line: String) -> String { command(line).last ?? "" }
}

/// Tokens made the way an operator makes them: `plenary token create` in-process.
public enum TestTokens {
    /// Creates a token named `name` with `role` and returns its secret (`pln_…`).
    public static func create(name: String, role: String, databaseURL: String) throws -> String {
        let created = try PlenaryProcess.run(
            ["token", "create", "name=\(name)", "role=\(role)"], databaseURL: databaseURL)
        guard created.status == 0,
            let secret = created.stdout.split(whereSeparator: \.isWhitespace).first(where: { $0.hasPrefix("token=") })
        else {
            throw TestCluster.Unavailable(description: "token create failed: \(created.stdout)\(created.stderr)")
        }
        return String(secret.dropFirst("token=".count))
    }
}
