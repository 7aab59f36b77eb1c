import Bodies
import Foundation
import PlenaryCore
import Postgres
import Storage

/// The working groups of every body: establishment, renames (each kept, with its instrument) and dissolution.
///
/// Field shapes are checked here, naming the key; the database (Schema/0005_working_groups.sql) holds them again
/// and everything that depends on other rows: a code is never reused, a name changes only through a recorded
/// rename, renames are never edited or deleted, and a dissolved group changes no more.
public struct WorkingGroupRegistry: Sendable {
    let database: Database
    let clock: CalendarClock

    /// Creates the registry; `clock` supplies the dissolution date when none is given.
    public init(database: Database, clock: CalendarClock = .system) {
        self.database = database
        self.clock = clock
    }

    /// What the audit trail keeps of a rename: the group as renamed, and the rename with its instrument.
    struct Renamed: Encodable {
        var group: WorkingGroup
        var rename: WorkingGroupRename
    }

    static let columns = """
        b.code AS body, g.code, g.name, g.mandate, g.kind, g.established_by, g.established_on, g.dissolved_on,
        g.dissolved_by
        """

    /// Establishes a group of `body`. 504 names a malformed field, 550 an unknown body, 551 a code already used.
    @discardableResult
    public func establish(
        _ charter: WorkingGroupCharter, body: String, by actor: Actor
    ) async throws(DomainError) -> WorkingGroup {
        try Self.validate(charter)
        return try await database.write(explaining: { Self.explain($0, body: body, code: charter.code) }) {
            connection in
            let owner = try Body.Recorded.find(connection, code: body)
            let row = try connection.queryOne(
                """
                WITH added AS (
                    INSERT INTO working_groups (body_id, code, name, mandate, kind, established_by, established_on)
                    VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *
                )
                SELECT \(Self.columns) FROM added g JOIN bodies b ON b.id = g.body_id
                """,
                [
                    owner.id, charter.code, charter.name, charter.mandate, charter.kind.rawValue,
                    charter.establishedBy?.description, charter.establishedOn,
                ])
            let group = try Self.group(from: row!)
            try AuditLog.record(
                connection, actor: actor, entity: "wg", id: group.symbolPrefix, operation: "establish", after: group)
            return group
        }
    }

    /// The group `code` of `body`, or 550.
    public func get(body: String, code: String) async throws(DomainError) -> WorkingGroup {
        try await database.read { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            return try Self.fetch(connection, body: owner, code: code).group
        }
    }

    /// The renames of group `code` of `body`, oldest first.
    public func renames(body: String, code: String) async throws(DomainError) -> [WorkingGroupRename] {
        try await database.read { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            let id = try Self.fetch(connection, body: owner, code: code).id
            return try Self.renames(connection, groupID: id)
        }
    }

    /// The groups of `body` by code (WG.2 before WG.10), optionally only the active or the dissolved ones.
    public func list(body: String, status: WorkingGroupStatus? = nil) async throws(DomainError) -> [WorkingGroup] {
        try await database.read { connection in
            let owner = try Body.Recorded.find(connection, code: body)
            return try connection.query(
                """
                SELECT \(Self.columns) FROM working_groups g JOIN bodies b ON b.id = g.body_id
                WHERE g.body_id = $1
                  AND ($2::text IS NULL OR (g.dissolved_on IS NULL) = ($2 = 'active'))
                ORDER BY split_part(g.code, '.', 1), split_part(g.code, '.', 2)::int
                """,
                [owner.id, status?.rawValue]
            ).rows.map(Self.group(from:))
        }
    }

    /// Renames a group, keeping the old name in its history with the instrument (`by`) and the day (`on`).
    @discardableResult
    public func rename(
        body: String, code: String, to name: String, by reference: DecisionCitation? = nil,
        on date: CalendarDate? = nil, actor: Actor
    ) async throws(DomainError) -> WorkingGroup {
        try FieldRules.text(name, field: "name", limit: 500)
        return try await database.write(explaining: { Self.explain($0, body: body, code: code) }) { connection in
            let owner = try Body.Recorded.lock(connection, code: body)
            let (id, before) = try Self.fetch(connection, body: owner, code: code, lock: true)
            if let dissolved = before.dissolvedOn {
                throw DomainError.conflict(
                    "code: \(before.symbolPrefix) was dissolved on \(dissolved); a dissolved group is not renamed")
            }
            if before.name == name {
                throw DomainError.conflict("name: \(before.symbolPrefix) is already called so")
            }
            // The rename row is the instrument; a trigger on it renames the group (Schema/0005).
            try connection.query(
                """
                INSERT INTO working_group_renames (working_group_id, old_name, new_name, by_reference, renamed_on)
                VALUES ($1, $2, $3, $4, $5)
                """,
                [id, before.name, name, reference?.description, date])
            let after = try Self.fetch(connection, body: owner, code: code).group
            try AuditLog.record(
                connection, actor: actor, entity: "wg", id: after.symbolPrefix, operation: "rename", before: before,
                after: Renamed(
                    group: after,
                    rename: WorkingGroupRename(
                        oldName: before.name, newName: name, by: reference, on: date)))
            return after
        }
    }

    /// Dissolves a group on `date` (today in the body's zone when nil) by the instrument `by`. Its meetings after
    /// that day must be cancelled first.
    @discardableResult
    public func dissolve(
        body: String, code: String, by reference: DecisionCitation? = nil, on date: CalendarDate? = nil,
        actor: Actor
    ) async throws(DomainError) -> WorkingGroup {
        let clock = self.clock
        return try await database.write(explaining: { Self.explain($0, body: body, code: code) }) { connection in
            let owner = try Body.Recorded.lock(connection, code: body)
            let (id, before) = try Self.fetch(connection, body: owner, code: code, lock: true)
            if let dissolved = before.dissolvedOn {
                throw DomainError.conflict("code: \(before.symbolPrefix) was already dissolved on \(dissolved)")
            }
            let day = date ?? clock.today(in: owner.timeZone)
            if let established = before.establishedOn, day < established {
                throw DomainError.invalid(
                    "date", "must not be before the group was established, on \(established)")
            }
            try connection.query(
                "UPDATE working_groups SET dissolved_on = $2, dissolved_by = $3 WHERE id = $1",
                [id, day, reference?.description])
            let after = try Self.fetch(connection, body: owner, code: code).group
            try AuditLog.record(
                connection, actor: actor, entity: "wg", id: after.symbolPrefix, operation: "dissolve", before: before,
                after: after)
            return after
        }
    }

    // MARK: - Rules and rows

    /// Checks every field of a charter, naming the first one at fault.
    public static func validate(_ charter: WorkingGroupCharter) throws(DomainError) {
        if let rule = WorkingGroup.codeViolation(charter.code) { throw .invalid("code", rule) }
        try FieldRules.text(charter.name, field: "name", limit: 500)
        try FieldRules.optionalText(charter.mandate, field: "mandate", limit: 20_000)
    }

    /// The group's row id and value, or 550.
    static func fetch(
        _ connection: Connection, body: Body.Recorded, code: String, lock: Bool = false
    ) throws -> (id: Int, group: WorkingGroup) {
        let row = try connection.queryOne(
            """
            SELECT g.id, \(columns) FROM working_groups g JOIN bodies b ON b.id = g.body_id
            WHERE g.body_id = $1 AND upper(g.code) = upper($2)
            """ + (lock ? " FOR NO KEY UPDATE OF g" : ""),
            [body.id, code])
        guard let row else { throw DomainError.notFound("code: \(body.code) has no working group \(code)") }
        return (try row.decode("id"), try group(from: row))
    }

    static func renames(_ connection: Connection, groupID: Int) throws -> [WorkingGroupRename] {
        try connection.query(
            """
            SELECT old_name, new_name, by_reference, renamed_on FROM working_group_renames
            WHERE working_group_id = $1 ORDER BY id
            """,
            [groupID]
        ).rows.map { row in
            WorkingGroupRename(
                oldName: try row.decode("old_name"), newName: try row.decode("new_name"),
                by: try row.decode("by_reference", as: String?.self).flatMap(DecisionCitation.init(parsing:)),
                on: try row.decode("renamed_on", as: CalendarDate?.self))
        }
    }

    static func group(from row: Row) throws -> WorkingGroup {
        WorkingGroup(
            body: try row.decode("body"), code: try row.decode("code"), name: try row.decode("name"),
            mandate: try row.decode("mandate", as: String?.self),
            kind: WorkingGroupKind(rawValue: try row.decode("kind")) ?? .interim,
            establishedBy: try row.decode("established_by", as: String?.self).flatMap(DecisionCitation.init(parsing:)),
            establishedOn: try row.decode("established_on", as: CalendarDate?.self),
            dissolvedOn: try row.decode("dissolved_on", as: CalendarDate?.self),
            dissolvedBy: try row.decode("dissolved_by", as: String?.self).flatMap(DecisionCitation.init(parsing:)))
    }

    static func explain(_ error: PostgresError, body: String, code: String) -> DomainError? {
        switch error.constraint {
        case "working_groups_code_key": return .conflict("code: \(body) already has a working group \(code)")
        case "working_groups_code_format": return .invalid("code", "must be a subsidiary-body code such as WG.2")
        case "working_groups_name_not_blank", "working_group_renames_name_not_blank":
            return .invalid("name", "must be 1 to 500 characters")
        case "working_groups_mandate_length": return .invalid("mandate", "must be 1 to 20000 characters")
        case "working_groups_established_by_format", "working_groups_dissolved_by_format",
            "working_group_renames_by_format":
            return .invalid("by", "must be a reference such as \"decision 4/4\"")
        case "working_groups_dissolved_after_established":
            return .invalid("date", "must not be before the group was established")
        default: return nil
        }
    }
}
