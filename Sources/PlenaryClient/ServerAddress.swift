/// Where a Plenary server listens: `HOST:PORT`, `[IPv6]:PORT`, or a bare host on the default port.
public struct ServerAddress: Sendable, Hashable, CustomStringConvertible {
    /// The port `plenary serve` listens on unless told otherwise.
    public static let defaultPort = 7411

    /// A host name or address literal, without brackets.
    public var host: String
    /// The TCP port.
    public var port: Int

    /// Creates an address.
    public init(host: String, port: Int = ServerAddress.defaultPort) {
        self.host = host
        self.port = port
    }

    /// Reads `HOST:PORT`, `[::1]:PORT`, `HOST` or `[::1]` (the last two on ``defaultPort``); nil when it is none of
    /// these, so the caller can name the option that was wrong.
    public init?(parsing text: String) {
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

    /// `host:port`, with brackets around an IPv6 literal.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
