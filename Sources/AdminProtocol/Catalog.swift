import PlenaryCore

/// Every command of the language, declared once; the parser's requests are matched and bound against it, and
/// help and the protocol reference are rendered from it.
public struct Catalog: Sendable {
    private struct Name: Hashable {
        var noun: String
        var verb: String?
    }

    private var table: [Name: CommandSpec] = [:]

    /// An empty catalog.
    public init() {}

    /// A catalog holding `specs`.
    public init(_ specs: [CommandSpec]) {
        for spec in specs { register(spec) }
    }

    /// Adds a command. Declaring one twice, or with malformed words or keys, is a programming error and traps
    /// at start-up, long before any request.
    public mutating func register(_ spec: CommandSpec) {
        precondition(ASCII.isKey(spec.noun), "catalog: noun `\(spec.noun)` must be lower-case letters, digits, -")
        if let verb = spec.verb {
            precondition(ASCII.isKey(verb), "catalog: verb `\(verb)` must be lower-case letters, digits, -")
        }
        let names = spec.parameters.map(\.name)
        for name in names {
            precondition(ASCII.isKey(name), "catalog: `\(spec.name)` key `\(name)` is not a valid key")
        }
        precondition(Set(names).count == names.count, "catalog: `\(spec.name)` declares a key twice")
        let positional = spec.parameters.filter(\.positional)
        // A required positional after an optional one could never be filled by position alone.
        if let firstOptional = positional.firstIndex(where: { !$0.required }) {
            precondition(
                positional[firstOptional...].allSatisfy { !$0.required },
                "catalog: `\(spec.name)` has a required positional parameter after an optional one")
        }
        let name = Name(noun: spec.noun, verb: spec.verb)
        precondition(table[name] == nil, "catalog: `\(spec.name)` registered twice")
        table[name] = spec
    }

    /// Every command, sorted by noun, then verb (a one-word command before its noun's verbs).
    public var commands: [CommandSpec] {
        table.values.sorted { ($0.noun, $0.verb ?? "") < ($1.noun, $1.verb ?? "") }
    }

    /// The nouns, sorted.
    public var nouns: [String] { Set(table.keys.map(\.noun)).sorted() }

    /// The verbs of `noun` (case-insensitive), sorted; empty for one-word commands and unknown nouns.
    public func verbs(of noun: String) -> [String] {
        let noun = noun.lowercased()
        return table.keys.filter { $0.noun == noun }.compactMap(\.verb).sorted()
    }

    /// The command named by `noun` and `verb`, matched case-insensitively.
    public func lookup(noun: String, verb: String?) -> CommandSpec? {
        table[Name(noun: noun.lowercased(), verb: verb?.lowercased())]
    }

    /// Finds the command a request names and binds its arguments: 502 for an unknown noun or verb, 504 naming
    /// the key for an unknown, repeated, missing or invalid argument or a positional value with no place.
    public func resolve(_ raw: RawRequest) -> Result<(CommandSpec, Arguments), PlenaryError> {
        Result { () throws(PlenaryError) -> (CommandSpec, Arguments) in
            let (spec, rest) = try command(for: raw.words)
            return (spec, try bind(spec, positionals: rest, raw.arguments))
        }
    }

    /// The command named by the leading words, and the words left over as positional values.
    func command(for words: [String]) throws(PlenaryError) -> (CommandSpec, ArraySlice<String>) {
        guard let first = words.first else {
            throw .unknownCommand("command: missing; a line starts with a command, such as help")
        }
        let noun = first.lowercased()
        let verbs = verbs(of: noun)
        let oneWord = table[Name(noun: noun, verb: nil)]
        guard oneWord != nil || !verbs.isEmpty else {
            throw .unknownCommand("\(QuotedValue.forMessage(first)): unknown command; help lists them all")
        }
        let rest = words.dropFirst()
        if let second = rest.first, let spec = table[Name(noun: noun, verb: second.lowercased())] {
            return (spec, rest.dropFirst())
        }
        if let oneWord { return (oneWord, rest) }
        let choices = verbs.joined(separator: "|")
        guard let second = rest.first else {
            throw .unknownCommand("\(noun): needs a verb, one of \(choices)")
        }
        throw .unknownCommand(
            "\(noun) \(QuotedValue.forMessage(second)): unknown verb; \(noun) takes one of \(choices)")
    }

    private func bind(
        _ spec: CommandSpec, positionals words: ArraySlice<String>, _ arguments: [RawArgument]
    ) throws(PlenaryError) -> Arguments {
        var values: [String: String] = [:]
        let slots = spec.parameters.filter(\.positional)
        let positionals = Array(words) + arguments.filter { $0.key == nil }.map(\.value)
        for (position, value) in positionals.enumerated() {
            guard position < slots.count else {
                let takes =
                    slots.isEmpty
                    ? "`\(spec.name)` takes no positional values"
                    : "`\(spec.name)` takes \(slots.map { $0.usagePlaceholder }.joined(separator: " "))"
                throw .badArgument(QuotedValue.forMessage(value), "unexpected positional value; \(takes)")
            }
            values[slots[position].name] = value
        }
        for argument in arguments {
            guard let key = argument.key else { continue }
            guard spec.parameter(named: key) != nil else {
                let known = spec.parameters.map(\.name)
                let hint = known.isEmpty ? "it takes no arguments" : "known keys: \(known.joined(separator: ", "))"
                throw .badArgument(QuotedValue.forMessage(key), "unknown key for `\(spec.name)`; \(hint)")
            }
            guard values[key] == nil else { throw .badArgument(key, "given twice") }
            values[key] = argument.value
        }
        for parameter in spec.parameters {
            guard let value = values[parameter.name] else {
                if parameter.required { throw .badArgument(parameter.name, "required") }
                continue
            }
            if let rule = parameter.type.violation(of: value) {
                throw .badArgument(parameter.name, "\(rule), got \(QuotedValue.forMessage(value))")
            }
        }
        return Arguments(values)
    }
}
