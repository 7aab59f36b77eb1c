import Decisions
import Documents
import Foundation
import PlenaryCore
import Postgres
import Storage
import Transfer

/// Working groups, their renames and dissolutions, and their meetings.
extension Loader {
    mutating func loadWorkingGroups(_ plan: ImportPlan, _ top: RecordPath) throws {
        let groups = plan.workingGroups
        try stage(
            "import_working_groups",
            """
            body text, code text, name text, mandate text, kind text, established_by text, established_on date,
            dissolved_on date, dissolved_by text
            """,
            groups.map { placed in
                let g = placed.record
                return [
                    g.body, g.code, g.originalName, g.mandate, g.kind, g.establishedBy, g.establishedOn, g.dissolvedOn,
                    g.dissolvedBy,
                ]
            })
        let label = { (position: Int) in "\(groups[position].record.body)/\(groups[position].record.code)" }
        try run(
            Step(
                sql: """
                    INSERT INTO working_groups (body_id, code, name, mandate, kind, established_by, established_on)
                    SELECT b.id, g.code, g.name, g.mandate, g.kind, g.established_by, g.established_on
                    FROM import_working_groups g JOIN bodies b ON b.code = g.body
                    WHERE g.ord >= $1 AND g.ord < $2 ORDER BY g.ord
                    """,
                range: 0..<groups.count,
                locate: { (top.key("working_groups").index(groups[$0].index), label($0)) }))

        // A rename applies after its statement (an AFTER trigger), so the n-th renames of all groups load together
        // and the (n+1)-th in the next statement, each finding the name the one before gave.
        var renames: [(group: Int, rename: Int)] = []
        var rounds: [Range<Int>] = []
        let deepest = groups.map(\.record.renames.count).max() ?? 0
        for round in 0..<deepest {
            let start = renames.count
            for (position, placed) in groups.enumerated() where placed.record.renames.count > round {
                renames.append((position, round))
            }
            rounds.append(start..<renames.count)
        }
        try stage(
            "import_renames", "body text, code text, old_name text, new_name text, by_reference text, renamed_on date",
            renames.map { entry in
                let group = groups[entry.group].record
                let rename = group.renames[entry.rename]
                return [group.body, group.code, rename.from, rename.to, rename.by, rename.on]
            })
        for round in rounds {
            try run(
                Step(
                    sql: """
                        INSERT INTO working_group_renames (working_group_id, old_name, new_name, by_reference,
                                                           renamed_on)
                        SELECT g.id, r.old_name, r.new_name, r.by_reference, r.renamed_on
                        FROM import_renames r JOIN bodies b ON b.code = r.body
                        JOIN working_groups g ON g.body_id = b.id AND g.code = r.code
                        WHERE r.ord >= $1 AND r.ord < $2 ORDER BY r.ord
                        """,
                    range: round,
                    locate: {
                        let entry = renames[$0]
                        return (
                            top.key("working_groups").index(groups[entry.group].index).key("renames").index(
                                entry.rename),
                            label(entry.group)
                        )
                    }))
        }

        let meetings = plan.meetings
        try stage(
            "import_meetings",
            """
            body text, wg text, number int, start_date date, end_date date, venue text, timezone text,
            with_session int, with_part int, status text, reason text, revision int
            """,
            meetings.map { placed in
                let m = placed.record
                return [
                    m.body, m.wg, "\(m.number)", m.start, m.end, m.venue, m.timezone, m.withSession.map(String.init),
                    "\(m.withSessionPart ?? 1)", m.status, m.reason, "\(m.revision)",
                ]
            })
        try run(
            Step(
                sql: """
                    INSERT INTO working_group_meetings (working_group_id, number, start_date, end_date, venue, timezone,
                                                        with_session_id, status, status_reason, revision)
                    SELECT g.id, m.number, m.start_date, m.end_date, m.venue, m.timezone, ws.id, m.status, m.reason,
                           m.revision
                    FROM import_meetings m JOIN bodies b ON b.code = m.body
                    JOIN working_groups g ON g.body_id = b.id AND g.code = m.wg
                    LEFT JOIN sessions ws ON ws.body_id = b.id AND ws.number = m.with_session AND ws.part = m.with_part
                    WHERE m.ord >= $1 AND m.ord < $2 ORDER BY m.ord
                    """,
                range: 0..<meetings.count,
                locate: { (top.key("meetings").index(meetings[$0].index), meetings[$0].record.label) }))

        // Dissolution last: a dissolved group takes no renames, and its meetings are checked against the day.
        try run(
            Step(
                sql: """
                    UPDATE working_groups g SET dissolved_on = i.dissolved_on, dissolved_by = i.dissolved_by
                    FROM import_working_groups i JOIN bodies b ON b.code = i.body
                    WHERE g.body_id = b.id AND g.code = i.code AND i.dissolved_on IS NOT NULL
                      AND i.ord >= $1 AND i.ord < $2
                    """,
                range: 0..<groups.count,
                locate: { (top.key("working_groups").index(groups[$0].index).key("dissolved_on"), label($0)) }),
            counts: false)
    }
}
