import EmbeddedPostgres
import Foundation

/// Runs the built `plenary` binary the ways the CLI tests need beyond ``PlenaryProcess``: with input on stdin, and
/// on a terminal.
public enum CLIProcess {
    /// Runs `plenary arguments…` with `input` on stdin (a file, as a pipe from `printf` would give it).
    public static func run(
        _ arguments: [String], input: String, databaseURL: String?, environment extra: [String: String] = [:],
        timeout: TimeInterval = 120
    ) throws -> ProcessResult {
        let stdin = FileManager.default.temporaryDirectory.appendingPathComponent("in-\(UUID().uuidString)")
        try Data(input.utf8).write(to: stdin)
        defer { try? FileManager.default.removeItem(at: stdin) }
        let descriptor = open(stdin.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw TestCluster.Unavailable(description: "cannot read \(stdin.path)") }
        defer { close(descriptor) }
        return try Spawned.run(
            [try TestCluster.plenaryBinary()] + arguments,
            environment: environment(databaseURL: databaseURL, extra: extra),
            stdin: descriptor, timeout: timeout)
    }

    /// The environment of a test run: the test's own without any PLENARY_ variable, then `extra`.
    static func environment(databaseURL: String?, extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PLENARY_") }
        if let databaseURL { environment["PLENARY_DATABASE_URL"] = databaseURL }
        environment.merge(extra) { $1 }
        return environment
    }

}

/// Runs `plenary` on a pseudo-terminal, as a person at a terminal would: stdin, stdout and stderr are the
/// terminal, so the CLI sees a TTY (tables, colours, the shell's prompt and line editor).
public enum CLITerminal {
    /// What a terminal run left: its status, and everything the terminal showed with CR LF made LF (a terminal
    /// echoes typed input too).
    public struct Result: Sendable {
        /// The exit status.
        public var status: Int32
        /// The screen's bytes as text.
        public var output: String
    }

    /// Runs `plenary arguments…` on a terminal `columns` wide, with TERM=xterm and without NO_COLOR unless
    /// `environment` says otherwise. Each chunk of `typing` is typed once the screen ends with `prompt` (after
    /// the previous chunk was typed): a person types at a prompt, and what is typed ahead reaches a program in
    /// the terminal's cooked mode, where Ctrl-D is not a key.
    public static func run(
        _ arguments: [String], typing: [String] = [], prompt: String = "plenary> ", databaseURL: String?,
        environment extra: [String: String] = [:], columns: UInt16 = 200, timeout: TimeInterval = 60
    ) throws -> Result {
        let pty = try PseudoTerminalFunctions()
        let master = pty.openMaster(O_RDWR | O_NOCTTY)
        guard master >= 0, pty.grant(master) == 0, pty.unlock(master) == 0 else {
            throw TestCluster.Unavailable(description: "no pseudo-terminal: errno \(errno)")
        }
        defer { close(master) }
        var name = [CChar](repeating: 0, count: 128)
        guard pty.name(master, &name, name.count) == 0 else {
            throw TestCluster.Unavailable(description: "ptsname_r: errno \(errno)")
        }
        let slave = open(
            String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
            O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw TestCluster.Unavailable(description: "open pts: errno \(errno)") }
        var size = winsize(ws_row: 50, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(slave, UInt(TIOCSWINSZ), &size)

        var environment = CLIProcess.environment(
            databaseURL: databaseURL, extra: ["TERM": "xterm"].merging(extra) { $1 })
        if extra["NO_COLOR"] == nil { environment["NO_COLOR"] = nil }
        let pid = try ProcessRunner.spawn(
            [try TestCluster.plenaryBinary()] + arguments, environment: environment, stdin: slave, stdout: slave,
            stderr: slave)
        // Only the child may hold the terminal open now, so reading it ends (EIO) when the child is gone.
        close(slave)

        let collected = Collected()
        let reader = Thread {
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = read(master, &buffer, buffer.count)
                if count <= 0 { break }
                collected.append(buffer[..<count])
            }
            collected.finish()
        }
        reader.start()
        var seen = 0
        for chunk in typing {
            guard collected.waitFor(suffix: prompt, longerThan: seen, timeout: timeout) else { break }
            seen = collected.bytes.count
            var bytes = Array(chunk.utf8)
            while !bytes.isEmpty {
                let written = write(master, bytes, bytes.count)
                if written <= 0 { break }
                bytes.removeFirst(written)
            }
        }
        let (status, _) = ProcessRunner.wait(for: pid, timeout: timeout)
        collected.waitUntilFinished(timeout: 5)
        let text = String(decoding: collected.bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        return Result(status: status, output: text)
    }

    /// glibc's pseudo-terminal functions, looked up at run time: its headers declare them only under feature macros
    /// that the Swift module does not set, so they are not imported.
    private struct PseudoTerminalFunctions {
        typealias Open = @convention(c) (Int32) -> Int32
        typealias Name = @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32

        let openMaster: Open
        let grant: Open
        let unlock: Open
        let name: Name

        init() throws {
            let process = dlopen(nil, RTLD_NOW)
            func symbol<T>(_ name: String, as type: T.Type) throws -> T {
                guard let address = dlsym(process, name) else {
                    throw TestCluster.Unavailable(description: "no \(name) in the C library")
                }
                return unsafeBitCast(address, to: type)
            }
            openMaster = try symbol("posix_openpt", as: Open.self)
            grant = try symbol("grantpt", as: Open.self)
            unlock = try symbol("unlockpt", as: Open.self)
            name = try symbol("ptsname_r", as: Name.self)
        }
    }

    /// Bytes read on one thread and taken on another.
    private final class Collected: @unchecked Sendable {
        // The condition guards `data` and `done`; it is the only way to them, hence @unchecked.
        private let condition = NSCondition()
        private var data: [UInt8] = []
        private var done = false

        func append(_ chunk: ArraySlice<UInt8>) {
            condition.lock()
            data += chunk
            condition.broadcast()
            condition.unlock()
        }

        /// Waits until more than `count` bytes arrived and they end with `suffix`; false on timeout or end.
        func waitFor(suffix: String, longerThan count: Int, timeout: TimeInterval) -> Bool {
            let wanted = Array(suffix.utf8)
            let deadline = Date().addingTimeInterval(timeout)
            condition.lock()
            defer { condition.unlock() }
            while true {
                if data.count > count, data.count >= wanted.count, Array(data.suffix(wanted.count)) == wanted {
                    return true
                }
                if done || !condition.wait(until: deadline) { return false }
            }
        }

        func finish() {
            condition.lock()
            done = true
            condition.broadcast()
            condition.unlock()
        }

        func waitUntilFinished(timeout: TimeInterval) {
            condition.lock()
            let deadline = Date().addingTimeInterval(timeout)
            while !done, condition.wait(until: deadline) {}
            condition.unlock()
        }

        var bytes: [UInt8] {
            condition.lock()
            defer { condition.unlock() }
            return data
        }
    }
}

/// A TCP server that speaks whatever a test tells it to, to see how the CLI takes a server that misbehaves.
public final class CLIFakeServer: @unchecked Sendable {
    /// One accepted connection.
    public final class Connection: @unchecked Sendable {
        private let socket: Int32
        private var buffer: [UInt8] = []

        init(socket: Int32) { self.socket = socket }

        /// Sends text as it is (add the LF yourself).
        public func send(_ text: String) {
            var bytes = Array(text.utf8)
            while !bytes.isEmpty {
                let sent = Glibc.send(socket, bytes, bytes.count, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return }
                bytes.removeFirst(sent)
            }
        }

        /// Reads one line without its LF; nil at end of stream.
        public func readLine() -> String? {
            while true {
                if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = String(decoding: buffer[..<newline], as: UTF8.self)
                    buffer.removeSubrange(...newline)
                    return line
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = recv(socket, &chunk, chunk.count, 0)
                // A signal (a child of another test exiting) interrupts recv without data or timeout: read again.
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return nil }
                buffer += chunk[..<count]
            }
        }

        /// Closes the connection.
        public func close() { Glibc.shutdown(socket, Int32(SHUT_RDWR)) }
    }

    /// The port it listens on (127.0.0.1).
    public let port: Int
    private let listener: Int32

    /// Listens on a free port and runs `script` for every connection, each on a thread of its own.
    public init(script: @escaping @Sendable (Connection) -> Void) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var reuse: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            Glibc.close(listener)
            throw TestCluster.Unavailable(description: "fake server: cannot listen: errno \(errno)")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        self.listener = listener
        Thread {
            while true {
                let accepted = accept(listener, nil, nil)
                if accepted < 0 { return }
                Thread {
                    let connection = Connection(socket: accepted)
                    script(connection)
                    Glibc.close(accepted)
                }.start()
            }
        }.start()
    }

    private let stopped = NSLock()
    private var isStopped = false

    /// Stops listening (once; the descriptor is not closed twice).
    public func stop() {
        stopped.lock()
        defer { stopped.unlock() }
        guard !isStopped else { return }
        isStopped = true
        Glibc.shutdown(listener, Int32(SHUT_RDWR))
        Glibc.close(listener)
    }

    deinit { stop() }
}
