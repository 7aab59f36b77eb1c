/// Who takes part in a treaty: a State, or a regional economic integration organization (REIO) such as the
/// European Union (article 36(2) of the Convention).
public enum ParticipantKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A State, by its ISO 3166-1 alpha-3 code.
    case state
    /// A regional economic integration organization; its instrument is not counted in addition to its members'.
    case reio
}

/// One entry of the reference list: a code, the United Nations short name and the kind.
public struct Participant: Sendable, Hashable, Codable {
    /// ISO 3166-1 alpha-3 for a State (`ITA`); `EUU` for the European Union, which has no ISO code.
    public var code: String
    /// The United Nations short name (`Italy`, `Bolivia (Plurinational State of)`).
    public var name: String
    /// State or REIO.
    public var kind: ParticipantKind

    /// Creates an entry.
    public init(code: String, name: String, kind: ParticipantKind) {
        self.code = code
        self.name = name
        self.kind = kind
    }
}

/// The reference list shipped with Plenary: the 193 Member States of the United Nations, the two observer States
/// (Holy See, State of Palestine), Cook Islands and Niue — the States that take part in treaties deposited with the
/// Secretary-General — by ISO 3166-1 alpha-3 code with their United Nations short names, and the European Union as
/// the one REIO, under `EUU` (ISO reserves only the alpha-2 `EU`; EUU is the code the World Bank uses and is no
/// State's). Schema/0011_treaties.sql loads the same list into `treaty_participants`; a test keeps them equal.
public enum ReferenceList {
    /// The entry for `code` (upper case), or nil.
    public static func participant(_ code: String) -> Participant? { byCode[code] }

    /// The rule a participant code breaks, or nil when it is on the list.
    public static func violation(_ code: String) -> String? {
        if byCode[code] != nil { return nil }
        if code.wholeMatch(of: /[A-Z]{3}/) == nil {
            return "must be an ISO 3166-1 alpha-3 code such as ITA (EUU for the European Union), got \(code)"
        }
        return "\(code) is not in the reference list (ISO 3166-1 alpha-3 codes of States, and EUU for the "
            + "European Union)"
    }

    private static let byCode = Dictionary(uniqueKeysWithValues: participants.map { ($0.code, $0) })

    /// Every entry, States in the order of the UN's list of Member States, then the REIOs.
    public static let participants: [Participant] = [
        Participant(code: "AFG", name: "Afghanistan", kind: .state),
        Participant(code: "ALB", name: "Albania", kind: .state),
        Participant(code: "DZA", name: "Algeria", kind: .state),
        Participant(code: "AND", name: "Andorra", kind: .state),
        Participant(code: "AGO", name: "Angola", kind: .state),
        Participant(code: "ATG", name: "Antigua and Barbuda", kind: .state),
        Participant(code: "ARG", name: "Argentina", kind: .state),
        Participant(code: "ARM", name: "Armenia", kind: .state),
        Participant(code: "AUS", name: "Australia", kind: .state),
        Participant(code: "AUT", name: "Austria", kind: .state),
        Participant(code: "AZE", name: "Azerbaijan", kind: .state),
        Participant(code: "BHS", name: "Bahamas", kind: .state),
        Participant(code: "BHR", name: "Bahrain", kind: .state),
        Participant(code: "BGD", name: "Bangladesh", kind: .state),
        Participant(code: "BRB", name: "Barbados", kind: .state),
        Participant(code: "BLR", name: "Belarus", kind: .state),
        Participant(code: "BEL", name: "Belgium", kind: .state),
        Participant(code: "BLZ", name: "Belize", kind: .state),
        Participant(code: "BEN", name: "Benin", kind: .state),
        Participant(code: "BTN", name: "Bhutan", kind: .state),
        Participant(code: "BOL", name: "Bolivia (Plurinational State of)", kind: .state),
        Participant(code: "BIH", name: "Bosnia and Herzegovina", kind: .state),
        Participant(code: "BWA", name: "Botswana", kind: .state),
        Participant(code: "BRA", name: "Brazil", kind: .state),
        Participant(code: "BRN", name: "Brunei Darussalam", kind: .state),
        Participant(code: "BGR", name: "Bulgaria", kind: .state),
        Participant(code: "BFA", name: "Burkina Faso", kind: .state),
        Participant(code: "BDI", name: "Burundi", kind: .state),
        Participant(code: "CPV", name: "Cabo Verde", kind: .state),
        Participant(code: "KHM", name: "Cambodia", kind: .state),
        Participant(code: "CMR", name: "Cameroon", kind: .state),
        Participant(code: "CAN", name: "Canada", kind: .state),
        Participant(code: "CAF", name: "Central African Republic", kind: .state),
        Participant(code: "TCD", name: "Chad", kind: .state),
        Participant(code: "CHL", name: "Chile", kind: .state),
        Participant(code: "CHN", name: "China", kind: .state),
        Participant(code: "COL", name: "Colombia", kind: .state),
        Participant(code: "COM", name: "Comoros", kind: .state),
        Participant(code: "COG", name: "Congo", kind: .state),
        Participant(code: "COK", name: "Cook Islands", kind: .state),
        Participant(code: "CRI", name: "Costa Rica", kind: .state),
        Participant(code: "CIV", name: "Côte d'Ivoire", kind: .state),
        Participant(code: "HRV", name: "Croatia", kind: .state),
        Participant(code: "CUB", name: "Cuba", kind: .state),
        Participant(code: "CYP", name: "Cyprus", kind: .state),
        Participant(code: "CZE", name: "Czechia", kind: .state),
        Participant(code: "PRK", name: "Democratic People's Republic of Korea", kind: .state),
        Participant(code: "COD", name: "Democratic Republic of the Congo", kind: .state),
        Participant(code: "DNK", name: "Denmark", kind: .state),
        Participant(code: "DJI", name: "Djibouti", kind: .state),
        Participant(code: "DMA", name: "Dominica", kind: .state),
        Participant(code: "DOM", name: "Dominican Republic", kind: .state),
        Participant(code: "ECU", name: "Ecuador", kind: .state),
        Participant(code: "EGY", name: "Egypt", kind: .state),
        Participant(code: "SLV", name: "El Salvador", kind: .state),
        Participant(code: "GNQ", name: "Equatorial Guinea", kind: .state),
        Participant(code: "ERI", name: "Eritrea", kind: .state),
        Participant(code: "EST", name: "Estonia", kind: .state),
        Participant(code: "SWZ", name: "Eswatini", kind: .state),
        Participant(code: "ETH", name: "Ethiopia", kind: .state),
        Participant(code: "FJI", name: "Fiji", kind: .state),
        Participant(code: "FIN", name: "Finland", kind: .state),
        Participant(code: "FRA", name: "France", kind: .state),
        Participant(code: "GAB", name: "Gabon", kind: .state),
        Participant(code: "GMB", name: "Gambia", kind: .state),
        Participant(code: "GEO", name: "Georgia", kind: .state),
        Participant(code: "DEU", name: "Germany", kind: .state),
        Participant(code: "GHA", name: "Ghana", kind: .state),
        Participant(code: "GRC", name: "Greece", kind: .state),
        Participant(code: "GRD", name: "Grenada", kind: .state),
        Participant(code: "GTM", name: "Guatemala", kind: .state),
        Participant(code: "GIN", name: "Guinea", kind: .state),
        Participant(code: "GNB", name: "Guinea-Bissau", kind: .state),
        Participant(code: "GUY", name: "Guyana", kind: .state),
        Participant(code: "HTI", name: "Haiti", kind: .state),
        Participant(code: "VAT", name: "Holy See", kind: .state),
        Participant(code: "HND", name: "Honduras", kind: .state),
        Participant(code: "HUN", name: "Hungary", kind: .state),
        Participant(code: "ISL", name: "Iceland", kind: .state),
        Participant(code: "IND", name: "India", kind: .state),
        Participant(code: "IDN", name: "Indonesia", kind: .state),
        Participant(code: "IRN", name: "Iran (Islamic Republic of)", kind: .state),
        Participant(code: "IRQ", name: "Iraq", kind: .state),
        Participant(code: "IRL", name: "Ireland", kind: .state),
        Participant(code: "ISR", name: "Israel", kind: .state),
        Participant(code: "ITA", name: "Italy", kind: .state),
        Participant(code: "JAM", name: "Jamaica", kind: .state),
        Participant(code: "JPN", name: "Japan", kind: .state),
        Participant(code: "JOR", name: "Jordan", kind: .state),
        Participant(code: "KAZ", name: "Kazakhstan", kind: .state),
        Participant(code: "KEN", name: "Kenya", kind: .state),
        Participant(code: "KIR", name: "Kiribati", kind: .state),
        Participant(code: "KWT", name: "Kuwait", kind: .state),
        Participant(code: "KGZ", name: "Kyrgyzstan", kind: .state),
        Participant(code: "LAO", name: "Lao People's Democratic Republic", kind: .state),
        Participant(code: "LVA", name: "Latvia", kind: .state),
        Participant(code: "LBN", name: "Lebanon", kind: .state),
        Participant(code: "LSO", name: "Lesotho", kind: .state),
        Participant(code: "LBR", name: "Liberia", kind: .state),
        Participant(code: "LBY", name: "Libya", kind: .state),
        Participant(code: "LIE", name: "Liechtenstein", kind: .state),
        Participant(code: "LTU", name: "Lithuania", kind: .state),
        Participant(code: "LUX", name: "Luxembourg", kind: .state),
        Participant(code: "MDG", name: "Madagascar", kind: .state),
        Participant(code: "MWI", name: "Malawi", kind: .state),
        Participant(code: "MYS", name: "Malaysia", kind: .state),
        Participant(code: "MDV", name: "Maldives", kind: .state),
        Participant(code: "MLI", name: "Mali", kind: .state),
        Participant(code: "MLT", name: "Malta", kind: .state),
        Participant(code: "MHL", name: "Marshall Islands", kind: .state),
        Participant(code: "MRT", name: "Mauritania", kind: .state),
        Participant(code: "MUS", name: "Mauritius", kind: .state),
        Participant(code: "MEX", name: "Mexico", kind: .state),
        Participant(code: "FSM", name: "Micronesia (Federated States of)", kind: .state),
        Participant(code: "MCO", name: "Monaco", kind: .state),
        Participant(code: "MNG", name: "Mongolia", kind: .state),
        Participant(code: "MNE", name: "Montenegro", kind: .state),
        Participant(code: "MAR", name: "Morocco", kind: .state),
        Participant(code: "MOZ", name: "Mozambique", kind: .state),
        Participant(code: "MMR", name: "Myanmar", kind: .state),
        Participant(code: "NAM", name: "Namibia", kind: .state),
        Participant(code: "NRU", name: "Nauru", kind: .state),
        Participant(code: "NPL", name: "Nepal", kind: .state),
        Participant(code: "NLD", name: "Netherlands (Kingdom of the)", kind: .state),
        Participant(code: "NZL", name: "New Zealand", kind: .state),
        Participant(code: "NIC", name: "Nicaragua", kind: .state),
        Participant(code: "NER", name: "Niger", kind: .state),
        Participant(code: "NGA", name: "Nigeria", kind: .state),
        Participant(code: "NIU", name: "Niue", kind: .state),
        Participant(code: "MKD", name: "North Macedonia", kind: .state),
        Participant(code: "NOR", name: "Norway", kind: .state),
        Participant(code: "OMN", name: "Oman", kind: .state),
        Participant(code: "PAK", name: "Pakistan", kind: .state),
        Participant(code: "PLW", name: "Palau", kind: .state),
        Participant(code: "PSE", name: "State of Palestine", kind: .state),
        Participant(code: "PAN", name: "Panama", kind: .state),
        Participant(code: "PNG", name: "Papua New Guinea", kind: .state),
        Participant(code: "PRY", name: "Paraguay", kind: .state),
        Participant(code: "PER", name: "Peru", kind: .state),
        Participant(code: "PHL", name: "Philippines", kind: .state),
        Participant(code: "POL", name: "Poland", kind: .state),
        Participant(code: "PRT", name: "Portugal", kind: .state),
        Participant(code: "QAT", name: "Qatar", kind: .state),
        Participant(code: "KOR", name: "Republic of Korea", kind: .state),
        Participant(code: "MDA", name: "Republic of Moldova", kind: .state),
        Participant(code: "ROU", name: "Romania", kind: .state),
        Participant(code: "RUS", name: "Russian Federation", kind: .state),
        Participant(code: "RWA", name: "Rwanda", kind: .state),
        Participant(code: "KNA", name: "Saint Kitts and Nevis", kind: .state),
        Participant(code: "LCA", name: "Saint Lucia", kind: .state),
        Participant(code: "VCT", name: "Saint Vincent and the Grenadines", kind: .state),
        Participant(code: "WSM", name: "Samoa", kind: .state),
        Participant(code: "SMR", name: "San Marino", kind: .state),
        Participant(code: "STP", name: "Sao Tome and Principe", kind: .state),
        Participant(code: "SAU", name: "Saudi Arabia", kind: .state),
        Participant(code: "SEN", name: "Senegal", kind: .state),
        Participant(code: "SRB", name: "Serbia", kind: .state),
        Participant(code: "SYC", name: "Seychelles", kind: .state),
        Participant(code: "SLE", name: "Sierra Leone", kind: .state),
        Participant(code: "SGP", name: "Singapore", kind: .state),
        Participant(code: "SVK", name: "Slovakia", kind: .state),
        Participant(code: "SVN", name: "Slovenia", kind: .state),
        Participant(code: "SLB", name: "Solomon Islands", kind: .state),
        Participant(code: "SOM", name: "Somalia", kind: .state),
        Participant(code: "ZAF", name: "South Africa", kind: .state),
        Participant(code: "SSD", name: "South Sudan", kind: .state),
        Participant(code: "ESP", name: "Spain", kind: .state),
        Participant(code: "LKA", name: "Sri Lanka", kind: .state),
        Participant(code: "SDN", name: "Sudan", kind: .state),
        Participant(code: "SUR", name: "Suriname", kind: .state),
        Participant(code: "SWE", name: "Sweden", kind: .state),
        Participant(code: "CHE", name: "Switzerland", kind: .state),
        Participant(code: "SYR", name: "Syrian Arab Republic", kind: .state),
        Participant(code: "TJK", name: "Tajikistan", kind: .state),
        Participant(code: "THA", name: "Thailand", kind: .state),
        Participant(code: "TLS", name: "Timor-Leste", kind: .state),
        Participant(code: "TGO", name: "Togo", kind: .state),
        Participant(code: "TON", name: "Tonga", kind: .state),
        Participant(code: "TTO", name: "Trinidad and Tobago", kind: .state),
        Participant(code: "TUN", name: "Tunisia", kind: .state),
        Participant(code: "TUR", name: "Türkiye", kind: .state),
        Participant(code: "TKM", name: "Turkmenistan", kind: .state),
        Participant(code: "TUV", name: "Tuvalu", kind: .state),
        Participant(code: "UGA", name: "Uganda", kind: .state),
        Participant(code: "UKR", name: "Ukraine", kind: .state),
        Participant(code: "ARE", name: "United Arab Emirates", kind: .state),
        Participant(code: "GBR", name: "United Kingdom of Great Britain and Northern Ireland", kind: .state),
        Participant(code: "TZA", name: "United Republic of Tanzania", kind: .state),
        Participant(code: "USA", name: "United States of America", kind: .state),
        Participant(code: "URY", name: "Uruguay", kind: .state),
        Participant(code: "UZB", name: "Uzbekistan", kind: .state),
        Participant(code: "VUT", name: "Vanuatu", kind: .state),
        Participant(code: "VEN", name: "Venezuela (Bolivarian Republic of)", kind: .state),
        Participant(code: "VNM", name: "Viet Nam", kind: .state),
        Participant(code: "YEM", name: "Yemen", kind: .state),
        Participant(code: "ZMB", name: "Zambia", kind: .state),
        Participant(code: "ZWE", name: "Zimbabwe", kind: .state),
        Participant(code: "EUU", name: "European Union", kind: .reio),
    ]
}
