import PlenaryCore

/// A command's arguments after the catalog bound and validated them, keyed by parameter name.
///
/// Values are kept as the text given and read through typed accessors. The optional accessors return nil when a
/// key is absent; the `required…` ones throw 504 instead of trapping, so a handler that asks for the wrong key
/// or type refuses the request rather than crashing the server.
public struct Arguments: Sendable, Hashable {
    private var values: [String: String]

    /// Arguments with the given values; the catalog's binding is the usual way to get them.
    public init(_ values: [String: String] = [:]) { self.values = values }

    /// The keys given, sorted.
    public var keys: [String] { values.keys.sorted() }

    /// Whether `key` was given.
    public func has(_ key: String) -> Bool { values[key] != nil }

    /// The value of `key` as it was given, whatever its type.
    public func raw(_ key: String) -> String? { values[key] }

    /// The value of `key`, or nil.
    public func string(_ key: String) -> String? { values[key] }

    /// The value of `key`; throws 504 "KEY: required" when absent.
    public func requiredString(_ key: String) throws(PlenaryError) -> String {
        guard let value = values[key] else { throw .badArgument(key, "required") }
        return value
    }

    /// The integer value of `key`; nil when absent or not an integer.
    public func int(_ key: String) -> Int? { values[key].flatMap(ParameterType.integer) }

    /// The integer value of `key`; throws 504 when absent or not an integer.
    public func requiredInt(_ key: String) throws(PlenaryError) -> Int {
        try typed(key, ParameterType.integer, "must be an integer")
    }

    /// The boolean value of `key`; nil when absent or neither `true` nor `false`.
    public func bool(_ key: String) -> Bool? { values[key].flatMap(ParameterType.boolean) }

    /// The boolean value of `key`; throws 504 when absent or neither `true` nor `false`.
    public func requiredBool(_ key: String) throws(PlenaryError) -> Bool {
        try typed(key, ParameterType.boolean, "must be true or false")
    }

    /// The date value of `key`; nil when absent or not a `YYYY-MM-DD` date.
    public func date(_ key: String) -> CalendarDate? { values[key].flatMap { CalendarDate(iso: $0) } }

    /// The date value of `key`; throws 504 when absent or not a `YYYY-MM-DD` date.
    public func requiredDate(_ key: String) throws(PlenaryError) -> CalendarDate {
        try typed(key, { CalendarDate(iso: $0) }, "must be a date YYYY-MM-DD")
    }

    /// The comma-separated items of `key` (empty value: empty list), or nil when absent.
    public func list(_ key: String) -> [String]? { values[key].map(ParameterType.items) }

    /// The comma-separated items of `key`; throws 504 "KEY: required" when absent.
    public func requiredList(_ key: String) throws(PlenaryError) -> [String] {
        ParameterType.items(try requiredString(key))
    }

    private func typed<T>(_ key: String, _ read: (String) -> T?, _ rule: String) throws(PlenaryError) -> T {
        let text = try requiredString(key)
        guard let value = read(text) else {
            throw .badArgument(key, "\(rule), got \(QuotedValue.forMessage(text))")
        }
        return value
    }
}
