extension DocumentSymbol {
    /// One `/`-separated component of a symbol, typed by the role it plays in the grammar.
    ///
    /// The parser reads components in this order, and `DocumentSymbol(components:…)` accepts only lists in it:
    /// `series+ (subsidiaryBody | namedBody)* core modifier*`, where the core is one of
    /// `serial`, `session serial`, `special serial`, `special session serial`, `session special serial`
    /// (the special without a number, e.g. `RES`), or `special`, `session special` (the special with its number,
    /// e.g. `L.5`). `session` stands for `.session`, `.year` or `.specialSession` alike; a named body follows a
    /// subsidiary body (a bare word right after the series is part of the series).
    public enum Component: Sendable, Hashable, Codable, CustomStringConvertible {
        /// A word of the issuing organ or special series (`CTOC`, `COP`, `A`, `ST`, `SGB`, `HRC`), upper case.
        case series(String)
        /// A subsidiary body with its number (`WG.4`, `C.5`, `CN.15`, `PC`, `WG.III`, `SER.A`).
        case subsidiaryBody(SubsidiaryBody)
        /// A body named by a word after a numbered one: a committee or segment of a conference or commission
        /// (`A/CONF.nnn/<word>/…`, `E/CN.nn/<word>/YYYY/L.n`), upper case.
        case namedBody(String)
        /// A special or emergency special session in the session place (`S-26` in `A/RES/S-26/2`).
        case specialSession(SpecialSession)
        /// A calendar year, 1946 … 2100 (`CTOC/COP/2008/…`).
        case year(Int)
        /// A session number, 1 … 999 (`61` in `A/C.5/61/L.20`).
        case session(Int)
        /// A special component (`L.5`, `CRP.1`, `RES`, `INF` …).
        case special(Special)
        /// The serial number (`19` in `CTOC/COP/2008/19`).
        case serial(Int)
        /// A revision, corrigendum, addendum, amendment or summary.
        case modifier(Modifier)

        /// The component as the canonical symbol prints it.
        public var description: String {
            switch self {
            case .series(let word), .namedBody(let word): word
            case .specialSession(let session): session.description
            case .subsidiaryBody(let body): body.description
            case .year(let number), .session(let number), .serial(let number): String(number)
            case .special(let special): special.description
            case .modifier(let modifier): modifier.description
            }
        }
    }

    /// A subsidiary body component: a committee, commission, working group … of the series' organ.
    public struct SubsidiaryBody: Sendable, Hashable, Codable, CustomStringConvertible {
        /// The kinds of subsidiary body the UN symbol guide lists, spelt as symbols print them.
        public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
            /// `AC.n`: an ad hoc committee.
            case adHocCommittee = "AC"
            /// `C.n`, or `C` alone as in `CCPR/C/…`: a (main) committee; `C.I` in `TD/B/C.I/…`.
            case committee = "C"
            /// `CN.n`: a commission (`E/CN.15` is the Commission on Crime Prevention and Criminal Justice).
            case commission = "CN"
            /// `CONF.n`: a conference.
            case conference = "CONF"
            /// `GC.n`, or `GC` alone: a governing council.
            case governingCouncil = "GC"
            /// `SC.n`: a standing or sessional committee.
            case standingCommittee = "SC"
            /// `Sub.n`: a sub-commission.
            case subCommission = "Sub"
            /// `WG.n`, or `WG.III` numbered in Roman: a working group.
            case workingGroup = "WG"
            /// `EG.n`: an expert group (`UNODC/CCPCJ/EG.4/2013/1`).
            case expertGroup = "EG"
            /// `PC`, or `PC.n`: a preparatory committee.
            case preparatoryCommittee = "PC"
            /// `SER.A`: a lettered series of a department (`ST/ESA/SER.A/…`, `ST/SG/SER.E/…`).
            case letteredSeries = "SER"
            /// `WP.n` followed by more of the symbol: a working party (`ECE/TRANS/WP.29/2020/1`). At the end of
            /// the core, `WP.n` is a working paper (a special component) instead.
            case workingParty = "WP"

            /// Whether the kind may appear without a number; the others must carry one.
            public var numberIsOptional: Bool {
                switch self {
                case .committee, .governingCouncil, .preparatoryCommittee: true
                default: false
                }
            }
        }

        /// How a body is numbered after its dot: arabic (`WG.4`), Roman (`WG.III`, `C.I`) or by a letter
        /// (`SER.A`). A designator in letters that is a canonical Roman numeral reads as one; any other single
        /// letter is a letter.
        public enum Designator: Sendable, Hashable, Codable, CustomStringConvertible {
            /// `4` in `WG.4`.
            case number(Int)
            /// `III` in `WG.III`, held as its value, printed in canonical upper-case numerals.
            case roman(Int)
            /// `A` in `SER.A`: one upper-case letter that is not a Roman numeral.
            case letter(String)

            /// `4`, `III`, `A`.
            public var description: String {
                switch self {
                case .number(let value): String(value)
                case .roman(let value): Roman.format(value)
                case .letter(let letter): letter
                }
            }
        }

        /// What kind of body it is.
        public var kind: Kind
        /// Its number or letter (`4` in `WG.4`, `III` in `WG.III`), nil for `PC`, `C` or `GC` alone.
        public var designator: Designator?

        /// Its arabic number (`4` in `WG.4`); nil when it has none or is numbered in Roman or by a letter.
        public var number: Int? { if case .number(let value) = designator { value } else { nil } }

        /// Creates a subsidiary body component numbered in arabic (checked when a symbol is built from it).
        public init(_ kind: Kind, _ number: Int? = nil) {
            self.kind = kind
            self.designator = number.map(Designator.number)
        }

        /// Creates a subsidiary body component with any designator (checked when a symbol is built from it).
        public init(_ kind: Kind, designator: Designator?) {
            self.kind = kind
            self.designator = designator
        }

        /// `WG.4`, `Sub.2`, `WG.III`, `SER.A`, `PC`.
        public var description: String { designator.map { "\(kind.rawValue).\($0)" } ?? kind.rawValue }
    }

    /// A special session (`S-26`) or emergency special session (`ES-10`) of the General Assembly, in the place of
    /// the session number (`A/RES/S-26/2`, `A/ES-10/L.1`).
    public struct SpecialSession: Sendable, Hashable, Codable, CustomStringConvertible {
        /// Special or emergency special.
        public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
            /// `S-n`: a special session.
            case special = "S"
            /// `ES-n`: an emergency special session.
            case emergency = "ES"
        }

        /// Which kind of session.
        public var kind: Kind
        /// Its number, 1 … 999.
        public var number: Int

        /// Creates a special-session component (checked when a symbol is built from it).
        public init(_ kind: Kind, _ number: Int) {
            self.kind = kind
            self.number = number
        }

        /// `S-26`, `ES-10`.
        public var description: String { "\(kind.rawValue)-\(number)" }
    }

    /// A special component: a distribution class or a special series inside the organ's documents.
    public struct Special: Sendable, Hashable, Codable, CustomStringConvertible {
        /// The special components of the UN symbol guide, spelt as symbols print them.
        public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
            /// `L.n`: limited distribution, mostly draft texts.
            case limited = "L"
            /// `CRP.n`: a conference room paper.
            case conferenceRoomPaper = "CRP"
            /// `INF/` (followed by a serial) or `INF.n`: the information series.
            case information = "INF"
            /// `WP.n`: a working paper.
            case workingPaper = "WP"
            /// `R.n`: restricted distribution.
            case restricted = "R"
            /// `SR.n`: a summary record of meeting n.
            case summaryRecord = "SR"
            /// `PV.n`: a verbatim record (procès-verbal) of meeting n.
            case verbatimRecord = "PV"
            /// `NGO/`: statements by non-governmental organizations.
            case ngo = "NGO"
            /// `RES/`: resolutions.
            case resolution = "RES"
            /// `PRST/`: statements by the President of the Security Council.
            case presidentialStatement = "PRST"

            /// How the kind carries its number.
            public var numbering: Numbering {
                switch self {
                case .limited, .conferenceRoomPaper, .workingPaper, .restricted, .summaryRecord, .verbatimRecord:
                    .required
                case .information: .optional
                case .ngo, .resolution, .presidentialStatement: .none
                }
            }

            /// The document type a symbol with this special component has.
            public var documentType: DocumentType {
                switch self {
                case .limited: .limited
                case .conferenceRoomPaper: .conferenceRoomPaper
                case .information: .information
                case .workingPaper: .workingPaper
                case .restricted: .restricted
                case .summaryRecord: .summaryRecord
                case .verbatimRecord: .verbatimRecord
                case .ngo: .ngo
                case .resolution: .resolution
                case .presidentialStatement: .presidentialStatement
                }
            }
        }

        /// Whether a special kind carries a number after a dot.
        public enum Numbering: Sendable, Hashable {
            /// Always `KIND.n`.
            case required
            /// `KIND.n`, or `KIND/` followed by a serial.
            case optional
            /// Always `KIND/` followed by a serial.
            case none
        }

        /// What kind of special component it is.
        public var kind: Kind
        /// Its number (`5` in `L.5`); nil for the slash forms (`RES/`, `INF/` …), which a serial must follow.
        public var number: Int?

        /// Creates a special component (checked when a symbol is built from it).
        public init(_ kind: Kind, _ number: Int? = nil) {
            self.kind = kind
            self.number = number
        }

        /// `L.5`, `RES`.
        public var description: String { number.map { "\(kind.rawValue).\($0)" } ?? kind.rawValue }
    }

    /// A trailing component that makes a new document of an existing one.
    public enum Modifier: Sendable, Hashable, Codable, CustomStringConvertible {
        /// `Rev.n`: replaces the text it revises.
        case revision(Int)
        /// `Corr.n`: corrects the text, possibly in some languages only.
        case corrigendum(Int)
        /// `Add.n`: adds to the text.
        case addendum(Int)
        /// `Amend.n`: amends the text.
        case amendment(Int)
        /// `Summary`: a summary of the text.
        case summary

        /// The kinds of modifier, spelt as symbols print them.
        public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
            /// `Rev.n`.
            case revision = "Rev"
            /// `Corr.n`.
            case corrigendum = "Corr"
            /// `Add.n`.
            case addendum = "Add"
            /// `Amend.n`.
            case amendment = "Amend"
            /// `Summary`, which takes no number.
            case summary = "Summary"
        }

        /// Builds a modifier of `kind`; `number` is ignored for `.summary` and required (non-nil) for the others.
        public init?(_ kind: Kind, _ number: Int?) {
            switch (kind, number) {
            case (.summary, _): self = .summary
            case (.revision, let n?): self = .revision(n)
            case (.corrigendum, let n?): self = .corrigendum(n)
            case (.addendum, let n?): self = .addendum(n)
            case (.amendment, let n?): self = .amendment(n)
            default: return nil
            }
        }

        /// The modifier's kind.
        public var kind: Kind {
            switch self {
            case .revision: .revision
            case .corrigendum: .corrigendum
            case .addendum: .addendum
            case .amendment: .amendment
            case .summary: .summary
            }
        }

        /// Its number, nil for `Summary`.
        public var number: Int? {
            switch self {
            case .revision(let n), .corrigendum(let n), .addendum(let n), .amendment(let n): n
            case .summary: nil
            }
        }

        /// `Rev.1`, `Summary`.
        public var description: String { number.map { "\(kind.rawValue).\($0)" } ?? kind.rawValue }
    }

    /// A parenthetical after the last component: the year of a Security Council resolution
    /// (`S/RES/1566 (2004)`) or the session, in Roman numerals, of an early General Assembly resolution
    /// (`A/RES/1514 (XV)`).
    public enum Parenthetical: Sendable, Hashable, Codable, CustomStringConvertible {
        /// A year, 1946 … 2100.
        case year(Int)
        /// A session number, 1 … 999, printed in Roman numerals.
        case session(Int)

        /// `2004`, `XV` (without the parentheses).
        public var description: String {
            switch self {
            case .year(let year): String(year)
            case .session(let session): Roman.format(session)
            }
        }
    }

    /// What a document is, as its symbol says.
    public enum DocumentType: String, Sendable, Hashable, Codable, CaseIterable {
        /// A document of the main (general) series: no special component.
        case main
        /// `L.n`.
        case limited
        /// `CRP.n`.
        case conferenceRoomPaper
        /// `INF/` or `INF.n`.
        case information
        /// `WP.n`.
        case workingPaper
        /// `R.n`.
        case restricted
        /// `SR.n`.
        case summaryRecord
        /// `PV.n`.
        case verbatimRecord
        /// `NGO/`.
        case ngo
        /// `RES/`.
        case resolution
        /// `PRST/`.
        case presidentialStatement
    }

    /// The distribution class of a document.
    public enum Distribution: String, Sendable, Hashable, Codable, CaseIterable {
        /// General distribution.
        case general
        /// Limited distribution (`L.n`).
        case limited
        /// Restricted distribution (`R.n`).
        case restricted
    }
}

/// Roman numerals for the parenthetical session of early General Assembly resolutions.
enum Roman {
    private static let table: [(value: Int, numeral: String)] = [
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
        (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ]

    /// The canonical numeral of 1 … 3999.
    static func format(_ value: Int) -> String {
        var rest = value
        var text = ""
        for (unit, numeral) in table {
            while rest >= unit {
                text += numeral
                rest -= unit
            }
        }
        return text
    }

    /// The value of a canonical upper-case numeral, or nil; reading greedily and printing back rejects
    /// non-canonical spellings (`IIII`, `VX`), so each value has exactly one spelling.
    static func parse(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 15 else { return nil }
        var value = 0
        var rest = Substring(text)
        for (unit, numeral) in table {
            while rest.hasPrefix(numeral) {
                value += unit
                rest = rest.dropFirst(numeral.count)
            }
        }
        guard rest.isEmpty, value > 0, format(value) == text else { return nil }
        return value
    }
}
