import PlenaryCore

/// Runs a command whose arguments the catalog has bound; returns the reply or throws (a ``PlenaryError`` to refuse).
public typealias CommandHandler = @Sendable (Arguments, CommandContext) async throws -> Reply

/// Runs several requests of one command at once — a client's pipelined `doc get`s — and returns one result per
/// argument list, in order, each exactly what ``CommandHandler`` would have answered alone. Commands that offer one
/// only read, so answering a run of them together changes nothing but the cost.
public typealias BatchHandler = @Sendable ([Arguments], CommandContext) async -> [Result<Reply, PlenaryError>]

/// What a handler knows about the request besides its arguments.
public struct CommandContext: Sendable {
    /// Who asked, with their role.
    public var actor: Actor
    /// The id the server logs the request under.
    public var requestID: String
    /// The catalog the command came from, so `help` can describe it.
    public var catalog: Catalog

    /// Creates a context.
    public init(actor: Actor, requestID: String, catalog: Catalog) {
        self.actor = actor
        self.requestID = requestID
        self.catalog = catalog
    }
}

/// One parameter of a command: its key, type, and how it may be given.
public struct ParameterSpec: Sendable {
    /// The key (`symbol`, `agenda-item`): lower-case letters, digits and dashes.
    public var name: String
    /// What the value must look like.
    public var type: ParameterType
    /// Whether the command is refused without it.
    public var required: Bool
    /// Whether it may be given by position (`doc get SYMBOL`) as well as by key.
    public var positional: Bool
    /// One line for help.
    public var help: String
    /// What applies when it is left out, for help only (`today`, `regular`); the handler applies it.
    public var defaultDescription: String?
    /// The usage-line placeholder, when the type's own (`N`, `DATE`, `KEY`) would say too little.
    public var placeholder: String?

    /// Creates a parameter.
    public init(
        name: String, type: ParameterType, required: Bool = false, positional: Bool = false, help: String,
        defaultDescription: String? = nil, placeholder: String? = nil
    ) {
        self.name = name
        self.type = type
        self.required = required
        self.positional = positional
        self.help = help
        self.defaultDescription = defaultDescription
        self.placeholder = placeholder
    }

    /// The placeholder shown in usage lines.
    public var usagePlaceholder: String { placeholder ?? type.placeholder(key: name) }
}

/// One command of the language: its words, parameters, minimum role, help, and handler.
public struct CommandSpec: Sendable {
    /// The first word (`doc`, `ping`), lower-case.
    public var noun: String
    /// The second word (`register`), or nil for one-word commands.
    public var verb: String?
    /// One line for help.
    public var summary: String
    /// The lowest role that may run it.
    public var role: Role
    /// The parameters, in the order help lists them and positional values fill them.
    public var parameters: [ParameterSpec]
    /// Whether it may run before `auth` (hello, auth, help, ping, quit).
    public var availableBeforeAuth: Bool
    /// Runs it.
    public var handler: CommandHandler
    /// Runs a run of it at once, for a read that can (see ``BatchHandler``); nil for one at a time.
    public var batchHandler: BatchHandler?

    /// Creates a command.
    public init(
        noun: String, verb: String? = nil, summary: String, role: Role, parameters: [ParameterSpec] = [],
        availableBeforeAuth: Bool = false, handler: @escaping CommandHandler, batchHandler: BatchHandler? = nil
    ) {
        self.noun = noun
        self.verb = verb
        self.summary = summary
        self.role = role
        self.parameters = parameters
        self.availableBeforeAuth = availableBeforeAuth
        self.handler = handler
        self.batchHandler = batchHandler
    }

    /// `doc register`, or `ping`.
    public var name: String { verb.map { "\(noun) \($0)" } ?? noun }

    /// The usage line: `doc register symbol=SYMBOL title=TEXT [session=N]`.
    public var usage: String { HelpRenderer.usage(self) }

    /// The parameter with key `name`, if any.
    public func parameter(named name: String) -> ParameterSpec? { parameters.first { $0.name == name } }

    /// Throws 530 FORBIDDEN when `role` is below the command's.
    public func check(role callerRole: Role) throws(PlenaryError) {
        guard callerRole.permits(role) else {
            throw .forbidden("`\(name)` needs role \(role.rawValue); you are \(callerRole.rawValue)")
        }
    }
}
