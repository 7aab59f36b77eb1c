import AdminProtocol
import ArgumentParser

/// Completion of catalog commands, from the binary's own catalog: nouns, then verbs, then the keys a command takes
/// that are not given yet (`code=`), then the values of keys with a fixed set (`role=admin`). The completion
/// scripts (`plenary --generate-completion-script bash|zsh|fish`) call it through swift-argument-parser; the
/// shell's Tab key calls ``candidates(before:prefix:)`` directly.
enum CatalogCompletion {
    /// swift-argument-parser's custom completion: `words` are the shell words of the whole command line, `index`
    /// the one being completed, `prefix` its part before the cursor.
    @Sendable
    static func complete(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
        let current = max(0, min(index, words.count))
        // bash splits `role=adm` at the `=` (COMP_WORDBREAKS) and replaces only the part after it: offer values.
        if current >= 2, words[current - 1] == "=" {
            let key = words[current - 2]
            return candidates(before: joined(Array(words.prefix(current - 2).dropFirst())), prefix: key + "=" + prefix)
                .map { String($0.dropFirst(key.count + 1)) }
        }
        let before = joined(Array(words.prefix(current).dropFirst()))
        // The catalog's own options may sit anywhere; their values are not words of the command.
        var command: [String] = []
        var skipNext = false
        for word in before {
            if skipNext {
                skipNext = false
            } else if GlobalOptions.valued.contains(word) {
                skipNext = true
            } else if !word.hasPrefix("-") {
                command.append(word)
            }
        }
        if let builtin = builtinCompletions(command, prefix: prefix) { return builtin }
        return candidates(before: command, prefix: prefix)
    }

    /// Words as the command sees them: bash's `key`, `=`, `value` joined back into `key=value`.
    private static func joined(_ words: [String]) -> [String] {
        var out: [String] = []
        var glue = false
        for word in words {
            if word == "=", let last = out.popLast() {
                out.append(last + "=")
                glue = true
            } else if glue, let last = out.popLast() {
                out.append(last + word)
                glue = false
            } else {
                out.append(word)
            }
        }
        return out
    }

    /// The built-ins, which the scripts reach through the same positional argument: their names first, then their
    /// subcommands and options, read from their own help so this list cannot fall behind them.
    private static func builtinCompletions(_ words: [String], prefix: String) -> [String]? {
        let builtins = PlenaryCLI.configuration.subcommands
        guard let first = words.first else {
            let names = builtins.map { $0._commandName }
            return (names + candidates(before: [], prefix: prefix)).filter { $0.hasPrefix(prefix) }
        }
        guard var command = builtins.first(where: { $0._commandName == first }) else { return nil }
        for word in words.dropFirst() {
            guard let sub = command.configuration.subcommands.first(where: { $0._commandName == word }) else { break }
            command = sub
        }
        let help = PlenaryCLI.helpMessage(for: command, columns: 1000)
        var options: [String] = []
        for token in help.split(whereSeparator: { " ,\n".contains($0) }) where token.hasPrefix("--") {
            let option = String(token.prefix { $0.isLetter || $0.isNumber || $0 == "-" })
            if option.count > 2, !options.contains(option) { options.append(option) }
        }
        let subcommands = command.configuration.subcommands.map { $0._commandName }
        return (subcommands + options).filter { $0.hasPrefix(prefix) }
    }

    /// What may come next after `before` (the command's words so far), starting with `prefix`.
    static func candidates(before: [String], prefix: String) -> [String] {
        let catalog = Declarations.catalog
        guard let noun = before.first?.lowercased() else {
            return catalog.nouns.filter { $0.hasPrefix(prefix.lowercased()) }
        }
        let verbs = catalog.verbs(of: noun)
        if before.count == 1, !verbs.isEmpty {
            return verbs.filter { $0.hasPrefix(prefix.lowercased()) }
        }
        let verb = verbs.isEmpty ? nil : before[1].lowercased()
        guard let spec = catalog.lookup(noun: noun, verb: verb) else { return [] }
        if let equals = prefix.firstIndex(of: "=") {
            let key = String(prefix[..<equals])
            guard let parameter = spec.parameter(named: key) else { return [] }
            return values(of: parameter.type).map { "\(key)=\($0)" }.filter { $0.hasPrefix(prefix) }
        }
        let given = Set(before.compactMap { word in word.firstIndex(of: "=").map { String(word[..<$0]) } })
        return spec.parameters.filter { !given.contains($0.name) }.map { "\($0.name)=" }
            .filter { $0.hasPrefix(prefix) }
    }

    private static func values(of type: ParameterType) -> [String] {
        switch type {
        case .choice(let options): options
        case .boolean: ["true", "false"]
        default: []
        }
    }
}
