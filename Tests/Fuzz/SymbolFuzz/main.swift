// libFuzzer entry point for the document-symbol parser; built outside SwiftPM by Scripts/fuzz-symbol.
import Documents

/// Parses the bytes (as UTF-8, invalid sequences replaced) and traps when an invariant breaks: whatever parses
/// prints within the limits as printable ASCII and parses back to the same symbol and the same text; whatever is
/// refused is refused with a printable, located `symbol: …` message.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    switch DocumentSymbol.parse(text) {
    case .success(let symbol):
        let printed = symbol.description
        guard case .success(let again) = DocumentSymbol.parse(printed) else {
            fatalError("prints as something that does not parse: \(text.debugDescription) → \(printed)")
        }
        guard again == symbol, again.description == printed else {
            fatalError("print-then-parse is not a fixed point: \(text.debugDescription) → \(printed) → \(again)")
        }
        guard printed.unicodeScalars.count <= DocumentSymbol.maximumLength,
            symbol.components.count <= DocumentSymbol.maximumComponents,
            printed.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F })
        else {
            fatalError("prints outside the limits: \(printed.debugDescription)")
        }
        // Every symbol has a number of its own, and its base and parent are symbols too.
        guard symbol.serial != nil, DocumentSymbol.parse(symbol.base.description) == .success(symbol.base),
            symbol.parent.map({ DocumentSymbol.parse($0.description) == .success($0) }) ?? true
        else {
            fatalError("derived symbols do not round-trip: \(printed)")
        }
    case .failure(let error):
        let message = error.description
        guard message.hasPrefix("symbol: "),
            !message.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) }),
            (0...text.unicodeScalars.count).contains(error.offset),
            error.component.map({ (1...DocumentSymbol.maximumLength + 1).contains($0) }) ?? true
        else {
            fatalError("badly formed refusal for \(text.debugDescription): \(message.debugDescription)")
        }
    }
    return 0
}
