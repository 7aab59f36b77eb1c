/// A treaty body whose meetings Plenary manages — the Conference of the Parties to UNTOC (`CTOC/COP`), the UNCAC
/// Conference of the States Parties (`CAC/COSP`) … Its code is also its document series.
public struct Body: Sendable, Hashable, Codable {
    /// The code, e.g. `CTOC/COP`; unique, and the first components of the body's document symbols.
    public var code: String
    /// The full name.
    public var name: String
    /// The treaty that set the body up, if recorded.
    public var treaty: String?
    /// The body's home time zone, an IANA name such as `Europe/Vienna`.
    public var timeZone: String

    /// Creates a body value (not validated: see `Body.validate`).
    public init(code: String, name: String, treaty: String? = nil, timeZone: String = "UTC") {
        self.code = code
        self.name = name
        self.treaty = treaty
        self.timeZone = timeZone
    }

    /// Checks a body code: slash-separated components, each starting with an upper-case letter, followed by
    /// letters, digits and dots (`CTOC/COP`, `E/CN.15`), 64 characters at most. Returns the rule broken, or nil.
    public static func codeViolation(_ code: String) -> String? {
        guard !code.isEmpty else { return "must not be empty" }
        guard code.utf8.count <= 64 else { return "must be at most 64 characters" }
        for component in code.split(separator: "/", omittingEmptySubsequences: false) {
            guard let first = component.unicodeScalars.first, ("A"..."Z").contains(first) else {
                return "each /-separated component must start with an upper-case letter (e.g. CTOC/COP), got \(code)"
            }
            for scalar in component.unicodeScalars {
                guard
                    ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
                        || scalar == "."
                else { return "may hold only letters, digits, dots and slashes, got \(code)" }
            }
        }
        return nil
    }
}
