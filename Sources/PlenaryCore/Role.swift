/// What a caller may do. Each role includes the ones below it.
public enum Role: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    /// Reads everything, changes nothing.
    case observer
    /// Also writes meetings, documents and decisions.
    case secretariat
    /// Also manages bodies and tokens.
    case admin

    private var rank: Int {
        switch self {
        case .observer: 0
        case .secretariat: 1
        case .admin: 2
        }
    }

    /// Orders roles by what they may do.
    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }

    /// Whether this role may run a command that needs `required`.
    public func permits(_ required: Role) -> Bool { self >= required }
}

/// Who is making a change, as the audit trail records it: a token's name, or the local operator of the CLI.
public struct Actor: Sendable, Hashable, CustomStringConvertible {
    /// The name recorded in the audit trail.
    public var name: String
    /// What the actor may do.
    public var role: Role

    /// Creates an actor.
    public init(name: String, role: Role) {
        self.name = name
        self.role = role
    }

    /// The operator running `plenary` on the machine itself, with the admin role.
    public static func localOperator(user: String) -> Actor { Actor(name: "local:\(user)", role: .admin) }

    /// The actor's name.
    public var description: String { name }
}
