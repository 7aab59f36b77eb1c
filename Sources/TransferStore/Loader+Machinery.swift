import Decisions
import Documents
import Foundation
import PlenaryCore
import Postgres
import Storage
import Transfer

/// The chunked loader: staging by COPY, steps run chunk by chunk under savepoints, bisection to the first refusal.
extension Loader {
    /// Takes `count` ids from the table's identity sequence, in ascending order, so rows that must keep their
    /// order (drafts) or point at each other (a revision at its original) know their ids before they are written.
    func reserve(_ table: String, _ count: Int) throws -> [Int] {
        guard count > 0 else { return [] }
        let rows = try connection.query(
            "SELECT nextval(pg_get_serial_sequence($1, 'id')) AS id FROM generate_series(1, $2)", [table, count]
        ).rows
        return try rows.map { try $0.decode("id", as: Int.self) }.sorted()
    }

    /// Creates a temporary staging table (dropped at commit) and fills it with COPY; `ord` is each row's position.
    func stage(
        _ table: String, _ columns: String, _ rows: some Sequence<[String?]>, index: [String] = []
    ) throws {
        try connection.simpleQuery("CREATE TEMPORARY TABLE \(table) (ord int NOT NULL, \(columns)) ON COMMIT DROP")
        try connection.copyFrom(
            "COPY \(table) FROM STDIN", rows: zip(0..., rows).lazy.map { position, row in ["\(position)"] + row })
        try connection.simpleQuery("CREATE INDEX ON \(table) (ord)")
        for column in index { try connection.simpleQuery("CREATE INDEX ON \(table) (\(column))") }
        try connection.simpleQuery("ANALYZE \(table)")
    }

    /// Runs a step chunk by chunk. A chunk the database refuses is rolled back to its savepoint and bisected to the
    /// first row it refuses, which is reported where it is in the file.
    mutating func run(_ step: Step, counts: Bool = true) throws {
        var start = step.range.lowerBound
        while start < step.range.upperBound {
            let end = min(start + Importer.chunk, step.range.upperBound)
            if let refusal = try attempt(step, start..<end, keep: true) {
                throw try locate(step, start..<end, first: refusal)
            }
            if counts {
                done += end - start
                progress?(done, total)
            }
            start = end
        }
    }

    /// Runs the step over `range` under a savepoint: on success the rows stay (`keep`) or are rolled back; a
    /// refusal rolls them back and is returned.
    func attempt(_ step: Step, _ range: Range<Int>, keep: Bool) throws -> PostgresError? {
        try connection.simpleQuery("SAVEPOINT import_rows")
        var refusal: PostgresError?
        do {
            try connection.query(step.sql, [range.lowerBound, range.upperBound])
        } catch {
            refusal = error
        }
        try connection.simpleQuery(
            refusal == nil && keep ? "RELEASE SAVEPOINT import_rows" : "ROLLBACK TO SAVEPOINT import_rows")
        return refusal
    }

    /// Narrows a refused range to its first refused row by halves, keeping what loads before it.
    func locate(_ step: Step, _ range: Range<Int>, first: PostgresError) throws -> TransferError {
        var low = range.lowerBound
        var high = range.upperBound
        var refusal = first
        while high - low > 1 {
            let middle = (low + high) / 2
            if let error = try attempt(step, low..<middle, keep: true) {
                refusal = error
                high = middle
            } else {
                low = middle
            }
        }
        if let error = try attempt(step, low..<(low + 1), keep: false) { refusal = error }
        let (path, record) = step.locate(low)
        let code: ReplyCode =
            refusal.sqlState == Database.refusalState || refusal.isUniqueViolation || refusal.isExclusionViolation
            ? .conflict : .badArgument
        var reason = refusal.message
        if let constraint = refusal.constraint, refusal.sqlState != Database.refusalState {
            reason = "the database refused it (\(constraint)): \(refusal.message)"
        }
        return TransferError(path: path, reason: reason, record: record, code: code)
    }

    /// `{"4","4 (a)"}`: a text array as COPY reads it.
    static func arrayLiteral(_ values: [String]) -> String {
        "{"
            + values.map { value in
                "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                    + "\""
            }.joined(separator: ",") + "}"
    }
}
