import AdminProtocol
import Decisions
import Foundation
import PlenaryCore

extension PlenaryCatalog {
    /// Decisions and resolutions (issue 5): `decision draft|edit|withdraw|adopt|record|get|list|link|chain|search`.
    static func decisionCommands(_ services: Services) -> [CommandSpec] {
        let decisions = services.decisions
        return decisionDraftCommands(decisions) + decisionAdoptionCommands(decisions)
            + decisionReadCommands(decisions) + decisionLineageCommands(decisions)
    }

    // MARK: - Drafts

    /// `decision draft|edit|withdraw`.
    static func decisionDraftCommands(_ decisions: DecisionRegistry) -> [CommandSpec] {
        [
            CommandSpec(
                noun: "decision", verb: "draft",
                summary: "Table a draft decision or resolution at a session; replies with the draft's id.",
                role: .secretariat,
                parameters: [
                    DecisionParameters.body, DecisionParameters.session(required: true),
                    DecisionParameters.kind(required: true),
                    ParameterSpec(name: "title", type: .string, required: true, help: "the title"),
                    DecisionParameters.text, DecisionParameters.agendaItem, DecisionParameters.document,
                    DecisionParameters.ends,
                ],
                handler: { arguments, context in
                    let draft = DecisionDraft(
                        kind: try DecisionParameters.requiredKind(arguments),
                        session: try arguments.requiredInt("session"),
                        title: try arguments.requiredString("title"), text: arguments.string("text"),
                        agendaItem: arguments.string("agenda-item"), document: arguments.string("document"),
                        endsOn: arguments.date("ends"))
                    let drafted = try await decisions.draft(
                        draft, body: try arguments.requiredString("body"), by: context.actor)
                    return Reply(
                        code: .created, records: [decisionRecord(drafted)],
                        summary: [
                            ReplyField("id", .int(drafted.id)), ReplyField("kind", .string(drafted.kind.rawValue)),
                            ReplyField("session", .int(drafted.session)),
                        ])
                }),
            CommandSpec(
                noun: "decision", verb: "edit",
                summary: "Change a draft's title, text, agenda item, document or end date (drafts only).",
                role: .secretariat,
                parameters: [
                    DecisionParameters.id(help: "the draft's id"),
                    ParameterSpec(name: "title", type: .string, help: "the new title"),
                    DecisionParameters.text, DecisionParameters.agendaItem, DecisionParameters.document,
                    DecisionParameters.ends,
                ],
                handler: { arguments, context in
                    let change = DraftChange(
                        title: arguments.string("title"), text: arguments.string("text"),
                        agendaItem: arguments.string("agenda-item"), document: arguments.string("document"),
                        endsOn: arguments.date("ends"))
                    let edited = try await decisions.edit(
                        id: try arguments.requiredInt("id"), change: change, by: context.actor)
                    return Reply(
                        records: [decisionRecord(edited, withText: true)], summary: [ReplyField("id", .int(edited.id))])
                }),
            CommandSpec(
                noun: "decision", verb: "withdraw", summary: "Withdraw a draft (drafts only); it stays on record.",
                role: .secretariat,
                parameters: [
                    DecisionParameters.id(help: "the draft's id"),
                    ParameterSpec(name: "reason", type: .string, help: "why; kept with the draft"),
                ],
                handler: { arguments, context in
                    let withdrawn = try await decisions.withdraw(
                        id: try arguments.requiredInt("id"), reason: arguments.string("reason"), by: context.actor)
                    return Reply(
                        records: [decisionRecord(withdrawn)],
                        summary: [
                            ReplyField("id", .int(withdrawn.id)),
                            ReplyField("status", .string(withdrawn.status.rawValue)),
                        ])
                }),
        ]
    }

    // MARK: - Adoption

    /// `decision adopt|record`.
    static func decisionAdoptionCommands(_ decisions: DecisionRegistry) -> [CommandSpec] {
        [
            CommandSpec(
                noun: "decision", verb: "adopt",
                summary: "Adopt a draft: it takes the next number of its kind at its session, and its text freezes.",
                role: .secretariat,
                parameters: [
                    DecisionParameters.id(help: "the draft's id"),
                    ParameterSpec(
                        name: "date", type: .date,
                        help: "the day it was adopted, to record an adoption afterwards (a day of the session)",
                        defaultDescription: "today, while the session is open"),
                ],
                handler: { arguments, context in
                    let adopted = try await decisions.adopt(
                        id: try arguments.requiredInt("id"), on: arguments.date("date"), by: context.actor)
                    return Reply(
                        records: [decisionRecord(adopted)],
                        summary: [
                            ReplyField("id", .int(adopted.id)), ReplyField("kind", .string(adopted.kind.rawValue)),
                            ReplyField("number", .optional(adopted.number?.description)),
                            ReplyField("adopted", .optional(adopted.adoptedOn)),
                        ])
                }),
            CommandSpec(
                noun: "decision", verb: "record",
                summary: "Enter an already-adopted decision or resolution with its known number.", role: .secretariat,
                parameters: [
                    DecisionParameters.body, DecisionParameters.session(required: true),
                    DecisionParameters.kind(required: true), DecisionParameters.number(required: true),
                    ParameterSpec(name: "title", type: .string, required: true, help: "the title"),
                    ParameterSpec(
                        name: "adopted", type: .date, required: true,
                        help: "the day it was adopted (a day of the session)"),
                    DecisionParameters.text, DecisionParameters.agendaItem, DecisionParameters.document,
                    DecisionParameters.ends,
                ],
                handler: { arguments, context in
                    let entry = RecordedDecision(
                        kind: try DecisionParameters.requiredKind(arguments),
                        number: try DecisionNumber.parse(try arguments.requiredString("number")),
                        title: try arguments.requiredString("title"), adoptedOn: try arguments.requiredDate("adopted"),
                        text: arguments.string("text"), agendaItem: arguments.string("agenda-item"),
                        document: arguments.string("document"), endsOn: arguments.date("ends"))
                    let recorded = try await decisions.record(
                        entry, body: try arguments.requiredString("body"),
                        session: try arguments.requiredInt("session"),
                        by: context.actor)
                    return Reply(
                        code: .created, records: [decisionRecord(recorded)],
                        summary: [
                            ReplyField("kind", .string(recorded.kind.rawValue)),
                            ReplyField("number", .optional(recorded.number?.description)),
                        ])
                }),
        ]
    }

    // MARK: - Reading

    /// `decision get|list|search`.
    static func decisionReadCommands(_ decisions: DecisionRegistry) -> [CommandSpec] {
        [
            CommandSpec(
                noun: "decision", verb: "get",
                summary: "Show a decision with its text and links (or a draft, by id=).", role: .observer,
                parameters: [
                    DecisionParameters.body, DecisionParameters.number(required: false),
                    DecisionParameters.kind(required: false),
                    ParameterSpec(
                        name: "id", type: .integer(range: 1...Int.max),
                        help: "a draft's id (any decision's), instead of number="),
                    DecisionParameters.on,
                ],
                handler: { arguments, _ in
                    let body = try arguments.requiredString("body")
                    let day = arguments.date("on")
                    let found: Decision
                    if let id = arguments.int("id") {
                        for key in ["number", "kind"] where arguments.has(key) {
                            throw PlenaryError.badArgument(key, "give either id= or number=, not both")
                        }
                        found = try await decisions.get(id: id, on: day)
                        if found.body != body {
                            throw PlenaryError.notFound("id: \(body) has no draft or decision \(id)")
                        }
                    } else {
                        guard let number = arguments.string("number") else {
                            throw PlenaryError.badArgument("number", "required (or id= for a draft)")
                        }
                        found = try await decisions.get(
                            body: body, number: try DecisionNumber.parse(number),
                            kind: DecisionParameters.kind(arguments),
                            on: day)
                    }
                    guard let number = found.number else { return .list([decisionRecord(found, withText: true)]) }
                    let links = try await decisions.links(body: body, number: number, kind: found.kind)
                    return .list([decisionRecord(found, withText: true)] + links.map(linkRecord))
                }),
            CommandSpec(
                noun: "decision", verb: "list",
                summary: "List a body's decisions and resolutions by session and number, with their status.",
                role: .observer,
                parameters: [
                    DecisionParameters.body, DecisionParameters.session(required: false),
                    DecisionParameters.kind(required: false), DecisionParameters.status, DecisionParameters.on,
                    ParameterSpec(
                        name: "topic", type: .string,
                        help: "only those whose title or text matches these words (with status=in-force: what is in "
                            + "force on a topic)"),
                    ParameterSpec(
                        name: "wg", type: .identifier,
                        help: "only those that established or changed this working group, with what they did",
                        placeholder: "WG.4"),
                ],
                handler: { arguments, _ in
                    let body = try arguments.requiredString("body")
                    let filter = DecisionFilter(
                        session: arguments.int("session"), kind: DecisionParameters.kind(arguments),
                        status: arguments.string("status").flatMap(DecisionStatus.init(rawValue:)),
                        on: arguments.date("on"),
                        topic: arguments.string("topic"), workingGroup: arguments.string("wg"))
                    let found = try await decisions.list(body: body, filter: filter)
                    guard let code = filter.workingGroup else { return .list(found.map { decisionRecord($0) }) }
                    let acts = try await decisions.workingGroupActs(body: body, code: code, on: filter.on)
                    let byID = Dictionary(
                        acts.map { ($0.decision.id, $0.acts) }, uniquingKeysWith: { first, _ in first })
                    return .list(
                        found.map { decision in
                            decisionRecord(
                                decision,
                                extra: [
                                    ReplyField("wg", .string(code)),
                                    ReplyField("acts", .list((byID[decision.id] ?? []).map { .string($0.rawValue) })),
                                ])
                        })
                }),
            CommandSpec(
                noun: "decision", verb: "search",
                summary: "Full-text search over the titles and texts of decisions and resolutions, best match first.",
                role: .observer,
                parameters: [
                    ParameterSpec(
                        name: "text", type: .string, required: true,
                        help: "the words to find: words, \"a phrase\", -without, or"),
                    ParameterSpec(name: "body", type: .identifier, help: "only this body's", placeholder: "CTOC/COP"),
                    DecisionParameters.status,
                    ParameterSpec(
                        name: "limit", type: .integer(range: 1...1000), help: "at most this many",
                        defaultDescription: "50"),
                ],
                handler: { arguments, _ in
                    let hits = try await decisions.search(
                        text: try arguments.requiredString("text"), body: arguments.string("body"),
                        status: arguments.string("status").flatMap(DecisionStatus.init(rawValue:)),
                        limit: arguments.int("limit") ?? 50)
                    return .list(
                        hits.map { hit in
                            decisionRecord(
                                hit.decision,
                                extra: [
                                    ReplyField("rank", .string(String(format: "%.4f", hit.rank))),
                                    ReplyField("excerpt", .string(hit.excerpt)),
                                ])
                        })
                }),
        ]
    }

    // MARK: - Lineage

    /// `decision link|chain`.
    static func decisionLineageCommands(_ decisions: DecisionRegistry) -> [CommandSpec] {
        let relations = DecisionRelation.allCases.map { relation in
            ParameterSpec(
                name: relation.rawValue, type: DecisionParameters.target(relation.targetKind),
                help: DecisionParameters.help(relation),
                placeholder: DecisionParameters.placeholder(relation.targetKind))
        }
        return [
            CommandSpec(
                noun: "decision", verb: "link",
                summary: "Record what an adopted decision acts on: a decision, a working group or a document.",
                role: .secretariat,
                parameters: [
                    DecisionParameters.body, DecisionParameters.number(required: true),
                    DecisionParameters.kind(required: false),
                ] + relations,
                handler: { arguments, context in
                    let named = try LinkArguments(arguments, once: "give one link per command")
                    let link = try await decisions.link(
                        body: named.body, number: named.number, kind: named.kind, relation: named.relation,
                        to: named.target, by: context.actor)
                    return Reply(code: .created, records: [linkRecord(link)], summary: linkSummary(link))
                }),
            CommandSpec(
                noun: "decision", verb: "chain",
                summary: "Follow a decision's lineage back (what it amends, supersedes, recalls) and forward (what "
                    + "acts on it).",
                role: .observer,
                parameters: [
                    DecisionParameters.body, DecisionParameters.number(required: true),
                    DecisionParameters.kind(required: false),
                    ParameterSpec(
                        name: "direction", type: .choice(ChainDirection.allCases.map(\.rawValue)),
                        help: "which way to follow the links", defaultDescription: "both"),
                    DecisionParameters.on,
                ],
                handler: { arguments, _ in
                    let steps = try await decisions.chain(
                        body: try arguments.requiredString("body"),
                        number: try DecisionNumber.parse(try arguments.requiredString("number")),
                        kind: DecisionParameters.kind(arguments),
                        direction: arguments.string("direction").flatMap(ChainDirection.init(rawValue:)) ?? .both,
                        on: arguments.date("on"))
                    return .list(steps.map(chainRecord))
                }),
        ]
    }

    // MARK: - Records

    static func decisionRecord(_ decision: Decision, withText: Bool = false, extra: [ReplyField] = []) -> ReplyRecord {
        var fields = [
            ReplyField("body", .string(decision.body)), ReplyField("kind", .string(decision.kind.rawValue)),
            ReplyField("number", .optional(decision.number?.description)), ReplyField("id", .int(decision.id)),
            ReplyField("session", .int(decision.session)),
            ReplyField("part", decision.sessionPart > 1 ? .int(decision.sessionPart) : .null),
            ReplyField("status", .string(decision.status.rawValue)),
            ReplyField("adopted", .optional(decision.adoptedOn)), ReplyField("ends", .optional(decision.endsOn)),
            ReplyField("title", .string(decision.title)), ReplyField("agenda-item", .optional(decision.agendaItem)),
            ReplyField("document", .optional(decision.document)),
            ReplyField("recorded", decision.recorded ? .bool(true) : .null),
            ReplyField("reason", .optional(decision.withdrawnReason)),
        ]
        if withText { fields.append(ReplyField("text", .optional(decision.text))) }
        return ReplyRecord(type: "decision", fields: fields + extra)
    }

    /// The summary of a link made or taken back: from, relation, to.
    static func linkSummary(_ link: DecisionLink) -> [ReplyField] {
        [
            ReplyField("from", .string(link.from.description)),
            ReplyField("relation", .string(link.relation.rawValue)),
            ReplyField("to", .string(link.to.description)),
        ]
    }

    static func linkRecord(_ link: DecisionLink) -> ReplyRecord {
        ReplyRecord(
            type: "link",
            fields: [
                ReplyField("body", .string(link.body)), ReplyField("from", .string(link.from.description)),
                ReplyField("relation", .string(link.relation.rawValue)), ReplyField("to", .string(link.to.description)),
            ])
    }

    static func chainRecord(_ step: ChainStep) -> ReplyRecord {
        ReplyRecord(
            type: "chain",
            fields: [
                ReplyField("direction", .string(step.direction.rawValue)), ReplyField("depth", .int(step.depth)),
                ReplyField("from", .string(step.link.from.description)),
                ReplyField("relation", .string(step.link.relation.rawValue)),
                ReplyField("to", .string(step.link.to.description)),
                ReplyField("reached-title", .string(step.reached.title)),
                ReplyField("reached-status", .string(step.reached.status.rawValue)),
            ])
    }
}

/// Parameters the decision commands share, declared once so their keys, types and help agree.
/// What `decision link` and `decision unlink` name: the decision, the one relation given, and its target.
struct LinkArguments {
    var body: String
    var number: DecisionNumber
    var kind: DecisionKind?
    var relation: DecisionRelation
    var target: LinkTarget

    /// Reads them, refusing none or several relations; `once` says what a second one is refused for.
    init(_ arguments: Arguments, once: String) throws {
        let given = DecisionRelation.allCases.filter { arguments.has($0.rawValue) }
        guard let relation = given.first else {
            throw PlenaryError.badArgument(
                DecisionRelation.allCases.map(\.rawValue).joined(separator: "|"), "give exactly one of these keys")
        }
        if given.count > 1 {
            throw PlenaryError.badArgument(given[1].rawValue, "\(once); \(relation.rawValue)= is already given")
        }
        self.body = try arguments.requiredString("body")
        self.number = try DecisionNumber.parse(try arguments.requiredString("number"))
        self.kind = DecisionParameters.kind(arguments)
        self.relation = relation
        self.target = try LinkTarget.parse(try arguments.requiredString(relation.rawValue), for: relation)
    }
}

enum DecisionParameters {
    static let body = ParameterSpec(
        name: "body", type: .identifier, required: true, help: "the body's code", placeholder: "CTOC/COP")
    static let text = ParameterSpec(name: "text", type: .text, help: "the text")
    static let agendaItem = ParameterSpec(
        name: "agenda-item", type: .string, help: "the agenda item it is tabled under", placeholder: "4 (a)")
    static let document = ParameterSpec(
        name: "document", type: .identifier, help: "the limited-distribution (L) document that carries the draft",
        placeholder: "CTOC/COP/2008/L.5")
    static let ends = ParameterSpec(
        name: "ends", type: .date, help: "the last day it applies, if adopted for a period; elapsed after it")
    static let on = ParameterSpec(
        name: "on", type: .date, help: "the day statuses are derived for (only texts adopted by then)",
        defaultDescription: "today")
    static let status = ParameterSpec(
        name: "status", type: .choice(DecisionStatus.allCases.filter { $0 != .notYetAdopted }.map(\.rawValue)),
        help: "only those standing so (derived from links and dates)")

    static func session(required: Bool) -> ParameterSpec {
        ParameterSpec(
            name: "session", type: .integer(range: 1...9999), required: required, help: "the session's number")
    }

    static func kind(required: Bool) -> ParameterSpec {
        ParameterSpec(
            name: "kind", type: .choice(DecisionKind.allCases.map(\.rawValue)), required: required,
            help: required
                ? "decision or resolution: numbered in separate series"
                : "decision or resolution; needed when the number names both")
    }

    static func number(required: Bool) -> ParameterSpec {
        ParameterSpec(
            name: "number",
            type: .custom(name: "decision number") { value in
                DecisionNumber(parsing: value) == nil ? DecisionNumber.rule : nil
            },
            required: required,
            help: required
                ? "the number, session/serial (a lettered part as \"49/221 B\")"
                : "the number, session/serial (required unless id= is given)",
            placeholder: "4/4")
    }

    static func id(help: String) -> ParameterSpec {
        ParameterSpec(name: "id", type: .integer(range: 1...Int.max), required: true, help: help)
    }

    static func target(_ kind: LinkTarget.Kind) -> ParameterType {
        let name =
            switch kind {
            case .decision: "decision reference"
            case .workingGroup: "wg:CODE"
            case .document: "doc:SYMBOL"
            }
        return .custom(name: name) { value in LinkTarget(parsing: value, as: kind) == nil ? kind.rule : nil }
    }

    static func placeholder(_ kind: LinkTarget.Kind) -> String {
        switch kind {
        case .decision: "DECISION-REF"
        case .workingGroup: "wg:CODE"
        case .document: "doc:SYMBOL"
        }
    }

    static func help(_ relation: DecisionRelation) -> String {
        switch relation {
        case .amends: "an earlier decision it amends (which stays in force as amended)"
        case .supersedes: "an earlier decision it supersedes (no longer in force from this one's adoption)"
        case .recalls: "an earlier decision it recalls (a reference only)"
        case .establishes: "a working group it establishes"
        case .renames: "a working group it renames"
        case .makesStanding: "an interim working group it makes a constant (standing) element"
        case .dissolves: "a working group it dissolves"
        case .considers: "a document it considers"
        }
    }

    static func kind(_ arguments: Arguments) -> DecisionKind? {
        arguments.string("kind").flatMap(DecisionKind.init(rawValue:))
    }

    static func requiredKind(_ arguments: Arguments) throws(PlenaryError) -> DecisionKind {
        guard let kind = DecisionKind(rawValue: try arguments.requiredString("kind")) else {
            throw .badArgument("kind", "must be one of decision|resolution")
        }
        return kind
    }
}
