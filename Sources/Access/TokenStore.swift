import Crypto
import Foundation
import PlenaryCore
import Postgres
import Storage
import Synchronization

/// A token as listed: never its secret.
public struct TokenInfo: Sendable, Equatable {
    /// The token's name, recorded as the actor of every change made with it.
    public var name: String
    /// What it may do.
    public var role: Role
    /// When it was created (ISO 8601, UTC).
    public var createdAt: String
    /// Who created it.
    public var createdBy: String
    /// When it was last used to authenticate, if ever.
    public var lastUsedAt: String?
}

/// Access tokens: `pln_<lookup>_<secret>`. The lookup finds the row; only SHA-256 of the secret is stored and it is
/// compared in constant time, so neither the database nor timing gives a secret away.
public struct TokenStore: Sendable {
    private let database: Database
    private let revoked = RevokedTokens()

    /// Creates the store over a database.
    public init(database: Database) {
        self.database = database
    }

    /// Whether the token with this id is known to be revoked: at once for a revocation made through this store,
    /// after the next ``refreshRevocations()`` for one made elsewhere (another server on the same database).
    public func isRevoked(_ id: Int64) -> Bool { revoked.ids.withLock { $0.contains(id) } }

    /// Reads the revoked tokens from the database, so revocations made by another process take effect here too.
    /// Returns the ids newly found revoked.
    @discardableResult
    public func refreshRevocations() async throws(DomainError) -> Set<Int64> {
        let ids = try await database.read { connection in
            try connection.query("SELECT id FROM tokens WHERE revoked_at IS NOT NULL").rows.map {
                try $0.decode("id", as: Int64.self)
            }
        }
        return revoked.ids.withLock { known in
            let fresh = Set(ids).subtracting(known)
            known.formUnion(fresh)
            return fresh
        }
    }

    /// Creates a token and returns its full secret form — the only time it is ever shown.
    public func create(name: String, role: Role, by actor: Actor) async throws(DomainError) -> (TokenInfo, String) {
        if let rule = Self.nameViolation(name) { throw DomainError.invalid("name", rule) }
        let lookup = Self.randomString(count: 12)
        let secret = Self.randomString(count: 40)
        let hash = PostgresBytes(Array(SHA256.hash(data: Array(secret.utf8))))
        let info = try await database.write(explaining: { error in
            error.constraint == "tokens_active_name_key" ? .conflict("name: a live token named \(name) exists") : nil
        }) { connection in
            let row = try connection.queryOne(
                """
                INSERT INTO tokens (name, role, lookup, secret_hash, created_by) VALUES ($1, $2, $3, $4, $5)
                RETURNING name, role, created_at::text AS created_at, created_by, last_used_at::text AS last_used_at
                """,
                [name, role.rawValue, lookup, hash, actor.name])
            let created = try Self.info(row.required("INSERT INTO tokens"))
            try AuditLog.record(
                connection, actor: actor, entity: "token", id: name, operation: "create",
                after: ["name": name, "role": role.rawValue])
            return created
        }
        return (info, "pln_\(lookup)_\(secret)")
    }

    /// The live tokens, by name.
    public func list() async throws(DomainError) -> [TokenInfo] {
        try await database.read { connection in
            try connection.query(
                """
                SELECT name, role, created_at::text AS created_at, created_by, last_used_at::text AS last_used_at
                FROM tokens WHERE revoked_at IS NULL ORDER BY name
                """
            ).rows.map(Self.info)
        }
    }

    /// Revokes the live token with this name, audited as `actor`; 550 when there is none.
    public func revoke(name: String, by actor: Actor) async throws(DomainError) {
        let ids = try await database.write { connection in
            let ids = try connection.query(
                "UPDATE tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL RETURNING id", [name]
            ).rows.map { try $0.decode("id", as: Int64.self) }
            if !ids.isEmpty {
                try AuditLog.record(connection, actor: actor, entity: "token", id: name, operation: "revoke")
            }
            return ids
        }
        if ids.isEmpty { throw DomainError.notFound("name: no live token named \(name)") }
        revoked.ids.withLock { $0.formUnion(ids) }
    }

    /// Whether any live token exists (the server creates a first admin token when none does).
    public func hasLiveTokens() async throws(DomainError) -> Bool {
        try await database.read { connection in
            try connection.queryOne("SELECT EXISTS (SELECT 1 FROM tokens WHERE revoked_at IS NULL) AS live")?
                .decode("live", as: Bool.self) ?? false
        }
    }

    /// The actor a presented token stands for, or nil when the token is not recognised (malformed, unknown, revoked
    /// or with a wrong secret); the caller refuses it without saying which part was wrong.
    public func authenticate(_ presented: String) async throws(DomainError) -> Actor? {
        try await authenticateToken(presented)?.actor
    }

    /// Like ``authenticate(_:)``, with the token's id: what a server holds to notice the token's revocation and to
    /// count its connections. The secret is checked before anything is written: only a token that authenticates
    /// has its `last_used_at` moved, in a write of its own.
    public func authenticateToken(_ presented: String) async throws(DomainError) -> (actor: Actor, id: Int64)? {
        let parts = presented.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "pln", parts[1].count == 12, parts[2].count == 40 else { return nil }
        let lookup = String(parts[1])
        let presentedHash = Array(SHA256.hash(data: Array(parts[2].utf8)))
        let found = try await database.read { connection -> (Int64, String, String, [UInt8])? in
            guard
                let row = try connection.queryOne(
                    "SELECT id, name, role, secret_hash FROM tokens WHERE lookup = $1 AND revoked_at IS NULL",
                    [lookup])
            else { return nil }
            return (
                try row.decode("id", as: Int64.self), try row.decode("name"), try row.decode("role"),
                try row.decode("secret_hash", as: PostgresBytes.self).bytes
            )
        }
        guard let (id, name, roleText, storedHash) = found, let role = Role(rawValue: roleText),
            Self.constantTimeEqual(storedHash, presentedHash)
        else { return nil }
        _ = try await database.write { connection in
            try connection.query("UPDATE tokens SET last_used_at = now() WHERE id = $1", [id])
        }
        return (Actor(name: name, role: role), id)
    }

    /// Compares two byte strings in time that depends only on their length.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    /// The rule a token name breaks, or nil: 1–64 of lower-case letters, digits, `.`, `_`, `-`.
    public static func nameViolation(_ name: String) -> String? {
        guard (1...64).contains(name.utf8.count) else { return "must be 1 to 64 characters" }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-".utf8)
        guard name.utf8.allSatisfy(allowed.contains), let first = name.utf8.first, first != UInt8(ascii: "."),
            first != UInt8(ascii: "_"), first != UInt8(ascii: "-")
        else { return "may hold lower-case letters, digits, dot, underscore and dash, starting with a letter or digit" }
        return nil
    }

    private static func randomString(count: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)
        var generator = SystemRandomNumberGenerator()
        return String(decoding: (0..<count).map { _ in alphabet.randomElement(using: &generator)! }, as: UTF8.self)
    }

    private static func info(_ row: Row) throws -> TokenInfo {
        TokenInfo(
            name: try row.decode("name"), role: Role(rawValue: try row.decode("role")) ?? .observer,
            createdAt: try row.decode("created_at"), createdBy: try row.decode("created_by"),
            lastUsedAt: try row.decode("last_used_at", as: String?.self))
    }
}

/// The ids of tokens this process knows to be revoked; shared by every copy of a ``TokenStore``.
private final class RevokedTokens: Sendable {
    let ids = Mutex<Set<Int64>>([])
}
