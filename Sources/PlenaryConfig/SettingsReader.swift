import Configuration
import Foundation
import PlenaryCore

/// One group's keys (`database.*`, `server.*` …), each read as text and converted here, because the library's typed
/// getters fall back silently on a value that does not convert — and a port of "abc" must stop start-up, not
/// become 7411. A key that is absent leaves the value it is read into alone: that value is the default, stated
/// once by the component the group configures.
struct SettingsReader {
    let reader: ConfigReader
    /// The group's name, the first part of every key it reads.
    let group: String

    /// The full key: `pool_size` in `database` is `database.pool_size`.
    func key(_ name: String) -> String { group + "." + name }

    /// The key's text, or nil when neither the file nor the environment sets it.
    func string(_ name: String) -> String? {
        reader.string(forKey: ConfigKey(key(name).split(separator: ".").map(String.init)))
    }

    /// The key's text unless it is blank: a blank optional path means "none", as the shipped file's `""` does.
    func path(_ name: String) -> String? {
        string(name).flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
    }

    /// Sets `value` to the key's integer when the key is there; refuses one that is not an integer in `range`.
    func read(_ value: inout Int, _ name: String, _ range: ClosedRange<Int>) throws(PlenaryError) {
        guard let text = string(name) else { return }
        guard let parsed = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw refusal(name, "must be an integer \(range.lowerBound)…\(range.upperBound)", text)
        }
        guard range.contains(parsed) else {
            throw refusal(name, "must be between \(range.lowerBound) and \(range.upperBound)", text)
        }
        value = parsed
    }

    /// Sets `value` to the key's truth value when the key is there; refuses anything but true/false and their
    /// usual spellings.
    func read(_ value: inout Bool, _ name: String) throws(PlenaryError) {
        guard let text = string(name) else { return }
        switch text.lowercased() {
        case "true", "yes", "on", "1": value = true
        case "false", "no", "off", "0": value = false
        default: throw refusal(name, "must be true or false", text)
        }
    }

    /// The refusal of a value: the key, its environment variable, the rule, and what was given.
    func refusal(_ name: String, _ rule: String, _ value: String) -> PlenaryError {
        let key = key(name)
        return PlenaryError(
            code: .badArgument, token: "BAD_CONFIG",
            message: "\(key) (\(PlenaryConfiguration.environmentName(for: key))): \(rule), got "
                + value.debugDescription)
    }
}

extension Duration {
    /// Whole milliseconds, for the keys that are written in them.
    var wholeMilliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1_000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    /// Whole seconds, for the keys that are written in them.
    var wholeSeconds: Int { Int(components.seconds) }
}
