import PlenaryCore

/// What an adopted decision does to something earlier: another decision, a working group, or a document.
public enum DecisionRelation: String, Sendable, Hashable, Codable, CaseIterable {
    /// Changes part of an earlier decision, which stays in force as amended.
    case amends
    /// Replaces an earlier decision, which is no longer in force from this one's adoption.
    case supersedes
    /// Recalls an earlier decision ("Recalling its decision 2/6"): a reference, changing nothing.
    case recalls
    /// Establishes a working group.
    case establishes
    /// Renames a working group.
    case renames
    /// Makes an interim working group a constant element of the body.
    case makesStanding = "makes-standing"
    /// Dissolves a working group.
    case dissolves
    /// Considers a document (a report, a note by the Secretariat).
    case considers

    /// What this relation points at.
    public var targetKind: LinkTarget.Kind {
        switch self {
        case .amends, .supersedes, .recalls: .decision
        case .establishes, .renames, .makesStanding, .dissolves: .workingGroup
        case .considers: .document
        }
    }
}

/// What a link points at: a decision by its citation, a working group by its code (`wg:WG.4`), or a document by
/// its symbol (`doc:CTOC/COP/2008/19`).
public enum LinkTarget: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Which of the three a relation needs.
    public enum Kind: String, Sendable, Hashable {
        /// A decision or resolution, `"decision 4/4"`.
        case decision
        /// A working group, `wg:WG.4`.
        case workingGroup
        /// A document, `doc:SYMBOL`.
        case document

        /// The form the value takes, phrased to follow "KEY: ".
        public var rule: String {
            switch self {
            case .decision: DecisionCitation.rule
            case .workingGroup: "must be a working group as wg:CODE, such as wg:WG.4"
            case .document: "must be a document as doc:SYMBOL, such as doc:CTOC/COP/2008/19"
            }
        }
    }

    /// A decision or resolution.
    case decision(DecisionCitation)
    /// A working group of the same body, by code.
    case workingGroup(String)
    /// A document, by symbol.
    case document(String)

    /// The kind of target.
    public var kind: Kind {
        switch self {
        case .decision: .decision
        case .workingGroup: .workingGroup
        case .document: .document
        }
    }

    /// Reads a target of `kind` as the contract writes it; nil when it is not one.
    public init?(parsing text: String, as kind: Kind) {
        switch kind {
        case .decision:
            guard let citation = DecisionCitation(parsing: text) else { return nil }
            self = .decision(citation)
        case .workingGroup:
            guard text.hasPrefix("wg:"), DecisionRules.workingGroupCodeViolation(String(text.dropFirst(3))) == nil
            else { return nil }
            self = .workingGroup(String(text.dropFirst(3)))
        case .document:
            guard text.hasPrefix("doc:"), DecisionRules.symbolViolation(String(text.dropFirst(4))) == nil else {
                return nil
            }
            self = .document(String(text.dropFirst(4)))
        }
    }

    /// Reads the value of `relation`'s key, or 504 naming the key and the form.
    public static func parse(_ text: String, for relation: DecisionRelation) throws(DomainError) -> LinkTarget {
        guard let target = LinkTarget(parsing: text, as: relation.targetKind) else {
            throw .invalid(relation.rawValue, "\(relation.targetKind.rule), got \(text)")
        }
        return target
    }

    /// `decision 4/4`, `wg:WG.4`, `doc:CTOC/COP/2008/19`.
    public var description: String {
        switch self {
        case .decision(let citation): citation.description
        case .workingGroup(let code): "wg:\(code)"
        case .document(let symbol): "doc:\(symbol)"
        }
    }

    /// Encodes as its text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Decodes from its text (`wg:` and `doc:` prefixes, otherwise a decision).
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        let kind: Kind = text.hasPrefix("wg:") ? .workingGroup : text.hasPrefix("doc:") ? .document : .decision
        guard let target = LinkTarget(parsing: text, as: kind) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a link target: \(text)"))
        }
        self = target
    }
}

/// One act of one adopted decision: `decision 4/7 amends decision 1/1`. Codable for the audit trail.
public struct DecisionLink: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The body's code.
    public var body: String
    /// The decision that acts.
    public var from: DecisionCitation
    /// What it does.
    public var relation: DecisionRelation
    /// What it acts on.
    public var to: LinkTarget

    /// Creates a link value.
    public init(body: String, from: DecisionCitation, relation: DecisionRelation, to: LinkTarget) {
        self.body = body
        self.from = from
        self.relation = relation
        self.to = to
    }

    /// `decision 4/7 amends decision 1/1`.
    public var description: String { "\(from) \(relation.rawValue) \(to)" }
}

/// Which way to follow a decision's lineage.
public enum ChainDirection: String, Sendable, Hashable, CaseIterable {
    /// To the earlier decisions it amends, supersedes or recalls, and theirs in turn.
    case back
    /// To the later decisions that amend, supersede or recall it, and theirs in turn.
    case forward
    /// Both.
    case both
}

/// One step of a decision's chain: a link between two decisions, how far it is from the decision asked about, and
/// where the far end stands.
public struct ChainStep: Sendable, Hashable {
    /// Back (earlier) or forward (later); never `.both`.
    public var direction: ChainDirection
    /// 1 for a link of the decision itself, 2 for one of its neighbour, and so on.
    public var depth: Int
    /// The link.
    public var link: DecisionLink
    /// The decision this step reaches: the link's target going back, its source going forward.
    public var reached: Decision

    /// Creates a step.
    public init(direction: ChainDirection, depth: Int, link: DecisionLink, reached: Decision) {
        self.direction = direction
        self.depth = depth
        self.link = link
        self.reached = reached
    }
}

/// A decision that established or changed a working group, with what it did to it.
public struct WorkingGroupAct: Sendable, Hashable {
    /// The decision.
    public var decision: Decision
    /// What it did: establishes, renames, makes-standing, dissolves (one or more).
    public var acts: [DecisionRelation]

    /// Creates an act.
    public init(decision: Decision, acts: [DecisionRelation]) {
        self.decision = decision
        self.acts = acts
    }
}

/// One result of a full-text search.
public struct DecisionSearchHit: Sendable, Hashable {
    /// The decision found.
    public var decision: Decision
    /// PostgreSQL's cover-density rank: higher is a better match (title words weigh more than text words).
    public var rank: Double
    /// The passage that matched, with the matching words marked «so».
    public var excerpt: String

    /// Creates a hit.
    public init(decision: Decision, rank: Double, excerpt: String) {
        self.decision = decision
        self.rank = rank
        self.excerpt = excerpt
    }
}
