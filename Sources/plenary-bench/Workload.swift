/// The command mix: request templates with placeholders, filled per request without formatting or parsing.
///
/// `{key}` is a key drawn at random from the key set (a symbol for `doc get`, a body for `doc list`); `{n}` is a
/// number no other request of the run uses (unique symbols for `doc register`). A template given twice is drawn
/// twice as often.
struct Workload: Sendable {
    private enum Piece: Sendable {
        case text([UInt8])
        case key
        case unique
    }

    private let templates: [[Piece]]
    private let keys: [[UInt8]]

    /// Splits each template at its placeholders; `keys` must be non-empty when a template uses `{key}`.
    init(templates: [String], keys: [String]) throws(BenchError) {
        guard !templates.isEmpty else { throw BenchError("give at least one --command") }
        var parsed: [[Piece]] = []
        for template in templates {
            var pieces: [Piece] = []
            var rest = Substring(template)
            while let open = rest.firstIndex(of: "{") {
                if open > rest.startIndex { pieces.append(.text(Array(rest[..<open].utf8))) }
                let after = rest[open...]
                if after.hasPrefix("{key}") {
                    pieces.append(.key)
                    rest = after.dropFirst(5)
                } else if after.hasPrefix("{n}") {
                    pieces.append(.unique)
                    rest = after.dropFirst(3)
                } else {
                    pieces.append(.text([UInt8(ascii: "{")]))
                    rest = after.dropFirst()
                }
            }
            if !rest.isEmpty { pieces.append(.text(Array(rest.utf8))) }
            pieces.append(.text([UInt8(ascii: "\n")]))
            if keys.isEmpty, pieces.contains(where: { if case .key = $0 { true } else { false } }) {
                throw BenchError("\(template) uses {key}: give --keys FILE")
            }
            parsed.append(pieces)
        }
        self.templates = parsed
        self.keys = keys.map { Array($0.utf8) }
    }

    /// Appends one request line to `out`: template and key drawn with `random`, `{n}` replaced by `unique`.
    func appendRequest(to out: inout [UInt8], random: inout SplitMix, unique: Int) {
        let template = templates.count == 1 ? templates[0] : templates[Int(random.next() % UInt64(templates.count))]
        for piece in template {
            switch piece {
            case .text(let bytes): out.append(contentsOf: bytes)
            case .key: out.append(contentsOf: keys[Int(random.next() % UInt64(keys.count))])
            case .unique: appendDecimal(unique, to: &out)
            }
        }
    }

    private func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        var digits: [UInt8] = []
        var rest = value
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        out.append(contentsOf: digits.reversed())
    }
}

/// SplitMix64: a tiny, fast, seedable generator, one per connection, so no two threads share state.
struct SplitMix: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
