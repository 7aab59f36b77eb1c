import PlenaryCore

/// Why a text is not a document symbol, and where: which component (1-based, counting `/`-separated parts) and
/// which character offset of the input.
public struct SymbolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The 1-based index of the component at fault, or nil when the fault is the symbol as a whole
    /// (empty, too long, nothing after the series). Characters are checked before components are counted, so a
    /// character fault may name a component past the 16th.
    public var component: Int?
    /// The component at fault as written, made printable (control and non-ASCII characters as `\u{…}`) and cut
    /// to 40 characters; nil when `component` is nil.
    public var text: String?
    /// The 0-based offset, in Unicode scalars of the input as given (before trimming), of the character at fault,
    /// or of the start of the component at fault.
    public var offset: Int
    /// The rule broken, e.g. "not a year, session number, special series or serial".
    public var reason: String

    /// Creates an error value.
    public init(component: Int?, text: String?, offset: Int, reason: String) {
        self.component = component
        self.text = text
        self.offset = offset
        self.reason = reason
    }

    /// The message without the `symbol: ` key: "component 3 `20O8`: not a year, … (at offset 9)".
    public var rule: String {
        guard let component else { return "\(reason) (at offset \(offset))" }
        return "component \(component) `\(text ?? "")`: \(reason) (at offset \(offset))"
    }

    /// `symbol: component 3 `20O8`: not a year, session number, special series or serial (at offset 9)`.
    public var description: String { "symbol: \(rule)" }

    /// The refusal in the domain's terms: the field `symbol` and the rule it broke.
    public var domainError: DomainError { .invalid("symbol", rule) }

    /// Renders input for a message: printable ASCII as is, everything else escaped, at most `limit` characters
    /// of input, so an error message never carries control characters, bidi overrides or a whole megabyte.
    static func printable(_ scalars: some Collection<Unicode.Scalar>, limit: Int = 40) -> String {
        var text = ""
        for scalar in scalars.prefix(limit) {
            if scalar.value >= 0x20 && scalar.value < 0x7F && scalar != "`" {
                text.unicodeScalars.append(scalar)
            } else {
                text += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            }
        }
        if scalars.count > limit { text += "…" }
        return text
    }
}
