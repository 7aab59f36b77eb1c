import Foundation
import PlenaryCore
import Postgres

/// One row of the audit trail.
public struct AuditRecord: Sendable, Equatable {
    /// Position in the chain, 1, 2, 3 … without gaps.
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
    /// Every row's hash recomputes and links to the one before; `rows` rows checked.
    case intact(rows: Int)
    /// The first row that does not check out, and why.
    case broken(seq: Int, reason: String)
}

/// Writes and checks the audit trail (Schema/0003_audit.sql). The chain itself — sequence number, previous hash,
/// hash — is computed by a trigger in the same statement, so a row costs one round trip and no writer can skip
/// or forge the chain.
public enum AuditLog {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Records one change on `connection`, inside the caller's transaction. The row is written as the transaction
    /// commits, in the COMMIT's own round trip (`Connection.queryAtCommit`): the chain's head row is locked by
    /// every writer in turn, so it must be held for the server's time only, never across the network. A refused
    /// row (a malformed entity or operation) fails the commit and rolls the change back with it.
    public static func record(
        _ connection: Connection, actor: Actor, entity: String, id: String, operation: String,
        before: (some Encodable)? = String?.none, after: (some Encodable)? = String?.none
    ) throws {
        try connection.queryAtCommit(
            """
            INSERT INTO audit_log (seq, actor, entity, entity_id, operation, before, after, prev_hash, hash)
            VALUES (0, $1, $2, $3, $4, $5::jsonb, $6::jsonb, '', '')
            """,
            [actor.name, entity, id, operation, try json(before), try json(after)])
    }

    private static func json(_ value: (some Encodable)?) throws -> String? {
        guard let value else { return nil }
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The newest rows first, optionally for one entity kind (`body`) or one entity (`body:CTOC/COP`), and only
    /// those after `since` (a sequence number).
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
            WHERE ($1::text IS NULL OR entity = $1) AND ($2::text IS NULL OR entity_id = $2)
              AND ($3::bigint IS NULL OR seq > $3)
            ORDER BY seq DESC LIMIT $4
            """,
            [kind, id, since, limit]
        ).rows.map { row in
            AuditRecord(
                seq: try row.decode("seq"), at: try row.decode("at"), actor: try row.decode("actor"),
                entity: try row.decode("entity"), entityID: try row.decode("entity_id"),
                operation: try row.decode("operation"), before: try row.decode("before", as: String?.self),
                after: try row.decode("after", as: String?.self))
        }
    }

    /// Recomputes every row's hash and link, in order, and checks the head. Reads in batches so a long trail
    /// costs bounded memory.
    public static func verify(_ connection: Connection, batch: Int = 10_000) throws -> AuditVerification {
        var expectedSeq = 1
        var previousHash = PostgresBytes(Array(repeating: 0, count: 32))
        var checked = 0
        while true {
            let rows = try connection.query(
                """
                SELECT seq, prev_hash, hash,
                       sha256(prev_hash || plenary_audit_content(seq, at, actor, entity, entity_id, operation,
                                                                 before, after)) AS recomputed
                FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2
                """,
                [expectedSeq, batch]
            ).rows
            for row in rows {
                let seq = try row.decode("seq", as: Int.self)
                guard seq == expectedSeq else {
                    return .broken(seq: expectedSeq, reason: "row \(expectedSeq) is missing (next is \(seq))")
                }
                let previous = try row.decode("prev_hash", as: PostgresBytes.self)
                let hash = try row.decode("hash", as: PostgresBytes.self)
                guard previous == previousHash else {
                    return .broken(seq: seq, reason: "row \(seq) does not link to row \(seq - 1)")
                }
                guard try row.decode("recomputed", as: PostgresBytes.self) == hash else {
                    return .broken(seq: seq, reason: "row \(seq) was altered: its content no longer matches its hash")
                }
                previousHash = hash
                expectedSeq += 1
                checked += 1
            }
            if rows.count < batch { break }
        }
        let head = try connection.queryOne("SELECT seq, hash FROM audit_head")
        if let head {
            let headSeq = try head.decode("seq", as: Int.self)
            if headSeq != checked {
                return .broken(
                    seq: checked + 1, reason: "the chain ends at row \(checked) but its head says \(headSeq)")
            }
            if try head.decode("hash", as: PostgresBytes.self) != previousHash {
                return .broken(seq: checked, reason: "the chain's head does not match row \(checked)")
            }
        }
        return .intact(rows: checked)
    }
}
