/// What one committed change can alter on the site, read from its audit row's topic and id. The follower re-renders
/// only the pages of a scope; anything it cannot place — an import, a body, a gap in the feed — is `everything`,
/// and since only files whose bytes changed are written, over-rendering costs time but never a wrong page.
public enum ChangeScope: Sendable, Hashable {
    /// The whole site.
    case everything
    /// Every page of one body (and the list of bodies).
    case body(String)
    /// A document (its page, its parent's and siblings', and its session's or working group's page).
    case document(String)
    /// A session: its page, the front page, the data and the calendar.
    case session(body: String, number: Int)
    /// A session's agenda: the session's page.
    case agenda(body: String, number: Int)
    /// An adopted decision or a link of one: every decision page of the body (lineage and statuses move), the
    /// session's page and the working groups' pages.
    case decision(body: String, session: Int)
    /// A working group or one of its meetings.
    case workingGroup(body: String, code: String)
    /// Nothing published (tokens, deadline rules, drafts).
    case nothing

    /// The scope of the audit row with entity `topic` and entity id `id` (the ids of AuditLog's callers:
    /// `CTOC/COP/4#2`, `CTOC/COP/decision/4/4`, `CTOC/COP/WG.2/1`, a document's symbol …).
    public init(topic: String, id: String) {
        func split(_ text: Substring) -> (head: Substring, last: Substring)? {
            guard let slash = text.lastIndex(of: "/") else { return nil }
            return (text[..<slash], text[text.index(after: slash)...])
        }
        switch topic {
        case "session", "agenda":
            let key = id.split(separator: "#", maxSplits: 1).first ?? ""
            guard let parts = split(key), let number = Int(parts.last) else {
                self = .everything
                return
            }
            let body = String(parts.head)
            self = topic == "session" ? .session(body: body, number: number) : .agenda(body: body, number: number)
        case "decision":
            for kind in ["/decision/", "/resolution/"] {
                if let range = id.range(of: kind, options: .backwards),
                    let session = Int(id[range.upperBound...].prefix { $0.isNumber })
                {
                    self = .decision(body: String(id[..<range.lowerBound]), session: session)
                    return
                }
            }
            self = id.contains("/draft/") ? .nothing : .everything
        case "wg":
            guard let parts = split(Substring(id)) else {
                self = .everything
                return
            }
            self = .workingGroup(body: String(parts.head), code: String(parts.last))
        case "meeting":
            guard let meeting = split(Substring(id)), let parts = split(meeting.head) else {
                self = .everything
                return
            }
            self = .workingGroup(body: String(parts.head), code: String(parts.last))
        case "document": self = .document(id)
        case "body": self = .body(id)
        case "token", "deadline-rule": self = .nothing
        default: self = .everything
        }
    }

    /// The body the scope belongs to, when it names one.
    var body: String? {
        switch self {
        case .body(let code): code
        case .session(let body, _), .agenda(let body, _), .decision(let body, _), .workingGroup(let body, _): body
        case .everything, .document, .nothing: nil
        }
    }
}
