import Decisions
import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Sessions
import Storage
import Testing

/// Drafts are tabled, edited and withdrawn freely; adoption happens at an open session, or is recorded afterwards
/// with a day of the session.
@Suite("Decisions: drafts and adoption")
struct AdoptionTests {
    let conference: Conference

    init() async throws {
        conference = try await Conference(bodies: ["CTOC/COP", "CAC/COSP"], today: day("2010-10-20"))
        try await conference.session(4, "2008-10-08", "2008-10-17")
        try await conference.session(5, "2010-10-18", "2010-10-22", status: .open)
        try await conference.session(6, "2012-10-15", "2012-10-19", status: .scheduled)
        try await conference.session(2, "2007-12-10", "2007-12-14", body: "CAC/COSP")
    }

    /// Item 4 (a) of session 5 and its L documents: a draft's references must exist (Schema/0013).
    func referencesOfSession5() throws {
        let connection = try conference.connection()
        try connection.simpleQuery(
            """
            INSERT INTO agenda_items (session_id, item, sub, title)
            SELECT s.id, 4, x.sub, x.title FROM sessions s JOIN bodies b ON b.id = s.body_id,
                 (VALUES ('', 'Trafficking'), ('a', 'Review')) AS x (sub, title)
            WHERE b.code = 'CTOC/COP' AND s.number = 5;
            INSERT INTO documents (body_id, symbol, sort_key, session_id, series, issuer, period, serial, doc_type,
                                   distribution, title)
            SELECT b.id, 'CTOC/COP/2010/L.5', 'l5', s.id, 'L', 'CTOC/COP', '2010', 5, 'limited', 'limited', 'Draft'
            FROM sessions s JOIN bodies b ON b.id = s.body_id WHERE b.code = 'CTOC/COP' AND s.number = 5;
            INSERT INTO documents (body_id, symbol, sort_key, session_id, issuer, period, doc_type, distribution,
                                   title, parent_id, relation, relation_number)
            SELECT d.body_id, 'CTOC/COP/2010/L.5/Rev.1', 'l5r1', d.session_id, 'CTOC/COP', '2010', 'limited',
                   'limited', 'Draft', d.id, 'revision', 1
            FROM documents d WHERE d.symbol = 'CTOC/COP/2010/L.5';
            """)
    }

    @Test func aDraftIsTabledEditedAndReadBack() async throws {
        try referencesOfSession5()
        let draft = try await conference.decisions.draft(
            DecisionDraft(
                kind: .resolution, session: 5, title: "Trafficking in persons", text: "The Conference …",
                agendaItem: "4(a)", document: "CTOC/COP/2010/L.5"),
            body: "CTOC/COP", by: Conference.clerk)
        #expect(draft.stage == .draft)
        #expect(draft.status == .draft)
        #expect(draft.number == nil)
        #expect(draft.agendaItem == "4 (a)")
        #expect(draft.label == "draft \(draft.id) (resolution, session 5 of CTOC/COP)")

        let edited = try await conference.decisions.edit(
            id: draft.id,
            change: DraftChange(title: "Trafficking in persons (revised)", document: "CTOC/COP/2010/L.5/Rev.1"),
            by: Conference.clerk)
        #expect(edited.title == "Trafficking in persons (revised)")
        #expect(edited.text == "The Conference …")
        #expect(edited.document == "CTOC/COP/2010/L.5/Rev.1")
        #expect(try await conference.decisions.get(id: draft.id) == edited)
        let audit = try conference.audit("decision")
        #expect(audit.map(\.operation) == ["draft", "edit"])
        #expect(audit.map(\.entityID) == ["CTOC/COP/draft/\(draft.id)", "CTOC/COP/draft/\(draft.id)"])
        #expect(audit[1].before?.contains("Trafficking in persons\"") == true)
    }

    @Test func aWithdrawnDraftStaysOnRecordAndChangesNoMore() async throws {
        let draft = try await conference.draft("To be withdrawn", session: 5)
        let withdrawn = try await conference.decisions.withdraw(
            id: draft.id, reason: "Merged into L.6", by: Conference.clerk)
        #expect(withdrawn.stage == .withdrawn)
        #expect(withdrawn.withdrawnReason == "Merged into L.6")
        await refused(.conflict, "was withdrawn", "a withdrawn draft is not adopted") {
            try await conference.decisions.adopt(id: draft.id, by: Conference.clerk)
        }
        await refused(.conflict, "was withdrawn") {
            try await conference.decisions.edit(id: draft.id, change: DraftChange(title: "Back"), by: Conference.clerk)
        }
        await refused(.conflict, "a draft is withdrawn once") {
            try await conference.decisions.withdraw(id: draft.id, by: Conference.clerk)
        }
        await refused(.notFound, "id: there is no draft or decision 999999") {
            try await conference.decisions.withdraw(id: 999_999, by: Conference.clerk)
        }
        #expect(try await conference.decisions.get(id: draft.id).stage == .withdrawn)
        #expect(try conference.audit("decision").map(\.operation) == ["draft", "withdraw"])
    }

    @Test func adoptionWithoutADateNeedsAnOpenSessionSittingToday() async throws {
        // Session 5 is open and sits today: adopted today.
        let open = try await conference.draft("At the open session", session: 5)
        let adopted = try await conference.decisions.adopt(id: open.id, by: Conference.clerk)
        #expect(adopted.number == number("5/1"))
        #expect(adopted.adoptedOn == day("2010-10-20"))
        #expect(adopted.status == .inForce)
        // Session 4 is closed, session 6 only scheduled: refused without a date.
        let closed = try await conference.draft("At the closed session", session: 4)
        await refused(.conflict, "session: session 4 of CTOC/COP is closed", "give date=") {
            try await conference.decisions.adopt(id: closed.id, by: Conference.clerk)
        }
        let scheduled = try await conference.draft("At the scheduled session", session: 6)
        await refused(.conflict, "session: session 6 of CTOC/COP is scheduled") {
            try await conference.decisions.adopt(id: scheduled.id, by: Conference.clerk)
        }
        // Adopting twice is refused, naming the number it already has.
        await refused(.conflict, "already adopted, as decision 5/1 of CTOC/COP") {
            try await conference.decisions.adopt(id: open.id, by: Conference.clerk)
        }
        #expect(try await conference.decisions.get(id: closed.id).stage == .draft)
    }

    @Test func anAdoptionIsRecordedAfterwardsWithADayOfTheSession() async throws {
        let draft = try await conference.draft("Recorded afterwards", session: 4)
        await refused(.conflict, "date: 2008-10-20 is not a day of session 4 of CTOC/COP (2008-10-08 to 2008-10-17)") {
            try await conference.decisions.adopt(id: draft.id, on: day("2008-10-20"), by: Conference.clerk)
        }
        await refused(.conflict, "date: 2008-10-07 is not a day of session 4") {
            try await conference.decisions.adopt(id: draft.id, on: day("2008-10-07"), by: Conference.clerk)
        }
        // Within the session's dates, but the session has not met yet.
        let future = try await conference.draft("Too early", session: 6)
        await refused(.badArgument, "date: must not be after today (2010-10-20)") {
            try await conference.decisions.adopt(id: future.id, on: day("2012-10-16"), by: Conference.clerk)
        }
        #expect(try conference.audit("decision").map(\.operation) == ["draft", "draft"])

        let adopted = try await conference.decisions.adopt(id: draft.id, on: day("2008-10-17"), by: Conference.clerk)
        #expect(adopted.number == number("4/1"))
        #expect(adopted.adoptedOn == day("2008-10-17"))
        #expect(adopted.label == "decision 4/1 of CTOC/COP")
        let audit = try conference.audit("decision").last!
        #expect(audit.operation == "adopt")
        #expect(audit.entityID == "CTOC/COP/decision/4/1")
        #expect(audit.before?.contains("\"stage\": \"draft\"") == true)
        #expect(audit.after?.contains("\"number\": \"4/1\"") == true)
    }

    @Test func theDatabaseHoldsTheSessionRulesForAdoptionWhoeverWrites() async throws {
        let scheduled = try await conference.draft("At the scheduled session", session: 6)
        let closed = try await conference.draft("At the closed session", session: 4)
        let connection = try conference.connection()
        let adopt = "UPDATE decisions SET stage = 'adopted', adopted_on = $2 WHERE id = $1"
        let early = databaseRefuses(
            connection, adopt, [scheduled.id, "2012-10-16"], sqlState: "PL551", constraint: "decisions_session_status")
        #expect(early?.message.contains("session 6 of CTOC/COP is scheduled") == true)
        let outside = databaseRefuses(
            connection, adopt, [closed.id, "2008-10-18"], sqlState: "PL551", constraint: "decisions_adoption_date")
        #expect(outside?.message == "date: 2008-10-18 is not a day of session 4 of CTOC/COP (2008-10-08 to 2008-10-17)")
        // A writer cannot choose the number: adoption takes the counter's.
        databaseRefuses(
            connection, "UPDATE decisions SET stage = 'adopted', adopted_on = '2008-10-17', serial = 9 WHERE id = $1",
            [closed.id], sqlState: "PL551", constraint: "decisions_number_assigned")
        // An adopted row without its date or number is refused by the CHECK.
        databaseRefuses(
            connection, "UPDATE decisions SET stage = 'adopted' WHERE id = $1", [closed.id],
            sqlState: SQLState.checkViolation, constraint: "decisions_adoption_complete")
        #expect(try conference.count("decision_counters") == 0)
    }

    @Test func badInputNamesTheFieldAndWritesNothing() async throws {
        let decisions = conference.decisions
        func draft(
            _ body: String = "CTOC/COP", session: Int = 5, title: String = "A title", text: String? = nil,
            agendaItem: String? = nil, document: String? = nil
        ) async throws -> Decision {
            try await decisions.draft(
                DecisionDraft(
                    kind: .decision, session: session, title: title, text: text, agendaItem: agendaItem,
                    document: document),
                body: body, by: Conference.clerk)
        }
        // A draft circulates as a limited-distribution document of the body.
        await refused(.badArgument, "document: must be a limited-distribution document", "CTOC/COP/2010/12") {
            try await draft(document: "CTOC/COP/2010/12")
        }
        await refused(.badArgument, "document: must be a limited-distribution document") {
            try await draft(document: "CTOC/COP/2010/CRP.1")
        }
        await refused(.badArgument, "document: CAC/COSP/2010/L.1 is not a document of CTOC/COP") {
            try await draft(document: "CAC/COSP/2010/L.1")
        }
        await refused(.badArgument, "title: must not be blank") { try await draft(title: "  ") }
        await refused(.badArgument, "text: must not be blank") { try await draft(text: "") }
        await refused(.badArgument, "agenda-item: must be an agenda item") { try await draft(agendaItem: "four") }
        await refused(.badArgument, "session: must be 1 to 9999") { try await draft(session: 0) }
        // CAC/COSP has a session 2; CTOC/COP does not.
        await refused(.notFound, "session: CTOC/COP has no session 2") { try await draft(session: 2) }
        await refused(.notFound, "body NOPE: no such body") { try await draft("NOPE") }
        await refused(.badArgument, "number: 5/1 is a number of session 5, not of session 4") {
            try await decisions.record(
                RecordedDecision(kind: .decision, number: number("5/1"), title: "T", adoptedOn: day("2008-10-17")),
                body: "CTOC/COP", session: 4, by: Conference.clerk)
        }
        await refused(.conflict, "adopted: 2008-10-20 is not a day of session 4 of CTOC/COP") {
            try await conference.record("decision 4/1", "Outside the session", on: "2008-10-20")
        }
        await refused(.badArgument, "ends: must not be before adopted=2008-10-17") {
            try await conference.record("decision 4/1", "Ends early", on: "2008-10-17", ends: "2008-10-01")
        }
        #expect(try conference.count("decisions") == 0)
        #expect(try conference.count("decision_counters") == 0)
        #expect(try conference.audit("decision").isEmpty)

        // The database refuses a non-L document whoever writes.
        let connection = try conference.connection()
        databaseRefuses(
            connection,
            """
            INSERT INTO decisions (body_id, kind, session_number, title, document)
            SELECT id, 'decision', 5, 'T', 'CTOC/COP/2010/12' FROM bodies WHERE code = 'CTOC/COP'
            """,
            sqlState: SQLState.checkViolation, constraint: "decisions_document_limited")
        databaseRefuses(
            connection,
            """
            INSERT INTO decisions (body_id, kind, session_number, title)
            SELECT id, 'decision', 2, 'T' FROM bodies WHERE code = 'CTOC/COP'
            """,
            sqlState: SQLState.foreignKeyViolation, constraint: "decisions_session_fkey")
    }

    @Test func aCancelledSessionAdoptsNothing() async throws {
        try await conference.sessions.cancel(body: "CTOC/COP", number: 6, by: Conference.clerk)
        await refused(.conflict, "session: session 6 of CTOC/COP was cancelled") {
            try await conference.draft("Never", session: 6)
        }
        #expect(try conference.count("decisions") == 0)
    }

    @Test func aResumedSessionContinuesTheNumbersOfItsSession() async throws {
        // Session 4 resumed for two days after it closed: its decisions continue 4/n, at part 2.
        try await conference.sessions.schedule(
            SessionPlan(number: 4, kind: .resumed, venue: "Vienna", start: day("2009-03-02"), end: day("2009-03-03")),
            body: "CTOC/COP", by: Conference.clerk)
        try await conference.sessions.open(body: "CTOC/COP", number: 4, part: 2, by: Conference.clerk)
        try await conference.sessions.close(body: "CTOC/COP", number: 4, part: 2, by: Conference.clerk)
        let first = try await conference.draft("At the first part", session: 4)
        let second = try await conference.draft("At the resumed part", session: 4)
        #expect(first.sessionPart == 2)
        let adoptedFirst = try await conference.decisions.adopt(
            id: first.id, on: day("2008-10-17"), by: Conference.clerk)
        let adoptedSecond = try await conference.decisions.adopt(
            id: second.id, on: day("2009-03-03"), by: Conference.clerk)
        #expect(adoptedFirst.number == number("4/1"))
        #expect(adoptedFirst.sessionPart == 1)
        #expect(adoptedSecond.number == number("4/2"))
        #expect(adoptedSecond.sessionPart == 2)
        let third = try await conference.draft("Between the parts", session: 4)
        await refused(.conflict, "2008-12-01 is not a day of session 4", "2009-03-02 to 2009-03-03") {
            try await conference.decisions.adopt(id: third.id, on: day("2008-12-01"), by: Conference.clerk)
        }
    }
}
