import PlenaryCore

/// Renders help from the catalog: plain text for people, records for `help` over the protocol, Markdown for
/// docs/PROTOCOL.md. All of it comes from the same declarations the parser binds against, so it cannot drift.
public enum HelpRenderer {
    /// `doc register symbol=SYMBOL title=TEXT [session=N]`: required parameters bare, optional ones in brackets,
    /// positional ones by placeholder alone.
    public static func usage(_ spec: CommandSpec) -> String {
        var parts = [spec.name]
        for parameter in spec.parameters {
            let shown =
                parameter.positional
                ? parameter.usagePlaceholder : "\(parameter.name)=\(parameter.usagePlaceholder)"
            parts.append(parameter.required ? shown : "[\(shown)]")
        }
        return parts.joined(separator: " ")
    }

    /// Every command on one line each: name, minimum role, summary.
    public static func overview(catalog: Catalog) -> String {
        let commands = catalog.commands
        let nameWidth = commands.map(\.name.count).max() ?? 0
        let roleWidth = Role.allCases.map(\.rawValue.count).max() ?? 0
        var lines = ["Commands (help NOUN [VERB] shows one in full):"]
        for spec in commands {
            lines.append(
                "  " + pad(spec.name, nameWidth) + "  " + pad(spec.role.rawValue, roleWidth) + "  " + spec.summary)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One command in full: summary, usage, role, and a table of its parameters.
    public static func help(for spec: CommandSpec) -> String {
        var lines = ["\(spec.name): \(spec.summary)", "", "usage: \(usage(spec))", "role:  \(roleText(spec))"]
        if !spec.parameters.isEmpty {
            lines.append("")
            lines.append("parameters:")
            let nameWidth = spec.parameters.map(\.name.count).max() ?? 0
            let typeWidth = spec.parameters.map(\.type.displayName.count).max() ?? 0
            let flags = spec.parameters.map(flagText)
            let flagWidth = flags.map(\.count).max() ?? 0
            for (parameter, flag) in zip(spec.parameters, flags) {
                lines.append(
                    "  " + pad(parameter.name, nameWidth) + "  " + pad(parameter.type.displayName, typeWidth) + "  "
                        + pad(flag, flagWidth) + "  " + helpText(parameter))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The command reference for docs/PROTOCOL.md: an index, then every command grouped by noun with its usage,
    /// role and parameter table. Headings start at level 2 so it can sit under the document's title.
    public static func markdownReference(catalog: Catalog) -> String {
        var out: [String] = [
            "## Command reference", "",
            "<!-- Generated from the command catalog (HelpRenderer.markdownReference); edit the catalog. -->", "",
            "| Command | Role | Summary |", "|---|---|---|",
        ]
        let commands = catalog.commands
        for spec in commands {
            out.append("| `\(cell(spec.name))` | \(spec.role.rawValue) | \(cell(spec.summary)) |")
        }
        for noun in catalog.nouns {
            out.append(contentsOf: ["", "### \(noun)"])
            for spec in commands where spec.noun == noun {
                out.append(contentsOf: [
                    "", "#### `\(spec.name)`", "", cell(spec.summary), "", "```text", usage(spec), "```", "",
                    "Role: \(roleText(spec)).",
                ])
                guard !spec.parameters.isEmpty else {
                    out.append(contentsOf: ["", "No parameters."])
                    continue
                }
                out.append(contentsOf: ["", "| Key | Type | Required | Description |", "|---|---|---|---|"])
                for parameter in spec.parameters {
                    out.append(
                        "| `\(parameter.name)` | \(cell(parameter.type.displayName)) | \(flagText(parameter)) | "
                            + "\(cell(helpText(parameter))) |")
                }
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// One `command` record per command (name, noun, verb, role, usage, summary, before-auth) and `count=N`:
    /// what `help` answers, in text or JSON mode.
    public static func describe(catalog: Catalog) -> Reply {
        .list(catalog.commands.map(commandRecord))
    }

    /// The `command` record of `spec` followed by one `parameter` record per parameter.
    public static func describe(_ spec: CommandSpec) -> Reply {
        let parameters = spec.parameters.map { parameter in
            ReplyRecord(
                type: "parameter",
                fields: [
                    ReplyField("command", .string(spec.name)), ReplyField("name", .string(parameter.name)),
                    ReplyField("type", .string(parameter.type.displayName)),
                    ReplyField("required", .bool(parameter.required)),
                    ReplyField("positional", .bool(parameter.positional)),
                    ReplyField("default", .optional(parameter.defaultDescription)),
                    ReplyField("help", .string(parameter.help)),
                ])
        }
        return Reply(code: .ok, records: [commandRecord(spec)] + parameters)
    }

    /// The answer to `help [noun [verb]]`: every command, one noun's commands, or one command in full; 502 for
    /// an unknown noun or verb, worded as ``Catalog/resolve(_:)`` words it.
    public static func helpReply(catalog: Catalog, noun: String?, verb: String?) -> Result<Reply, PlenaryError> {
        guard let noun else { return .success(describe(catalog: catalog)) }
        if verb == nil, !catalog.verbs(of: noun).isEmpty {
            let specs = catalog.commands.filter { $0.noun == noun.lowercased() }
            return .success(.list(specs.map(commandRecord)))
        }
        let words = [noun] + (verb.map { [$0] } ?? [])
        return Result { () throws(PlenaryError) -> Reply in
            let (spec, rest) = try catalog.command(for: words)
            if let extra = rest.first {
                throw .unknownCommand(
                    "\(spec.name) \(QuotedValue.forMessage(extra)): unknown verb; \(spec.name) takes none")
            }
            return describe(spec)
        }
    }

    private static func commandRecord(_ spec: CommandSpec) -> ReplyRecord {
        ReplyRecord(
            type: "command",
            fields: [
                ReplyField("name", .string(spec.name)), ReplyField("noun", .string(spec.noun)),
                ReplyField("verb", .optional(spec.verb)), ReplyField("role", .string(spec.role.rawValue)),
                ReplyField("usage", .string(usage(spec))), ReplyField("summary", .string(spec.summary)),
                ReplyField("before-auth", .bool(spec.availableBeforeAuth)),
            ])
    }

    private static func roleText(_ spec: CommandSpec) -> String {
        let role = spec.role == .admin ? "admin" : "\(spec.role.rawValue) or higher"
        return spec.availableBeforeAuth ? "\(role); available before auth" : role
    }

    private static func flagText(_ parameter: ParameterSpec) -> String {
        let need = parameter.required ? "required" : "optional"
        return parameter.positional ? "\(need), positional" : need
    }

    private static func helpText(_ parameter: ParameterSpec) -> String {
        guard let defaultDescription = parameter.defaultDescription else { return parameter.help }
        return "\(parameter.help) Default: \(defaultDescription)."
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }

    /// Text for a Markdown table cell: pipes escaped, line breaks flattened.
    private static func cell(_ text: String) -> String {
        text.replacing("|", with: "\\|").replacing("\r\n", with: " ").replacing("\n", with: " ")
            .replacing("\r", with: " ")
    }
}
