import Foundation
import PlenaryCore

/// The pages' own words — headings, labels, the names of statuses and months — in one table per language, so a
/// translation is a data file (Resources/words.LANG.json), not code. English is shipped.
public struct PageWords: Sendable {
    /// The language the table is in, as `<html lang>` carries it.
    public let language: String
    private let table: [String: String]

    /// Reads a table: a JSON object of key → text, with `language` naming its language. Placeholders are `{0}`,
    /// `{1}` …
    public init(json: Data) throws(DomainError) {
        guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: String] else {
            throw .invalid("words", "must be a JSON object of key → text")
        }
        guard let language = object["language"], !language.isEmpty else {
            throw .invalid("words", "must name its language under the key \"language\"")
        }
        self.language = language
        self.table = object
    }

    /// The English table shipped with Plenary.
    public static let english: PageWords = {
        // The table is compiled in; a test reads every key the renderer asks for.
        try! PageWords(json: Data(PackageResources.words_en_json))
    }()

    /// The keys of the table, for checks that every key is translated.
    public var keys: Set<String> { Set(table.keys) }

    /// The text under `key`; the key itself when the table lacks it, so a missing word shows rather than hides.
    public subscript(_ key: String) -> String { table[key] ?? key }

    /// The text under `key` with `{0}`, `{1}` … replaced by `values`.
    public func format(_ key: String, _ values: String...) -> String {
        var text = self[key]
        for (index, value) in values.enumerated() {
            text = text.replacingOccurrences(of: "{\(index)}", with: value)
        }
        return text
    }

    /// `8 October 2008`.
    public func day(_ date: CalendarDate) -> String {
        format("date.day", String(date.day), self["month.\(date.month)"], String(date.year))
    }

    /// `8–17 October 2008`, `28 June – 8 July 2004`, `29 December 2008 – 2 January 2009`, or one day.
    public func range(_ start: CalendarDate, _ end: CalendarDate) -> String {
        if start == end { return day(start) }
        if start.year == end.year && start.month == end.month {
            return format(
                "date.range.month", String(start.day), String(end.day), self["month.\(end.month)"], String(end.year))
        }
        if start.year == end.year {
            return format(
                "date.range.year", String(start.day), self["month.\(start.month)"], String(end.day),
                self["month.\(end.month)"], String(end.year))
        }
        return format("date.range", day(start), day(end))
    }
}
