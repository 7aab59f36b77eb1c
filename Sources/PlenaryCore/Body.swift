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

    /// Creates a body value (not validated: see ``validate()``).
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

    /// Checks every field, naming the first one at fault. The database holds the same rules (`bodies_*`
    /// constraints, Schema/0001) and has the last word whoever connects.
    public func validate() throws(DomainError) {
        if let rule = Body.codeViolation(code) { throw .invalid("code", rule) }
        try FieldRules.text(name, field: "name", limit: 500)
        if let treaty, FieldRules.isBlank(treaty) || treaty.count > 500 {
            throw .invalid("treaty", "must be 1 to 500 characters when given")
        }
        try FieldRules.timeZone(timeZone)
    }

    /// A body as the database records it: its row id beside its value. Services that lock or join on the body
    /// carry the id; everything else reads through to the body (`recorded.code`, `recorded.timeZone`).
    @dynamicMemberLookup
    public struct Recorded: Sendable, Hashable {
        /// The row id.
        public var id: Int
        /// The body.
        public var body: Body

        /// Pairs a body with its row id.
        public init(id: Int, body: Body) {
            self.id = id
            self.body = body
        }

        /// Creates the record of a body from its fields (the treaty left out: the calendar never needs it).
        public init(id: Int, code: String, name: String, timeZone: String) {
            self.init(id: id, body: Body(code: code, name: name, timeZone: timeZone))
        }

        /// Reads a field of the body.
        public subscript<Value>(dynamicMember field: KeyPath<Body, Value>) -> Value { body[keyPath: field] }
    }
}
