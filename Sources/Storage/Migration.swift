import Crypto

/// One schema change: a file `Schema/NNNN_name.sql`, applied once, in order, inside a transaction of its own.
public struct Migration: Sendable, Hashable {
    /// The file name, e.g. `0001_bodies.sql`.
    public let fileName: String
    /// The SQL text, run with the simple-query protocol (several statements allowed).
    public let sql: String

    /// Creates a migration from its file name and text.
    public init(fileName: String, sql: String) {
        self.fileName = fileName
        self.sql = sql
    }

    /// The number before the first underscore (`0001_bodies.sql` → 1); nil when the name does not have one.
    public var version: Int? {
        guard let prefix = fileName.split(separator: "_", maxSplits: 1).first, prefix.count == 4 else { return nil }
        return Int(prefix)
    }

    /// The name after the number, without `.sql`.
    public var name: String {
        let parts = fileName.split(separator: "_", maxSplits: 1)
        let rest = parts.count == 2 ? String(parts[1]) : fileName
        return rest.hasSuffix(".sql") ? String(rest.dropLast(4)) : rest
    }

    /// SHA-256 of the file's bytes, hex. A released migration whose checksum changed is refused.
    public var checksum: String {
        SHA256.hash(data: Array(sql.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
