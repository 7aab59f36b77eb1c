import AdminProtocol
import PlenaryCore
import Sessions
import WorkingGroups

extension PlenaryCatalog {
    /// Working groups and their meetings (issue 3).
    static func workingGroupCommands(_ services: Services) -> [CommandSpec] {
        wgCommands(services.workingGroups) + meetingCommands(services.meetings)
            + [meetingRecordCommand(services.meetings)]
    }

    /// A decision reference, `decision 4/4` or `resolution 5/3` (quoted on a protocol line: it holds a space).
    static let decisionReference = ParameterType.custom(name: "decision reference") { value in
        DecisionCitation(parsing: value) == nil
            ? "must be a reference such as \"decision 4/4\" or \"resolution 5/3\"" : nil
    }

    /// `wg establish|get|list|rename|dissolve`.
    static func wgCommands(_ groups: WorkingGroupRegistry) -> [CommandSpec] {
        let code = ParameterSpec(
            name: "code", type: .identifier, required: true, help: "the group's code, used in document symbols",
            placeholder: "WG.4")
        return [
            CommandSpec(
                noun: "wg", verb: "establish", summary: "Establish a working group of a body.", role: .secretariat,
                parameters: [
                    CalendarParameters.body, code,
                    ParameterSpec(name: "name", type: .string, required: true, help: "the group's name"),
                    ParameterSpec(name: "mandate", type: .text, help: "the mandate, as the instrument words it"),
                    ParameterSpec(
                        name: "by", type: decisionReference,
                        help: "the establishing decision or resolution (it need not be entered yet)",
                        placeholder: "DECISION-REF"),
                    ParameterSpec(
                        name: "kind", type: .choice(WorkingGroupKind.allCases.map(\.rawValue)),
                        help: "interim, or standing (a constant element of the body)", defaultDescription: "interim"),
                    ParameterSpec(name: "established", type: .date, help: "the day it was established"),
                ],
                handler: { arguments, context in
                    let charter = WorkingGroupCharter(
                        code: try arguments.requiredString("code"), name: try arguments.requiredString("name"),
                        mandate: arguments.string("mandate"),
                        kind: arguments.string("kind").flatMap(WorkingGroupKind.init(rawValue:)) ?? .interim,
                        establishedBy: try arguments.string("by").map { try DecisionCitation.parse($0, key: "by") },
                        establishedOn: arguments.date("established"))
                    let group = try await groups.establish(
                        charter, body: try arguments.requiredString("body"), by: context.actor)
                    return Reply(
                        code: .created, records: [record(group)],
                        summary: [ReplyField("body", .string(group.body)), ReplyField("wg", .string(group.code))])
                }),
            CommandSpec(
                noun: "wg", verb: "get", summary: "Show a working group, then its renames, oldest first.",
                role: .observer,
                parameters: [CalendarParameters.body, code],
                handler: { arguments, _ in
                    let body = try arguments.requiredString("body")
                    let code = try arguments.requiredString("code")
                    let group = try await groups.get(body: body, code: code)
                    let renames = try await groups.renames(body: body, code: code)
                    return .list([record(group)] + renames.map { record($0, group: group) })
                }),
            CommandSpec(
                noun: "wg", verb: "list", summary: "List a body's working groups by code.", role: .observer,
                parameters: [
                    CalendarParameters.body,
                    ParameterSpec(
                        name: "status", type: .choice(WorkingGroupStatus.allCases.map(\.rawValue)),
                        help: "only active or only dissolved groups"),
                ],
                handler: { arguments, _ in
                    let found = try await groups.list(
                        body: try arguments.requiredString("body"),
                        status: arguments.string("status").flatMap(WorkingGroupStatus.init(rawValue:)))
                    return .list(found.map(record))
                }),
            CommandSpec(
                noun: "wg", verb: "rename", summary: "Rename a working group; the old name stays in its history.",
                role: .secretariat,
                parameters: [
                    CalendarParameters.body, code,
                    ParameterSpec(name: "name", type: .string, required: true, help: "the new name"),
                    ParameterSpec(
                        name: "by", type: decisionReference, help: "the instrument that renamed it",
                        placeholder: "DECISION-REF"),
                    ParameterSpec(name: "date", type: .date, help: "the day the new name took effect"),
                ],
                handler: { arguments, context in
                    let group = try await groups.rename(
                        body: try arguments.requiredString("body"), code: try arguments.requiredString("code"),
                        to: try arguments.requiredString("name"),
                        by: try arguments.string("by").map { try DecisionCitation.parse($0, key: "by") },
                        on: arguments.date("date"), actor: context.actor)
                    return Reply(
                        code: .ok, records: [record(group)],
                        summary: [ReplyField("body", .string(group.body)), ReplyField("wg", .string(group.code))])
                }),
            CommandSpec(
                noun: "wg", verb: "dissolve", summary: "Dissolve a working group, with the day and the instrument.",
                role: .secretariat,
                parameters: [
                    CalendarParameters.body, code,
                    ParameterSpec(
                        name: "by", type: decisionReference, help: "the instrument that dissolved it",
                        placeholder: "DECISION-REF"),
                    // Required: a dissolution dated "today" by default put wrong days on the record unnoticed.
                    ParameterSpec(
                        name: "date", type: .date, required: true,
                        help: "the day it was dissolved (a wrong one is corrected with wg correct-dissolution)"),
                ],
                handler: { arguments, context in
                    let group = try await groups.dissolve(
                        body: try arguments.requiredString("body"), code: try arguments.requiredString("code"),
                        by: try arguments.string("by").map { try DecisionCitation.parse($0, key: "by") },
                        on: try arguments.requiredDate("date"), actor: context.actor)
                    return Reply(
                        code: .ok, records: [record(group)],
                        summary: [ReplyField("body", .string(group.body)), ReplyField("wg", .string(group.code))])
                }),
        ]
    }

    /// `meeting schedule|get|list|reschedule|cancel`.
    static func meetingCommands(_ meetings: MeetingRegistry) -> [CommandSpec] {
        let group = ParameterSpec(
            name: "wg", type: .identifier, required: true, help: "the working group's code", placeholder: "WG.2")
        let number = ParameterSpec(
            name: "number", type: .integer(range: 1...9999), required: true, help: "the meeting's number in its group")
        let withSession = ParameterSpec(
            name: "with-session", type: .integer(range: 1...9999),
            help: "held in conjunction with this session of the body: the only way to share days with a session")
        return [
            CommandSpec(
                noun: "meeting", verb: "schedule", summary: "Schedule a meeting of a working group.",
                role: .secretariat,
                parameters: [
                    CalendarParameters.body, group,
                    ParameterSpec(name: "start", type: .date, required: true, help: "the first day"),
                    ParameterSpec(name: "end", type: .date, required: true, help: "the last day (inclusive)"),
                    ParameterSpec(name: "venue", type: .string, required: true, help: "where it is held"),
                    ParameterSpec(
                        name: "number", type: .integer(range: 1...9999), help: "the meeting's number in its group",
                        defaultDescription: "the group's next"),
                    withSession, CalendarParameters.timeZone(defaultDescription: "the body's"),
                ],
                handler: { arguments, context in
                    let plan = MeetingPlan(
                        number: arguments.int("number"), start: try arguments.requiredDate("start"),
                        end: try arguments.requiredDate("end"), venue: try arguments.requiredString("venue"),
                        timeZone: arguments.string("timezone"), withSession: arguments.int("with-session"))
                    let meeting = try await meetings.schedule(
                        plan, body: try arguments.requiredString("body"),
                        workingGroup: try arguments.requiredString("wg"),
                        by: context.actor)
                    return Reply(code: .created, records: [record(meeting)], summary: meetingSummary(meeting))
                }),
            CommandSpec(
                noun: "meeting", verb: "get", summary: "Show a meeting of a working group.", role: .observer,
                parameters: [CalendarParameters.body, group, number],
                handler: { arguments, _ in
                    let meeting = try await meetings.get(
                        body: try arguments.requiredString("body"), workingGroup: try arguments.requiredString("wg"),
                        number: try arguments.requiredInt("number"))
                    return .list([record(meeting)])
                }),
            CommandSpec(
                noun: "meeting", verb: "list",
                summary: "List the meetings of a body's working groups in date order.", role: .observer,
                parameters: [
                    CalendarParameters.body,
                    ParameterSpec(
                        name: "wg", type: .identifier, help: "only this group's meetings", placeholder: "WG.2"),
                    CalendarParameters.from, CalendarParameters.to,
                ],
                handler: { arguments, _ in
                    let found = try await meetings.list(
                        body: try arguments.requiredString("body"), workingGroup: arguments.string("wg"),
                        from: arguments.date("from"), to: arguments.date("to"))
                    return .list(found.map(record))
                }),
            CommandSpec(
                noun: "meeting", verb: "reschedule",
                summary: "Move a meeting to new dates, venue or zone, or hold it in conjunction with a session.",
                role: .secretariat,
                parameters: [
                    CalendarParameters.body, group, number,
                    ParameterSpec(name: "start", type: .date, help: "the new first day"),
                    ParameterSpec(name: "end", type: .date, help: "the new last day"),
                    ParameterSpec(name: "venue", type: .string, help: "the new venue"),
                    CalendarParameters.timeZone(defaultDescription: nil), withSession,
                ],
                handler: { arguments, context in
                    let change = MeetingChange(
                        start: arguments.date("start"), end: arguments.date("end"), venue: arguments.string("venue"),
                        timeZone: arguments.string("timezone"), withSession: arguments.int("with-session"))
                    let meeting = try await meetings.reschedule(
                        body: try arguments.requiredString("body"), workingGroup: try arguments.requiredString("wg"),
                        number: try arguments.requiredInt("number"), to: change, by: context.actor)
                    return Reply(code: .ok, records: [record(meeting)], summary: meetingSummary(meeting))
                }),
            CommandSpec(
                noun: "meeting", verb: "cancel", summary: "Cancel a meeting; its days are free again.",
                role: .secretariat,
                parameters: [
                    CalendarParameters.body, group, number,
                    ParameterSpec(name: "reason", type: .string, help: "why; kept with the meeting"),
                ],
                handler: { arguments, context in
                    let meeting = try await meetings.cancel(
                        body: try arguments.requiredString("body"), workingGroup: try arguments.requiredString("wg"),
                        number: try arguments.requiredInt("number"), reason: arguments.string("reason"),
                        by: context.actor)
                    return Reply(code: .ok, records: [record(meeting)], summary: meetingSummary(meeting))
                }),
        ]
    }

    // MARK: - Records

    static func record(_ group: WorkingGroup) -> ReplyRecord {
        ReplyRecord(
            type: "wg",
            fields: [
                ReplyField("body", .string(group.body)), ReplyField("code", .string(group.code)),
                ReplyField("name", .string(group.name)), ReplyField("kind", .string(group.kind.rawValue)),
                ReplyField("status", .string(group.status.rawValue)),
                ReplyField("by", .optional(group.establishedBy?.description)),
                ReplyField("established", .optional(group.establishedOn)),
                ReplyField("dissolved", .optional(group.dissolvedOn)),
                ReplyField("dissolved-by", .optional(group.dissolvedBy?.description)),
                ReplyField("mandate", .optional(group.mandate)),
            ])
    }

    static func record(_ rename: WorkingGroupRename, group: WorkingGroup) -> ReplyRecord {
        ReplyRecord(
            type: "rename",
            fields: [
                ReplyField("body", .string(group.body)), ReplyField("code", .string(group.code)),
                ReplyField("from", .string(rename.oldName)), ReplyField("to", .string(rename.newName)),
                ReplyField("by", .optional(rename.by?.description)), ReplyField("date", .optional(rename.on)),
            ])
    }

    static func record(_ meeting: Meeting) -> ReplyRecord {
        ReplyRecord(
            type: "meeting",
            fields: [
                ReplyField("body", .string(meeting.body)), ReplyField("wg", .string(meeting.workingGroup)),
                ReplyField("number", .int(meeting.number)), ReplyField("venue", .string(meeting.venue)),
                ReplyField("start", .date(meeting.start)), ReplyField("end", .date(meeting.end)),
                ReplyField("status", .string(meeting.status.rawValue)),
                ReplyField("with-session", .optional(meeting.withSession)),
                ReplyField("timezone", .string(meeting.timeZone)),
                ReplyField("reason", .optional(meeting.statusReason)),
            ])
    }

    static func meetingSummary(_ meeting: Meeting) -> [ReplyField] {
        [
            ReplyField("body", .string(meeting.body)), ReplyField("wg", .string(meeting.workingGroup)),
            ReplyField("number", .int(meeting.number)), ReplyField("status", .string(meeting.status.rawValue)),
        ]
    }
}
