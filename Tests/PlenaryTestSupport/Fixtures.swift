import Foundation

/// Reads `Tests/Fixtures/NAME`, its keys in snake case.
public func fixture<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/\(name)")
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(T.self, from: Data(contentsOf: url))
}

/// The public record of the Conference's first four sessions (Tests/Fixtures/ctoc-cop-sessions-1-4.json, copied from
/// the project's domain notes with its sources): the body, its sessions, its first working groups and the 2007
/// meeting of the Working Group on Technical Assistance, and the decisions of sessions 1-4.
public struct ConferenceRecord: Decodable, Sendable {
    /// The body as the record gives it.
    public struct BodyFacts: Decodable, Sendable {
        /// The body's code, `CTOC/COP`.
        public var code: String
        /// Its name.
        public var name: String
        /// The treaty it is the body of.
        public var treaty: String
        /// Its home time zone (IANA).
        public var timezone: String
    }

    /// A session, held and over.
    public struct SessionFacts: Decodable, Sendable {
        /// The session's number.
        public var number: Int
        /// Its title.
        public var title: String
        /// Where it was held.
        public var venue: String
        /// Its first day, ISO 8601.
        public var start: String
        /// Its last day, ISO 8601.
        public var end: String
    }

    /// A working group, with the symbol prefix of its documents when the sources show one.
    public struct GroupFacts: Decodable, Sendable {
        /// Its name, with `(later: …)` when it was renamed.
        public var name: String
        /// The decision that established it, `decision 2/6`.
        public var establishedBy: String
        /// The prefix of its documents' symbols, `CTOC/COP/WG.2`, when the sources show one.
        public var symbolPrefix: String?

        /// "Open-ended Interim … (later: Working Group …)": the first name and, if the record says so, the later one.
        public var names: (first: String, later: String?) {
            guard let range = name.range(of: " (later: "), name.hasSuffix(")") else { return (name, nil) }
            return (String(name[..<range.lowerBound]), String(name[range.upperBound...].dropLast()))
        }
    }

    /// A meeting of a working group.
    public struct MeetingFacts: Decodable, Sendable {
        /// The working group's name.
        public var workingGroup: String
        /// The first day, ISO 8601.
        public var start: String
        /// The last day, ISO 8601.
        public var end: String
        /// Where it was held.
        public var venue: String
    }

    /// A decision of sessions 1-4; the record dates few of them.
    public struct DecisionFacts: Decodable, Sendable {
        /// Its number, `4/4`.
        public var number: String
        /// `decision` or `resolution`.
        public var kind: String
        /// Its title.
        public var title: String
        /// The session that adopted it.
        public var session: Int
        /// The day it was adopted, when the record gives it.
        public var date: String?
    }

    /// The body.
    public var body: BodyFacts
    /// Sessions 1-4.
    public var sessions: [SessionFacts]
    /// Its first working groups.
    public var workingGroups: [GroupFacts]
    /// The working groups' meetings.
    public var wgMeetings: [MeetingFacts]
    /// The decisions of sessions 1-4.
    public var decisions: [DecisionFacts]

    /// The record, read from its fixture.
    public static func load() throws -> ConferenceRecord {
        try fixture("ctoc-cop-sessions-1-4.json", as: ConferenceRecord.self)
    }
}
