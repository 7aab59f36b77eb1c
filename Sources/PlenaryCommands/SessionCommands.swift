import AdminProtocol
import PlenaryCore
import Sessions
import Storage

extension PlenaryCatalog {
    /// Sessions, agendas and the calendar (issue 3).
    static func sessionCommands(_ services: Services) -> [CommandSpec] {
        sessionScheduleCommands(services.sessions) + [sessionRecordCommand(services.sessions)]
            + sessionStatusCommands(services.sessions, services.database)
            + agendaCommands(services.agendas)
            + [calendarCommand(services.calendar)]
    }

    /// `session schedule|get|list|reschedule`.
    static func sessionScheduleCommands(_ sessions: SessionRegistry) -> [CommandSpec] {
        [
            CommandSpec(
                noun: "session", verb: "schedule",
                summary: "Schedule a session of a body; kind=resumed schedules the next part of an existing session.",
                role: .secretariat,
                parameters: CalendarParameters.sessionPlan(held: false),
                handler: { arguments, context in
                    let session = try await sessions.schedule(
                        try CalendarParameters.sessionPlan(arguments), body: try arguments.requiredString("body"),
                        by: context.actor)
                    return Reply(code: .created, records: [record(session)], summary: sessionSummary(session))
                }),
            CommandSpec(
                noun: "session", verb: "get",
                summary: "Show a session; without part=, every part of a resumed session.", role: .observer,
                parameters: [
                    CalendarParameters.body, CalendarParameters.sessionNumber, CalendarParameters.part(all: true),
                ],
                handler: { arguments, _ in
                    let body = try arguments.requiredString("body")
                    let number = try arguments.requiredInt("number")
                    if let part = arguments.int("part") {
                        return .list([record(try await sessions.get(body: body, number: number, part: part))])
                    }
                    return .list(try await sessions.parts(body: body, number: number).map(record))
                }),
            CommandSpec(
                noun: "session", verb: "list",
                summary: "List a body's sessions in date order, optionally those with a day in from…to.",
                role: .observer,
                parameters: [
                    CalendarParameters.body, CalendarParameters.from, CalendarParameters.to,
                    ParameterSpec(
                        name: "status", type: .choice(SessionStatus.allCases.map(\.rawValue)),
                        help: "only sessions in this status"),
                ],
                handler: { arguments, _ in
                    let found = try await sessions.list(
                        body: try arguments.requiredString("body"), from: arguments.date("from"),
                        to: arguments.date("to"),
                        status: arguments.string("status").flatMap(SessionStatus.init(rawValue:)))
                    return .list(found.map(record))
                }),
            CommandSpec(
                noun: "session", verb: "reschedule",
                summary: "Move a session to new dates, venue, zone or format (a postponed one is scheduled again).",
                role: .secretariat,
                parameters: [
                    CalendarParameters.body, CalendarParameters.sessionNumber, CalendarParameters.part(all: false),
                    ParameterSpec(name: "start", type: .date, help: "the new first day"),
                    ParameterSpec(name: "end", type: .date, help: "the new last day"),
                    ParameterSpec(name: "venue", type: .string, help: "the new venue"),
                    CalendarParameters.timeZone(defaultDescription: nil),
                    ParameterSpec(
                        name: "format", type: .choice(SessionFormat.allCases.map(\.rawValue)), help: "the new format"),
                ],
                handler: { arguments, context in
                    let change = SessionChange(
                        start: arguments.date("start"), end: arguments.date("end"), venue: arguments.string("venue"),
                        timeZone: arguments.string("timezone"),
                        format: arguments.string("format").flatMap(SessionFormat.init(rawValue:)))
                    let session = try await sessions.reschedule(
                        body: try arguments.requiredString("body"), number: try arguments.requiredInt("number"),
                        part: arguments.int("part"), to: change, by: context.actor)
                    return Reply(code: .ok, records: [record(session)], summary: sessionSummary(session))
                }),
        ]
    }

    /// `session open|close|postpone|cancel`: the moves of a session's status.
    static func sessionStatusCommands(_ sessions: SessionRegistry, _ database: Database) -> [CommandSpec] {
        let moves: [(verb: String, status: SessionStatus, summary: String)] = [
            ("open", .open, "Open a scheduled session."),
            ("close", .closed, "Close an open session; the reply counts drafts left pending (pending-drafts=N)."),
            ("postpone", .postponed, "Postpone a scheduled session; it keeps its dates until rescheduled."),
            ("cancel", .cancelled, "Cancel a scheduled or postponed session; its days are free again."),
        ]
        return moves.map { move in
            CommandSpec(
                noun: "session", verb: move.verb, summary: move.summary, role: .secretariat,
                parameters: [
                    CalendarParameters.body, CalendarParameters.sessionNumber, CalendarParameters.part(all: false),
                    ParameterSpec(name: "reason", type: .string, help: "why; kept with the session's status"),
                ],
                handler: { arguments, context in
                    let session = try await sessions.move(
                        body: try arguments.requiredString("body"), number: try arguments.requiredInt("number"),
                        part: arguments.int("part"), to: move.status, reason: arguments.string("reason"),
                        by: context.actor)
                    guard move.status == .closed else {
                        return Reply(code: .ok, records: [record(session)], summary: sessionSummary(session))
                    }
                    let pending = try await pendingDrafts(database, body: session.body, number: session.number)
                    return Reply(
                        code: .ok, records: [record(session)],
                        summary: sessionSummary(session) + [ReplyField("pending-drafts", .int(pending))])
                })
        }
    }

    /// `agenda add|list|adopt|amend`.
    static func agendaCommands(_ agendas: AgendaRegistry) -> [CommandSpec] {
        let item = ParameterSpec(
            name: "item", type: .string, required: true,
            help: "the item: 4, or a sub-item 4(a) (or a with parent=4)", placeholder: "ITEM")
        let parent = ParameterSpec(
            name: "parent", type: .integer(range: 1...999), help: "the item a sub-item belongs to")
        return [
            CommandSpec(
                noun: "agenda", verb: "add", summary: "Add an item to a session's provisional agenda.",
                role: .secretariat,
                parameters: [
                    CalendarParameters.body, CalendarParameters.agendaSession, item,
                    ParameterSpec(name: "title", type: .string, required: true, help: "the item's title"), parent,
                ],
                handler: { arguments, context in
                    let body = try arguments.requiredString("body")
                    let session = try arguments.requiredInt("session")
                    let number = try AgendaItemNumber.parse(
                        item: try arguments.requiredString("item"), parent: arguments.string("parent"))
                    let added = try await agendas.add(
                        body: body, session: session, item: number, title: try arguments.requiredString("title"),
                        by: context.actor)
                    return Reply(
                        code: .created, records: [record(added, body: body, session: session)],
                        summary: [ReplyField("item", .string(number.description))])
                }),
            CommandSpec(
                noun: "agenda", verb: "list", summary: "List a session's agenda in order, and whether it is adopted.",
                role: .observer,
                parameters: [CalendarParameters.body, CalendarParameters.agendaSession],
                handler: { arguments, _ in
                    let body = try arguments.requiredString("body")
                    let session = try arguments.requiredInt("session")
                    let agenda = try await agendas.agenda(body: body, session: session)
                    return .list(
                        agenda.items.map { record($0, body: body, session: session) },
                        summary: agendaSummary(agenda))
                }),
            CommandSpec(
                noun: "agenda", verb: "adopt",
                summary:
                    "Record that the body adopted the session's agenda; from then on it changes only by amendment.",
                role: .secretariat,
                parameters: [
                    CalendarParameters.body, CalendarParameters.agendaSession,
                    ParameterSpec(
                        name: "date", type: .date, help: "the day of adoption, a day of the session",
                        defaultDescription: "today in the body's time zone"),
                ],
                handler: { arguments, context in
                    let agenda = try await agendas.adopt(
                        body: try arguments.requiredString("body"), session: try arguments.requiredInt("session"),
                        on: arguments.date("date"), by: context.actor)
                    return .ok(agendaSummary(agenda) + [ReplyField("items", .int(agenda.items.count))])
                }),
            CommandSpec(
                noun: "agenda", verb: "amend",
                summary: "Retitle or add an agenda item; on an adopted agenda, the audited amendment.",
                role: .secretariat,
                parameters: [
                    CalendarParameters.body, CalendarParameters.agendaSession, item,
                    ParameterSpec(name: "title", type: .string, required: true, help: "the item's new title"), parent,
                    ParameterSpec(name: "reason", type: .string, help: "why; kept in the audit trail"),
                ],
                handler: { arguments, context in
                    let body = try arguments.requiredString("body")
                    let session = try arguments.requiredInt("session")
                    let number = try AgendaItemNumber.parse(
                        item: try arguments.requiredString("item"), parent: arguments.string("parent"))
                    let amended = try await agendas.amend(
                        body: body, session: session, item: number, title: try arguments.requiredString("title"),
                        reason: arguments.string("reason"), by: context.actor)
                    return Reply(
                        code: .ok, records: [record(amended, body: body, session: session)],
                        summary: [ReplyField("item", .string(number.description))])
                }),
        ]
    }

    /// `calendar`: the body's sessions and meetings, as records or as an iCalendar object.
    static func calendarCommand(_ calendar: BodyCalendar) -> CommandSpec {
        CommandSpec(
            noun: "calendar",
            summary: "Sessions and meetings of a body in date order; format=ics gives an RFC 5545 calendar.",
            role: .observer,
            parameters: [
                CalendarParameters.body, CalendarParameters.from, CalendarParameters.to,
                ParameterSpec(
                    name: "format", type: .choice(["records", "ics"]),
                    help: "records (one per event), or ics: one `ics` record per folded line, joined with CRLF",
                    defaultDescription: "records"),
                ParameterSpec(
                    name: "upcoming", type: .boolean, help: "only events not over by today",
                    defaultDescription: "false"),
                ParameterSpec(
                    name: "today", type: .date, help: "the day upcoming is measured from",
                    defaultDescription: "today in the body's time zone"),
            ],
            handler: { arguments, _ in
                let view = try await calendar.calendar(
                    body: try arguments.requiredString("body"), from: arguments.date("from"), to: arguments.date("to"),
                    upcoming: arguments.bool("upcoming") ?? false, today: arguments.date("today"))
                var window: [ReplyField] = []
                if let from = view.from { window.append(ReplyField("from", .date(from))) }
                if let to = view.to { window.append(ReplyField("to", .date(to))) }
                if arguments.string("format") == "ics" {
                    let lines = ICalendar.lines(view).map {
                        ReplyRecord(type: "ics", fields: [ReplyField("line", .string($0))])
                    }
                    return .list(
                        lines,
                        summary: [ReplyField("format", .string("ics")), ReplyField("events", .int(view.entries.count))]
                            + window)
                }
                return .list(view.entries.map(record), summary: window)
            })
    }

    /// The raw iCalendar text of a `calendar format=ics` reply (its `ics` records' lines, each ending in CRLF), or
    /// nil for any other reply: what a client prints or saves as a `.ics` file.
    public static func icsText(of reply: Reply) -> String? {
        let lines = reply.records.filter { $0.type == "ics" }.compactMap { $0["line"]?.textForm }
        guard reply.isSuccess, !lines.isEmpty else { return nil }
        return lines.map { $0 + "\r\n" }.joined()
    }

    // MARK: - Records

    static func record(_ session: Session) -> ReplyRecord {
        ReplyRecord(
            type: "session",
            fields: [
                ReplyField("body", .string(session.body)), ReplyField("number", .int(session.number)),
                ReplyField("part", session.part > 1 ? .int(session.part) : .null),
                ReplyField("kind", .string(session.kind.rawValue)), ReplyField("venue", .string(session.venue)),
                ReplyField("start", .date(session.start)), ReplyField("end", .date(session.end)),
                ReplyField("status", .string(session.status.rawValue)),
                ReplyField("format", .string(session.format.rawValue)),
                ReplyField("timezone", .string(session.timeZone)), ReplyField("title", .optional(session.title)),
                ReplyField("reason", .optional(session.statusReason)),
            ])
    }

    static func sessionSummary(_ session: Session) -> [ReplyField] {
        [
            ReplyField("body", .string(session.body)), ReplyField("number", .int(session.number)),
            ReplyField("part", session.part > 1 ? .int(session.part) : .null),
            ReplyField("status", .string(session.status.rawValue)),
        ]
    }

    static func record(_ item: AgendaItem, body: String, session: Int) -> ReplyRecord {
        ReplyRecord(
            type: "agenda-item",
            fields: [
                ReplyField("body", .string(body)), ReplyField("session", .int(session)),
                ReplyField("item", .string(item.number.description)),
                ReplyField("parent", item.number.parent.map { .int($0.item) } ?? .null),
                ReplyField("title", .string(item.title)), ReplyField("amended", .bool(item.amended)),
            ])
    }

    static func agendaSummary(_ agenda: Agenda) -> [ReplyField] {
        [
            ReplyField("body", .string(agenda.body)), ReplyField("session", .int(agenda.session)),
            ReplyField("agenda", .string(agenda.isAdopted ? "adopted" : "provisional")),
            ReplyField("adopted", .optional(agenda.adoptedOn)),
        ]
    }

    static func record(_ entry: CalendarEntry) -> ReplyRecord {
        ReplyRecord(
            type: entry.kind.rawValue,
            fields: [
                ReplyField("body", .string(entry.body)), ReplyField("wg", .optional(entry.workingGroup)),
                ReplyField("number", .int(entry.number)), ReplyField("part", entry.part > 1 ? .int(entry.part) : .null),
                ReplyField("start", .date(entry.start)), ReplyField("end", .date(entry.end)),
                ReplyField("venue", .string(entry.venue)), ReplyField("status", .string(entry.status)),
                ReplyField("with-session", .optional(entry.withSession)),
                ReplyField("title", .optional(entry.title ?? entry.workingGroupName)),
                ReplyField("uid", .string(entry.uid)),
            ])
    }
}

/// Parameters the session, agenda, working-group, meeting and calendar commands share, declared once so their
/// keys, types and help agree everywhere.
enum CalendarParameters {
    /// The parameters of a session's plan, after `body`: worded for a session to come (`session schedule`) or for
    /// one that has met (`session record`, `held`).
    static func sessionPlan(held: Bool) -> [ParameterSpec] {
        [
            body,
            ParameterSpec(
                name: "number", type: .integer(range: 1...9999), required: true,
                help: "the session's number in the body's sequence (for a resumption, the session resumed)"),
            ParameterSpec(name: "start", type: .date, required: true, help: "the first day"),
            ParameterSpec(
                name: "end", type: .date, required: true,
                help: held
                    ? "the last day (inclusive); before today, or the session is scheduled instead"
                    : "the last day (inclusive)"),
            ParameterSpec(
                name: "venue", type: .string, required: true, help: held ? "where it was held" : "where it is held"),
            ParameterSpec(
                name: "kind", type: .choice(SessionKind.allCases.map(\.rawValue)), help: "the kind of session",
                defaultDescription: "regular"),
            ParameterSpec(name: "title", type: .string, help: "the session's title"),
            timeZone(defaultDescription: "the body's"),
            ParameterSpec(
                name: "format", type: .choice(SessionFormat.allCases.map(\.rawValue)),
                help: held ? "how it was held" : "how it is held", defaultDescription: "in-person"),
        ]
    }

    /// The session's plan the ``sessionPlan(held:)`` parameters give.
    static func sessionPlan(_ arguments: Arguments) throws -> SessionPlan {
        SessionPlan(
            number: try arguments.requiredInt("number"),
            kind: arguments.string("kind").flatMap(SessionKind.init(rawValue:)) ?? .regular,
            title: arguments.string("title"), venue: try arguments.requiredString("venue"),
            timeZone: arguments.string("timezone"),
            format: arguments.string("format").flatMap(SessionFormat.init(rawValue:)) ?? .inPerson,
            start: try arguments.requiredDate("start"), end: try arguments.requiredDate("end"))
    }

    static let body = ParameterSpec(
        name: "body", type: .identifier, required: true, help: "the body's code", placeholder: "CTOC/COP")
    static let sessionNumber = ParameterSpec(
        name: "number", type: .integer(range: 1...9999), required: true, help: "the session's number")
    static let agendaSession = ParameterSpec(
        name: "session", type: .integer(range: 1...9999), required: true, help: "the session's number")
    static let from = ParameterSpec(name: "from", type: .date, help: "only what has a day on or after this one")
    static let to = ParameterSpec(name: "to", type: .date, help: "only what has a day on or before this one")

    static func part(all: Bool) -> ParameterSpec {
        ParameterSpec(
            name: "part", type: .integer(range: 1...99), help: "the part of a resumed session (1 is the original)",
            defaultDescription: all ? "every part" : "the latest part")
    }

    static func timeZone(defaultDescription: String?) -> ParameterSpec {
        ParameterSpec(
            name: "timezone",
            type: .custom(name: "IANA time zone") { value in
                FieldRules.isTimeZone(value) ? nil : "must be an IANA time zone name such as Europe/Vienna"
            },
            help: "the IANA time zone it is timed in", defaultDescription: defaultDescription,
            placeholder: "Europe/Vienna")
    }
}
