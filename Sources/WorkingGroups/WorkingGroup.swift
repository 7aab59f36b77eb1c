import PlenaryCore

/// A reference to a decision or resolution of a body by its number: `decision 4/4`, `resolution 5/3`. Free text as
/// far as the registry is concerned — it may be recorded before the decision itself is entered — but always in this
/// form, so that it can be linked once the decision exists.
public struct DecisionReference: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Decisions and resolutions are numbered in separate series.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A decision, `decision 4/4`.
        case decision
        /// A resolution, `resolution 5/3`.
        case resolution
    }

    /// Decision or resolution.
    public var kind: Kind
    /// The session that adopted it.
    public var session: Int
    /// Its serial number at that session.
    public var serial: Int

    /// Creates a reference.
    public init(kind: Kind, session: Int, serial: Int) {
        self.kind = kind
        self.session = session
        self.serial = serial
    }

    /// Reads `decision 4/4` (the kind in any case, one space, `session/serial`); nil when it is not one.
    public init?(parsing text: String) {
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        guard words.count == 2, let kind = Kind(rawValue: words[0].lowercased()) else { return nil }
        let numbers = words[1].split(separator: "/", omittingEmptySubsequences: false)
        guard numbers.count == 2, let session = Self.number(numbers[0]), let serial = Self.number(numbers[1]) else {
            return nil
        }
        self.init(kind: kind, session: session, serial: serial)
    }

    private static func number(_ text: Substring) -> Int? {
        guard (1...4).contains(text.utf8.count), text.first != "0", text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 })
        else { return nil }
        return Int(text)
    }

    /// Reads a reference given under `key`, or 504 naming the key.
    public static func parse(_ text: String, key: String = "by") throws(PlenaryError) -> DecisionReference {
        guard let reference = DecisionReference(parsing: text) else {
            throw .badArgument(key, "must be a reference such as \"decision 4/4\" or \"resolution 5/3\", got \(text)")
        }
        return reference
    }

    /// `decision 4/4`.
    public var description: String { "\(kind.rawValue) \(session)/\(serial)" }

    /// Encoded as its text.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let reference = DecisionReference(parsing: text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a decision reference: \(text)"))
        }
        self = reference
    }

    /// Encoded as its text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Whether a group was set up for a time or as a constant element of the body.
public enum WorkingGroupKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Set up for a time ("open-ended interim working group").
    case interim
    /// A constant element of the body.
    case standing
}

/// Whether a group still exists.
public enum WorkingGroupStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Not dissolved.
    case active
    /// Dissolved.
    case dissolved
}

/// A working group of a body. Codable for the audit trail.
public struct WorkingGroup: Sendable, Hashable, Codable {
    /// The body's code.
    public var body: String
    /// The code, `WG.2`: the subsidiary-body component of the group's document symbols (`CTOC/COP/WG.2/2007/1`).
    public var code: String
    /// The current name.
    public var name: String
    /// The mandate, as the establishing instrument words it.
    public var mandate: String?
    /// Interim or standing.
    public var kind: WorkingGroupKind
    /// The decision or resolution that established it, when known.
    public var establishedBy: DecisionReference?
    /// The day it was established, when known.
    public var establishedOn: CalendarDate?
    /// The day it was dissolved.
    public var dissolvedOn: CalendarDate?
    /// The decision or resolution that dissolved it.
    public var dissolvedBy: DecisionReference?

    /// Creates a group value.
    public init(
        body: String, code: String, name: String, mandate: String? = nil, kind: WorkingGroupKind = .interim,
        establishedBy: DecisionReference? = nil, establishedOn: CalendarDate? = nil, dissolvedOn: CalendarDate? = nil,
        dissolvedBy: DecisionReference? = nil
    ) {
        self.body = body
        self.code = code
        self.name = name
        self.mandate = mandate
        self.kind = kind
        self.establishedBy = establishedBy
        self.establishedOn = establishedOn
        self.dissolvedOn = dissolvedOn
        self.dissolvedBy = dissolvedBy
    }

    /// Active until dissolved.
    public var status: WorkingGroupStatus { dissolvedOn == nil ? .active : .dissolved }

    /// `CTOC/COP/WG.2`: the prefix of its document symbols, and its id in the audit trail.
    public var symbolPrefix: String { "\(body)/\(code)" }

    /// Checks a code: a subsidiary-body component such as `WG.2` (letters, a dot, a number). Returns the rule
    /// broken, or nil.
    public static func codeViolation(_ code: String) -> String? {
        let parts = code.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let first = parts[0].unicodeScalars.first, ("A"..."Z").contains(first),
            parts[0].unicodeScalars.count <= 10,
            parts[0].unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("a"..."z").contains($0) }),
            (1...4).contains(parts[1].utf8.count), parts[1].first != "0",
            parts[1].utf8.allSatisfy({ $0 >= 48 && $0 <= 57 })
        else {
            return "must be a subsidiary-body code such as WG.2 (letters, a dot, a number), got \(code)"
        }
        return nil
    }
}

/// One rename of a group, kept for good.
public struct WorkingGroupRename: Sendable, Hashable, Codable {
    /// The name before.
    public var oldName: String
    /// The name after.
    public var newName: String
    /// The instrument that renamed it, when known.
    public var by: DecisionReference?
    /// The day it took effect, when known.
    public var on: CalendarDate?

    /// Creates a rename value.
    public init(oldName: String, newName: String, by: DecisionReference? = nil, on: CalendarDate? = nil) {
        self.oldName = oldName
        self.newName = newName
        self.by = by
        self.on = on
    }
}

/// What is needed to establish a group.
public struct WorkingGroupCharter: Sendable, Hashable {
    /// The code, `WG.4`.
    public var code: String
    /// The name.
    public var name: String
    /// The mandate text.
    public var mandate: String?
    /// Interim or standing.
    public var kind: WorkingGroupKind
    /// The establishing decision or resolution, if known (it need not be entered yet).
    public var establishedBy: DecisionReference?
    /// The day it was established, if known.
    public var establishedOn: CalendarDate?

    /// Creates a charter.
    public init(
        code: String, name: String, mandate: String? = nil, kind: WorkingGroupKind = .interim,
        establishedBy: DecisionReference? = nil, establishedOn: CalendarDate? = nil
    ) {
        self.code = code
        self.name = name
        self.mandate = mandate
        self.kind = kind
        self.establishedBy = establishedBy
        self.establishedOn = establishedOn
    }
}
