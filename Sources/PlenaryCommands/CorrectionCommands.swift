import AdminProtocol
import PlenaryCore
import Sessions
import WorkingGroups
import Documents

/// Corrections on the record (issue 17): each one a command of its own that names what it corrects and why, is
/// audited with its reason (so `watch` carries it) and never edits an adopted text in place.
extension PlenaryCatalog {
    static let reason = ParameterSpec(
        name: "reason", type: .string, required: true, help: "why the correction is made; kept in the audit trail")

    /// `agenda remove`, `wg correct-dissolution`, `doc withdraw`.
    static func correctionCommands(_ services: Services) -> [CommandSpec] {
        let agendas = services.agendas
        let groups = services.workingGroups
        return [
            CommandSpec(
                noun: "agenda", verb: "remove",
                summary: "Remove an item from a provisional agenda (a correction; an adopted agenda keeps its items).",
                role: .secretariat,
                parameters: [
                    CalendarParameters.body, CalendarParameters.agendaSession,
                    ParameterSpec(
                        name: "item", type: .string, required: true, help: "the item: 4, or a sub-item 4(a)",
                        placeholder: "ITEM"),
                    reason,
                ],
                handler: { arguments, context in
                    let body = try arguments.requiredString("body")
                    let session = try arguments.requiredInt("session")
                    let number = try AgendaItemNumber.parse(item: try arguments.requiredString("item"), parent: nil)
                    let removed = try await agendas.remove(
                        body: body, session: session, item: number, reason: try arguments.requiredString("reason"),
                        by: context.actor)
                    return Reply(
                        code: .ok, records: [record(removed, body: body, session: session)],
                        summary: [ReplyField("item", .string(number.description)), ReplyField("removed", true)])
                }),
            CommandSpec(
                noun: "wg", verb: "correct-dissolution",
                summary: "Correct the day (or instrument) of a group's dissolution entered wrongly, with the reason.",
                role: .secretariat,
                parameters: [
                    CalendarParameters.body,
                    ParameterSpec(
                        name: "code", type: .identifier, required: true, help: "the group's code", placeholder: "WG.4"),
                    ParameterSpec(name: "date", type: .date, required: true, help: "the right day of dissolution"),
                    ParameterSpec(
                        name: "by", type: decisionReference, help: "the right instrument, when it was wrong too",
                        placeholder: "DECISION-REF"),
                    reason,
                ],
                handler: { arguments, context in
                    let group = try await groups.correctDissolution(
                        body: try arguments.requiredString("body"), code: try arguments.requiredString("code"),
                        on: try arguments.requiredDate("date"),
                        by: try arguments.string("by").map { try DecisionReference.parse($0) },
                        reason: try arguments.requiredString("reason"), actor: context.actor)
                    return Reply(
                        code: .ok, records: [record(group)],
                        summary: [ReplyField("body", .string(group.body)), ReplyField("wg", .string(group.code))])
                }),
        ] + documentCorrectionCommands(services)
    }
}

extension PlenaryCatalog {
    /// `doc withdraw`.
    static func documentCorrectionCommands(_ services: Services) -> [CommandSpec] {
        let documents = services.documents
        return [
            CommandSpec(
                noun: "doc", verb: "withdraw",
                summary:
                    "Withdraw a document allocated by mistake: its symbol stays taken, marked withdrawn, out of every "
                    + "report.",
                role: .secretariat,
                parameters: [
                    DocumentParameters.symbol(positional: true), reason,
                    ParameterSpec(
                        name: "date", type: .date, help: "the day of withdrawal",
                        defaultDescription: "today in the body's time zone"),
                ],
                handler: { arguments, context in
                    let document = try await documents.withdraw(
                        try DocumentSymbol(try arguments.requiredString("symbol")),
                        reason: try arguments.requiredString("reason"), on: arguments.date("date"), by: context.actor)
                    return Reply(
                        code: .ok, records: [documentRecord(document)],
                        summary: [
                            ReplyField("symbol", .string(document.symbol.description)),
                            ReplyField("withdrawn", .optional(document.withdrawnOn)),
                        ])
                }),
        ]
    }
}
