import ArgumentParser
import Foundation
import PlenaryCommands
import PlenaryCore
import Publishing

/// `plenary publish [--body CODE]… -o DIR [--follow]`: the record as a static site (docs/ARCHITECTURE.md,
/// Publishing), in this process against the database, like `export`.
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Render the public pages: each body's front page, sessions, documents, decisions and working groups.",
        discussion: """
            Writes a static site under DIR, servable by any web server: index.html, style.css, and per body \
            (CTOC/COP → CTOC_COP/) index.html, data.json, calendar.ics, sessions/, documents/, decisions/ and \
            working-groups/. No JavaScript. The same record on the same day gives the same bytes; a file whose bytes \
            are already there is not rewritten, and a changed one is replaced atomically. A publication leaves \
            .plenary-publication.json beside the pages (the audit trail's head it read, the days, the bodies): the \
            next publish into the same directory re-renders only what the changes committed since touch, unless the \
            day, the bodies or the Plenary version differ (or --full). With --follow, it stays \
            connected to the change feed (the one `watch` streams) and re-renders the pages each change touches. \
            Runs in this process against the database; it cannot run on a server (--server).
            """)

    @Option(name: .long, help: "Only this body's pages (repeat for several).")
    var body: [String] = []

    @Option(name: .shortAndLong, help: "The directory to write the site to (created when missing).")
    var output: String

    @Flag(name: .long, help: "Keep running: re-render the pages each committed change touches.")
    var follow = false

    @Flag(name: .long, help: "Render every page, even when the site's stamp allows re-rendering only what changed.")
    var full = false

    @Option(name: .long, help: "Publish the record as of this day (YYYY-MM-DD) instead of each body's today.")
    var today: String?

    @Option(name: .long, help: "Configuration file (default Config/plenary.yaml when present).")
    var config: String?

    @Option(name: .long, help: .hidden)
    var server: String?

    func validate() throws {
        if server != nil {
            throw ValidationError(
                "--server: publish runs in this process against the database (like export), not on a server")
        }
        if let today, CalendarDate(iso: today) == nil {
            throw ValidationError("--today: must be a date YYYY-MM-DD, got \(today)")
        }
    }

    func run() async throws {
        let runtime = try await Runtime.open(configFile: config)
        defer { runtime.database.shutdown() }
        // The publisher's services refuse with DomainError; the CLI answers with the reply code, as the other
        // in-process commands do.
        do throws(DomainError) {
            try await publish(runtime)
        } catch {
            throw PlenaryError(error)
        }
    }

    func publish(_ runtime: Runtime) async throws(DomainError) {
        let reader = SiteReader(database: runtime.database, today: today.flatMap { CalendarDate(iso: $0) })
        let publisher = SitePublisher(
            reader: reader, writer: try SiteWriter(root: output), bodies: body.isEmpty ? nil : body)
        guard follow else {
            let started = ContinuousClock.now
            let source = AuditChangeSource(database: runtime.database)
            let (report, incremental) = try await publisher.publish(
                since: source, plenary: Product.version, full: full)
            printError(
                "published \(output)\(incremental ? " (the changes since the last publication)" : ""): "
                    + "\(report.written) files written, \(report.unchanged) unchanged "
                    + "in \(Self.seconds(ContinuousClock.now - started))")
            return
        }
        let output = self.output
        try await publisher.follow(
            AuditChangeSource(database: runtime.database), plenary: Product.version,
            published: { report in
                let shown = report.paths.prefix(5).joined(separator: " ")
                printError(
                    "published \(output): \(report.written) files written, \(report.unchanged) unchanged"
                        + (shown.isEmpty ? "" : " (\(shown)\(report.paths.count > 5 ? " …" : ""))")
                        + "; following changes")
            },
            failed: { error in
                printError("plenary publish: \(PlenaryError(error).description); the next change publishes it again")
            })
    }

    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        return String(format: "%.2f s", Double(seconds) + Double(attoseconds) / 1e18)
    }
}
