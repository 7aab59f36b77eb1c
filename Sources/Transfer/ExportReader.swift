import Foundation

/// Reads an export file: first its format and version, then every record. A value of the wrong JSON type, or a
/// record without a required key, is reported with its path in the file; the rules of each value are checked
/// afterwards by ``ExportValidator``.
public enum ExportReader {
    private struct Header: Decodable {
        var format: String?
        var version: Int?
    }

    /// The document in `data`, or the first thing wrong with its shape.
    public static func read(_ data: Data) throws(TransferError) -> ExportDocument {
        let decoder = JSONDecoder()
        let header: Header
        do {
            header = try decoder.decode(Header.self, from: data)
        } catch {
            throw translate(error, fallback: "not a JSON object: \(error)")
        }
        guard header.format == ExportDocument.formatName else {
            throw TransferError(
                path: RecordPath().key("format"),
                reason: "must be \"\(ExportDocument.formatName)\" (a file written by plenary export), got "
                    + (header.format.map { "\"\($0)\"" } ?? "nothing"))
        }
        guard header.version == ExportDocument.currentVersion else {
            throw TransferError(
                path: RecordPath().key("version"),
                reason: "this plenary reads version \(ExportDocument.currentVersion) of the format, got "
                    + (header.version.map(String.init) ?? "nothing"))
        }
        do {
            return try decoder.decode(ExportDocument.self, from: data)
        } catch {
            throw translate(error, fallback: "cannot be read: \(error)")
        }
    }

    static func translate(_ error: any Error, fallback: String) -> TransferError {
        guard let error = error as? DecodingError else {
            return TransferError(path: RecordPath(), reason: fallback)
        }
        func path(_ codingPath: [any CodingKey]) -> RecordPath {
            RecordPath(codingPath.map { key in key.intValue.map(RecordPath.Step.index) ?? .key(key.stringValue) })
        }
        switch error {
        case .keyNotFound(let key, let context):
            return TransferError(path: path(context.codingPath + [key]), reason: "is required")
        case .typeMismatch(let type, let context):
            return TransferError(path: path(context.codingPath), reason: "must be \(describe(type))")
        case .valueNotFound(let type, let context):
            return TransferError(path: path(context.codingPath), reason: "must be \(describe(type)), not null")
        case .dataCorrupted(let context):
            let detail = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return TransferError(
                path: path(context.codingPath),
                reason: "is not valid JSON: " + (detail ?? context.debugDescription))
        @unknown default:
            return TransferError(path: RecordPath(), reason: fallback)
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type: "an integer"
        case is Bool.Type: "true or false"
        default: "\(type)".hasPrefix("Array") ? "an array" : "an object"
        }
    }
}
