import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Sessions
import Storage
import Testing
import WorkingGroups

@Suite("Working groups: establishment, renames and dissolution")
struct WorkingGroupTests {
    let conference: Conference

    init() async throws {
        conference = try await Conference(bodies: ["CTOC/COP", "CAC/COSP"], today: day("2012-06-30"))
    }

    func establish(
        _ code: String, _ name: String, by reference: String? = nil, on date: String? = nil,
        kind: WorkingGroupKind = .interim, body: String = "CTOC/COP"
    ) async throws -> WorkingGroup {
        try await conference.groups.establish(
            WorkingGroupCharter(
                code: code, name: name, mandate: "To advise and assist the Conference.", kind: kind,
                establishedBy: try reference.map { try DecisionCitation.parse($0, key: "by") },
                establishedOn: date.map(day)),
            body: body, by: Conference.clerk)
    }

    @Test func decisionReferencesHaveOneForm() throws {
        #expect(DecisionCitation(parsing: "decision 4/4") == DecisionCitation(kind: .decision, session: 4, serial: 4))
        #expect(DecisionCitation(parsing: "Resolution 5/3")?.description == "resolution 5/3")
        for bad in ["decision 4", "decision  4/4", "decision 04/4", "decree 4/4", "4/4", "decision 4/4/1", ""] {
            #expect(DecisionCitation(parsing: bad) == nil, "\(bad)")
        }
        #expect(throws: DomainError.self) { try DecisionCitation.parse("decision four", key: "by") }
        #expect(WorkingGroup.codeViolation("WG.2") == nil)
        #expect(WorkingGroup.codeViolation("AC.10") == nil)
        for bad in ["WG2", "wg.2", "WG.02", "WG.", ".2", "WG.2/2007", "WG 2"] {
            #expect(WorkingGroup.codeViolation(bad) != nil, "\(bad)")
        }
    }

    @Test func aGroupEstablishedByALetteredPartOfAResolutionIsRecorded() async throws {
        // Resolution 49/221 B: one number covering several texts. The citation, the service and the database's
        // check (Schema/0009) all accept it, so the group can be recorded and read back.
        let group = try await establish("WG.9", "Working Group on Lettered Parts", by: "resolution 49/221 B")
        #expect(group.establishedBy == DecisionCitation(kind: .resolution, session: 49, serial: 221, letter: "B"))
        #expect(
            try await conference.groups.get(body: "CTOC/COP", code: "WG.9").establishedBy?.description
                == "resolution 49/221 B")
    }

    @Test func anEstablishedGroupReadsBack() async throws {
        let group = try await establish(
            "WG.4", "Working Group on Trafficking in Persons", by: "decision 4/4",
            on: "2008-10-17")
        let expected = WorkingGroup(
            body: "CTOC/COP", code: "WG.4", name: "Working Group on Trafficking in Persons",
            mandate: "To advise and assist the Conference.", kind: .interim,
            establishedBy: DecisionCitation(kind: .decision, session: 4, serial: 4), establishedOn: day("2008-10-17"))
        #expect(group == expected)
        #expect(group.status == .active)
        #expect(group.symbolPrefix == "CTOC/COP/WG.4")
        #expect(try await conference.groups.get(body: "CTOC/COP", code: "WG.4") == expected)
        // The reference is recorded although no decision 4/4 has been entered anywhere.
        let audit = try conference.audit("wg")
        #expect(audit.map(\.operation) == ["establish"])
        #expect(audit[0].entityID == "CTOC/COP/WG.4")
    }

    @Test func fieldsAndCodesAreChecked() async throws {
        _ = try await establish("WG.2", "Technical assistance")
        await refused(.conflict, "code: CTOC/COP already has a working group WG.2") {
            try await establish("WG.2", "Another")
        }
        _ = try await establish("WG.2", "Another body's group", body: "CAC/COSP")
        await refused(.badArgument, "code: must be a subsidiary-body code") { try await establish("WG2", "x") }
        await refused(.badArgument, "name: must not be blank") { try await establish("WG.3", "  ") }
        await refused(.notFound, "body XYZ") { try await establish("WG.3", "x", body: "XYZ") }
        await refused(.notFound, "code: CTOC/COP has no working group WG.9") {
            try await conference.groups.get(body: "CTOC/COP", code: "WG.9")
        }
        let connection = try conference.connection()
        databaseRefuses(
            connection,
            "INSERT INTO working_groups (body_id, code, name, established_by) "
                + "VALUES ($1, 'WG.5', 'x', 'decision four')",
            [try bodyID(connection)], sqlState: "23514", constraint: "working_groups_established_by_format")
        databaseRefuses(
            connection, "INSERT INTO working_groups (body_id, code, name) VALUES ($1, 'wg5', 'x')",
            [try bodyID(connection)], sqlState: "23514", constraint: "working_groups_code_format")
        databaseRefuses(connection, "DELETE FROM working_groups", sqlState: "PL551", constraint: "working_groups_kept")
    }

    @Test func renamesAreKeptAsHistoryWithTheirInstruments() async throws {
        _ = try await establish(
            "WG.2", "Open-ended Interim Working Group of Government Experts on Technical Assistance",
            by: "decision 2/6")
        let renamed = try await conference.groups.rename(
            body: "CTOC/COP", code: "WG.2", to: "Working Group of Government Experts on Technical Assistance",
            by: DecisionCitation(kind: .decision, session: 3, serial: 4), on: day("2006-10-18"),
            actor: Conference.clerk)
        #expect(renamed.name == "Working Group of Government Experts on Technical Assistance")
        _ = try await conference.groups.rename(
            body: "CTOC/COP", code: "WG.2", to: "Working Group on Technical Assistance", actor: Conference.clerk)
        let history = try await conference.groups.renames(body: "CTOC/COP", code: "WG.2")
        #expect(
            history == [
                WorkingGroupRename(
                    oldName: "Open-ended Interim Working Group of Government Experts on Technical Assistance",
                    newName: "Working Group of Government Experts on Technical Assistance",
                    by: DecisionCitation(kind: .decision, session: 3, serial: 4), on: day("2006-10-18")),
                WorkingGroupRename(
                    oldName: "Working Group of Government Experts on Technical Assistance",
                    newName: "Working Group on Technical Assistance"),
            ])
        await refused(.conflict, "name: CTOC/COP/WG.2 is already called so") {
            try await conference.groups.rename(
                body: "CTOC/COP", code: "WG.2", to: "Working Group on Technical Assistance", actor: Conference.clerk)
        }
        // The database keeps the history whoever writes: no silent renames, no rewriting of the record.
        let connection = try conference.connection()
        databaseRefuses(
            connection, "UPDATE working_groups SET name = 'Quietly renamed'", sqlState: "PL551",
            constraint: "working_groups_rename_history")
        databaseRefuses(
            connection, "UPDATE working_group_renames SET new_name = 'Rewritten'", sqlState: "PL551",
            constraint: "working_group_renames_kept")
        databaseRefuses(
            connection, "DELETE FROM working_group_renames", sqlState: "PL551", constraint: "working_group_renames_kept"
        )
        let trail = try conference.audit("wg")
        #expect(trail.map(\.operation) == ["establish", "rename", "rename"])
        #expect(trail[1].after?.contains("\"by\": \"decision 3/4\"") == true)
    }

    @Test func dissolutionIsFinalAndKept() async throws {
        _ = try await establish("WG.2", "Technical assistance", by: "decision 2/6", on: "2005-10-21")
        _ = try await establish("WG.4", "Trafficking in persons", by: "decision 4/4", on: "2008-10-17")
        await refused(.badArgument, "date: must not be before the group was established, on 2005-10-21") {
            try await conference.groups.dissolve(
                body: "CTOC/COP", code: "WG.2", on: day("2004-01-01"), actor: Conference.clerk)
        }
        // Without a date, today by the suite's clock.
        let dissolved = try await conference.groups.dissolve(
            body: "CTOC/COP", code: "WG.2", by: DecisionCitation(kind: .resolution, session: 6, serial: 1),
            actor: Conference.clerk)
        #expect(dissolved.dissolvedOn == day("2012-06-30"))
        #expect(dissolved.dissolvedBy?.description == "resolution 6/1")
        #expect(dissolved.status == .dissolved)
        await refused(.conflict, "code: CTOC/COP/WG.2 was already dissolved on 2012-06-30") {
            try await conference.groups.dissolve(body: "CTOC/COP", code: "WG.2", actor: Conference.clerk)
        }
        await refused(.conflict, "code: CTOC/COP/WG.2 was dissolved on 2012-06-30; a dissolved group is not renamed") {
            try await conference.groups.rename(body: "CTOC/COP", code: "WG.2", to: "New", actor: Conference.clerk)
        }
        databaseRefuses(
            try conference.connection(), "UPDATE working_groups SET dissolved_on = NULL WHERE code = 'WG.2'",
            sqlState: "PL551", constraint: "working_groups_dissolved")
        #expect(try await conference.groups.list(body: "CTOC/COP").map(\.code) == ["WG.2", "WG.4"])
        #expect(try await conference.groups.list(body: "CTOC/COP", status: .active).map(\.code) == ["WG.4"])
        #expect(try await conference.groups.list(body: "CTOC/COP", status: .dissolved).map(\.code) == ["WG.2"])
        #expect(try conference.audit("wg").last?.operation == "dissolve")
    }

    @Test func groupsListInCodeOrder() async throws {
        for code in ["WG.10", "WG.2", "AC.1", "WG.7"] { _ = try await establish(code, "Group \(code)") }
        #expect(try await conference.groups.list(body: "CTOC/COP").map(\.code) == ["AC.1", "WG.2", "WG.7", "WG.10"])
        #expect(try await conference.groups.list(body: "CAC/COSP").isEmpty)
    }
}
