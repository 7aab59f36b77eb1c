import Crypto
import Foundation
import PlenaryCore
import Postgres

/// One row of the audit trail.
public struct AuditRecord: Sendable, Equatable {
    /// Position in the chain, 1, 2, 3 … without gaps, given when the row is sealed.
    public var seq: Int
    /// When the change was made (ISO 8601, UTC).
    public var at: String
    /// Who made it: a token's name, or `local:USER` for the CLI.
    public var actor: String
    /// What kind of thing changed (`body`, `session`, `token` …).
    public var entity: String
    /// Which one (`CTOC/COP`, `CTOC/COP/4` …).
    public var entityID: String
    /// What was done (`add`, `schedule`, `revoke` …).
    public var operation: String
    /// The values before, as canonical JSON, nil for a creation.
    public var before: String?
    /// The values after, as canonical JSON, nil for a removal.
    public var after: String?
}

/// What `audit verify` found.
public enum AuditVerification: Sendable, Equatable {
    /// Every row's hash recomputes and links to the one before; `rows` rows checked, ending at `head`.
    case intact(rows: Int)
    /// The first row that does not check out, and why.
    case broken(seq: Int, reason: String)
}

/// The head of the sealed chain: the newest seq and its hash. Kept outside the database, it is an anchor: a later
/// `audit verify anchor=SEQ:HASH` proves the trail still holds that exact history.
public struct AuditAnchor: Sendable, Equatable, CustomStringConvertible {
    /// The seq of the row the anchor fixes (0: the empty chain).
    public var seq: Int
    /// That row's hash (32 bytes; all zero for the empty chain).
    public var hash: [UInt8]

    /// Creates an anchor.
    public init(seq: Int, hash: [UInt8]) {
        self.seq = seq
        self.hash = hash
    }

    /// Parses `SEQ:HASH` (HASH in 64 hex digits); nil when it is not of that form.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let seq = Int(parts[0]), seq >= 0, parts[1].utf8.count == 64 else { return nil }
        var bytes: [UInt8] = []
        var index = parts[1].startIndex
        while index < parts[1].endIndex {
            let next = parts[1].index(index, offsetBy: 2)
            guard let byte = UInt8(parts[1][index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(seq: seq, hash: bytes)
    }

    /// The hash in lowercase hex.
    public var hashHex: String { hash.map { String(format: "%02x", $0) }.joined() }

    /// `SEQ:HASH`, the form `audit verify anchor=` takes back.
    public var description: String { "\(seq):\(hashHex)" }
}

/// Writes and checks the audit trail (Schema/0003_audit.sql, Schema/0010_audit_chain.sql).
///
/// A writer appends its row unsealed, inside its own transaction, taking no lock another writer waits for; the
/// chainer (``AuditChain``) gives it its seq and hashes shortly after it commits. `verify` recomputes every hash
/// here, in Swift, from the row's values, so a database whose functions were replaced cannot vouch for itself.
///
/// The hashed form of a row (the same bytes `plenary_audit_content` builds in SQL) is the UTF-8 encoding of eight
/// fields joined by U+001F: seq in decimal; `at` in UTC as `YYYY-MM-DDTHH:MM:SS.ffffffZ`; actor; entity; entity
/// id; operation; `before` and `after` as PostgreSQL prints jsonb (`null` when absent). A row's hash is SHA-256
/// over the previous row's hash (32 bytes, all zero before row 1) followed by those bytes.
public enum AuditLog {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Records one change on `connection`, inside the caller's transaction, in the COMMIT's own round trip
    /// (`Connection.queryAtCommit`). The row is written unsealed and takes no shared lock, so writers commit side
    /// by side. A refused row (a malformed entity or operation) fails the commit and rolls the change back with it.
    public static func record(
        _ connection: Connection, actor: Actor, entity: String, id: String, operation: String,
        before: (some Encodable)? = String?.none, after: (some Encodable)? = String?.none
    ) throws {
        try connection.queryAtCommit(
            """
            INSERT INTO audit_log (actor, entity, entity_id, operation, before, after)
            VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb)
            """,
            [actor.name, entity, id, operation, try json(before), try json(after)])
    }

    private static func json(_ value: (some Encodable)?) throws -> String? {
        guard let value else { return nil }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The sealed rows, newest first, optionally for one entity kind (`body`) or one entity (`body:CTOC/COP`), and
    /// only those after `since` (a sequence number). Rows not yet sealed are counted by ``AuditChain/tail(_:)``.
    public static func list(
        _ connection: Connection, entity: String? = nil, since: Int? = nil, limit: Int = 100
    ) throws -> [AuditRecord] {
        var kind = entity
        var id: String?
        if let entity, let colon = entity.firstIndex(of: ":") {
            kind = String(entity[..<colon])
            id = String(entity[entity.index(after: colon)...])
        }
        return try connection.query(
            """
            SELECT seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, actor, entity,
                   entity_id, operation, before::text AS before, after::text AS after
            FROM audit_log
            WHERE seq IS NOT NULL AND ($1::text IS NULL OR entity = $1) AND ($2::text IS NULL OR entity_id = $2)
              AND ($3::bigint IS NULL OR seq > $3)
            ORDER BY seq DESC LIMIT $4
            """,
            [kind, id, since, limit]
        ).rows.map(record)
    }

    private static func record(_ row: Row) throws -> AuditRecord {
        AuditRecord(
            seq: try row.decode("seq"), at: try row.decode("at"), actor: try row.decode("actor"),
            entity: try row.decode("entity"), entityID: try row.decode("entity_id"),
            operation: try row.decode("operation"), before: try row.decode("before", as: String?.self),
            after: try row.decode("after", as: String?.self))
    }

    /// The bytes a row's hash covers (see the type's documentation).
    public static func content(of record: AuditRecord) -> [UInt8] {
        let fields = [
            String(record.seq), record.at, record.actor, record.entity, record.entityID, record.operation,
            record.before ?? "null", record.after ?? "null",
        ]
        return Array(fields.joined(separator: "\u{1F}").utf8)
    }

    /// SHA-256 over the previous row's hash and this row's content.
    public static func hash(previous: [UInt8], record: AuditRecord) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: previous)
        hasher.update(data: content(of: record))
        return Array(hasher.finalize())
    }

    /// The head of the sealed chain as the database records it.
    public static func anchor(_ connection: Connection) throws -> AuditAnchor {
        let head = try connection.queryOne("SELECT seq, hash FROM audit_head")
        return AuditAnchor(
            seq: try head?.decode("seq", as: Int.self) ?? 0,
            hash: try head?.decode("hash", as: PostgresBytes.self).bytes ?? Array(repeating: 0, count: 32))
    }

    /// Whether the sealed trail still holds `anchor`: its row at that seq carries that hash (the empty chain holds
    /// the all-zero anchor of row 0). A cheap check, not a verification: it trusts the stored hashes; a trail that
    /// is not the one the anchor was taken from (another database, a restore, a rewrite) does not hold it.
    public static func holds(_ connection: Connection, anchor: AuditAnchor) throws -> Bool {
        if anchor.seq == 0 { return anchor.hash == Array(repeating: 0, count: 32) }
        let row = try connection.queryOne("SELECT hash FROM audit_log WHERE seq = $1", [anchor.seq])
        guard let row else { return false }
        return try row.decode("hash", as: PostgresBytes.self).bytes == anchor.hash
    }

    /// Recomputes every sealed row's hash and link, in order, and checks the head — all in one read-only snapshot
    /// (REPEATABLE READ), so writers and the chainer working meanwhile cannot make an intact trail look broken.
    /// With `anchor`, the row at its seq must carry its hash: a trail rewritten since (even with every hash
    /// recomputed) is caught. Reads in batches, so a long trail costs bounded memory.
    public static func verify(
        _ connection: Connection, anchor: AuditAnchor? = nil, batch: Int = 10_000
    ) throws -> AuditVerification {
        try connection.simpleQuery("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        do {
            let result = try verifyInSnapshot(connection, anchor: anchor, batch: batch)
            try connection.simpleQuery("COMMIT")
            return result
        } catch {
            try? connection.simpleQuery("ROLLBACK")
            throw error
        }
    }

    private static func verifyInSnapshot(
        _ connection: Connection, anchor: AuditAnchor?, batch: Int
    ) throws -> AuditVerification {
        // The head first: the snapshot is fixed by the first statement, so trail and head are of one moment.
        let head = try self.anchor(connection)
        if let anchor, anchor.seq > head.seq {
            return .broken(
                seq: head.seq + 1,
                reason: "the anchor names row \(anchor.seq) but the chain ends at row \(head.seq): rows were removed")
        }
        if let anchor, anchor.seq == 0, anchor.hash != Array(repeating: 0, count: 32) {
            return .broken(seq: 0, reason: "the anchor for row 0 must carry the all-zero hash")
        }
        var expectedSeq = 1
        var previousHash = [UInt8](repeating: 0, count: 32)
        while true {
            let rows = try connection.query(
                """
                SELECT seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, actor, entity,
                       entity_id, operation, before::text AS before, after::text AS after, prev_hash, hash
                FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2
                """,
                [expectedSeq, batch]
            ).rows
            for row in rows {
                let record = try record(row)
                guard record.seq == expectedSeq else {
                    return .broken(
                        seq: expectedSeq, reason: "row \(expectedSeq) is missing (next is \(record.seq))")
                }
                guard try row.decode("prev_hash", as: PostgresBytes.self).bytes == previousHash else {
                    return .broken(seq: record.seq, reason: "row \(record.seq) does not link to row \(record.seq - 1)")
                }
                let hash = try row.decode("hash", as: PostgresBytes.self).bytes
                guard Self.hash(previous: previousHash, record: record) == hash else {
                    return .broken(
                        seq: record.seq, reason: "row \(record.seq) was altered: its content no longer matches its hash"
                    )
                }
                if let anchor, anchor.seq == record.seq, anchor.hash != hash {
                    return .broken(
                        seq: record.seq,
                        reason: "row \(record.seq) differs from the anchor taken before: the trail was rewritten")
                }
                previousHash = hash
                expectedSeq += 1
            }
            if rows.count < batch { break }
        }
        let checked = expectedSeq - 1
        if head.seq != checked {
            return .broken(seq: checked + 1, reason: "the chain ends at row \(checked) but its head says \(head.seq)")
        }
        if head.hash != previousHash {
            return .broken(seq: checked, reason: "the chain's head does not match row \(checked)")
        }
        return .intact(rows: checked)
    }
}
