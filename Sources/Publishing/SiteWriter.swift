import Foundation
import PlenaryCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a site's files under a directory: a file whose bytes are already there is left alone (its time stamp
/// too), any other is written to a temporary file beside it and renamed into place, so a reader of the site — a
/// web server, a sync to an object store — never sees half a page.
public struct SiteWriter: Sendable {
    /// The site's root directory.
    public let root: String

    /// Creates a writer for `root` (created when missing).
    public init(root: String) throws(DomainError) {
        self.root = root.hasSuffix("/") ? String(root.dropLast()) : root
        guard Self.makeDirectories(self.root) else {
            throw .unavailable("output: cannot create the directory \(root)")
        }
    }

    /// Writes `file` unless it holds these bytes already; true when it wrote.
    @discardableResult
    public func write(_ file: SiteFile) throws(DomainError) -> Bool {
        let path = root + "/" + file.path
        if Self.holds(path, file.bytes) { return false }
        let temporary = path + ".tmp-\(getpid())"
        var descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if descriptor < 0 && errno == ENOENT {
            let directory = String(path[..<path.lastIndex(of: "/")!])
            _ = Self.makeDirectories(directory)
            descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
        guard descriptor >= 0 else { throw Self.failure(file.path) }
        let written = file.bytes.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let count = Self.systemWrite(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += count
            }
            return true
        }
        close(descriptor)
        guard written, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw Self.failure(file.path)
        }
        return true
    }

    /// The bytes of the site's file at `path` (from the root); nil when there is none or it cannot be read.
    public func contents(of path: String) -> [UInt8]? {
        let descriptor = open(root + "/" + path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
    }

    /// Whether the file at `path` holds exactly `bytes`.
    static func holds(_ path: String, _ bytes: [UInt8]) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, Int(status.st_size) == bytes.count else { return false }
        var existing = [UInt8](repeating: 0, count: bytes.count)
        var offset = 0
        while offset < bytes.count {
            let count = existing.withUnsafeMutableBytes {
                read(descriptor, $0.baseAddress! + offset, bytes.count - offset)
            }
            if count <= 0 { return false }
            offset += count
        }
        return existing == bytes
    }

    /// write(2), which the method of this type would otherwise hide.
    static func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.write(descriptor, bytes, count)
        #else
        Darwin.write(descriptor, bytes, count)
        #endif
    }

    /// `mkdir -p`.
    static func makeDirectories(_ path: String) -> Bool {
        var built = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            built += "/" + component
            if mkdir(built, 0o755) != 0 && errno != EEXIST { return false }
        }
        return true
    }

    static func failure(_ path: String) -> DomainError {
        .unavailable("output: cannot write \(path): \(String(cString: strerror(errno)))")
    }
}
