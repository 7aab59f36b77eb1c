import Decisions
import Documents
import Foundation
import PlenaryCore
import Postgres
import Storage
import Transfer

/// What an import wrote and what it found already there.
public struct ImportSummary: Sendable, Hashable, Codable {
    /// Rows written, by section.
    public var inserted: [String: Int]
    /// Records of the file the database already held, by section.
    public var skipped: [String: Int]

    /// Rows written in all.
    public var insertedTotal: Int { inserted.values.reduce(0, +) }
    /// Records skipped in all.
    public var skippedTotal: Int { skipped.values.reduce(0, +) }
}

/// Loads an export document in one transaction: all of it or nothing. The file's records are compared with the
/// database first (``ImportPlan``); the new ones go through COPY into temporary staging tables, then into the real
/// tables with `INSERT … SELECT` in chunks, so every row meets the schema's constraints and triggers — the same
/// rules the services' writes meet — without a round trip per row. When the database refuses a chunk, a bisection
/// under savepoints finds the first row it refuses, which is reported with its path in the file. One audit row
/// records the import and its counts, so the chain stays valid and watchers hear of it.
public enum Importer {
    /// Rows per `INSERT … SELECT`: large enough to cost nothing per row, small enough for progress to move.
    static let chunk = 10_000
    /// Rows per COPY of documents and language versions.
    static let copyChunk = 50_000

    /// Imports `file` (already validated with ``ExportValidator``) on `connection`, in a transaction of its own.
    /// `progress` is told the rows written so far and the rows to write. Throws ``TransferError`` for a record the
    /// plan or the database refuses; the database is then unchanged.
    public static func load(
        _ file: ExportDocument, into connection: Connection, source: String, actor: Actor,
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> ImportSummary {
        try connection.transaction { connection in
            // A long import must not be cut by the pool's per-statement limit; two imports take turns. The plan cache
            // keeps its own judgement: forcing custom plans here (as this once did) made PostgreSQL plan every
            // foreign-key check and trigger statement again for each row copied — 45% of its time in an import, which
            // took 26.3 s for 100,000 documents with it and 16.6 s without.
            try connection.simpleQuery("SET LOCAL statement_timeout = 0")
            try connection.query("SELECT pg_advisory_xact_lock(hashtext('plenary import'))")
            // Loads the record as it stands: what a cancelled session had before it was cancelled (Schema/0013).
            try connection.query("SELECT set_config('plenary.import', 'on', true)")
            let bodies = Array(
                Set(
                    file.bodies.map(\.code) + file.sessions.map(\.body) + file.documents.map(\.body)
                        + file.decisions.map(\.body) + file.drafts.map(\.body) + file.workingGroups.map(\.body)
                        + file.meetings.map(\.body) + file.agendas.map(\.body) + file.deadlineRules.map(\.body)
                        + file.instruments.map(\.body) + file.treatyActions.map(\.body))
            ).sorted()
            let existing = try Exporter.read(connection, bodies: bodies)
            let plan = try ImportPlan.make(file: file, existing: existing)
            var loader = Loader(connection: connection, total: plan.total, progress: progress)
            try loader.load(plan)
            let summary = ImportSummary(inserted: plan.counts, skipped: plan.skipped)
            // A second run of the same file changes nothing, not even the trail.
            if plan.total > 0 {
                try AuditLog.record(
                    connection, actor: actor, entity: "import", id: source, operation: "import", after: summary)
            }
            return summary
        }
    }
}
