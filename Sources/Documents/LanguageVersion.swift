import PlenaryCore

/// One of the six official languages of the United Nations; every language version of a document shares its symbol.
public enum Language: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Arabic.
    case ar
    /// Chinese.
    case zh
    /// English.
    case en
    /// French.
    case fr
    /// Russian.
    case ru
    /// Spanish.
    case es

    /// The rule an unknown code breaks, phrased to follow `KEY: `.
    public static let rule = "must be one of ar, zh, en, fr, ru, es"

    /// Reads a language code (any case); 504 naming `key` for anything else.
    public static func parse(_ code: String, key: String) throws(DomainError) -> Language {
        guard let language = Language(rawValue: code.lowercased()) else {
            throw .invalid(key, "unknown language \(code); \(rule)")
        }
        return language
    }

    /// Reads a list of codes; 504 naming `key` for an unknown or repeated one, or an empty list.
    public static func parseList(_ codes: [String], key: String) throws(DomainError) -> [Language] {
        var languages: [Language] = []
        for code in codes {
            let language = try parse(code, key: key)
            if languages.contains(language) { throw .invalid(key, "\(code) is given twice") }
            languages.append(language)
        }
        if languages.isEmpty { throw .invalid(key, "must name at least one language") }
        return languages.sorted()
    }

    /// The order the UN lists them in: Arabic, Chinese, English, French, Russian, Spanish.
    public static func < (lhs: Language, rhs: Language) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Where a language version stands. It moves forward only; a step may be skipped (an original goes from submitted
/// to issued without translation).
public enum VersionStatus: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// Not yet received.
    case expected
    /// Received from the author or the substantive office.
    case submitted
    /// Translated, edited and ready for issue.
    case translated
    /// Issued: it has an issue date.
    case issued

    /// Forward order.
    public static func < (lhs: VersionStatus, rhs: VersionStatus) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A document in one language: whether it is to exist in it, how far it has come, and the file that carries it.
public struct LanguageVersion: Sendable, Hashable, Codable {
    /// The language.
    public var language: Language
    /// Whether the document is to exist in this language ("English only" papers exist in one).
    public var required: Bool
    /// How far it has come.
    public var status: VersionStatus
    /// The day it was issued in this language, once issued.
    public var issuedOn: CalendarDate?
    /// The file name or URL.
    public var file: String?
    /// The file's size in bytes.
    public var bytes: Int?
    /// The file's SHA-256, 64 lower-case hexadecimal digits.
    public var sha256: String?

    /// Creates a language version.
    public init(
        language: Language, required: Bool, status: VersionStatus = .expected, issuedOn: CalendarDate? = nil,
        file: String? = nil, bytes: Int? = nil, sha256: String? = nil
    ) {
        self.language = language
        self.required = required
        self.status = status
        self.issuedOn = issuedOn
        self.file = file
        self.bytes = bytes
        self.sha256 = sha256
    }
}

/// A change to one language version, as `doc version` gives it.
public struct VersionUpdate: Sendable, Hashable {
    /// The language.
    public var language: Language
    /// The new status (the same or further along).
    public var status: VersionStatus
    /// The issue date; an issued version without one is issued today.
    public var date: CalendarDate?
    /// The file name or URL.
    public var file: String?
    /// The SHA-256 of the file, 64 hexadecimal digits (either case; stored lower-case).
    public var sha256: String?
    /// The size of the file in bytes, 0 or more.
    public var bytes: Int?

    /// Creates an update.
    public init(
        language: Language, status: VersionStatus, date: CalendarDate? = nil, file: String? = nil,
        sha256: String? = nil, bytes: Int? = nil
    ) {
        self.language = language
        self.status = status
        self.date = date
        self.file = file
        self.sha256 = sha256
        self.bytes = bytes
    }

    /// Checks every field, naming its key; returns the update with the hash in lower case.
    public func validated() throws(DomainError) -> VersionUpdate {
        var update = self
        if let bytes, bytes < 0 { throw .invalid("bytes", "must be 0 or more, got \(bytes)") }
        if let sha256 {
            let lower = sha256.lowercased()
            guard lower.utf8.count == 64, lower.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
            else {
                throw .invalid("sha256", "must be 64 hexadecimal digits, got \(sha256.count) characters")
            }
            update.sha256 = lower
        }
        if let file {
            if file.allSatisfy(\.isWhitespace) || file.count > 2000
                || file.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            {
                throw .invalid("file", "must be a file name or URL of 1 to 2000 characters on one line")
            }
        }
        if date != nil && status != .issued {
            throw .invalid("date", "is the issue date; give it with status=issued")
        }
        return update
    }
}
