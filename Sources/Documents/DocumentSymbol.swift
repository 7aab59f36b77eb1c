import PlenaryCore

/// A UN document symbol — `CTOC/COP/2008/19`, `A/C.5/61/L.20`, `S/RES/1566 (2004)` — parsed into typed
/// components, validated, and printed in canonical form.
///
/// The grammar (after the UN Dag Hammarskjöld Library guide to document symbols):
///
///     series+  body*  core  modifier*  [" " part]  [" (" parenthetical ")"]  ["*"]
///
/// - **series**: the leading words of letters only (`CTOC/COP`, `A`, `ST/SGB`, `A/HRC`, `TD/B`). Every leading
///   word that is not a known kind belongs to the series, so `E/CN.15/…` has series `E` and subsidiary body
///   `CN.15`, and `A/HRC/RES/5/1` has series `A/HRC`. `body` is the series; `issuer` adds the subsidiary bodies.
/// - **bodies**, any number of them: subsidiary bodies `AC.n`, `C.n`, `CN.n`, `CONF.n`, `GC.n`, `SC.n`, `Sub.n`,
///   `WG.n`, `EG.n`, `SER.n` and `PC`, `C`, `GC`, which may stand without a number (`CCPR/C/GC/34`); the number may
///   be arabic, Roman (`A/CN.9/WG.III/…`, `TD/B/C.I/…`) or a letter (`ST/ESA/SER.A/…`). `WP.n` with more than
///   modifiers after it is a working party (`ECE/TRANS/WP.29/2020/1`). A word after a body is a body named by
///   that word (`A/CONF.nnn/<word>/…`, `E/CN.nn/<word>/YYYY/L.n`).
/// - **core**: two numbers are a session or year and a serial (`A/59/565`, `CTOC/COP/2008/19`); a single number is
///   the serial (`A/AC.254/4`), unless a numbered special follows it (`A/61/L.1`, `CTOC/COP/2008/CRP.1`), which
///   then carries the document's number and makes the number a session or year. A slash special (`RES`, `INF`,
///   `NGO`, `PRST`) stands before the session (`A/RES/61/1`) or after it (`E/CN.6/2008/NGO/1`) and needs a serial
///   after it. A number of four digits in the session place is a year, 1946 … 2100; fewer digits, a session.
///   A special session (`S-26`) or emergency special session (`ES-10`) may stand in the session place
///   (`A/RES/S-26/2`).
/// - **part**: the letter of a resolution adopted in lettered parts, after the number and one space
///   (`A/RES/49/221 B`, `A/RES/2200 A (XXI)`).
/// - **modifiers**: `Rev.n`, `Corr.n`, `Add.n`, `Amend.n`, `Summary`, stacked in order (`A/59/565/Add.2/Rev.1`).
/// - **parenthetical**: a year (`S/RES/1566 (2004)`) or a Roman session (`A/RES/1514 (XV)`), printed after one space.
/// - `*` marks a reissue for technical reasons.
///
/// Parsing is total and normalises what people paste: any case (`ctoc/cop/2008/crp.1`, `ADD.1`), `_` for `/`
/// (file names: `A_C.5_61_L.20`), surrounding whitespace, any spacing before the parenthetical. At most
/// 16 components and 200 characters, numbers of at most six digits without leading zeros.
public struct DocumentSymbol: Sendable, Hashable, CustomStringConvertible, Codable {
    /// The components in order, as the grammar reads them.
    public let components: [Component]
    /// The lettered part of a resolution (`B` in `A/RES/49/221 B`), one upper-case letter, if any.
    public let part: String?
    /// The parenthetical after the last component, if any.
    public let parenthetical: Parenthetical?
    /// Whether the symbol carries the reissue mark `*`.
    public let isReissue: Bool

    /// The most characters a symbol may have, as given (trimmed) and as printed.
    public static let maximumLength = 200
    /// The most `/`-separated components a symbol may have.
    public static let maximumComponents = 16
    /// The most digits a number may have.
    public static let maximumDigits = 6
    /// The years a year component or parenthetical may name.
    public static let years = 1946...2100
    /// The session numbers a session component may name (more digits make it a year).
    public static let sessions = 1...999

    /// Builds a symbol from parts the parser has already checked.
    init(unchecked components: [Component], part: String? = nil, parenthetical: Parenthetical?, isReissue: Bool) {
        self.components = components
        self.part = part
        self.parenthetical = parenthetical
        self.isReissue = isReissue
    }

    /// Builds a symbol from components, checking that they are in canonical form and in grammatical order: the
    /// printed form must parse back to exactly these components. Throws 504 BAD_ARGUMENT `symbol: …` otherwise.
    public init(
        components: [Component], part: String? = nil, parenthetical: Parenthetical? = nil, isReissue: Bool = false
    ) throws(DomainError) {
        let candidate = DocumentSymbol(
            unchecked: components, part: part, parenthetical: parenthetical, isReissue: isReissue)
        let printed = candidate.description
        switch Self.parse(printed) {
        case .failure(let error):
            throw error.domainError
        case .success(let parsed) where parsed != candidate:
            throw .invalid("symbol", "components do not read back as themselves: \(printed) reads as \(parsed)")
        case .success:
            self = candidate
        }
    }

    /// Parses and normalises a symbol; throws 504 BAD_ARGUMENT `symbol: component n `…`: rule (at offset k)`.
    public init(_ text: String) throws(DomainError) {
        switch Self.parse(text) {
        case .success(let symbol): self = symbol
        case .failure(let error): throw error.domainError
        }
    }

    /// Parses and normalises a symbol. Total: any string gives a symbol or an error naming the component and the
    /// offset at fault.
    public static func parse(_ text: String) -> Result<DocumentSymbol, SymbolError> { SymbolParser.parse(text) }

    /// The canonical printed form, e.g. `A/C.5/61/L.20`, `S/RES/1566 (2004)`, `CTOC/COP/2010/12*`.
    public var description: String {
        var text = components.map(\.description).joined(separator: "/")
        if let part { text += " \(part)" }
        if let parenthetical { text += " (\(parenthetical))" }
        if isReissue { text += "*" }
        return text
    }

    // MARK: - Derived properties

    /// The series words (`["CTOC", "COP"]`).
    public var series: [String] {
        components.compactMap { if case .series(let word) = $0 { word } else { nil } }
    }

    /// The series as one string, the code of the body that issues the symbol: `CTOC/COP`, `A`, `E`, `ST/SGB`.
    public var body: String { series.joined(separator: "/") }

    /// The subsidiary bodies in order (`CN.4`, `Sub.2` in `E/CN.4/Sub.2/2004/L.1`).
    public var subsidiaryBodies: [SubsidiaryBody] {
        components.compactMap { if case .subsidiaryBody(let body) = $0 { body } else { nil } }
    }

    /// The series and subsidiary bodies: `E/CN.15`, `CTOC/COP/WG.4`, `A/C.5`.
    public var issuer: String {
        components.prefix { $0.isIssuer }.map(\.description).joined(separator: "/")
    }

    /// The working group, `WG.4` in `CTOC/COP/WG.4/2010/L.1`; the innermost one if several; nil if none.
    public var workingGroup: String? {
        subsidiaryBodies.last { $0.kind == .workingGroup }?.description
    }

    /// The year: from the year component (`2008` in `CTOC/COP/2008/19`) or the parenthetical
    /// (`2004` in `S/RES/1566 (2004)`); nil if the symbol names none.
    public var year: Int? {
        for component in components { if case .year(let year) = component { return year } }
        if case .year(let year) = parenthetical { return year }
        return nil
    }

    /// The session number: from the session component (`61` in `A/RES/61/1`) or a Roman parenthetical
    /// (`15` in `A/RES/1514 (XV)`); nil if the symbol names none.
    public var session: Int? {
        for component in components { if case .session(let session) = component { return session } }
        if case .session(let session) = parenthetical { return session }
        return nil
    }

    /// The special or emergency special session (`S-26` in `A/RES/S-26/2`), if the symbol names one.
    public var specialSession: SpecialSession? {
        for component in components { if case .specialSession(let session) = component { return session } }
        return nil
    }

    /// The special component, if any (`L.5`, `RES`).
    public var special: Special? {
        for component in components { if case .special(let special) = component { return special } }
        return nil
    }

    /// What the document is, from its special component; `.main` when it has none. Modifiers do not change it:
    /// `A/61/L.1/Corr.1` is `.limited`.
    public var documentType: DocumentType { special?.kind.documentType ?? .main }

    /// The distribution class where the symbol says it: `.limited` for `L.n`, `.restricted` for `R.n`; nil
    /// otherwise (the symbol alone does not tell general distribution).
    public var distribution: Distribution? {
        switch special?.kind {
        case .limited: .limited
        case .restricted: .restricted
        default: nil
        }
    }

    /// The document's number within its series: the serial component (`19` in `CTOC/COP/2008/19`, `1` in
    /// `A/RES/61/1`), or the number a numbered special carries (`5` in `CTOC/COP/2008/L.5`, `1` in
    /// `A/61/PV.1`). Together with `issuer`, the year or session and `documentType`, it is what a registry allocates.
    public var serial: Int? {
        for component in components {
            switch component {
            case .serial(let serial): return serial
            case .special(let special) where special.number != nil: return special.number
            default: continue
            }
        }
        return nil
    }

    /// The modifiers in order (`[.addendum(2), .revision(1)]` in `A/59/565/Add.2/Rev.1`).
    public var modifiers: [Modifier] {
        components.compactMap { if case .modifier(let modifier) = $0 { modifier } else { nil } }
    }

    /// The symbol without its modifiers and reissue mark: `CTOC/COP/2008/4` for `CTOC/COP/2008/4/Rev.1*`.
    /// A parenthetical stays.
    public var base: DocumentSymbol {
        DocumentSymbol(
            unchecked: components.filter { !$0.isModifier }, part: part, parenthetical: parenthetical,
            isReissue: false)
    }

    /// The symbol without its last modifier and reissue mark — the document a `Rev`, `Corr`, `Add` or `Amend`
    /// applies to (`A/59/565/Add.2` for `A/59/565/Add.2/Rev.1`); nil when there is no modifier.
    public var parent: DocumentSymbol? {
        guard let last = components.last, last.isModifier else { return nil }
        return DocumentSymbol(
            unchecked: components.dropLast(), part: part, parenthetical: parenthetical, isReissue: false)
    }

    /// Whether the symbol is issued by the body with this code: the code is the series, optionally followed by
    /// leading subsidiary bodies (`E/CN.15` issues `E/CN.15/2008/L.1`; `CTOC/COP` issues `CTOC/COP/WG.4/2010/1`).
    public func isIssued(byBody code: String) -> Bool {
        let issuerParts = issuer.split(separator: "/", omittingEmptySubsequences: false)
        let codeParts = code.split(separator: "/", omittingEmptySubsequences: false)
        return codeParts.count >= series.count && codeParts.count <= issuerParts.count
            && zip(codeParts, issuerParts).allSatisfy { $0 == $1 }
    }

    // MARK: - New symbols from this one

    /// The symbol with `modifier` appended and without the reissue mark: `adding(.revision(1))` of
    /// `CTOC/COP/2008/4` is `CTOC/COP/2008/4/Rev.1`. Throws 504 BAD_ARGUMENT when the number is out of range or
    /// the result would break a limit.
    public func adding(_ modifier: Modifier) throws(DomainError) -> DocumentSymbol {
        try DocumentSymbol(components: components + [.modifier(modifier)], part: part, parenthetical: parenthetical)
    }

    /// The symbol with the reissue mark (`CTOC/COP/2010/12*`). Throws 504 BAD_ARGUMENT only when the mark would
    /// take the symbol past 200 characters.
    public func reissued() throws(DomainError) -> DocumentSymbol {
        try DocumentSymbol(components: components, part: part, parenthetical: parenthetical, isReissue: true)
    }

    // MARK: - Codable

    /// Decodes from the printed form, normalising it.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        switch Self.parse(text) {
        case .success(let symbol): self = symbol
        case .failure(let error):
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    /// Encodes as the canonical printed form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension DocumentSymbol.Component {
    fileprivate var isModifier: Bool { if case .modifier = self { true } else { false } }

    fileprivate var isIssuer: Bool {
        switch self {
        case .series, .subsidiaryBody, .namedBody: true
        default: false
        }
    }
}
