import Foundation
import PlenaryTestSupport
import Postgres
import Testing

/// The session, agenda, working-group, meeting, calendar and audit commands, run through the real `plenary` binary
/// as an operator would, with the contract's exit codes: 0 done, 1 refused (5xx).
@Suite("plenary session, agenda, wg, meeting, calendar and audit commands")
struct SessionCommandTests: OperatorSuite {
    let database: String

    init() throws {
        database = try Self.conferenceDatabase()
    }

    @Test func sessionCommands() throws {
        let scheduled = try ok(
            "session", "schedule", "body=CTOC/COP", "number=4", "start=2008-10-08", "end=2008-10-17",
            "venue=Vienna, Austria", "title=Fourth session")
        #expect(
            scheduled == """
                201-session body=CTOC/COP number=4 kind=regular venue="Vienna, Austria" start=2008-10-08 \
                end=2008-10-17 status=scheduled format=in-person timezone=Europe/Vienna title="Fourth session"
                201 OK body=CTOC/COP number=4 status=scheduled

                """)
        #expect(
            try refused(
                "session", "schedule", "body=CTOC/COP", "number=5", "start=2008-10-08", "end=2008-10-07",
                "venue=Vienna")
                == "504 BAD_ARGUMENT end: must not be before start=2008-10-08\n")
        #expect(
            try refused(
                "session", "schedule", "body=CTOC/COP", "number=5", "start=2008-10-17", "end=2008-10-20",
                "venue=Vienna")
                == "551 CONFLICT start: session 5 of CTOC/COP (2008-10-17 to 2008-10-20) would overlap session 4 "
                + "(2008-10-08 to 2008-10-17, scheduled)\n")
        #expect(
            try refused(
                "session", "schedule", "body=CTOC/COP", "number=5", "start=2010-10-18", "end=2010-10-22",
                "venue=Vienna", "kind=ordinary"
            ).hasPrefix("504 BAD_ARGUMENT kind: must be one of regular|special|resumed"))
        #expect(try refused("session", "get", "body=NOPE", "number=4").hasPrefix("550 NOT_FOUND body NOPE"))
        #expect(try refused("session", "get", "body=CTOC/COP", "number=9").hasPrefix("550 NOT_FOUND number:"))

        try ok(
            "session", "schedule", "body=CTOC/COP", "number=5", "start=2010-10-18", "end=2010-10-22",
            "venue=Vienna", "format=hybrid")
        try ok(
            "session", "schedule", "body=CTOC/COP", "number=4", "kind=resumed", "start=2009-02-02",
            "end=2009-02-03", "venue=Vienna")
        let parts = try ok("session", "get", "body=CTOC/COP", "number=4")
        #expect(parts.contains("number=4 kind=regular"))
        #expect(parts.contains("number=4 part=2 kind=resumed"))
        #expect(parts.hasSuffix("200 OK count=2\n"))
        #expect(try ok("session", "get", "body=CTOC/COP", "number=4", "part=2").hasSuffix("200 OK count=1\n"))

        try ok("session", "open", "body=CTOC/COP", "number=4", "part=1")
        #expect(
            try refused("session", "open", "body=CTOC/COP", "number=4", "part=1")
                == "551 CONFLICT status: session 4 of CTOC/COP is open; only a scheduled session can open\n")
        // Closing says how many drafts are left pending (issue 17): none here.
        #expect(
            try ok("session", "close", "body=CTOC/COP", "number=4", "part=1")
                .hasSuffix("status=closed pending-drafts=0\n"))
        #expect(
            try refused("session", "reschedule", "body=CTOC/COP", "number=4", "part=1", "venue=Geneva")
                .hasPrefix("551 CONFLICT status: session 4 of CTOC/COP is closed; closed and cancelled sessions"))
        let postponed = try ok("session", "postpone", "body=CTOC/COP", "number=5", "reason=Pandemic")
        #expect(postponed.contains("status=postponed format=hybrid timezone=Europe/Vienna reason=Pandemic"))
        let rescheduled = try ok(
            "session", "reschedule", "body=CTOC/COP", "number=5", "start=2010-11-15", "end=2010-11-19")
        #expect(rescheduled.hasSuffix("200 OK body=CTOC/COP number=5 status=scheduled\n"))
        try ok("session", "cancel", "body=CTOC/COP", "number=4", "reason=Not needed")
        let listed = try ok("session", "list", "body=CTOC/COP", "status=cancelled")
        #expect(listed.contains("number=4 part=2 kind=resumed") && listed.hasSuffix("200 OK count=1\n"))
        #expect(try ok("session", "list", "body=CTOC/COP", "from=2010-01-01").contains("number=5"))
    }

    @Test func agendaCommands() throws {
        try ok(
            "session", "schedule", "body=CTOC/COP", "number=4", "start=2008-10-08", "end=2008-10-17",
            "venue=Vienna")
        #expect(
            try ok("agenda", "add", "body=CTOC/COP", "session=4", "item=1", "title=Opening of the session")
                .hasSuffix("201 OK item=1\n"))
        try ok("agenda", "add", "body=CTOC/COP", "session=4", "item=4", "title=Trafficking in persons")
        try ok("agenda", "add", "body=CTOC/COP", "session=4", "item=a", "parent=4", "title=Review")
        #expect(
            try refused("agenda", "add", "body=CTOC/COP", "session=4", "item=4x", "title=Bad")
                .hasPrefix("504 BAD_ARGUMENT item: must be an agenda item such as 4 or 4(a)"))
        #expect(
            try refused("agenda", "adopt", "body=CTOC/COP", "session=4", "date=2008-10-08")
                .hasPrefix("551 CONFLICT session: session 4 of CTOC/COP is scheduled"))
        try ok("session", "open", "body=CTOC/COP", "number=4")
        #expect(
            try ok("agenda", "adopt", "body=CTOC/COP", "session=4", "date=2008-10-08")
                == "200 OK body=CTOC/COP session=4 agenda=adopted adopted=2008-10-08 items=3\n")
        #expect(
            try refused("agenda", "add", "body=CTOC/COP", "session=4", "item=5", "title=Late")
                .hasPrefix("551 CONFLICT item: the agenda of session 4 of CTOC/COP was adopted on 2008-10-08"))
        #expect(
            try ok(
                "agenda", "amend", "body=CTOC/COP", "session=4", "item=5", "title=Other matters",
                "reason=Oral amendment")
                == "200-agenda-item body=CTOC/COP session=4 item=5 title=\"Other matters\" amended=true\n"
                + "200 OK item=5\n"
        )
        #expect(
            try ok("agenda", "list", "body=CTOC/COP", "session=4")
                == """
                200-agenda-item body=CTOC/COP session=4 item=1 title="Opening of the session" amended=false
                200-agenda-item body=CTOC/COP session=4 item=4 title="Trafficking in persons" amended=false
                200-agenda-item body=CTOC/COP session=4 item=4(a) parent=4 title=Review amended=false
                200-agenda-item body=CTOC/COP session=4 item=5 title="Other matters" amended=true
                200 OK count=4 body=CTOC/COP session=4 agenda=adopted adopted=2008-10-08

                """)
    }

    @Test func workingGroupAndMeetingCommands() throws {
        try ok(
            "session", "schedule", "body=CTOC/COP", "number=4", "start=2008-10-08", "end=2008-10-17",
            "venue=Vienna")
        #expect(
            try ok(
                "wg", "establish", "body=CTOC/COP", "code=WG.2",
                "name=Open-ended Interim Working Group of Government Experts on Technical Assistance",
                "by=decision 2/6", "kind=interim"
            )
            .hasSuffix("201 OK body=CTOC/COP wg=WG.2\n"))
        #expect(
            try refused("wg", "establish", "body=CTOC/COP", "code=WG.2", "name=Again")
                == "551 CONFLICT code: CTOC/COP already has a working group WG.2\n")
        #expect(
            try refused("wg", "establish", "body=CTOC/COP", "code=WG.5", "name=X", "by=decision four")
                .hasPrefix("504 BAD_ARGUMENT by: must be a reference such as \"decision 4/4\""))
        try ok(
            "wg", "rename", "body=CTOC/COP", "code=WG.2",
            "name=Working Group of Government Experts on Technical Assistance", "by=decision 3/4")
        #expect(
            try ok("wg", "get", "body=CTOC/COP", "code=WG.2")
                == """
                200-wg body=CTOC/COP code=WG.2 name="Working Group of Government Experts on Technical Assistance" \
                kind=interim status=active by="decision 2/6"
                200-rename body=CTOC/COP code=WG.2 \
                from="Open-ended Interim Working Group of Government Experts on Technical Assistance" \
                to="Working Group of Government Experts on Technical Assistance" by="decision 3/4"
                200 OK count=2

                """)

        #expect(
            try ok(
                "meeting", "schedule", "body=CTOC/COP", "wg=WG.2", "start=2007-10-03", "end=2007-10-05",
                "venue=Vienna, Austria"
            )
            .hasSuffix("201 OK body=CTOC/COP wg=WG.2 number=1 status=held\n"), "its days have passed: held")
        #expect(
            try refused(
                "meeting", "schedule", "body=CTOC/COP", "wg=WG.2", "start=2008-10-09", "end=2008-10-10",
                "venue=Vienna"
            ).hasPrefix(
                "551 CONFLICT start: meeting 2 of CTOC/COP/WG.2 (2008-10-09 to 2008-10-10) "
                    + "would overlap session 4 of CTOC/COP"))
        #expect(
            try ok(
                "meeting", "schedule", "body=CTOC/COP", "wg=WG.2", "start=2008-10-09", "end=2008-10-10",
                "venue=Vienna", "with-session=4"
            ).contains("with-session=4"))
        try ok("meeting", "reschedule", "body=CTOC/COP", "wg=WG.2", "number=2", "venue=Vienna International Centre")
        #expect(
            try ok("meeting", "get", "body=CTOC/COP", "wg=WG.2", "number=2").contains("Vienna International Centre"))
        #expect(
            try ok("meeting", "cancel", "body=CTOC/COP", "wg=WG.2", "number=2", "reason=Merged").contains(
                "status=cancelled"))
        #expect(try refused("meeting", "cancel", "body=CTOC/COP", "wg=WG.2", "number=2").hasPrefix("551 CONFLICT"))
        #expect(try ok("meeting", "list", "body=CTOC/COP", "wg=WG.2").hasSuffix("200 OK count=2\n"))
        #expect(try refused("meeting", "list", "body=CTOC/COP", "wg=WG.9").hasPrefix("550 NOT_FOUND wg:"))

        #expect(
            try ok("wg", "dissolve", "body=CTOC/COP", "code=WG.2", "by=resolution 5/1", "date=2010-10-22")
                .contains("status=dissolved"))
        #expect(try ok("wg", "list", "body=CTOC/COP", "status=active") == "200 OK count=0\n")
        #expect(try ok("wg", "list", "body=CTOC/COP", "status=dissolved").contains("dissolved-by=\"resolution 5/1\""))
        #expect(
            try refused("wg", "rename", "body=CTOC/COP", "code=WG.2", "name=Revived")
                .hasPrefix("551 CONFLICT code: CTOC/COP/WG.2 was dissolved on 2010-10-22"))
    }

    @Test func calendarCommand() throws {
        try ok(
            "session", "schedule", "body=CTOC/COP", "number=3", "start=2006-10-09", "end=2006-10-18",
            "venue=Vienna")
        try ok(
            "session", "schedule", "body=CTOC/COP", "number=4", "start=2008-10-08", "end=2008-10-17",
            "venue=Vienna")
        try ok("wg", "establish", "body=CTOC/COP", "code=WG.2", "name=Technical assistance")
        try ok(
            "meeting", "schedule", "body=CTOC/COP", "wg=WG.2", "start=2007-10-03", "end=2007-10-05",
            "venue=Vienna")
        #expect(
            try ok("calendar", "body=CTOC/COP", "upcoming=true", "today=2007-01-01")
                == """
                200-meeting body=CTOC/COP wg=WG.2 number=1 start=2007-10-03 end=2007-10-05 venue=Vienna \
                status=held title="Technical assistance" uid=meeting-CTOC-COP-WG.2-1@plenary
                200-session body=CTOC/COP number=4 start=2008-10-08 end=2008-10-17 venue=Vienna status=scheduled \
                uid=session-CTOC-COP-4@plenary
                200 OK count=2 from=2007-01-01

                """)
        // format=ics prints the calendar itself, as --format ics does; the protocol's lines are for --format text.
        let ics = try ok("calendar", "body=CTOC/COP", "format=ics")
        #expect(ics.hasPrefix("BEGIN:VCALENDAR\r\n"))
        #expect(ics.hasSuffix("END:VCALENDAR\r\n"))
        #expect(ics.components(separatedBy: "BEGIN:VEVENT").count == 4, "three events")
        let lines = try ok("--format", "text", "calendar", "body=CTOC/COP", "format=ics")
        #expect(lines.hasPrefix("200-ics line=BEGIN:VCALENDAR\n"))
        #expect(
            lines.hasSuffix(
                "200-ics line=END:VCALENDAR\n"
                    + "200 OK count=\(lines.split(separator: "\n").count - 1) format=ics events=3\n"
            ))
        #expect(try refused("calendar", "body=CTOC/COP", "format=pdf").hasPrefix("504 BAD_ARGUMENT format:"))
        #expect(try refused("calendar", "body=NOPE").hasPrefix("550 NOT_FOUND"))
    }

    @Test func auditVerifiesAfterASeriesOfChangesAndNamesAnAlteredRow() throws {
        try ok(
            "session", "schedule", "body=CTOC/COP", "number=4", "start=2008-10-08", "end=2008-10-17",
            "venue=Vienna")
        try ok("session", "open", "body=CTOC/COP", "number=4")
        try ok("agenda", "add", "body=CTOC/COP", "session=4", "item=1", "title=Opening")
        try ok("agenda", "adopt", "body=CTOC/COP", "session=4", "date=2008-10-08")
        try ok("agenda", "amend", "body=CTOC/COP", "session=4", "item=2", "title=Elections")
        try ok("wg", "establish", "body=CTOC/COP", "code=WG.4", "name=Trafficking in persons", "by=decision 4/4")
        try ok("wg", "rename", "body=CTOC/COP", "code=WG.4", "name=Working Group on Trafficking in Persons")
        try ok(
            "meeting", "schedule", "body=CTOC/COP", "wg=WG.4", "start=2009-04-14", "end=2009-04-15",
            "venue=Vienna")
        try ok("meeting", "cancel", "body=CTOC/COP", "wg=WG.4", "number=1")
        try ok("session", "close", "body=CTOC/COP", "number=4")
        try refused("session", "close", "body=CTOC/COP", "number=4")

        let listed = try ok("audit", "list", "entity=session")
        #expect(
            listed.components(separatedBy: "\n").filter { $0.hasPrefix("200-audit") }.map {
                $0.components(separatedBy: " operation=")[1].components(separatedBy: " ")[0]
            } == ["close", "open", "schedule"])
        #expect(try ok("audit", "list", "entity=agenda:CTOC/COP/4").contains("operation=amend"))
        #expect(try ok("audit", "verify") == "200 OK intact=true rows=11 unsealed=0\n")

        // A superuser edits a row by hand; the chain gives it away, naming the row.
        let connection = try Connection(conninfo: database)
        try connection.simpleQuery(
            """
            ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
            UPDATE audit_log SET after = jsonb_set(after, '{venue}', '"Geneva"') WHERE seq = 2;
            ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update;
            """)
        #expect(
            try refused("audit", "verify")
                == "551 CONFLICT audit: chain broken at seq=2: row 2 was altered: its content no longer matches its "
                + "hash\n")
    }

    @Test func helpListsEveryCommandOfTheGroups() throws {
        let help = try ok("help")
        for command in [
            "session schedule", "session get", "session list", "session reschedule", "session open", "session close",
            "session cancel", "session postpone", "agenda add", "agenda list", "agenda adopt", "agenda amend",
            "wg establish", "wg get", "wg list", "wg rename", "wg dissolve", "meeting schedule", "meeting get",
            "meeting list", "meeting reschedule", "meeting cancel", "calendar",
        ] {
            #expect(help.contains("  \(command) "), "help does not list \(command)")
        }
        let schedule = try ok("help", "session", "schedule")
        #expect(schedule.contains("role:  secretariat"))
        #expect(try ok("help", "calendar").contains("role:  observer"))
    }

    @Test func theSameCommandsRunOverTCPWithRolesChecked() throws {
        let created = try PlenaryProcess.run(
            ["token", "create", "name=reader", "role=observer"], databaseURL: database)
        let secret = try #require(
            created.stdout.split(separator: " ").first { $0.hasPrefix("token=") }?.dropFirst(6)
        ).trimmingCharacters(in: .whitespacesAndNewlines)
        try ok(
            "session", "schedule", "body=CTOC/COP", "number=4", "start=2008-10-08", "end=2008-10-17",
            "venue=Vienna, Austria")
        let server = try ServerProcess(databaseURL: database)
        defer { server.stop() }
        let client = try LineClient(port: server.port)
        _ = client.readLine()
        #expect(client.command("auth token=\(secret)") == ["200 OK name=reader role=observer"])
        #expect(client.command("session list body=CTOC/COP").last == "200 OK count=1")
        #expect(
            client.command(#"session schedule body=CTOC/COP number=5 start=2010-10-18 end=2010-10-22 venue="Vienna""#)
                .first?.hasPrefix("530 FORBIDDEN") == true)
        let calendar = client.command("calendar body=CTOC/COP format=ics")
        #expect(calendar.first == "200-ics line=BEGIN:VCALENDAR")
        #expect(calendar.contains(#"200-ics line="LOCATION:Vienna\\, Austria""#))
    }
}
