/// One argument as it stood on the line: `key=value`, or a bare or quoted positional value.
public struct RawArgument: Sendable, Hashable {
    /// The key, or nil for a positional value.
    public var key: String?
    /// The value, unquoted and unescaped.
    public var value: String

    /// Creates an argument; `key` nil makes it positional.
    public init(key: String?, value: String) {
        self.key = key
        self.value = value
    }
}

/// A command line split into its tokens, before the catalog has said which words are the command.
///
/// The parser cannot tell `doc get X` (noun, verb, positional) from `ping X` (command, positional), so every token
/// before the first `key=value` stays in `words` and the catalog decides. Invariant: `arguments` is empty or starts
/// with a keyed argument; the initializer moves leading positional arguments into `words` to keep it, which changes
/// nothing the catalog sees because it reads leftover words and positional arguments as one sequence.
public struct RawRequest: Sendable, Hashable {
    /// The tokens before the first `key=value`, in order and as written (case kept, quotes removed).
    public let words: [String]
    /// Every token from the first `key=value` on, in order.
    public let arguments: [RawArgument]

    /// Creates a request, moving any positional arguments before the first keyed one into `words`.
    public init(words: [String], arguments: [RawArgument] = []) {
        let firstKeyed = arguments.firstIndex { $0.key != nil } ?? arguments.endIndex
        self.words = words + arguments[..<firstKeyed].map(\.value)
        self.arguments = Array(arguments[firstKeyed...])
    }
}
