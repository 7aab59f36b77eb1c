import CLibPQ
import Foundation

/// A Swift value that can be sent as a statement parameter, in PostgreSQL's text format.
public protocol PostgresEncodable: Sendable {
    /// The text PostgreSQL parses for this value; nil sends SQL NULL.
    var postgresText: String? { get }
}

/// A Swift value that can be read from a column in PostgreSQL's text format.
public protocol PostgresDecodable {
    /// Decodes the column's text, or throws a decoding error that says what was expected.
    init(postgresText text: String) throws(PostgresError)
    /// Decodes the column's text from its bytes (UTF-8, as the server sent them). By default through a `String`;
    /// integers and booleans read the bytes themselves, so a row decodes without a `String` per cell.
    init(postgresBytes bytes: UnsafeRawBufferPointer) throws(PostgresError)
}

extension PostgresDecodable {
    /// Through a `String` made of the bytes.
    public init(postgresBytes bytes: UnsafeRawBufferPointer) throws(PostgresError) {
        try self.init(postgresText: String(decoding: bytes, as: UTF8.self))
    }
}

/// Both directions.
public typealias PostgresCodable = PostgresEncodable & PostgresDecodable

/// The result of one statement: its column names, its rows and how many rows a write touched.
public struct QueryResult: Sendable {
    /// Column names in order.
    public let columns: [String]
    /// The rows, decoded lazily per value.
    public let rows: [Row]
    /// Rows inserted, updated or deleted (from the command tag), 0 for other statements.
    public let affectedRows: Int

    init(columns: [String], rows: [Row], affectedRows: Int) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
    }

    /// Copies a libpq result into Swift values (the result is cleared by the caller).
    init(_ result: OpaquePointer) {
        let columnCount = Int(PQnfields(result))
        let rowCount = Int(PQntuples(result))
        var names: [String] = []
        names.reserveCapacity(columnCount)
        for column in 0..<columnCount {
            names.append(String(cString: PQfname(result, Int32(column))))
        }
        let index = ColumnIndex(names)
        let cells = ResultCells(result, rows: rowCount, columns: columnCount)
        var rows: [Row] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<rowCount { rows.append(Row(cells: cells, first: row * columnCount, index: index)) }
        self.columns = names
        self.rows = rows
        self.affectedRows = Int(String(cString: PQcmdTuples(result))) ?? 0
    }
}

/// Column names to positions, shared by every row of a result.
///
/// A linear search, not a dictionary: a result has a few dozen columns at most, and a name compares in a few
/// nanoseconds (most are small strings, compared as two words), while a dictionary hashed every name once to build
/// it for each result and again for every cell read — 2–3% of a `doc get`'s server CPU in the profile (issue 13).
@usableFromInline
final class ColumnIndex: Sendable {
    @usableFromInline let names: [String]

    init(_ names: [String]) {
        self.names = names
    }

    /// The first column of that name.
    @usableFromInline
    func position(of name: String) -> Int? {
        names.firstIndex(of: name)
    }
}

/// Every cell of a result, copied out of libpq into one buffer: one allocation per result instead of a `String`
/// per cell, and a cell becomes a `String` only when a caller asks for one.
@usableFromInline
final class ResultCells: Sendable {
    @usableFromInline let bytes: [UInt8]
    /// Per cell, row by row: where its bytes start, and how many there are (-1 for NULL).
    @usableFromInline let starts: [Int]
    @usableFromInline let lengths: [Int32]

    init(_ result: OpaquePointer, rows: Int, columns: Int) {
        var total = 0
        var lengths: [Int32] = []
        lengths.reserveCapacity(rows * columns)
        for row in 0..<rows {
            for column in 0..<columns {
                let length =
                    PQgetisnull(result, Int32(row), Int32(column)) == 1
                    ? -1 : PQgetlength(result, Int32(row), Int32(column))
                lengths.append(length)
                total += Int(max(0, length))
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(total)
        var starts: [Int] = []
        starts.reserveCapacity(lengths.count)
        for row in 0..<rows {
            for column in 0..<columns {
                starts.append(bytes.count)
                let length = Int(lengths[row * columns + column])
                guard length > 0, let value = PQgetvalue(result, Int32(row), Int32(column)) else { continue }
                bytes.append(contentsOf: UnsafeRawBufferPointer(start: value, count: length))
            }
        }
        self.bytes = bytes
        self.starts = starts
        self.lengths = lengths
    }

    func isNull(_ cell: Int) -> Bool { lengths[cell] < 0 }

    /// Runs `body` with the bytes of a cell, nil for NULL.
    @inlinable
    func withBytes<R, E: Error>(
        _ cell: Int, _ body: (UnsafeRawBufferPointer?) throws(E) -> R
    ) throws(E) -> R {
        let length = Int(lengths[cell])
        guard length >= 0 else { return try body(nil) }
        let start = starts[cell]
        let result: Result<R, E> = bytes.withUnsafeBytes { buffer in
            do throws(E) {
                return .success(try body(UnsafeRawBufferPointer(rebasing: buffer[start..<start + length])))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// One row of a result. Values are read by column name or position and decoded to the type asked for; reading
/// NULL into a non-optional type is an error naming the column.
///
/// The decoders are inlinable so that a caller in another module gets them specialised for the types it reads,
/// instead of the generic versions that look type metadata up at run time for every cell (issue 13's profile).
public struct Row: Sendable {
    @usableFromInline let cells: ResultCells
    /// The row's first cell in `cells`.
    @usableFromInline let first: Int
    @usableFromInline let index: ColumnIndex

    /// The number of columns.
    public var count: Int { index.names.count }

    /// The raw text of a column, nil for NULL.
    public func text(_ column: String) throws(PostgresError) -> String? {
        cells.withBytes(first + (try position(column))) { bytes in
            bytes.map { String(decoding: $0, as: UTF8.self) }
        }
    }

    /// Decodes a column that must not be NULL.
    @inlinable
    public func decode<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws(PostgresError) -> T {
        let cell = first + (try position(column))
        return try cells.withBytes(cell) { (bytes) throws(PostgresError) -> T in
            guard let bytes else {
                throw PostgresError(kind: .decoding, message: "column \(column): is NULL, expected \(T.self)")
            }
            do throws(PostgresError) {
                return try T(postgresBytes: bytes)
            } catch {
                throw PostgresError(kind: .decoding, message: "column \(column): \(error.message)")
            }
        }
    }

    /// Decodes a column that may be NULL.
    @inlinable
    public func decode<T: PostgresDecodable>(_ column: String, as type: T?.Type) throws(PostgresError) -> T? {
        let cell = first + (try position(column))
        return try cells.withBytes(cell) { (bytes) throws(PostgresError) -> T? in
            guard let bytes else { return nil }
            do throws(PostgresError) {
                return try T(postgresBytes: bytes)
            } catch {
                throw PostgresError(kind: .decoding, message: "column \(column): \(error.message)")
            }
        }
    }

    /// The one-dimensional array in `column`, NULL elements as nil (`{2008-09-15,NULL}`); the column itself must
    /// not be NULL.
    @inlinable
    public func decodeElements<T: PostgresDecodable>(
        _ column: String, as type: T.Type = T.self
    ) throws(PostgresError) -> [T?] {
        let cell = first + (try position(column))
        return try cells.withBytes(cell) { (bytes) throws(PostgresError) -> [T?] in
            guard let bytes else {
                throw PostgresError(kind: .decoding, message: "column \(column): is NULL, expected an array")
            }
            var values: [T?] = []
            let wellFormed = try forEachArrayElement(bytes) { (element) throws(PostgresError) in
                guard let element else { return values.append(nil) }
                do throws(PostgresError) {
                    values.append(try T(postgresBytes: element))
                } catch {
                    throw PostgresError(kind: .decoding, message: "column \(column): \(error.message)")
                }
            }
            guard wellFormed else {
                throw PostgresError(
                    kind: .decoding,
                    message:
                        "column \(column): \(String(decoding: bytes, as: UTF8.self)) is not a one-dimensional array")
            }
            return values
        }
    }

    /// Decodes a column by position that must not be NULL.
    public func decode<T: PostgresDecodable>(at position: Int, as type: T.Type = T.self) throws(PostgresError) -> T {
        try decode(index.names[position], as: type)
    }

    @usableFromInline
    func position(_ column: String) throws(PostgresError) -> Int {
        guard let position = index.position(of: column) else {
            throw PostgresError(kind: .decoding, message: "column \(column): not in the result")
        }
        return position
    }
}

func decodingError<T>(_ text: String, _ type: T.Type) -> PostgresError {
    PostgresError(kind: .decoding, message: "cannot read \(text.prefix(40).debugDescription) as \(T.self)")
}

// MARK: - Scalars

extension String: PostgresCodable {
    /// The string itself.
    public var postgresText: String? { self }
    /// Any text decodes as a string.
    public init(postgresText text: String) { self = text }
}

extension Int: PostgresCodable {
    /// Decimal digits.
    public var postgresText: String? { String(self) }
    /// Decimal digits, as int2/int4/int8/numeric-without-fraction print them.
    public init(postgresText text: String) throws(PostgresError) {
        guard let value = Int(text) else { throw decodingError(text, Int.self) }
        self = value
    }
    /// Decimal digits, read from the bytes without a `String`.
    public init(postgresBytes bytes: UnsafeRawBufferPointer) throws(PostgresError) {
        guard let value = decimal(bytes) else {
            throw decodingError(String(decoding: bytes, as: UTF8.self), Int.self)
        }
        self = value
    }
}

/// An optionally signed run of decimal digits that fits an Int, or nil.
func decimal(_ bytes: UnsafeRawBufferPointer) -> Int? {
    var index = 0
    var negative = false
    if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
        negative = sign == UInt8(ascii: "-")
        index = 1
    }
    guard index < bytes.count else { return nil }
    var value = 0
    while index < bytes.count {
        let digit = bytes[index] &- UInt8(ascii: "0")
        guard digit < 10 else { return nil }
        // Accumulated negatively, so Int.min fits too.
        let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
        let (next, overflow2) = shifted.subtractingReportingOverflow(Int(digit))
        guard !overflow, !overflow2 else { return nil }
        value = next
        index += 1
    }
    if negative { return value }
    let (positive, overflow) = (0).subtractingReportingOverflow(value)
    return overflow ? nil : positive
}

extension Int32: PostgresCodable {
    /// Decimal digits.
    public var postgresText: String? { String(self) }
    /// Decimal digits within Int32's range.
    public init(postgresText text: String) throws(PostgresError) {
        guard let value = Int32(text) else { throw decodingError(text, Int32.self) }
        self = value
    }
}

extension Int64: PostgresCodable {
    /// Decimal digits.
    public var postgresText: String? { String(self) }
    /// Decimal digits within Int64's range.
    public init(postgresText text: String) throws(PostgresError) {
        guard let value = Int64(text) else { throw decodingError(text, Int64.self) }
        self = value
    }
}

extension Double: PostgresCodable {
    /// Shortest round-tripping decimal form; infinities and NaN as PostgreSQL spells them.
    public var postgresText: String? {
        if isNaN { return "NaN" }
        if isInfinite { return self > 0 ? "Infinity" : "-Infinity" }
        return String(self)
    }
    /// float4/float8/numeric text.
    public init(postgresText text: String) throws(PostgresError) {
        switch text {
        case "NaN": self = .nan
        case "Infinity": self = .infinity
        case "-Infinity": self = -.infinity
        default:
            guard let value = Double(text) else { throw decodingError(text, Double.self) }
            self = value
        }
    }
}

extension Bool: PostgresCodable {
    /// `t` or `f`.
    public var postgresText: String? { self ? "t" : "f" }
    /// `t`/`f` (what the server prints), also `true`/`false`.
    public init(postgresText text: String) throws(PostgresError) {
        switch text {
        case "t", "true": self = true
        case "f", "false": self = false
        default: throw decodingError(text, Bool.self)
        }
    }
    /// `t`/`f` read from the bytes without a `String`; anything longer the text way.
    public init(postgresBytes bytes: UnsafeRawBufferPointer) throws(PostgresError) {
        if bytes.count == 1, bytes[0] == UInt8(ascii: "t") {
            self = true
        } else if bytes.count == 1, bytes[0] == UInt8(ascii: "f") {
            self = false
        } else {
            try self.init(postgresText: String(decoding: bytes, as: UTF8.self))
        }
    }
}

extension UUID: PostgresCodable {
    /// The canonical lower-case form.
    public var postgresText: String? { uuidString.lowercased() }
    /// The canonical form.
    public init(postgresText text: String) throws(PostgresError) {
        guard let value = UUID(uuidString: text) else { throw decodingError(text, UUID.self) }
        self = value
    }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    /// nil is SQL NULL.
    public var postgresText: String? {
        switch self {
        case .none: nil
        case .some(let value): value.postgresText
        }
    }
}

/// SQL NULL as a parameter, where no Swift type is at hand.
public struct PostgresNull: PostgresEncodable {
    /// Creates NULL.
    public init() {}
    /// Always nil.
    public var postgresText: String? { nil }
}

// MARK: - bytea

/// Raw bytes (`bytea`), sent and read in hex form (`\x0aff…`).
public struct PostgresBytes: PostgresCodable, Hashable {
    /// The bytes.
    public var bytes: [UInt8]

    /// Wraps bytes.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `\x` and two hex digits a byte.
    public var postgresText: String? {
        var text: [UInt8] = [92, UInt8(ascii: "x")]
        text.reserveCapacity(2 + bytes.count * 2)
        for byte in bytes {
            text.append(Self.hexDigits[Int(byte >> 4)])
            text.append(Self.hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The hex form (bytea_output = hex, the default since PostgreSQL 9.0).
    public init(postgresText text: String) throws(PostgresError) {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == 92, utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0 else {
            throw decodingError(text, PostgresBytes.self)
        }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((utf8.count - 2) / 2)
        var position = 2
        while position < utf8.count {
            guard let high = nibble(utf8[position]), let low = nibble(utf8[position + 1]) else {
                throw decodingError(text, PostgresBytes.self)
            }
            bytes.append(high << 4 | low)
            position += 2
        }
        self.bytes = bytes
    }
}

// MARK: - date and timestamptz

/// A calendar date (`date`), without a time or zone.
public struct PostgresDate: PostgresCodable, Hashable, Comparable, CustomStringConvertible {
    /// The year.
    public var year: Int
    /// The month, 1 … 12.
    public var month: Int
    /// The day, 1 … 31.
    public var day: Int

    /// Creates a date from its components (not validated here: the server validates what it stores).
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        let y = String(year)
        let m = month < 10 ? "0\(month)" : String(month)
        let d = day < 10 ? "0\(day)" : String(day)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + m + "-" + d
    }

    /// ISO form.
    public var postgresText: String? { description }

    /// ISO form `YYYY-MM-DD` (the session sets DateStyle to ISO).
    public init(postgresText text: String) throws(PostgresError) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else {
            throw decodingError(text, PostgresDate.self)
        }
        self.init(year: y, month: m, day: d)
    }

    /// Orders dates in time.
    public static func < (lhs: PostgresDate, rhs: PostgresDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

extension Date: PostgresCodable {
    /// ISO 8601 in UTC with microseconds, which `timestamptz` reads exactly.
    public var postgresText: String? {
        let seconds = timeIntervalSince1970
        var whole = seconds.rounded(.down)
        var micros = Int(((seconds - whole) * 1_000_000).rounded())
        if micros == 1_000_000 {
            whole += 1
            micros = 0
        }
        let days = Int((whole / 86_400).rounded(.down))
        let secondOfDay = Int(whole) - days * 86_400
        let date = civilFromDays(days)
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2))T"
            + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
            + ".\(pad(micros, 6))Z"
    }

    /// The ISO output of `timestamptz` in UTC (`2008-10-08 12:34:56.123456+00`), as the session configures it.
    public init(postgresText text: String) throws(PostgresError) {
        guard let date = parseTimestamp(text) else { throw decodingError(text, Date.self) }
        self = date
    }
}

/// Parses `YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM]]` (also with `T`); nil when it does not match.
func parseTimestamp(_ text: String) -> Date? {
    let bytes = Array(text.utf8)
    guard bytes.count >= 19 else { return nil }
    func number(_ range: Range<Int>) -> Int? {
        var value = 0
        for byte in bytes[range] {
            guard byte >= 48, byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }
    guard let year = number(0..<4), bytes[4] == 45, let month = number(5..<7), bytes[7] == 45,
        let day = number(8..<10), bytes[10] == 32 || bytes[10] == 84,
        let hour = number(11..<13), bytes[13] == 58, let minute = number(14..<16), bytes[16] == 58,
        let second = number(17..<19)
    else { return nil }
    var position = 19
    var fraction = 0.0
    if position < bytes.count, bytes[position] == 46 {
        position += 1
        var scale = 0.1
        while position < bytes.count, bytes[position] >= 48, bytes[position] <= 57 {
            fraction += Double(bytes[position] - 48) * scale
            scale /= 10
            position += 1
        }
    }
    var offsetSeconds = 0
    if position < bytes.count {
        let sign: Int
        switch bytes[position] {
        case 43: sign = 1
        case 45: sign = -1
        case 90: sign = 0
        default: return nil
        }
        position += 1
        if sign != 0 {
            guard position + 2 <= bytes.count, let hours = number(position..<position + 2) else { return nil }
            position += 2
            var minutes = 0
            var seconds = 0
            if position < bytes.count, bytes[position] == 58 {
                guard position + 3 <= bytes.count, let m = number(position + 1..<position + 3) else { return nil }
                minutes = m
                position += 3
            }
            if position < bytes.count, bytes[position] == 58 {
                guard position + 3 <= bytes.count, let s = number(position + 1..<position + 3) else { return nil }
                seconds = s
                position += 3
            }
            offsetSeconds = sign * (hours * 3600 + minutes * 60 + seconds)
        }
    }
    guard position == bytes.count else { return nil }
    let days = daysFromCivil(year: year, month: month, day: day)
    let seconds = Double(days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds) + fraction
    return Date(timeIntervalSince1970: seconds)
}

func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = month > 2 ? month - 3 : month + 9
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
}

func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
}

// MARK: - arrays

extension Array: PostgresEncodable where Element: PostgresEncodable {
    /// A one-dimensional array literal, every element quoted: `{"a","b",NULL}`.
    public var postgresText: String? {
        var text = "{"
        for (position, element) in enumerated() {
            if position > 0 { text += "," }
            guard let value = element.postgresText else {
                text += "NULL"
                continue
            }
            text += "\""
            for character in value.unicodeScalars {
                if character == "\"" || character == "\\" { text += "\\" }
                text.unicodeScalars.append(character)
            }
            text += "\""
        }
        return text + "}"
    }
}

extension Array: PostgresDecodable where Element: PostgresDecodable {
    /// A one-dimensional array literal as the server prints it. NULL elements are an error for non-optional
    /// elements; use `[String?]`-free schemas (arrays of NOT NULL values) where it matters.
    public init(postgresText text: String) throws(PostgresError) {
        var text = text
        let outcome: Result<[Element], PostgresError> = text.withUTF8 { bytes in
            do throws(PostgresError) {
                return .success(try Self(postgresBytes: UnsafeRawBufferPointer(bytes)))
            } catch {
                return .failure(error)
            }
        }
        self = try outcome.get()
    }

    /// The same, read from the literal's bytes: an element becomes a `String` only if `Element` reads one.
    public init(postgresBytes bytes: UnsafeRawBufferPointer) throws(PostgresError) {
        var values: [Element] = []
        let wellFormed = try forEachArrayElement(bytes) { (element) throws(PostgresError) in
            guard let element else {
                throw PostgresError(kind: .decoding, message: "array element is NULL, expected \(Element.self)")
            }
            values.append(try Element(postgresBytes: element))
        }
        guard wellFormed else { throw decodingError(String(decoding: bytes, as: UTF8.self), [Element].self) }
        self = values
    }
}

/// Calls `body` with the bytes of each element of a one-dimensional array literal (`{a,"b c",NULL}`) in order, nil
/// for NULL, and returns whether the literal was well formed (false for a nested or malformed one; `body` may have
/// been called for the elements before the fault). Works on UTF-8 bytes: the delimiters are ASCII, and no byte of a
/// multi-byte character is ASCII. A quoted element with backslash escapes is unescaped into a scratch buffer; any
/// other element is a slice of the literal, so reading integers or booleans makes no `String` at all.
@inlinable
func forEachArrayElement<E: Error>(
    _ literal: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer?) throws(E) -> Void
) throws(E) -> Bool {
    let openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}"), comma = UInt8(ascii: ",")
    let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
    let end = literal.count - 1
    guard literal.count >= 2, literal[0] == openBrace, literal[end] == closeBrace else { return false }
    var position = 1
    var scratch: [UInt8] = []
    while position < end {
        if literal[position] == quote {
            position += 1
            let start = position
            var escaped = false
            while true {
                guard position < end else { return false }
                if literal[position] == quote { break }
                if literal[position] == backslash {
                    escaped = true
                    position += 1
                    guard position < end else { return false }
                }
                position += 1
            }
            if escaped {
                scratch.removeAll(keepingCapacity: true)
                var index = start
                while index < position {
                    if literal[index] == backslash { index += 1 }
                    scratch.append(literal[index])
                    index += 1
                }
                let outcome: Result<Void, E> = scratch.withUnsafeBytes { element in
                    do throws(E) {
                        return .success(try body(element))
                    } catch {
                        return .failure(error)
                    }
                }
                try outcome.get()
            } else {
                try body(UnsafeRawBufferPointer(rebasing: literal[start..<position]))
            }
            position += 1
        } else {
            let start = position
            while position < end, literal[position] != comma {
                if literal[position] == openBrace { return false }
                position += 1
            }
            let element = UnsafeRawBufferPointer(rebasing: literal[start..<position])
            let isNull =
                element.count == 4 && element[0] == UInt8(ascii: "N") && element[1] == UInt8(ascii: "U")
                && element[2] == UInt8(ascii: "L") && element[3] == UInt8(ascii: "L")
            try body(isNull ? nil : element)
        }
        if position < end {
            guard literal[position] == comma else { return false }
            position += 1
        }
    }
    return true
}
