import PlenaryCore

/// Where in an export file a value is: `documents[1233].languages[2].date`.
public struct RecordPath: Sendable, Hashable, CustomStringConvertible {
    /// One step into the document.
    public enum Step: Sendable, Hashable {
        /// A key of an object.
        case key(String)
        /// A position in an array, from 0.
        case index(Int)
    }

    /// The steps from the top of the document.
    public var steps: [Step]

    /// A path of `steps`.
    public init(_ steps: [Step] = []) { self.steps = steps }

    /// The path one key further.
    public func key(_ name: String) -> RecordPath { RecordPath(steps + [.key(name)]) }

    /// The path one array position further.
    public func index(_ position: Int) -> RecordPath { RecordPath(steps + [.index(position)]) }

    /// `documents[1233].languages[2].date`; the top of the document is `(document)`.
    public var description: String {
        var text = ""
        for step in steps {
            switch step {
            case .key(let name): text += text.isEmpty ? name : "." + name
            case .index(let position): text += "[\(position)]"
            }
        }
        return text.isEmpty ? "(document)" : text
    }

    /// The key the path ends in (the field), or nil when it ends at a record.
    public var field: String? {
        if case .key(let name) = steps.last { return name }
        return nil
    }
}

/// Why a file cannot be imported: the first bad value or record, where it is in the file, and the rule it breaks.
/// Import stops at the first one and changes nothing.
public struct TransferError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the bad value is.
    public var path: RecordPath
    /// The rule it breaks, or what the database refused.
    public var reason: String
    /// The record it belongs to, in the conference's words (`document CTOC/COP/2008/19`), when known.
    public var record: String?
    /// 504 for a value malformed in itself, 551 for a record that contradicts another or the database, 550 for a
    /// reference to nothing.
    public var code: ReplyCode

    /// Creates an error.
    public init(path: RecordPath, reason: String, record: String? = nil, code: ReplyCode = .badArgument) {
        self.path = path
        self.reason = reason
        self.record = record
        self.code = code
    }

    /// `documents[1233].languages[2].date: must be a date YYYY-MM-DD, got 2008-02-30 (document CTOC/COP/2008/19)`.
    public var description: String { "\(path): \(reason)" + (record.map { " (\($0))" } ?? "") }

    /// The error as the CLI reports it: the reply code of its kind and the location first.
    public var plenaryError: PlenaryError {
        let token =
            switch code {
            case .notFound: "NOT_FOUND"
            case .conflict: "CONFLICT"
            default: "BAD_ARGUMENT"
            }
        return PlenaryError(code: code, token: token, message: "import: " + description)
    }
}
