// libFuzzer entry point for the protocol line parser; built outside SwiftPM by Scripts/fuzz-line.
import AdminProtocol
import PlenaryCore

/// Parses the bytes as one protocol line and traps when an invariant breaks: the parser never crashes; whatever
/// parses is rebuilt by LineBuilder as one line without control characters that parses back to the same request,
/// scalar for scalar; whatever is refused is a 500 or 504 whose reply is exactly one well-formed line.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    switch LineParser.parse(bytes) {
    case .success(let request):
        guard case .success(let line) = LineBuilder.build(request) else {
            fatalError("parsed but cannot be rebuilt: \(bytes) → \(request)")
        }
        guard !line.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            fatalError("rebuilt line holds a control character: \(line.debugDescription)")
        }
        guard case .success(let again) = LineParser.parse(Array(line.utf8)) else {
            fatalError("rebuilt line does not parse: \(bytes) → \(line.debugDescription)")
        }
        guard scalars(again) == scalars(request) else {
            fatalError("round trip changed the request: \(request) → \(line.debugDescription) → \(again)")
        }
    case .failure(let error):
        guard error.code == .badLine || error.code == .badArgument else {
            fatalError("a line is refused only with 500 or 504, not \(error)")
        }
        for format in ReplyFormat.allCases {
            let reply = ReplyEncoder.encode(.error(error), format: format)
            guard reply.last == 0x0A, !reply.dropLast().contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
                fatalError("the refusal is not one clean line in \(format): \(reply)")
            }
        }
    }
    return 0
}

/// Every word, key and value as Unicode scalars, so canonically equal but different strings count as different.
func scalars(_ request: RawRequest) -> [[Unicode.Scalar]] {
    request.words.map { Array($0.unicodeScalars) }
        + request.arguments.map { argument in
            [argument.key == nil ? "\u{0}" : "\u{1}"] + Array((argument.key ?? "").unicodeScalars) + ["="]
                + Array(argument.value.unicodeScalars)
        }
}
