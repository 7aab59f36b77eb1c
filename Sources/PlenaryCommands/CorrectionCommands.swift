import AdminProtocol
import Decisions
import Documents
import PlenaryCore
import Sessions
import Storage
import WorkingGroups

/// Corrections on the record (issue 17): each one a command of its own that names what it corrects and why, is
/// audited with its reason (so `watch` carries it) and never edits an adopted text in place.
extension PlenaryCatalog {
    static let reason = ParameterSpec(
        name: "reason", type: .string, required: true, help: "why the correction is made; kept in the audit trail")

    /// `agenda remove`, `wg correct-dissolution`, `doc withdraw`.
    static func correctionCommands(_ services: Services) -> [CommandSpec] {
        let agendas = services.agendas
        let groups = services.workingGroups
        let sessions = services.sessions
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
                        by: try arguments.string("by").map { try DecisionCitation.parse($0, key: "by") },
                        reason: try arguments.requiredString("reason"), actor: context.actor)
                    return Reply(
                        code: .ok, records: [record(group)],
                        summary: [ReplyField("body", .string(group.body)), ReplyField("wg", .string(group.code))])
                }),
            CommandSpec(
                noun: "session", verb: "strike",
                summary:
                    "Strike a cancelled session scheduled by mistake, giving its number back (only one nothing "
                    + "refers to; the struck row and the reason are kept).",
                role: .secretariat,
                parameters: [
                    CalendarParameters.body, CalendarParameters.sessionNumber, CalendarParameters.part(all: false),
                    reason,
                ],
                handler: { arguments, context in
                    let session = try await sessions.strike(
                        body: try arguments.requiredString("body"), number: try arguments.requiredInt("number"),
                        part: arguments.int("part"), reason: try arguments.requiredString("reason"),
                        by: context.actor)
                    return Reply(
                        code: .ok, records: [record(session)],
                        summary: [
                            ReplyField("body", .string(session.body)), ReplyField("number", .int(session.number)),
                            ReplyField("struck", true),
                        ])
                }),
        ] + documentCorrectionCommands(services) + [decisionUnlinkCommand(services.decisions)]
    }

    /// `decision unlink`: the counterpart of `decision link`, with the same keys and a reason.
    static func decisionUnlinkCommand(_ decisions: DecisionRegistry) -> CommandSpec {
        let relations = DecisionRelation.allCases.map { relation in
            ParameterSpec(
                name: relation.rawValue, type: DecisionParameters.target(relation.targetKind),
                help: "the link to take back: " + DecisionParameters.help(relation),
                placeholder: DecisionParameters.placeholder(relation.targetKind))
        }
        return CommandSpec(
            noun: "decision", verb: "unlink",
            summary: "Take back a lineage link entered by mistake, with the reason (the adopted texts do not change).",
            role: .secretariat,
            parameters: [
                DecisionParameters.body, DecisionParameters.number(required: true),
                DecisionParameters.kind(required: false),
            ] + relations + [reason],
            handler: { arguments, context in
                let named = try LinkArguments(arguments, once: "take back one link per command")
                let link = try await decisions.unlink(
                    body: named.body, number: named.number, kind: named.kind, relation: named.relation,
                    to: named.target, reason: try arguments.requiredString("reason"), by: context.actor)
                return Reply(
                    code: .ok, records: [linkRecord(link)], summary: linkSummary(link) + [ReplyField("removed", true)])
            })
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
                })
        ]
    }
}

extension PlenaryCatalog {
    /// Drafts of session `number` of `body` still neither adopted nor withdrawn. Closing a session with drafts
    /// pending is allowed (a draft may be taken up at the next session) but never silent: the reply says how many.
    static func pendingDrafts(_ database: Database, body: String, number: Int) async throws(DomainError) -> Int {
        try await database.read { connection in
            let row = try connection.queryOne(
                """
                SELECT count(*)::integer AS pending FROM decisions d JOIN bodies b ON b.id = d.body_id
                WHERE b.code = $1 AND d.session_number = $2 AND d.stage = 'draft'
                """,
                [body, number])
            let pending: Int = try row!.decode("pending")
            return pending
        }
    }
}

extension PlenaryCatalog {
    /// `entity=` of `audit list` in the trail's own form. A document is found by its symbol as `doc get` finds it:
    /// bare (`CTOC/COP/2010/1`) or as `document:…`, in any case; anything else is taken as given (`body`,
    /// `session:CTOC/COP/4`).
    static func auditEntity(_ given: String?) throws(PlenaryError) -> String? {
        guard let given else { return nil }
        let symbolText: String
        if given.hasPrefix("document:") {
            symbolText = String(given.dropFirst("document:".count))
        } else if !given.contains(":") && given.contains("/") {
            symbolText = given
        } else {
            return given
        }
        guard let symbol = try? DocumentSymbol(symbolText) else {
            throw PlenaryError.badArgument(
                "entity", "\(symbolText) is not a document symbol; give a kind (document), kind:id, or a symbol")
        }
        return "document:\(DocumentRules.unmarked(symbol))"
    }
}
