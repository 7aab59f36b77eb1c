import PlenaryCore

/// Writes a request as a protocol line, so a client (the CLI talking to a remote server) can send what it parsed
/// from shell words. `LineParser.parse(build(r))` gives back `r` for every request whose keys are valid.
public enum LineBuilder {
    /// The line for `request`, without the LF. A key that is not a valid key is a 504 naming it, since no
    /// spelling of it would parse.
    public static func build(_ request: RawRequest) -> Result<String, PlenaryError> {
        var tokens = request.words.map(QuotedValue.encode)
        for argument in request.arguments {
            guard let key = argument.key else {
                tokens.append(QuotedValue.encode(argument.value))
                continue
            }
            guard ASCII.isKey(key) else { return .failure(LineParser.invalidKey(key)) }
            tokens.append(key + "=" + QuotedValue.encode(argument.value))
        }
        guard !tokens.isEmpty else { return .failure(.badSyntax("empty line: no command given")) }
        return .success(tokens.joined(separator: " "))
    }

    /// The line for `words` followed by `arguments` (see ``RawRequest/init(words:arguments:)``).
    public static func build(words: [String], arguments: [RawArgument]) -> Result<String, PlenaryError> {
        build(RawRequest(words: words, arguments: arguments))
    }
}
