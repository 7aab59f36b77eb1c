import NIOCore
import PlenaryCore

#if canImport(Glibc)
import Glibc
#endif

/// What counts as one source address for ``Admission``'s per-address budget: an IPv4 address; an IPv6 /64, the
/// block one host or one home is usually given, so that an attacker cannot take a fresh share with each address of
/// its own /64; every client of the unix socket together (they passed its file permissions).
public enum SourceAddress {
    /// The key of `address`.
    public static func key(_ address: SocketAddress?) -> String {
        switch address {
        case .v4?:
            return address?.ipAddress ?? "unknown"
        case .v6(let v6)?:
            return key(ipv6: withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) })
        case .unixDomainSocket?, nil:
            return "unix"
        }
    }

    /// The key of the 16 bytes of an IPv6 address: an IPv4-mapped one (`::ffff:a.b.c.d`) is its IPv4 address,
    /// any other its first 64 bits.
    public static func key(ipv6 bytes: [UInt8]) -> String {
        guard bytes.count == 16 else { return "unknown" }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
            return bytes[12...].map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map {
            String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16)
        }
        return groups.joined(separator: ":") + "::/64"
    }
}

/// The process's descriptor limit (RLIMIT_NOFILE) and what it allows: every connection is a descriptor, so
/// `server.max_connections` beyond the limit would fail at accept, under load, instead of at start.
public enum DescriptorLimit {
    /// Descriptors kept for everything but connections: listeners, standard streams, the log, each event loop's
    /// own, the database pool's (`poolSize`), the embedded cluster's pipes, connections closing in their grace.
    public static func reserve(poolSize: Int) -> Int { 64 + poolSize }

    /// Connections `descriptors` allow beside the reserve.
    public static func connectionsAllowed(descriptors: Int, poolSize: Int) -> Int {
        max(0, descriptors - reserve(poolSize: poolSize))
    }

    /// Refuses `maxConnections` above what `descriptors` allow, naming both numbers.
    public static func check(maxConnections: Int, descriptors: Int, poolSize: Int) throws(PlenaryError) {
        let allowed = connectionsAllowed(descriptors: descriptors, poolSize: poolSize)
        guard maxConnections > allowed else { return }
        throw PlenaryError(
            code: .badArgument, token: "BAD_CONFIG",
            message: "server.max_connections (PLENARY_SERVER_MAX_CONNECTIONS): \(maxConnections) connections need "
                + "more descriptors than the limit allows: the descriptor limit (RLIMIT_NOFILE) is \(descriptors), "
                + "which leaves room for \(allowed) connections beside the \(reserve(poolSize: poolSize)) kept for "
                + "the database pool, listeners and logs; lower server.max_connections or raise the hard limit "
                + "(ulimit -Hn, LimitNOFILE= in a systemd unit)")
    }

    /// Raises the soft limit to the hard one (capped by the kernel's nr_open when the hard one is unlimited) and
    /// returns the limit before and after.
    public static func raise() -> (before: Int, now: Int) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (0, 0) }
        let before = Int(clamping: limit.rlim_cur)
        var target = limit.rlim_max
        if target == rlim_t.max { target = rlim_t(kernelMaximum()) }
        guard target > limit.rlim_cur else { return (before, before) }
        var raised = limit
        raised.rlim_cur = target
        guard setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 else { return (before, before) }
        return (before, Int(clamping: target))
    }

    /// `fs.nr_open`, the most descriptors any process may have (1,048,576 unless changed).
    private static func kernelMaximum() -> Int {
        let descriptor = open("/proc/sys/fs/nr_open", O_RDONLY)
        guard descriptor >= 0 else { return 1_048_576 }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: 32)
        let count = read(descriptor, &bytes, bytes.count)
        guard count > 0 else { return 1_048_576 }
        let text = String(decoding: bytes[..<count], as: UTF8.self).filter { !$0.isWhitespace }
        return Int(text).flatMap { $0 > 0 ? $0 : nil } ?? 1_048_576
    }
}
