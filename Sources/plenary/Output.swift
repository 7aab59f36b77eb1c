import AdminProtocol
import Foundation
import PlenaryCommands
import PlenaryCore

/// How the CLI prints a reply.
///
/// - `table`: records as an aligned table, for people; the default when stdout is a terminal. Help is printed as
///   a help page in this format, and a `calendar format=ics` reply as the calendar itself.
/// - `text`: the protocol's own lines, byte for byte what a server sends; the default otherwise.
/// - `json`: one JSON document for the whole reply (``JSONDocument``).
/// - `ics`: the raw RFC 5545 calendar of a `calendar` command.
enum OutputFormat: String, CaseIterable, Sendable {
    case table
    case text
    case json
    case ics

    /// The format when none was chosen: a table on a terminal, the protocol's lines for scripts and pipes. Help
    /// is a page for people wherever it goes, as with every other command-line tool.
    static func standard(isHelp: Bool) -> OutputFormat {
        isHelp || Terminal.isTerminal(STDOUT_FILENO) ? .table : .text
    }
}

/// What the CLI knows about where its output goes.
enum Terminal {
    /// Whether `descriptor` is a terminal.
    static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) == 1 }

    /// Whether output on `descriptor` may be coloured: only on a terminal that is not `dumb`, and never when
    /// `NO_COLOR` is set to anything (https://no-color.org).
    static func allowsColour(_ descriptor: Int32) -> Bool {
        let environment = ProcessInfo.processInfo.environment
        if let noColour = environment["NO_COLOR"], !noColour.isEmpty { return false }
        if environment["TERM"] == "dumb" { return false }
        return isTerminal(descriptor)
    }

    /// The width of the terminal on `descriptor`, or nil when it is not one (a table for a pipe is never cut).
    static func width(_ descriptor: Int32) -> Int? {
        guard isTerminal(descriptor) else { return nil }
        var size = winsize()
        if ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 {
            return columns
        }
        return 80
    }
}

/// ANSI styles, or none.
struct Style: Sendable {
    let enabled: Bool

    func bold(_ text: String) -> String { wrap(text, "1") }
    func dim(_ text: String) -> String { wrap(text, "2") }
    func red(_ text: String) -> String { wrap(text, "31") }

    private func wrap(_ text: String, _ code: String) -> String {
        enabled && !text.isEmpty ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

/// A reply rendered: what goes to stdout and what to stderr.
struct RenderedReply: Equatable {
    var stdout: String = ""
    var stderr: String = ""
}

/// Renders replies in every output format. Pure: the terminal's traits come in as arguments, so local and remote
/// replies, and tests, go through exactly the same code.
struct ReplyPrinter {
    var format: OutputFormat
    /// Whether the reply answers `help` (or `--help`), which tables print as a help page.
    var isHelp = false
    var stdoutStyle = Style(enabled: false)
    var stderrStyle = Style(enabled: false)
    /// The terminal's width, when stdout is one.
    var width: Int?
    /// Whether the command lists records (``CommandShape/isListing(_:)``): its JSON document has `records` only, and
    /// its table never becomes a card.
    var isListing = true

    /// The printer for the real stdout and stderr.
    static func forTerminal(format: OutputFormat, isHelp: Bool, isListing: Bool = true) -> ReplyPrinter {
        ReplyPrinter(
            format: format, isHelp: isHelp, stdoutStyle: Style(enabled: Terminal.allowsColour(STDOUT_FILENO)),
            stderrStyle: Style(enabled: Terminal.allowsColour(STDERR_FILENO)), width: Terminal.width(STDOUT_FILENO),
            isListing: isListing)
    }

    /// Successes go to stdout, refusals to stderr.
    func render(_ reply: Reply) -> RenderedReply {
        guard reply.isSuccess else { return RenderedReply(stderr: renderFailure(reply)) }
        switch format {
        case .text:
            return RenderedReply(stdout: String(decoding: ReplyEncoder.encode(reply, format: .text), as: UTF8.self))
        case .json:
            return RenderedReply(stdout: JSONDocument.encode(reply, isListing: isListing) + "\n")
        case .ics:
            guard let calendar = PlenaryCatalog.icsText(of: reply) else {
                return RenderedReply(stderr: "plenary: --format ics: the reply holds no calendar\n")
            }
            return RenderedReply(stdout: calendar)
        case .table:
            if isHelp { return RenderedReply(stdout: HelpPage.render(reply)) }
            if let calendar = PlenaryCatalog.icsText(of: reply) { return RenderedReply(stdout: calendar) }
            if let csv = PlenaryCatalog.csvText(of: reply) { return RenderedReply(stdout: csv) }
            return RenderedReply(
                stdout: TableRenderer(style: stdoutStyle, width: width, isListing: isListing).render(reply))
        }
    }

    /// One change event (after `watch`), as the format writes it: the protocol's line, or one JSON object a line.
    func render(event fields: [ReplyField]) -> String {
        String(decoding: ReplyEncoder.event(fields, format: format == .json ? .json : .text), as: UTF8.self)
    }

    private func renderFailure(_ reply: Reply) -> String {
        switch format {
        case .json:
            return String(decoding: ReplyEncoder.encode(reply, format: .json), as: UTF8.self)
        case .table:
            let line = String(decoding: ReplyEncoder.encode(reply, format: .text), as: UTF8.self)
            return stderrStyle.red(String(line.dropLast())) + "\n"
        case .text, .ics:
            return String(decoding: ReplyEncoder.encode(reply, format: .text), as: UTF8.self)
        }
    }
}

/// `--format json`: the whole reply as one JSON document on one line.
///
/// Success: the protocol's final line as an object, with every record in `records`, each in the shape of the
/// protocol's JSON record line without its code:
///
///     {"code":200,"ok":true,"count":2,"records":[{"type":"body","record":{"code":"CTOC/COP",…}},…]}
///
/// A list command (``CommandShape/isListing(_:)``: `… list`, `… search`, `calendar` …) has `records` only, whatever
/// its count. Any other command's reply with records also gives its first record — the one the command is about,
/// as the document of `doc get` before its language versions — as `type` and `record` at the top, so
/// `jq .record.name` works; `records` is there in every reply, so scripts need no special case.
/// Summary fields sit at the top level, as on the protocol's final line; one whose key the document itself uses
/// (`type`, `record`, `records`) is written `summary-KEY`. A refusal is the protocol's JSON error line
/// `{"code":504,"error":"BAD_ARGUMENT","message":"…"}`, on stderr. Values keep their JSON types (numbers,
/// booleans, null for a field without a value, arrays for lists).
enum JSONDocument {
    static let reserved: Set<String> = ["code", "ok", "type", "record", "records", "error", "message"]

    static func encode(_ reply: Reply, isListing: Bool) -> String {
        guard reply.isSuccess else {
            return String(String(decoding: ReplyEncoder.encode(reply, format: .json), as: UTF8.self).dropLast())
        }
        var members: [(String, String)] = [("code", String(reply.code.rawValue)), ("ok", "true")]
        for field in reply.summary {
            members.append((reserved.contains(field.key) ? "summary-\(field.key)" : field.key, value(field.value)))
        }
        let records = reply.records.map { record in
            object([("type", QuotedValue.quote(record.type)), ("record", fields(record.fields))])
        }
        members.append(("records", "[" + records.joined(separator: ",") + "]"))
        if !isListing, let only = reply.records.first {
            members.append(("type", QuotedValue.quote(only.type)))
            members.append(("record", fields(only.fields)))
        }
        return object(members)
    }

    private static func fields(_ fields: [ReplyField]) -> String {
        object(fields.map { ($0.key, value($0.value)) })
    }

    private static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { QuotedValue.quote($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    private static func value(_ value: ReplyValue) -> String {
        switch value {
        case .string(let text): QuotedValue.quote(text)
        case .int(let number): String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .date(let date): QuotedValue.quote(date.description)
        case .list(let items): "[" + items.map(Self.value).joined(separator: ",") + "]"
        case .null: "null"
        }
    }
}

/// Records as an aligned table: one column per key (in the order the records give them), a TYPE column first when
/// the reply mixes record types (a calendar's sessions and meetings), columns of whole numbers right-aligned. A
/// reply without records shows its summary as `key  value` lines. On a terminal, columns are shortened (with …) to
/// its width.
struct TableRenderer {
    let style: Style
    let width: Int?
    /// A list is a table; any other reply shows the record it is about as a card (``card(_:)``), and the records
    /// that belong to it (a document's language versions) as a table under it.
    var isListing = true

    /// Narrowest a shortened column gets.
    static let minimumColumn = 8

    func render(_ original: Reply) -> String {
        // Tables show values as text mode writes them, and are built from exactly that, so a reply read back from
        // a server's text lines gives the same table as the reply a handler returned here.
        let reply = original.normalizedForText()
        guard !reply.records.isEmpty else { return keyValues(reply) }
        if !isListing, let first = reply.records.first,
            !reply.records.dropFirst().contains(where: { $0.type == first.type })
        {
            let children = Array(reply.records.dropFirst())
            guard !children.isEmpty else { return card(first) + footer(reply) }
            return card(first) + "\n" + table(Reply(code: reply.code, records: children, summary: reply.summary))
        }
        return table(reply)
    }

    /// One record as `key  value` lines under its type, values whole (wrapped by the terminal, never cut).
    private func card(_ record: ReplyRecord) -> String {
        let keyWidth = record.fields.map(\.key.count).max() ?? 0
        let lines = record.fields.map { field in style.bold(pad(field.key, keyWidth)) + "  " + cell(field.value) }
        return ([style.bold(record.type.uppercased())] + lines).joined(separator: "\n") + "\n"
    }

    private func footer(_ reply: Reply) -> String {
        let fields = reply.summary.compactMap { field in
            field.value.textForm.map { "\(field.key)=\(QuotedValue.encode($0))" }
        }
        return fields.isEmpty ? "" : style.dim(fields.joined(separator: "  ")) + "\n"
    }

    private func table(_ reply: Reply) -> String {
        let types = reply.records.reduce(into: [String]()) { if !$0.contains($1.type) { $0.append($1.type) } }
        var keys: [String] = []
        for record in reply.records {
            for field in record.fields where !keys.contains(field.key) { keys.append(field.key) }
        }
        var headers = keys.map { $0.uppercased() }
        var rows = reply.records.map { record in keys.map { key in cell(record[key]) } }
        var numeric = keys.indices.map { column in
            rows.contains { !$0[column].isEmpty } && rows.allSatisfy { $0[column].isEmpty || isWholeNumber($0[column]) }
        }
        if types.count > 1 {
            headers.insert("TYPE", at: 0)
            for (index, record) in reply.records.enumerated() { rows[index].insert(record.type, at: 0) }
            numeric.insert(false, at: 0)
        }
        let widths = fit(headers: headers, rows: rows)
        var lines = [style.bold(line(headers, widths: widths, numeric: numeric.map { _ in false }))]
        lines += rows.map { line($0, widths: widths, numeric: numeric) }
        let footer = reply.summary.compactMap { field in
            field.value.textForm.map { "\(field.key)=\(QuotedValue.encode($0))" }
        }
        if !footer.isEmpty { lines.append(style.dim(footer.joined(separator: "  "))) }
        return lines.joined(separator: "\n") + "\n"
    }

    private func keyValues(_ reply: Reply) -> String {
        let fields = reply.summary.compactMap { field in field.value.textForm.map { (field.key, cell(.string($0))) } }
        guard !fields.isEmpty else { return reply.token + "\n" }
        let keyWidth = fields.map(\.0.count).max() ?? 0
        return fields.map { style.bold(pad($0.0, keyWidth)) + "  " + $0.1 }.joined(separator: "\n") + "\n"
    }

    private func isWholeNumber(_ text: String) -> Bool {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        return !digits.isEmpty && digits.count <= 18 && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
            && (digits == "0" || !digits.hasPrefix("0"))
    }

    /// A value as one table cell: its text form with control and invisible characters made visible, so a
    /// multi-line mandate cannot break the table.
    private func cell(_ value: ReplyValue?) -> String {
        QuotedValue.sanitizeMessage(value?.textForm ?? "")
    }

    /// Column widths: each column's widest cell, then, while the table is wider than the terminal, the widest
    /// column is narrowed, down to ``minimumColumn``.
    private func fit(headers: [String], rows: [[String]]) -> [Int] {
        var widths = headers.indices.map { column in
            ([headers[column].count] + rows.map { $0[column].count }).max() ?? 0
        }
        guard let width else { return widths }
        let separators = 2 * max(0, widths.count - 1)
        while widths.reduce(0, +) + separators > width {
            guard let widest = widths.indices.max(by: { widths[$0] < widths[$1] }),
                widths[widest] > Self.minimumColumn
            else { break }
            let excess = widths.reduce(0, +) + separators - width
            widths[widest] = max(Self.minimumColumn, widths[widest] - excess)
        }
        return widths
    }

    private func line(_ cells: [String], widths: [Int], numeric: [Bool]) -> String {
        var parts: [String] = []
        for (column, text) in cells.enumerated() {
            let shown = text.count > widths[column] ? String(text.prefix(widths[column] - 1)) + "…" : text
            let last = column == cells.count - 1
            if numeric[column] {
                parts.append(String(repeating: " ", count: widths[column] - shown.count) + shown)
            } else {
                // The last column is not padded, so lines carry no trailing blanks.
                parts.append(last ? shown : pad(shown, widths[column]))
            }
        }
        // A row whose last cells are empty would otherwise end in blanks.
        var text = parts.joined(separator: "  ")
        while text.last == " " { text.removeLast() }
        return text
    }
}

/// Help for people, rendered from the reply of `help` (the same records the protocol sends), so it reads the same
/// whether the catalog answering is the binary's own or a server's.
enum HelpPage {
    static func render(_ reply: Reply) -> String {
        let commands = reply.records.filter { $0.type == "command" }
        let parameters = reply.records.filter { $0.type == "parameter" }
        if commands.count == 1, let command = commands.first, reply.summary.isEmpty || !parameters.isEmpty {
            return page(command, parameters: parameters)
        }
        return overview(commands, complete: commands.contains { $0["name"]?.textForm == "help" })
    }

    private static func text(_ record: ReplyRecord, _ key: String) -> String { record[key]?.textForm ?? "" }

    private static func overview(_ commands: [ReplyRecord], complete: Bool) -> String {
        let nameWidth = commands.map { text($0, "name").count }.max() ?? 0
        let roleWidth = commands.map { text($0, "role").count }.max() ?? 0
        var lines = ["Commands (plenary help NOUN [VERB] shows one in full):"]
        for command in commands {
            lines.append(
                "  " + pad(text(command, "name"), nameWidth) + "  " + pad(text(command, "role"), roleWidth) + "  "
                    + text(command, "summary"))
        }
        if complete {
            lines += [
                "",
                "Built in: serve, migrate, db, reference, shell, export, import, demo, publish (plenary help",
                "import, plenary shell --help).",
                "Options before or after a command: --server HOST:PORT|tls:HOST:PORT|unix:PATH and --token TOKEN",
                "(or PLENARY_SERVER and PLENARY_TOKEN) to ask a running server, --ca FILE for a private TLS CA,",
                "--timeout SECONDS; --format table|text|json|ics; --config FILE.",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func page(_ command: ReplyRecord, parameters: [ReplyRecord]) -> String {
        let role = text(command, "role")
        var roleText = role == "admin" ? "admin" : "\(role) or higher"
        if text(command, "before-auth") == "true" { roleText += "; available before auth" }
        var lines = [
            "\(text(command, "name")): \(text(command, "summary"))", "", "usage: plenary \(text(command, "usage"))",
            "role:  \(roleText)",
        ]
        if !parameters.isEmpty {
            lines += ["", "parameters:"]
            let flags = parameters.map { parameter in
                let need = text(parameter, "required") == "true" ? "required" : "optional"
                return text(parameter, "positional") == "true" ? "\(need), positional" : need
            }
            let nameWidth = parameters.map { text($0, "name").count }.max() ?? 0
            let typeWidth = parameters.map { text($0, "type").count }.max() ?? 0
            let flagWidth = flags.map(\.count).max() ?? 0
            for (parameter, flag) in zip(parameters, flags) {
                var help = text(parameter, "help")
                if let fallback = parameter["default"]?.textForm { help += " (default: \(fallback))" }
                lines.append(
                    "  " + pad(text(parameter, "name"), nameWidth) + "  " + pad(text(parameter, "type"), typeWidth)
                        + "  " + pad(flag, flagWidth) + "  " + help)
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// `text` followed by spaces up to `width` characters.
func pad(_ text: String, _ width: Int) -> String {
    text + String(repeating: " ", count: max(0, width - text.count))
}

/// Which replies are lists. A list's JSON document has one shape whatever its count (`records` only) and its table
/// is always a table; any other command's reply is about its first record (JSON `type` and `record` at the top, a
/// card on a terminal).
enum CommandShape {
    /// Verbs that list: `body list`, `doc search`, `decision chain`, `doc deadlines`.
    static let listingVerbs: Set<String> = ["list", "search", "chain", "deadlines"]
    /// Commands without a verb that list: the calendar, help, the events of `watch`.
    static let listingNouns: Set<String> = ["calendar", "help", "watch"]

    /// Whether the command named by `words` (noun, then verb) lists records.
    static func isListing(_ words: [String]) -> Bool {
        guard let noun = words.first?.lowercased() else { return true }
        if listingNouns.contains(noun) { return true }
        guard words.count > 1 else { return false }
        return listingVerbs.contains(words[1].lowercased())
    }
}
