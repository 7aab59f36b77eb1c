/// The grammar of document symbols, read left to right in one pass over Unicode scalars.
///
/// Faults are reported in this order: an empty or over-long input; the first character no symbol may hold;
/// a misplaced `*`, `(`, `)` or space; then the first component, from the left, that cannot be read or does not
/// fit where it stands; lastly a symbol that stops before its serial number.
enum SymbolParser {
    private typealias Scalars = ArraySlice<Unicode.Scalar>

    /// A component read on its own, before its place in the symbol decides its role.
    private enum Token {
        case word(String)
        case number(Int, digits: Int)
        case subsidiaryBody(DocumentSymbol.SubsidiaryBody)
        case special(DocumentSymbol.Special)
        case modifier(DocumentSymbol.Modifier)
        case specialSession(DocumentSymbol.SpecialSession)

        var noun: String {
            switch self {
            case .word: "series word"
            case .number: "number"
            case .subsidiaryBody: "subsidiary body"
            case .special: "special component"
            case .modifier: "modifier"
            case .specialSession: "special session"
            }
        }
    }

    /// Where the reader is: each phase may only move forward.
    private enum Phase: Int, Comparable {
        case series, bodies, core, modifiers
        static func < (lhs: Phase, rhs: Phase) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// A number of the core whose role (session, year or serial) is known only once the core is complete.
    private struct CoreNumber {
        /// Set for `S-26`, which is a session whatever follows it.
        var specialSession: DocumentSymbol.SpecialSession? = nil
        var value: Int
        var digits: Int
        var index: Int
        var position: Int
    }

    /// One `/`-separated part of the input, with its 0-based offset in the input.
    private struct Part {
        var scalars: Scalars
        var offset: Int
    }

    private struct Failure: Error {
        var error: SymbolError
    }

    /// The rule a single component breaks, before it is known which component it is.
    private struct Reason: Error {
        var text: String
        init(_ text: String) { self.text = text }
    }

    static func parse(_ text: String) -> Result<DocumentSymbol, SymbolError> {
        do {
            return .success(try read(Array(text.unicodeScalars)))
        } catch {
            return .failure(error.error)
        }
    }

    private static func read(_ all: [Unicode.Scalar]) throws(Failure) -> DocumentSymbol {
        var start = 0
        var end = all.count
        while start < end, all[start].properties.isWhitespace { start += 1 }
        while end > start, all[end - 1].properties.isWhitespace { end -= 1 }
        guard start < end else {
            throw fault(nil, nil, all.count, "empty; expected a symbol such as CTOC/COP/2008/1")
        }
        guard end - start <= DocumentSymbol.maximumLength else {
            throw fault(
                nil, nil, start + DocumentSymbol.maximumLength,
                "longer than \(DocumentSymbol.maximumLength) characters")
        }
        let input = all[start..<end]
        try checkCharacters(input)

        var componentsEnd = end
        let isReissue = input.last == "*"
        if isReissue { componentsEnd -= 1 }
        if let star = all[start..<componentsEnd].firstIndex(of: "*") {
            throw fault(in: input, at: star, "`*` marks a reissue and may only come at the very end")
        }
        var parenthetical: DocumentSymbol.Parenthetical?
        if componentsEnd > start, all[componentsEnd - 1] == ")" {
            let close = componentsEnd - 1
            guard let open = all[start..<close].lastIndex(of: "(") else {
                throw fault(in: input, at: close, "`)` without a matching `(`")
            }
            parenthetical = try readParenthetical(all[(open + 1)..<close], input: input, open: open)
            componentsEnd = open
            while componentsEnd > start, all[componentsEnd - 1] == " " { componentsEnd -= 1 }
        }
        // A resolution adopted in lettered parts: `A/RES/49/221 B`, `A/RES/2200 A (XXI)`.
        var part: (letter: String, offset: Int)?
        if componentsEnd - start >= 3, isLetter(all[componentsEnd - 1]), all[componentsEnd - 2] == " ",
            !isSeparator(all[componentsEnd - 3]), all[componentsEnd - 3] != " "
        {
            part = (String(Character(all[componentsEnd - 1])).uppercased(), componentsEnd - 1)
            componentsEnd -= 2
        }
        // A stray parenthesis explains a stray space better than the space does, so it is reported first.
        if let paren = all[start..<componentsEnd].firstIndex(where: { $0 == "(" || $0 == ")" }) {
            throw fault(
                in: input, at: paren, "a parenthetical such as ` (2004)` must be closed and come at the very end")
        }
        if let space = all[start..<componentsEnd].firstIndex(of: " ") {
            throw fault(in: input, at: space, "spaces are allowed only before a final parenthetical such as ` (2004)`")
        }

        let parts = try split(all[start..<componentsEnd])
        let components = try assemble(parts, end: componentsEnd)
        if let part {
            let isResolution = components.contains {
                if case .special(let s) = $0 { s.kind == .resolution } else { false }
            }
            guard case .serial = components.last, isResolution else {
                throw fault(
                    in: input, at: part.offset,
                    "a lettered part (` B`) follows only the number of a resolution, as in A/RES/49/221 B")
            }
        }
        let symbol = DocumentSymbol(
            unchecked: components, part: part?.letter, parenthetical: parenthetical, isReissue: isReissue)
        // Only `S/RES/1566(2004)` → `S/RES/1566 (2004)` grows when printed; the limit binds the printed form too,
        // so that whatever parses prints as something that parses.
        guard symbol.description.unicodeScalars.count <= DocumentSymbol.maximumLength else {
            throw fault(nil, nil, start, "longer than \(DocumentSymbol.maximumLength) characters once printed")
        }
        return symbol
    }

    // MARK: - Characters

    private static func checkCharacters(_ input: Scalars) throws(Failure) {
        for index in input.indices {
            let scalar = input[index]
            if isLetter(scalar) || isDigit(scalar) || "./_*() ".unicodeScalars.contains(scalar) { continue }
            if scalar == "-", isSpecialSessionHyphen(input, at: index) { continue }
            let code = "U+" + hex(scalar.value)
            let allowed = "symbols use A–Z, a–z, 0–9 and . / _ ( ) *"
            let reason =
                if scalar.properties.generalCategory == .control {
                    "control character \(code) is not allowed"
                } else if !scalar.isASCII {
                    "non-ASCII character \(code) is not allowed; \(allowed)"
                } else {
                    "character `\(SymbolError.printable([scalar]))` is not allowed; \(allowed)"
                }
            throw fault(in: input, at: index, reason)
        }
    }

    /// Whether the `-` at `index` is the one of `S-26` or `ES-10`: the component starts with `S` or `ES` right
    /// before it and a digit follows it. Anywhere else a hyphen is refused as a character.
    private static func isSpecialSessionHyphen(_ input: Scalars, at index: Int) -> Bool {
        guard index + 1 < input.endIndex, isDigit(input[index + 1]) else { return false }
        var first = index
        while first > input.startIndex, isLetter(input[first - 1]) { first -= 1 }
        guard first == input.startIndex || isSeparator(input[first - 1]) else { return false }
        let word = String(String.UnicodeScalarView(input[first..<index])).uppercased()
        return DocumentSymbol.SpecialSession.Kind(rawValue: word) != nil
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private static func isLetter(_ scalar: Unicode.Scalar) -> Bool {
        ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar)
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }

    private static func isSeparator(_ scalar: Unicode.Scalar) -> Bool { scalar == "/" || scalar == "_" }

    // MARK: - Faults

    private static func fault(_ component: Int?, _ text: String?, _ offset: Int, _ reason: String) -> Failure {
        Failure(error: SymbolError(component: component, text: text, offset: offset, reason: reason))
    }

    /// A fault at one character of the trimmed input, named with the component that holds it.
    private static func fault(in input: Scalars, at index: Int, _ reason: String) -> Failure {
        var first = index
        while first > input.startIndex, !isSeparator(input[first - 1]) { first -= 1 }
        var last = index
        while last < input.endIndex, !isSeparator(input[last]) || last == index { last += 1 }
        let number = input[input.startIndex..<first].count(where: isSeparator) + 1
        return fault(number, SymbolError.printable(input[first..<last]), index, reason)
    }

    private static func fault(_ part: Part, _ index: Int, _ reason: String) -> Failure {
        fault(index, SymbolError.printable(part.scalars), part.offset, reason)
    }

    // MARK: - Parenthetical

    private static func readParenthetical(
        _ content: Scalars, input: Scalars, open: Int
    ) throws(Failure) -> DocumentSymbol.Parenthetical {
        guard !content.isEmpty else { throw fault(in: input, at: open, "empty parenthetical `()`") }
        if content.allSatisfy(isDigit) {
            let year = try number(content).mapError { reason in fault(in: input, at: open, reason.text) }.get()
            guard (DocumentSymbol.years).contains(year) else {
                throw fault(in: input, at: open, "parenthetical year \(year) is outside 1946…2100")
            }
            return .year(year)
        }
        if content.allSatisfy(isLetter),
            let session = Roman.parse(String(String.UnicodeScalarView(content)).uppercased()),
            DocumentSymbol.sessions.contains(session)
        {
            return .session(session)
        }
        let given = SymbolError.printable(content)
        throw fault(
            in: input, at: open,
            "parenthetical must be a year (2004) or a session in Roman numerals (XV), got `(\(given))`")
    }

    // MARK: - Components

    private static func split(_ text: Scalars) throws(Failure) -> [Part] {
        var parts: [Part] = []
        var first = text.startIndex
        for index in text.startIndex...text.endIndex where index == text.endIndex || isSeparator(text[index]) {
            let part = Part(scalars: text[first..<index], offset: first)
            guard !part.scalars.isEmpty else {
                throw fault(parts.count + 1, "", first, "empty component (two separators in a row, or one at an end)")
            }
            guard parts.count < DocumentSymbol.maximumComponents else {
                throw fault(part, parts.count + 1, "more than \(DocumentSymbol.maximumComponents) components")
            }
            parts.append(part)
            first = index + 1
        }
        return parts
    }

    /// Reads a number of at most six digits without a leading zero; the digit limit comes first, so no
    /// arithmetic can overflow.
    private static func number(_ digits: Scalars) -> Result<Int, Reason> {
        guard digits.count <= DocumentSymbol.maximumDigits else {
            return .failure(Reason("number longer than \(DocumentSymbol.maximumDigits) digits"))
        }
        var value = 0
        for digit in digits { value = value * 10 + Int(digit.value - 48) }
        guard value > 0 else { return .failure(Reason("numbers start at 1")) }
        guard digits.first != "0" else { return .failure(Reason("number with a leading zero; write \(value)")) }
        return .success(value)
    }

    /// `WP` is left out: it reads as a working paper, and becomes a working party only by its place.
    private static let subsidiaryKinds = Dictionary(
        uniqueKeysWithValues: DocumentSymbol.SubsidiaryBody.Kind.allCases.filter { $0 != .workingParty }.map {
            ($0.rawValue.uppercased(), $0)
        })
    private static let specialKinds = Dictionary(
        uniqueKeysWithValues: DocumentSymbol.Special.Kind.allCases.map { ($0.rawValue.uppercased(), $0) })
    private static let modifierKinds = Dictionary(
        uniqueKeysWithValues: DocumentSymbol.Modifier.Kind.allCases.map { ($0.rawValue.uppercased(), $0) })

    private static let kindList =
        (DocumentSymbol.SubsidiaryBody.Kind.allCases.filter { $0 != .workingParty }.map(\.rawValue)
        + DocumentSymbol.Special.Kind.allCases.filter { $0.numbering != .none }.map(\.rawValue)
        + DocumentSymbol.Modifier.Kind.allCases.filter { $0 != .summary }.map(\.rawValue)).joined(separator: ", ")

    /// Reads one component on its own: a word, a number, or a known kind with its number.
    private static func token(_ text: Scalars) -> Result<Token, Reason> {
        if let hyphen = text.firstIndex(of: "-") {
            // The characters were checked: `S-` or `ES-` and a digit; the rest must be the session's number.
            let kind = DocumentSymbol.SpecialSession.Kind(
                rawValue: String(String.UnicodeScalarView(text[text.startIndex..<hyphen])).uppercased())
            let digits = text[(hyphen + 1)...]
            guard let kind, digits.allSatisfy(isDigit) else {
                return .failure(Reason("a special session is S-n or ES-n, e.g. S-26"))
            }
            switch number(digits) {
            case .success(let value) where DocumentSymbol.sessions.contains(value):
                return .success(.specialSession(.init(kind, value)))
            case .success: return .failure(Reason("a special session is numbered 1…999"))
            case .failure(let reason): return .failure(reason)
            }
        }
        guard let dot = text.firstIndex(of: ".") else {
            if text.allSatisfy(isDigit) {
                return number(text).map { .number($0, digits: text.count) }
            }
            guard text.allSatisfy(isLetter) else {
                if let first = text.first, isDigit(first) {
                    return .failure(Reason("not a year, session number, special series or serial"))
                }
                return .failure(Reason(mixedWordReason(text)))
            }
            return keyword(String(String.UnicodeScalarView(text)).uppercased(), number: nil)
        }
        let name = text[text.startIndex..<dot]
        let digits = text[(dot + 1)...]
        guard !name.isEmpty, name.allSatisfy(isLetter) else {
            return .failure(
                Reason("not a subsidiary body, special component or modifier (KIND.n, e.g. WG.4, L.1, Rev.2)"))
        }
        let upper = String(String.UnicodeScalarView(name)).uppercased()
        guard subsidiaryKinds[upper] != nil || specialKinds[upper] != nil || modifierKinds[upper] != nil else {
            return .failure(
                Reason("unknown kind `\(SymbolError.printable(name))`; a numbered component is one of \(kindList)"))
        }
        guard !digits.isEmpty else { return .failure(Reason("needs a number after the dot")) }
        if let kind = subsidiaryKinds[upper], digits.allSatisfy(isLetter) {
            return designator(digits).map { .subsidiaryBody(.init(kind, designator: $0)) }
        }
        guard digits.allSatisfy(isDigit) else {
            return .failure(
                Reason("the number after the dot must be digits 0–9, got `\(SymbolError.printable(digits))`"))
        }
        switch number(digits) {
        case .success(let value): return keyword(upper, number: value)
        case .failure(let reason): return .failure(reason)
        }
    }

    /// The letters after a body's dot: a canonical Roman numeral (`III`), else a single letter (`A`).
    private static func designator(_ letters: Scalars) -> Result<DocumentSymbol.SubsidiaryBody.Designator, Reason> {
        let upper = String(String.UnicodeScalarView(letters)).uppercased()
        if let value = Roman.parse(upper), DocumentSymbol.sessions.contains(value) { return .success(.roman(value)) }
        if letters.count == 1 { return .success(.letter(upper)) }
        return .failure(
            Reason(
                "the designator after the dot must be digits, a Roman numeral (III) or one letter (A), "
                    + "got `\(SymbolError.printable(letters))`"))
    }

    /// A word that mixes letters and digits: says how to write it when it is a known kind run into its number.
    private static func mixedWordReason(_ text: Scalars) -> String {
        let letters = text.prefix(while: isLetter)
        let rest = text[letters.endIndex...]
        let upper = String(String.UnicodeScalarView(letters)).uppercased()
        let spelling =
            subsidiaryKinds[upper]?.rawValue ?? specialKinds[upper]?.rawValue ?? modifierKinds[upper]?.rawValue
        if let spelling, !rest.isEmpty, rest.allSatisfy(isDigit) {
            return "a kind and its number are separated by a dot: write \(spelling).\(SymbolError.printable(rest))"
        }
        return "not a series word (letters only), subsidiary body, special component or modifier"
    }

    private static func keyword(_ upper: String, number: Int?) -> Result<Token, Reason> {
        if let kind = subsidiaryKinds[upper] {
            guard number != nil || kind.numberIsOptional else {
                return .failure(Reason("\(kind.rawValue) needs a number: \(kind.rawValue).n"))
            }
            return .success(.subsidiaryBody(.init(kind, number)))
        }
        if let kind = specialKinds[upper] {
            switch (kind.numbering, number) {
            case (.required, nil): return .failure(Reason("\(kind.rawValue) needs a number: \(kind.rawValue).n"))
            case (.none, .some):
                return .failure(Reason("\(kind.rawValue) takes no number: \(kind.rawValue)/ and a serial"))
            default: return .success(.special(.init(kind, number)))
            }
        }
        if let kind = modifierKinds[upper] {
            guard let modifier = DocumentSymbol.Modifier(kind, number), modifier.number == number else {
                return .failure(
                    Reason(
                        kind == .summary
                            ? "Summary takes no number" : "\(kind.rawValue) needs a number: \(kind.rawValue).n"))
            }
            return .success(.modifier(modifier))
        }
        return number == nil ? .success(.word(upper)) : .failure(Reason("unknown kind"))
    }

    // MARK: - Grammar

    /// Gives each component its role. The core (after the series and subsidiary bodies, before the modifiers) is
    /// read as: two numbers are a session or year and a serial; one number is the serial, unless a numbered special
    /// (`L.5`) follows it, which makes it the session or year; a slash special (`RES`) needs a serial after it.
    private static func assemble(_ parts: [Part], end: Int) throws(Failure) -> [DocumentSymbol.Component] {
        var components: [DocumentSymbol.Component] = []
        var core: [DocumentSymbol.Component] = []
        var modifiers: [DocumentSymbol.Component] = []
        var numbers: [CoreNumber] = []
        var slash: (special: DocumentSymbol.Special, index: Int)?
        var dotted: DocumentSymbol.Special?
        var phase = Phase.series

        let tokens = parts.map { token($0.scalars) }
        for (position, part) in parts.enumerated() {
            let index = position + 1
            var token: Token
            switch tokens[position] {
            case .success(let read): token = read
            case .failure(let reason): throw fault(part, index, reason.text)
            }
            // `WP.29` with more of the symbol after it than modifiers is a working party, a body of the issuer
            // (`ECE/TRANS/WP.29/2020/1`); at the end of the core it stays a working paper (`…/WG.III/WP.1`).
            if case .special(let special) = token, special.kind == .workingPaper, let number = special.number,
                phase <= .bodies, position + 1 < tokens.count
            {
                switch tokens[position + 1] {
                case .success(.modifier), .failure: break
                case .success: token = .subsidiaryBody(.init(.workingParty, number))
                }
            }
            if position == 0 {
                guard case .word = token else {
                    throw fault(
                        part, index, "a symbol starts with its series (A, E, S, ST, CTOC …), not a \(token.noun)")
                }
            }
            if phase == .modifiers {
                guard case .modifier(let modifier) = token else {
                    throw fault(
                        part, index, "only modifiers (Rev.n, Corr.n, Add.n, Amend.n, Summary) may follow a modifier")
                }
                modifiers.append(.modifier(modifier))
                continue
            }
            switch token {
            case .word(let word):
                switch phase {
                case .series: components.append(.series(word))
                // A word after a numbered body names a body of its own: `A/CONF.nnn/<word>/…`.
                case .bodies: components.append(.namedBody(word))
                default:
                    throw fault(
                        part, index,
                        "a series or body word may not follow the session, year, special component or serial")
                }
            case .specialSession(let session):
                if let dotted { throw fault(part, index, "only modifiers may follow \(dotted)") }
                guard numbers.isEmpty else {
                    throw fault(part, index, "a special session stands in the session place, before the serial number")
                }
                phase = .core
                numbers.append(
                    CoreNumber(
                        specialSession: session, value: session.number, digits: 0, index: index, position: core.count))
                core.append(.specialSession(session))
            case .subsidiaryBody(let body):
                guard phase <= .bodies else {
                    throw fault(
                        part, index, "a subsidiary body comes before the session, year, special component and serial")
                }
                phase = .bodies
                components.append(.subsidiaryBody(body))
            case .number(let value, let digits):
                if let dotted { throw fault(part, index, "only modifiers may follow \(dotted)") }
                guard numbers.count < 2 else {
                    throw fault(part, index, "a third number: a symbol has at most a session or year and a serial")
                }
                // A second number makes the first the session or year.
                if let first = numbers.first { core[first.position] = try sessionOrYear(first, parts) }
                phase = .core
                numbers.append(CoreNumber(value: value, digits: digits, index: index, position: core.count))
                core.append(.serial(value))
            case .special(let special):
                if let dotted { throw fault(part, index, "only modifiers may follow \(dotted)") }
                guard slash == nil else { throw fault(part, index, "a symbol has at most one special component") }
                if special.number == nil {
                    guard numbers.count < 2 else {
                        throw fault(part, index, "\(special)/ comes before the serial number, not after it")
                    }
                    slash = (special, index)
                } else {
                    guard numbers.count < 2 else {
                        throw fault(
                            part, index, "\(special) takes the place of the serial: it may not follow two numbers")
                    }
                    // A numbered special carries the document's number, so a number before it is the session or year.
                    if let first = numbers.first { core[first.position] = try sessionOrYear(first, parts) }
                    dotted = special
                }
                phase = .core
                core.append(.special(special))
            case .modifier(let modifier):
                try checkCore(parts, numbers: numbers, slash: slash, dotted: dotted, before: (part, index))
                phase = .modifiers
                modifiers.append(.modifier(modifier))
            }
        }
        if phase < .core {
            throw fault(nil, nil, end, "ends without a serial number or a numbered special component (L.n, CRP.n …)")
        }
        if phase == .core { try checkCore(parts, numbers: numbers, slash: slash, dotted: dotted, before: nil) }

        return components + core + modifiers
    }

    /// The number in the session place: four digits make a year, fewer a session.
    private static func sessionOrYear(_ number: CoreNumber, _ parts: [Part]) throws(Failure) -> DocumentSymbol.Component
    {
        if let session = number.specialSession { return .specialSession(session) }
        guard number.digits < 4 || DocumentSymbol.years.contains(number.value) else {
            throw fault(
                parts[number.index - 1], number.index, "not a year (1946…2100) or a session number (1…999)")
        }
        return number.digits < 4 ? .session(number.value) : .year(number.value)
    }

    /// Checks that the core is complete when a modifier or the end is reached.
    private static func checkCore(
        _ parts: [Part], numbers: [CoreNumber], slash: (special: DocumentSymbol.Special, index: Int)?,
        dotted: DocumentSymbol.Special?, before next: (part: Part, index: Int)?
    ) throws(Failure) {
        if let slash, !numbers.contains(where: { $0.index > slash.index }) {
            throw fault(parts[slash.index - 1], slash.index, "\(slash.special)/ must be followed by a serial number")
        }
        if numbers.isEmpty, dotted == nil, let next {
            throw fault(next.part, next.index, "a modifier follows a serial number or a numbered special component")
        }
        // `S-26` is the session, never the serial: a number or a numbered special must follow it.
        if numbers.count == 1, let only = numbers.first, let session = only.specialSession, dotted == nil {
            throw fault(parts[only.index - 1], only.index, "\(session) is a session: a serial number must follow it")
        }
    }
}
