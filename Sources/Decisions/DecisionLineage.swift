import Bodies
import Foundation
import PlenaryCore
import Postgres
import Sessions
import Storage

extension DecisionRegistry {
    // MARK: - Links

    /// Records that the adopted decision `number` of `body` (of `kind`, when given) acts on `target` in the way
    /// `relation` says: amends, supersedes or recalls an earlier decision, establishes, renames, makes standing or
    /// dissolves a working group of the body, or considers a document. The database refuses a link from a draft, to
    /// a later decision, to another body's decision, a second establishment of a group, a link entered twice, and
    /// one that contradicts the instrument the working-groups module already names.
    @discardableResult
    public func link(
        body: String, number: DecisionNumber, kind: DecisionKind? = nil, relation: DecisionRelation,
        to target: LinkTarget, by actor: Actor
    ) async throws(DomainError) -> DecisionLink {
        guard target.kind == relation.targetKind else {
            throw .invalid(relation.rawValue, relation.targetKind.rule)
        }
        let clock = self.clock
        return try await database.write(explaining: { Self.explain($0, body: body) }) { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            let today = clock.today(in: owner.timeZone)
            let source = try Self.resolve(connection, body: owner, number: number, kind: kind, day: today)
            var targetID: Int?
            var code: String?
            var symbol: String?
            switch target {
            case .decision(let citation):
                let reached = try Self.resolve(
                    connection, body: owner, number: citation.number, kind: citation.kind, day: today,
                    key: relation.rawValue)
                if reached.id == source.id {
                    throw DomainError.conflict("\(relation.rawValue): \(source.label) cannot act on itself")
                }
                targetID = reached.id
            case .workingGroup(let group):
                try Self.requireWorkingGroup(connection, body: owner, code: group, key: relation.rawValue)
                if relation == .establishes, let earlier = try Self.establishing(connection, body: owner, code: group) {
                    throw DomainError.conflict(
                        "establishes: \(body)/\(group) was already established by \(earlier); a group is "
                            + "established once")
                }
                code = group
            case .document(let document):
                symbol = document
            }
            try connection.query(
                """
                INSERT INTO decision_links (decision_id, body_id, relation, target_decision_id, wg_code, document)
                VALUES ($1, $2, $3, $4, $5, $6)
                """,
                [source.id, owner.id, relation.rawValue, targetID, code, symbol])
            let link = DecisionLink(body: body, from: source.citation!, relation: relation, to: target)
            try AuditLog.record(
                connection, actor: actor, entity: "decision", id: source.auditID, operation: "link", after: link)
            return link
        }
    }

    /// Every link of the adopted decision `number` of `body`: what it acts on, then what acts on it, in the order
    /// they were recorded.
    public func links(
        body: String, number: DecisionNumber, kind: DecisionKind? = nil
    ) async throws(DomainError) -> [DecisionLink] {
        let clock = self.clock
        return try await database.read { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            let decision = try Self.resolve(
                connection, body: owner, number: number, kind: kind, day: clock.today(in: owner.timeZone))
            return try Self.links(connection, body: owner.code, where: "l.decision_id = $1", [decision.id])
                + Self.links(connection, body: owner.code, where: "l.target_decision_id = $1", [decision.id])
        }
    }

    /// The chain of the adopted decision `number`: going back, the earlier decisions it amends, supersedes or
    /// recalls and theirs in turn; going forward, the later ones that act on it and on them. Each link once, at
    /// the shortest distance it is reached; the far ends' statuses on `day` (today when nil).
    public func chain(
        body: String, number: DecisionNumber, kind: DecisionKind? = nil, direction: ChainDirection = .both,
        on day: CalendarDate? = nil
    ) async throws(DomainError) -> [ChainStep] {
        let clock = self.clock
        return try await database.read { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            let day = day ?? clock.today(in: owner.timeZone)
            let start = try Self.resolve(connection, body: owner, number: number, kind: kind, day: day)
            var steps: [ChainStep] = []
            for way in [ChainDirection.back, .forward] where direction == .both || direction == way {
                steps += try Self.walk(connection, from: start, direction: way, day: day)
            }
            return steps
        }
    }

    /// Every decision of `body` that established or changed working group `code`, by number, with what it did:
    /// the links entered here and the instruments the working-groups module recorded (the view
    /// `decision_working_group_acts`).
    public func workingGroupActs(
        body: String, code: String, on day: CalendarDate? = nil
    ) async throws(DomainError) -> [WorkingGroupAct] {
        if let rule = DecisionRules.workingGroupCodeViolation(code.uppercased()) { throw .invalid("wg", rule) }
        let clock = self.clock
        return try await database.read { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            try Self.requireWorkingGroup(connection, body: owner, code: code)
            return try connection.query(
                """
                SELECT \(Self.columns), \(Self.statusColumn(3)), acts.acts
                FROM (SELECT decision_id, array_agg(DISTINCT act ORDER BY act) AS acts
                      FROM decision_working_group_acts WHERE body_id = $1 AND upper(wg_code) = upper($2)
                      GROUP BY decision_id) acts
                JOIN decisions d ON d.id = acts.decision_id JOIN bodies b ON b.id = d.body_id
                ORDER BY d.adopted_on, d.session_number, d.kind, d.serial, d.letter
                """,
                [owner.id, code, day ?? clock.today(in: owner.timeZone)]
            ).rows.map { row in
                let acts = try row.decode("acts", as: [String].self).compactMap(DecisionRelation.init(rawValue:))
                return WorkingGroupAct(decision: try Self.decision(from: row), acts: Self.inLifeOrder(acts))
            }
        }
    }

    // MARK: - Search

    /// Full-text search over titles and texts (PostgreSQL text search, English; web-search syntax: words, "a
    /// phrase", -not, or), best match first; title words weigh more than text words. Withdrawn drafts are left out.
    public func search(
        text: String, body: String? = nil, status: DecisionStatus? = nil, limit: Int = 50
    ) async throws(DomainError) -> [DecisionSearchHit] {
        if text.allSatisfy(\.isWhitespace) { throw .invalid("text", "must not be blank") }
        guard (1...1000).contains(limit) else { throw .invalid("limit", "must be 1 to 1000") }
        return try await database.read { connection in
            if let body { _ = try Body.Recorded.find(connection, code: body) }
            return try connection.query(
                """
                SELECT \(Self.columns), \(Self.statusColumn(5)), ts_rank_cd(d.search, q) AS rank,
                       ts_headline('english', concat_ws(' — ', d.title, d.wording), q,
                                   'MaxWords=30, MinWords=12, MaxFragments=2, StartSel=«, StopSel=»') AS excerpt
                FROM decisions d JOIN bodies b ON b.id = d.body_id, websearch_to_tsquery('english', $1) q
                WHERE d.search @@ q AND d.stage <> 'withdrawn' AND ($2::text IS NULL OR b.code = $2)
                  AND ($3::text IS NULL
                       OR plenary_decision_status(d, (now() AT TIME ZONE b.timezone)::date) = $3)
                ORDER BY rank DESC, b.code, d.session_number, d.kind, d.serial, d.letter, d.id
                LIMIT $4
                """,
                [text, body, status?.rawValue, limit, CalendarDate?.none]
            ).rows.map { row in
                DecisionSearchHit(
                    decision: try Self.decision(from: row), rank: try row.decode("rank"),
                    excerpt: try row.decode("excerpt"))
            }
        }
    }

    // MARK: - Rows

    /// Establishes, renames, makes standing, dissolves: the order things happen to a group.
    static func inLifeOrder(_ acts: [DecisionRelation]) -> [DecisionRelation] {
        let order: [DecisionRelation] = [.establishes, .renames, .makesStanding, .dissolves]
        return order.filter(acts.contains)
    }

    /// The decision that established group `code` of `body`, as a link or as the working-groups module records it.
    static func establishing(_ connection: Connection, body: Body.Recorded, code: String) throws -> String? {
        try connection.queryOne(
            """
            SELECT plenary_decision_reference(d.kind, d.session_number, d.serial, d.letter) AS reference
            FROM decision_links l JOIN decisions d ON d.id = l.decision_id
            WHERE l.body_id = $1 AND upper(l.wg_code) = upper($2) AND l.relation = 'establishes'
            """,
            [body.id, code]
        ).map { try $0.decode("reference", as: String.self) }
    }

    /// Links of `body` matching `condition` (over `decision_links l`), oldest first.
    static func links(
        _ connection: Connection, body: String, where condition: String, _ parameters: [any PostgresEncodable]
    ) throws -> [DecisionLink] {
        try connection.query(
            """
            SELECT l.relation, s.kind AS from_kind, s.session_number AS from_session, s.serial AS from_serial,
                   s.letter AS from_letter, t.kind AS to_kind, t.session_number AS to_session, t.serial AS to_serial,
                   t.letter AS to_letter, l.wg_code AS link_wg, l.document AS link_document
            FROM decision_links l JOIN decisions s ON s.id = l.decision_id
            LEFT JOIN decisions t ON t.id = l.target_decision_id
            WHERE \(condition) ORDER BY l.id
            """,
            parameters
        ).rows.map { row in try link(from: row, body: body) }
    }

    static func link(from row: Row, body: String) throws -> DecisionLink {
        func citation(_ prefix: String) throws -> DecisionCitation? {
            guard let kind = try row.decode("\(prefix)_kind", as: String?.self).flatMap(DecisionKind.init(rawValue:)),
                let serial = try row.decode("\(prefix)_serial", as: Int?.self)
            else { return nil }
            let letter: String = try row.decode("\(prefix)_letter")
            return DecisionCitation(
                kind: kind,
                number: DecisionNumber(
                    session: try row.decode("\(prefix)_session"), serial: serial,
                    letter: letter.isEmpty ? nil : letter))
        }
        guard let relation = DecisionRelation(rawValue: try row.decode("relation")), let from = try citation("from")
        else {
            throw PostgresError(kind: .decoding, message: "decision_links: unknown relation or source in a row")
        }
        let target: LinkTarget
        if let to = try citation("to") {
            target = .decision(to)
        } else if let code = try row.decode("link_wg", as: String?.self) {
            target = .workingGroup(code)
        } else {
            target = .document(try row.decode("link_document"))
        }
        return DecisionLink(body: body, from: from, relation: relation, to: target)
    }

    /// The links reached from `start` going `direction`, each at its shortest depth, then the decisions they reach.
    static func walk(
        _ connection: Connection, from start: Decision, direction: ChainDirection, day: CalendarDate
    ) throws -> [ChainStep] {
        // Going back follows decision → target; going forward, target → decision. The path guards against cycles,
        // which same-day links could form.
        let (near, far) =
            direction == .back ? ("decision_id", "target_decision_id") : ("target_decision_id", "decision_id")
        let rows = try connection.query(
            """
            WITH RECURSIVE walk (link_id, reached, depth, path) AS (
                SELECT l.id, l.\(far), 1, ARRAY[l.\(near), l.\(far)]
                FROM decision_links l WHERE l.\(near) = $1 AND l.target_decision_id IS NOT NULL
              UNION ALL
                SELECT l.id, l.\(far), w.depth + 1, w.path || l.\(far)
                FROM walk w JOIN decision_links l ON l.\(near) = w.reached AND l.target_decision_id IS NOT NULL
                WHERE NOT l.\(far) = ANY (w.path)
            ),
            shortest AS (
                SELECT DISTINCT ON (link_id) link_id, reached, depth FROM walk ORDER BY link_id, depth
            )
            SELECT w.depth, l.relation, s.kind AS from_kind, s.session_number AS from_session,
                   s.serial AS from_serial, s.letter AS from_letter, t.kind AS to_kind,
                   t.session_number AS to_session, t.serial AS to_serial, t.letter AS to_letter, l.wg_code AS link_wg,
                   l.document AS link_document,
                   \(columns), \(statusColumn(2))
            FROM shortest w JOIN decision_links l ON l.id = w.link_id
            JOIN decisions s ON s.id = l.decision_id JOIN decisions t ON t.id = l.target_decision_id
            JOIN decisions d ON d.id = w.reached JOIN bodies b ON b.id = d.body_id
            ORDER BY w.depth, d.adopted_on, d.session_number, d.kind, d.serial, d.letter, l.id
            """,
            [start.id, day]
        ).rows
        return try rows.map { row in
            ChainStep(
                direction: direction, depth: try row.decode("depth"), link: try link(from: row, body: start.body),
                reached: try decision(from: row))
        }
    }
}
