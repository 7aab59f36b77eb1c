import Bodies
import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Sessions
import Storage
import Testing
import WorkingGroups

@Suite("The public record of CTOC/COP sessions 1-4")
struct FixtureTests {
    let conference: Conference
    let record: ConferenceRecord

    init() async throws {
        conference = try await Conference(bodies: [])
        record = try ConferenceRecord.load()
    }

    @Test func theRecordLoadsThroughTheServicesAndReadsBackExactly() async throws {
        let clerk = Conference.clerk
        let facts = record.body
        let body = Body(code: facts.code, name: facts.name, treaty: facts.treaty, timeZone: facts.timezone)
        _ = try await BodyRegistry(database: conference.database).add(body, by: Actor(name: "admin", role: .admin))

        // Sessions 1-4, each held and over.
        for session in record.sessions {
            try await conference.sessions.schedule(
                SessionPlan(
                    number: session.number, title: session.title, venue: session.venue, start: day(session.start),
                    end: day(session.end)),
                body: facts.code, by: clerk)
            try await conference.sessions.open(body: facts.code, number: session.number, by: clerk)
            try await conference.sessions.close(body: facts.code, number: session.number, by: clerk)
        }

        // The working groups whose symbol prefix the sources show. The record gives none for the Working Group on
        // International Cooperation (and warns against assuming WG.3), so it cannot be entered under a code yet.
        let withCode = record.workingGroups.filter { $0.symbolPrefix != nil }
        #expect(
            record.workingGroups.filter { $0.symbolPrefix == nil }.map(\.name) == [
                "Working Group on International Cooperation"
            ])
        var codes: [String: String] = [:]
        for group in withCode {
            let code = String(group.symbolPrefix!.dropFirst(facts.code.count + 1))
            codes[group.name] = code
            let names = group.names
            _ = try await conference.groups.establish(
                WorkingGroupCharter(
                    // The record calls WG.2 interim and is silent on WG.4: both take the default, interim.
                    code: code, name: names.first, kind: .interim,
                    establishedBy: try DecisionCitation.parse(group.establishedBy, key: "by")),
                body: facts.code, by: clerk)
            if let later = names.later {
                _ = try await conference.groups.rename(body: facts.code, code: code, to: later, actor: clerk)
            }
        }
        for meeting in record.wgMeetings {
            let code = try #require(codes[meeting.workingGroup])
            try await conference.meetings.schedule(
                MeetingPlan(start: day(meeting.start), end: day(meeting.end), venue: meeting.venue), body: facts.code,
                workingGroup: code, by: clerk)
        }

        // Read back.
        #expect(try await BodyRegistry(database: conference.database).get(code: "CTOC/COP") == body)
        let sessions = try await conference.sessions.list(body: "CTOC/COP")
        #expect(
            sessions
                == record.sessions.map {
                    Session(
                        body: "CTOC/COP", number: $0.number, title: $0.title, venue: $0.venue,
                        timeZone: "Europe/Vienna",
                        start: day($0.start), end: day($0.end), status: .closed)
                })
        #expect(
            sessions.map { "\($0.start)…\($0.end)" } == [
                "2004-06-28…2004-07-08", "2005-10-10…2005-10-21", "2006-10-09…2006-10-18", "2008-10-08…2008-10-17",
            ])

        let groups = try await conference.groups.list(body: "CTOC/COP")
        #expect(
            groups == [
                WorkingGroup(
                    body: "CTOC/COP", code: "WG.2", name: "Working Group of Government Experts on Technical Assistance",
                    kind: .interim, establishedBy: DecisionCitation(kind: .decision, session: 2, serial: 6)),
                WorkingGroup(
                    body: "CTOC/COP", code: "WG.4", name: "Working Group on Trafficking in Persons", kind: .interim,
                    establishedBy: DecisionCitation(kind: .decision, session: 4, serial: 4)),
            ])
        #expect(
            try await conference.groups.renames(body: "CTOC/COP", code: "WG.2") == [
                WorkingGroupRename(
                    oldName: "Open-ended Interim Working Group of Government Experts on Technical Assistance",
                    newName: "Working Group of Government Experts on Technical Assistance")
            ])
        #expect(
            try await conference.meetings.list(body: "CTOC/COP") == [
                Meeting(
                    body: "CTOC/COP", workingGroup: "WG.2", number: 1, start: day("2007-10-03"), end: day("2007-10-05"),
                    venue: "Vienna, Austria", timeZone: "Europe/Vienna", status: .held)
            ])

        let calendar = try await conference.calendar.calendar(body: "CTOC/COP")
        #expect(
            calendar.entries.map(\.uid) == [
                "session-CTOC-COP-1@plenary", "session-CTOC-COP-2@plenary", "session-CTOC-COP-3@plenary",
                "meeting-CTOC-COP-WG.2-1@plenary", "session-CTOC-COP-4@plenary",
            ])
        #expect(
            try AuditLog.verify(try AuditChain.sealed(try conference.connection()))
                == .intact(rows: 1 + 4 * 3 + 2 + 1 + 1))
    }
}
