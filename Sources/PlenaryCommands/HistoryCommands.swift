import AdminProtocol
import PlenaryCore
import Sessions
import WorkingGroups

extension PlenaryCatalog {
    /// `session record`: a session that has met, entered as history in one command (issue 16).
    static func sessionRecordCommand(_ sessions: SessionRegistry) -> CommandSpec {
        CommandSpec(
            noun: "session", verb: "record",
            summary: "Enter a session that has met (its days past) as history: closed at once, in one command.",
            role: .secretariat,
            parameters: CalendarParameters.sessionPlan(held: true),
            handler: { arguments, context in
                let session = try await sessions.record(
                    try CalendarParameters.sessionPlan(arguments), body: try arguments.requiredString("body"),
                    by: context.actor)
                return Reply(code: .created, records: [record(session)], summary: sessionSummary(session))
            })
    }

    /// `meeting record`: a working group's meeting that has met, entered as history; it reads as held.
    static func meetingRecordCommand(_ meetings: MeetingRegistry) -> CommandSpec {
        CommandSpec(
            noun: "meeting", verb: "record",
            summary: "Enter a working group's meeting that has met (its days past) as history; it reads as held.",
            role: .secretariat,
            parameters: [
                CalendarParameters.body,
                ParameterSpec(
                    name: "wg", type: .identifier, required: true, help: "the working group's code",
                    placeholder: "WG.2"),
                ParameterSpec(name: "start", type: .date, required: true, help: "the first day"),
                ParameterSpec(
                    name: "end", type: .date, required: true,
                    help: "the last day (inclusive); before today, or the meeting is scheduled instead"),
                ParameterSpec(name: "venue", type: .string, required: true, help: "where it was held"),
                ParameterSpec(
                    name: "number", type: .integer(range: 1...9999), help: "the meeting's number in its group",
                    defaultDescription: "the group's next"),
                ParameterSpec(
                    name: "with-session", type: .integer(range: 1...9999),
                    help: "held in conjunction with this session of the body: the only way to share days with one"),
                CalendarParameters.timeZone(defaultDescription: "the body's"),
            ],
            handler: { arguments, context in
                let plan = MeetingPlan(
                    number: arguments.int("number"), start: try arguments.requiredDate("start"),
                    end: try arguments.requiredDate("end"), venue: try arguments.requiredString("venue"),
                    timeZone: arguments.string("timezone"), withSession: arguments.int("with-session"))
                let meeting = try await meetings.record(
                    plan, body: try arguments.requiredString("body"), workingGroup: try arguments.requiredString("wg"),
                    by: context.actor)
                return Reply(code: .created, records: [record(meeting)], summary: meetingSummary(meeting))
            })
    }
}
