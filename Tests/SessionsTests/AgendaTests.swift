import Foundation
import PlenaryCore
import PlenaryTestSupport
import Postgres
import Sessions
import Storage
import Testing

@Suite("Agendas: items, adoption and amendment")
struct AgendaTests {
    let conference: Conference

    init() async throws {
        conference = try await Conference(today: day("2008-10-08"))
        try await conference.schedule(4, "2008-10-08", "2008-10-17")
    }

    func add(_ item: String, _ title: String, parent: String? = nil) async throws -> AgendaItem {
        try await conference.agendas.add(
            body: "CTOC/COP", session: 4, item: try AgendaItemNumber.parse(item: item, parent: parent), title: title,
            by: Conference.clerk)
    }

    @Test func itemNumbersAreReadInEveryWayTheyAreWritten() throws {
        #expect(try AgendaItemNumber.parse(item: "4") == AgendaItemNumber(item: 4))
        #expect(try AgendaItemNumber.parse(item: "4(a)") == AgendaItemNumber(item: 4, sub: "a"))
        #expect(try AgendaItemNumber.parse(item: "4 (b)") == AgendaItemNumber(item: 4, sub: "b"))
        #expect(try AgendaItemNumber.parse(item: "c", parent: "4") == AgendaItemNumber(item: 4, sub: "c"))
        #expect(try AgendaItemNumber.parse(item: "4(c)", parent: "4") == AgendaItemNumber(item: 4, sub: "c"))
        #expect(AgendaItemNumber(item: 4, sub: "a").description == "4(a)")
        #expect(AgendaItemNumber(item: 4, sub: "a").parent == AgendaItemNumber(item: 4))
        for bad in ["", "0", "1000", "4a", "4(A)", "4()", "(a)", "four", "4(abc)"] {
            #expect(throws: DomainError.invalid("item", "must be an agenda item such as 4 or 4(a), got \(bad)")) {
                try AgendaItemNumber.parse(item: bad)
            }
        }
        #expect(throws: DomainError.self) { try AgendaItemNumber.parse(item: "a", parent: "x") }
        #expect(throws: DomainError.self) { try AgendaItemNumber.parse(item: "5(a)", parent: "4") }
        let order = ["5", "4(b)", "10", "4", "4(a)"].map { try! AgendaItemNumber.parse(item: $0) }.sorted()
        #expect(order.map(\.description) == ["4", "4(a)", "4(b)", "5", "10"])
    }

    @Test func aProvisionalAgendaTakesItemsAndSubItemsInOrder() async throws {
        _ = try await add("1", "Opening of the session")
        _ = try await add("4", "Trafficking in persons")
        _ = try await add("b", "Smuggling of migrants", parent: "4")
        _ = try await add("4(a)", "Review of implementation")
        _ = try await add("2", "Organizational matters")
        let agenda = try await conference.agendas.agenda(body: "CTOC/COP", session: 4)
        #expect(agenda.adoptedOn == nil)
        #expect(agenda.items.map(\.number.description) == ["1", "2", "4", "4(a)", "4(b)"])
        #expect(agenda.items[3].title == "Review of implementation")
        #expect(agenda.items.allSatisfy { !$0.amended })
        await refused(.conflict, "item: the agenda of session 4 of CTOC/COP already has item 4(a)") {
            try await add("4(a)", "Again")
        }
        await refused(.notFound, "parent: the agenda of session 4 of CTOC/COP has no item 7") {
            try await add("7(a)", "Orphan")
        }
        await refused(.notFound, "session: CTOC/COP has no session 5") {
            try await conference.agendas.add(
                body: "CTOC/COP", session: 5, item: AgendaItemNumber(item: 1), title: "x", by: Conference.clerk)
        }
        await refused(.badArgument, "title:") { try await add("9", " ") }
        #expect(try conference.audit("agenda").map(\.operation) == Array(repeating: "add-item", count: 5))
    }

    @Test func onlyAnOpenOrClosedSessionsAgendaIsAdoptedOnOneOfItsDays() async throws {
        let agendas = conference.agendas
        try await conference.sessions.open(body: "CTOC/COP", number: 4, by: Conference.clerk)
        await refused(.conflict, "session: the agenda of session 4 of CTOC/COP has no items to adopt") {
            try await agendas.adopt(body: "CTOC/COP", session: 4, by: Conference.clerk)
        }
        _ = try await add("1", "Opening of the session")
        await refused(.conflict, "date: 2008-10-20 is not a day of session 4 of CTOC/COP (2008-10-08 to 2008-10-17)") {
            try await agendas.adopt(body: "CTOC/COP", session: 4, on: day("2008-10-20"), by: Conference.clerk)
        }
        // Without a date, the clock's today (fixed at 2008-10-08 for this suite).
        let adopted = try await agendas.adopt(body: "CTOC/COP", session: 4, by: Conference.clerk)
        #expect(adopted.adoptedOn == day("2008-10-08"))
        await refused(.conflict, "was already adopted on 2008-10-08") {
            try await agendas.adopt(body: "CTOC/COP", session: 4, by: Conference.clerk)
        }
        try await conference.schedule(5, "2010-10-18", "2010-10-22")
        try await conference.agendas.add(
            body: "CTOC/COP", session: 5, item: AgendaItemNumber(item: 1), title: "Opening", by: Conference.clerk)
        await refused(.conflict, "session: session 5 of CTOC/COP is scheduled; an agenda is adopted at the session") {
            try await agendas.adopt(body: "CTOC/COP", session: 5, on: day("2010-10-18"), by: Conference.clerk)
        }
    }

    @Test func anAdoptedAgendaChangesOnlyByAnAuditedAmendment() async throws {
        _ = try await add("1", "Opening of the session")
        _ = try await add("2", "Adoption of the agenda")
        try await conference.sessions.open(body: "CTOC/COP", number: 4, by: Conference.clerk)
        _ = try await conference.agendas.adopt(body: "CTOC/COP", session: 4, by: Conference.clerk)

        await refused(
            .conflict,
            "item: the agenda of session 4 of CTOC/COP was adopted on 2008-10-08; it changes only by agenda amend"
        ) {
            try await add("3", "A late item")
        }
        // Nor can SQL change it behind the service's back.
        let connection = try conference.connection()
        for sql in [
            "UPDATE agenda_items SET title = 'Quietly changed' WHERE item = 1",
            "DELETE FROM agenda_items WHERE item = 2",
            "INSERT INTO agenda_items (session_id, item, title) SELECT id, 3, 'Slipped in' FROM sessions",
            "DELETE FROM agenda_adoptions",
        ] {
            databaseRefuses(connection, sql, sqlState: "PL551")
        }

        let retitled = try await conference.agendas.amend(
            body: "CTOC/COP", session: 4, item: AgendaItemNumber(item: 2),
            title: "Adoption of the agenda and organization of work",
            reason: "proposed by the Bureau", by: Conference.clerk)
        #expect(retitled.amended)
        let added = try await conference.agendas.amend(
            body: "CTOC/COP", session: 4, item: AgendaItemNumber(item: 3), title: "Election of officers",
            by: Conference.clerk)
        #expect(added.amended)
        await refused(.conflict, "title: item 3 of the agenda already reads so") {
            try await conference.agendas.amend(
                body: "CTOC/COP", session: 4, item: AgendaItemNumber(item: 3), title: "Election of officers",
                by: Conference.clerk)
        }
        let agenda = try await conference.agendas.agenda(body: "CTOC/COP", session: 4)
        #expect(agenda.items.map(\.amended) == [false, true, true])
        #expect(agenda.items[1].title == "Adoption of the agenda and organization of work")

        let trail = try conference.audit("agenda")
        #expect(trail.map(\.operation) == ["add-item", "add-item", "adopt", "amend", "amend"])
        #expect(trail[3].before == #"{"item": "2", "title": "Adoption of the agenda"}"#)
        #expect(
            trail[3].after
                == #"{"item": "2", "title": "Adoption of the agenda and organization of work", "#
                + #""reason": "proposed by the Bureau"}"#
        )
        #expect(trail[4].before == nil)
        try AuditChain.catchUp(connection)
        #expect(try AuditLog.verify(connection) == .intact(rows: try AuditLog.list(connection, limit: 1000).count))
    }

    @Test func beforeAdoptionAnAmendmentIsAPlainRevision() async throws {
        _ = try await add("1", "Opening")
        let revised = try await conference.agendas.amend(
            body: "CTOC/COP", session: 4, item: AgendaItemNumber(item: 1), title: "Opening of the session",
            by: Conference.clerk)
        #expect(!revised.amended)
        #expect(try conference.audit("agenda").map(\.operation) == ["add-item", "revise"])
    }

    @Test func aCancelledSessionsAgendaTakesNoItems() async throws {
        try await conference.sessions.cancel(body: "CTOC/COP", number: 4, by: Conference.clerk)
        await refused(.conflict, "session: session 4 of CTOC/COP is cancelled; its agenda takes no items") {
            try await add("1", "Opening")
        }
    }
}
