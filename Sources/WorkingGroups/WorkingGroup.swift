import PlenaryCore

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
    public var establishedBy: DecisionCitation?
    /// The day it was established, when known.
    public var establishedOn: CalendarDate?
    /// The day it was dissolved.
    public var dissolvedOn: CalendarDate?
    /// The decision or resolution that dissolved it.
    public var dissolvedBy: DecisionCitation?

    /// Creates a group value.
    public init(
        body: String, code: String, name: String, mandate: String? = nil, kind: WorkingGroupKind = .interim,
        establishedBy: DecisionCitation? = nil, establishedOn: CalendarDate? = nil, dissolvedOn: CalendarDate? = nil,
        dissolvedBy: DecisionCitation? = nil
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
    public var by: DecisionCitation?
    /// The day it took effect, when known.
    public var on: CalendarDate?

    /// Creates a rename value.
    public init(oldName: String, newName: String, by: DecisionCitation? = nil, on: CalendarDate? = nil) {
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
    public var establishedBy: DecisionCitation?
    /// The day it was established, if known.
    public var establishedOn: CalendarDate?

    /// Creates a charter.
    public init(
        code: String, name: String, mandate: String? = nil, kind: WorkingGroupKind = .interim,
        establishedBy: DecisionCitation? = nil, establishedOn: CalendarDate? = nil
    ) {
        self.code = code
        self.name = name
        self.mandate = mandate
        self.kind = kind
        self.establishedBy = establishedBy
        self.establishedOn = establishedOn
    }
}
