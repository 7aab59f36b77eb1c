import Foundation
import PlenaryCore
import Storage

/// What a publication was made from, kept beside its pages (``fileName`` at the site's root) so that the next
/// `plenary publish` into the same directory re-renders only what changed since: the audit trail's head it read
/// (seq and hash), the Plenary that rendered it, the bodies chosen and the day each body was published as of.
///
/// The next publication is incremental only when all of that still holds — the same Plenary, the same bodies, the
/// same days, and a trail that still carries the stamp's row with the stamp's hash (a restored, rewritten or other
/// database does not). Otherwise it renders everything; either way only files whose bytes changed are written.
public struct PublicationStamp: Sendable, Equatable, Codable {
    /// The stamp's file, at the site's root.
    public static let fileName = ".plenary-publication.json"

    /// The Plenary version that rendered the site (a new one may render differently: everything is redone).
    public var plenary: String
    /// The audit trail's head the publication read, `SEQ:HASH`.
    public var trail: String
    /// The bodies chosen with `--body`, sorted; nil for every body.
    public var bodies: [String]?
    /// The day each published body was published as of (`YYYY-MM-DD`), by code.
    public var days: [String: String]

    /// Creates a stamp.
    public init(plenary: String, trail: AuditAnchor, bodies: [String]?, days: [String: CalendarDate]) {
        self.plenary = plenary
        self.trail = trail.description
        self.bodies = bodies.map { Array(Set($0)).sorted() }
        self.days = days.mapValues(\.description)
    }

    /// The trail's head, parsed; nil when the file was edited into something else.
    public var anchor: AuditAnchor? { AuditAnchor(trail) }

    /// Whether a publication described by `next` may start from this one's pages: everything but the trail's head
    /// is the same.
    public func allowsIncrement(to next: PublicationStamp) -> Bool {
        plenary == next.plenary && bodies == next.bodies && days == next.days && anchor != nil
    }

    /// The stamp as its file holds it: JSON with sorted keys, so one publication gives one file.
    public var file: SiteFile {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        // Encoding strings, dates as text and integers cannot fail.
        let encoded: [UInt8] = (try? encoder.encode(self)).map { Array($0) } ?? []
        return SiteFile(path: Self.fileName, bytes: encoded + [0x0A])
    }

    /// The stamp in `bytes`; nil when they are not one (the next publication then renders everything).
    public init?(bytes: [UInt8]) {
        guard let decoded = try? JSONDecoder().decode(PublicationStamp.self, from: Data(bytes)) else { return nil }
        self = decoded
    }
}
