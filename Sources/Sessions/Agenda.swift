import PlenaryCore

/// Which item of an agenda: an item (`4`) or a sub-item (`4 (a)`), written `4` and `4(a)` on the command line so
/// the value needs no quoting. `4 (a)` with the space is read too.
public struct AgendaItemNumber: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The item's number, 1 … 999.
    public var item: Int
    /// The sub-item's letter(s), `a` … `zz`; nil for an item.
    public var sub: String?

    /// Creates a reference (not validated: see `parse`).
    public init(item: Int, sub: String? = nil) {
        self.item = item
        self.sub = sub
    }

    /// `4` or `4(a)`.
    public var description: String { sub.map { "\(item)(\($0))" } ?? String(item) }

    /// The item a sub-item belongs to; nil for an item.
    public var parent: AgendaItemNumber? { sub == nil ? nil : AgendaItemNumber(item: item) }

    /// Items in agenda order: 3, 4, 4 (a), 4 (b), 5.
    public static func < (lhs: AgendaItemNumber, rhs: AgendaItemNumber) -> Bool {
        (lhs.item, lhs.sub ?? "") < (rhs.item, rhs.sub ?? "")
    }

    /// Reads `item=` and `parent=` as the commands take them: `item=4`, `item=4(a)`, `item="4 (a)"`, or
    /// `item=a parent=4`. 504 names the key at fault.
    public static func parse(item text: String, parent: String? = nil) throws(DomainError) -> AgendaItemNumber {
        if let parent {
            guard let number = itemNumber(parent) else {
                throw .invalid("parent", "must be an agenda item number 1 to 999, got \(parent)")
            }
            if isSubLabel(text) { return AgendaItemNumber(item: number, sub: text) }
            guard let full = try? parse(item: text), full.sub != nil, full.item == number else {
                throw .invalid("item", "with parent=\(number) must be a sub-item letter such as a, got \(text)")
            }
            return full
        }
        let compact = text.replacingOccurrences(of: " ", with: "")
        if let number = itemNumber(compact) { return AgendaItemNumber(item: number) }
        if let open = compact.firstIndex(of: "("), compact.hasSuffix(")"),
            let number = itemNumber(String(compact[..<open]))
        {
            let label = String(compact[compact.index(after: open)..<compact.index(before: compact.endIndex)])
            if isSubLabel(label) { return AgendaItemNumber(item: number, sub: label) }
        }
        throw .invalid("item", "must be an agenda item such as 4 or 4(a), got \(text)")
    }

    private static func itemNumber(_ text: String) -> Int? {
        guard !text.isEmpty, text.utf8.count <= 3, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            let number = Int(text), (1...999).contains(number)
        else { return nil }
        return number
    }

    private static func isSubLabel(_ text: String) -> Bool {
        (1...2).contains(text.utf8.count) && text.utf8.allSatisfy { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }
    }
}

/// One item of a session's agenda.
public struct AgendaItem: Sendable, Hashable, Codable {
    /// Its number, `4` or `4(a)`.
    public var number: AgendaItemNumber
    /// Its title.
    public var title: String
    /// Whether an amendment of the adopted agenda added or changed it.
    public var amended: Bool

    /// Creates an item.
    public init(number: AgendaItemNumber, title: String, amended: Bool = false) {
        self.number = number
        self.title = title
        self.amended = amended
    }
}

/// The agenda of a session: provisional until the body adopts it, then changed only by amendment.
public struct Agenda: Sendable, Hashable, Codable {
    /// The body's code.
    public var body: String
    /// The session's number (the agenda is the original part's; resumptions continue it).
    public var session: Int
    /// The day it was adopted; nil while it is provisional.
    public var adoptedOn: CalendarDate?
    /// The items, in agenda order.
    public var items: [AgendaItem]

    /// Creates an agenda value.
    public init(body: String, session: Int, adoptedOn: CalendarDate? = nil, items: [AgendaItem] = []) {
        self.body = body
        self.session = session
        self.adoptedOn = adoptedOn
        self.items = items
    }

    /// Whether the body has adopted it.
    public var isAdopted: Bool { adoptedOn != nil }
}
