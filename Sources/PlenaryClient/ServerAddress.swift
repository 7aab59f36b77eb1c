import AdminProtocol

/// Where a Plenary server listens: `HOST:PORT`, `[IPv6]:PORT`, or a bare host on the default port, over plain TCP;
/// the same after `tls:` over TLS; or `unix:PATH`, a unix socket.
public struct ServerAddress: Sendable, Hashable, CustomStringConvertible {
    /// How the connection is carried.
    public enum Transport: Sendable, Hashable {
        /// Plain TCP.
        case tcp
        /// TLS over TCP.
        case tls
        /// A unix socket at this path (host and port are unused).
        case unix(String)
    }

    /// The port `plenary serve` listens on unless told otherwise.
    public static let defaultPort = AdminPort.standard

    /// A host name or address literal, without brackets.
    public var host: String
    /// The TCP port.
    public var port: Int
    /// Plain TCP, TLS, or a unix socket.
    public var transport: Transport

    /// Creates a TCP (or, with `transport: .tls`, TLS) address.
    public init(host: String, port: Int = ServerAddress.defaultPort, transport: Transport = .tcp) {
        self.host = host
        self.port = port
        self.transport = transport
    }

    /// The address of a unix socket.
    public init(unixSocket path: String) {
        self.init(host: "localhost", port: 0, transport: .unix(path))
    }

    /// Reads `HOST:PORT`, `[::1]:PORT`, `HOST` or `[::1]` (the last two on ``defaultPort``), any of them after
    /// `tls:`, or `unix:PATH`; nil when it is none of these, so the caller can name the option that was wrong.
    public init?(parsing text: String) {
        if text.hasPrefix("unix:") {
            let path = String(text.dropFirst("unix:".count))
            guard !path.isEmpty, path.utf8.count < 108 else { return nil }
            self.init(unixSocket: path)
            return
        }
        if text.hasPrefix("tls:") {
            guard let tcp = Self(parsingHost: String(text.dropFirst("tls:".count))) else { return nil }
            self.init(host: tcp.host, port: tcp.port, transport: .tls)
            return
        }
        self.init(parsingHost: text)
    }

    private init?(parsingHost text: String) {
        var host: Substring
        var port: Substring?
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                port = rest.dropFirst()
            }
        } else if let colon = text.lastIndex(of: ":") {
            // Two colons without brackets can only be an IPv6 literal with no port; one colon separates the port.
            if text[..<colon].contains(":") {
                guard text.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." || $0 == "%" }) else { return nil }
                host = Substring(text)
            } else {
                host = text[..<colon]
                port = text[text.index(after: colon)...]
            }
        } else {
            host = Substring(text)
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
        var number = Self.defaultPort
        if let port {
            guard !port.isEmpty, port.allSatisfy(\.isASCII), let parsed = Int(port), (1...65_535).contains(parsed)
            else { return nil }
            number = parsed
        }
        self.init(host: String(host), port: number)
    }

    /// `host:port`, with brackets around an IPv6 literal, after `tls:` for TLS; `unix:PATH` for a socket.
    public var description: String {
        let hostPort = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        switch transport {
        case .tcp: return hostPort
        case .tls: return "tls:" + hostPort
        case .unix(let path): return "unix:" + path
        }
    }
}
