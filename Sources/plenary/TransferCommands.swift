import ArgumentParser
import Foundation
import PlenaryCore
import Postgres
import Storage
import Transfer
import TransferStore

/// `plenary export [--body CODE]… [--output FILE]`: the database as one JSON document (docs/ARCHITECTURE.md,
/// Transfer).
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract:
            "Write every body, session, agenda, working group, meeting, document and decision as one JSON document.",
        discussion: """
            The format is plenary-export version 1: records keyed by natural keys (body code, session number and \
            part, document symbol, decision number), in a stable order, one record per line. Tokens and the audit \
            trail are not exported. Export, import into an empty database and export again gives the same bytes. \
            It reads the configured database in this process (never through a server, so --server does not apply) \
            and never migrates it: with a migration pending it says so and stops.
            """)

    @Option(name: .long, help: "Only this body's records (repeat for several).")
    var body: [String] = []

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    @Option(name: .long, help: "Configuration file (default Config/plenary.yaml when present).")
    var config: String?

    func run() async throws {
        let runtime = try await Runtime.open(configFile: config, migrations: .requireCurrent)
        defer { runtime.database.shutdown() }
        let bodies = body.isEmpty ? nil : body
        let document = try await runtime.database.read { connection in
            // One snapshot: every table as of the same moment.
            try connection.simpleQuery(
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL statement_timeout = 0")
            defer { try? connection.simpleQuery("COMMIT") }
            return try Exporter.read(connection, bodies: bodies)
        }
        if let missing = body.first(where: { code in !document.bodies.contains { $0.code == code } }) {
            throw PlenaryError.notFound("body: no body \(missing)")
        }
        let data = try ExportWriter.write(document)
        guard let output else {
            FileHandle.standardOutput.write(data)
            return
        }
        do {
            try data.write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            throw PlenaryError.unavailable("output: cannot write \(output): \(error.localizedDescription)")
        }
        printError("exported \(document.recordCount) records to \(output)")
    }
}

/// `plenary import FILE` (or `-` for standard input): loads an export document in one transaction.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load a plenary export document in one transaction: all of it or nothing.",
        discussion: """
            Records the database already holds unchanged are skipped, so an import can be run again; a record whose \
            key is taken by a different one is refused. The first bad record is reported with its path in the file \
            (documents[1233].languages[2].date), the field and the rule, and nothing is written (exit code 1). \
            On a terminal, progress goes to standard error. It writes the configured database in this process, \
            migrating it first; it never goes through a server (--server does not apply).
            """)

    @Argument(help: "The export document, or - for standard input.")
    var file: String

    @Option(name: .long, help: "Configuration file (default Config/plenary.yaml when present).")
    var config: String?

    func run() async throws {
        let data: Data
        if file == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let read = FileManager.default.contents(atPath: file) else {
                throw UsageError("\(file): cannot be read")
            }
            data = read
        }
        try await TransferRun.load(data, source: file == "-" ? "stdin" : file, configFile: config)
    }
}

/// `plenary demo`: the public record of the Conference's first four sessions, compiled into the binary.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Load the public record of CTOC/COP sessions 1-4 (sessions, documents, decisions) to explore.",
        discussion: """
            Safe to run again: what is already there is skipped. It loads the configured database in this process, \
            never through a server. Try then: plenary session list body=CTOC/COP
            """)

    @Option(name: .long, help: "Configuration file (default Config/plenary.yaml when present).")
    var config: String?

    func run() async throws {
        try await TransferRun.load(Demo.data, source: Demo.source, configFile: config)
    }
}

/// Reading, checking and loading a document, shared by import and demo.
enum TransferRun {
    static func load(_ data: Data, source: String, configFile: String?) async throws {
        let document: ExportDocument
        do throws(TransferError) {
            // The file is checked whole before the database is touched.
            document = try ExportReader.read(data)
            try ExportValidator.validate(document)
        } catch {
            throw error.plenaryError
        }
        let runtime = try await Runtime.open(configFile: configFile)
        defer { runtime.database.shutdown() }
        let reporter = ProgressReporter(enabled: isatty(STDERR_FILENO) == 1)
        let actor = Actor.localOperator(user: ProcessInfo.processInfo.environment["USER"] ?? "operator")
        let summary: ImportSummary
        do {
            summary = try await runtime.database.pool.withConnection { connection in
                try Importer.load(
                    document, into: connection, source: source, actor: actor,
                    progress: { done, total in reporter.report(done: done, total: total) })
            }
        } catch let error as TransferError {
            reporter.finish()
            throw error.plenaryError
        } catch {
            reporter.finish()
            throw runtime.database.translate(error)
        }
        reporter.finish()
        _ = try? await runtime.database.read { connection in try AuditChain.catchUp(connection) }
        let sections = summary.inserted.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        print(
            "imported \(source): \(summary.insertedTotal) rows written, \(summary.skippedTotal) records already there"
                + (sections.isEmpty ? "" : " (" + sections.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + ")")
        )
    }
}

/// Progress of a long import on a terminal: rows written, rate and time left, on one line of standard error.
final class ProgressReporter: @unchecked Sendable {
    // The lock guards the fields below; reports come from the pool's thread.
    private let lock = NSLock()
    private let enabled: Bool
    private let started = Date()
    private var lastShown = Date.distantPast
    private var shown = false

    init(enabled: Bool) { self.enabled = enabled }

    func report(done: Int, total: Int) {
        guard enabled, total > 0 else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        guard done == total || now.timeIntervalSince(lastShown) >= 0.25 else { return }
        lastShown = now
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(done) / elapsed
        let left = rate > 0 ? Double(total - done) / rate : 0
        let line = String(
            format: "\rimporting: %d/%d rows (%d%%), %.0f rows/s, %.0f s left  ", done, total, done * 100 / total,
            rate, left)
        FileHandle.standardError.write(Data(line.utf8))
        shown = true
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if shown { FileHandle.standardError.write(Data("\n".utf8)) }
        shown = false
    }
}
