import Foundation

/// The checks on fields shared by bodies, sessions, agendas, working groups, meetings and documents, each naming the
/// field at fault. The database holds the same limits as CHECK constraints.
public enum FieldRules {
    /// The white space a blank value is made of: Unicode's space separators (Zs), line and paragraph separators,
    /// and the controls tab to carriage return and next line. `plenary_is_blank` (Schema/0009) trims the same list.
    public static let blankScalars: Set<Unicode.Scalar> = Set(
        [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000]
            .compactMap(Unicode.Scalar.init) + (0x2000...0x200A).compactMap(Unicode.Scalar.init))

    /// Whether a value is blank: nothing but ``blankScalars``.
    public static func isBlank(_ value: String) -> Bool { value.unicodeScalars.allSatisfy(blankScalars.contains) }

    /// A one-line text that must not be blank and has at most `limit` characters.
    public static func text(_ value: String, field: String, limit: Int) throws(DomainError) {
        if isBlank(value) { throw .invalid(field, "must not be blank") }
        if value.count > limit { throw .invalid(field, "must be at most \(limit) characters") }
    }

    /// As `text`, for a value that may be left out.
    public static func optionalText(_ value: String?, field: String, limit: Int) throws(DomainError) {
        if let value { try text(value, field: field, limit: limit) }
    }

    /// Whether `zone` is `UTC` or an IANA Area/Location name the system knows (`Europe/Vienna`, `Etc/GMT+5`): the
    /// area letters only, each further component letters, digits, `_`, `+` or `-`. POSIX-style names such as
    /// `EST5EDT` are refused. `plenary_is_time_zone` (Schema/0009) holds the same shape.
    public static func isTimeZone(_ zone: String) -> Bool {
        guard zone == "UTC" || hasAreaLocationShape(zone) else { return false }
        return TimeZone(identifier: zone) != nil
    }

    private static func hasAreaLocationShape(_ zone: String) -> Bool {
        let components = zone.split(separator: "/", omittingEmptySubsequences: false)
        guard components.count >= 2, let area = components.first, !area.isEmpty,
            area.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("a"..."z").contains($0) })
        else { return false }
        return components.dropFirst().allSatisfy { component in
            !component.isEmpty
                && component.unicodeScalars.allSatisfy {
                    ("A"..."Z").contains($0) || ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
                        || $0 == "+" || $0 == "-"
                }
        }
    }

    /// An IANA time zone name such as `Europe/Vienna` (or `UTC`).
    public static func timeZone(_ zone: String, field: String = "timezone") throws(DomainError) {
        if !isTimeZone(zone) {
            throw .invalid(field, "must be an IANA time zone name such as Europe/Vienna, got \(zone)")
        }
    }

    /// A date range whose end is not before its start.
    public static func dates(start: CalendarDate, end: CalendarDate) throws(DomainError) {
        if end < start { throw .invalid("end", "must not be before start=\(start)") }
    }
}
