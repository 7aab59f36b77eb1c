import AdminProtocol
import PlenaryCore
import Treaties

extension PlenaryCatalog {
    /// Instruments and parties (issue 14): `instrument add|get|list`, `treaty sign|deposit|declare|withdraw|denounce`,
    /// `party get|list|report|count|history`.
    static func treatyCommands(_ services: Services) -> [CommandSpec] {
        let treaties = services.treaties
        return instrumentCommands(treaties) + treatyActCommands(treaties) + partyCommands(treaties)
    }

    // MARK: - Instruments

    static func instrumentCommands(_ treaties: TreatyRegistry) -> [CommandSpec] {
        [
            CommandSpec(
                noun: "instrument", verb: "add",
                summary: "Add a Convention, or a Protocol that supplements one, with its entry-into-force rule.",
                role: .secretariat,
                parameters: [
                    TreatyParameters.body,
                    ParameterSpec(
                        name: "code", type: .identifier, required: true, help: "the instrument's code",
                        placeholder: "UNTOC"),
                    ParameterSpec(name: "title", type: .text, required: true, help: "the full title"),
                    ParameterSpec(name: "adopted", type: .date, required: true, help: "the day it was adopted"),
                    ParameterSpec(
                        name: "by", type: .string, required: true, help: "the adopting resolution",
                        placeholder: "RESOLUTION"),
                    ParameterSpec(
                        name: "supplements", type: .identifier, help: "for a Protocol: the Convention's code",
                        placeholder: "CODE"),
                    ParameterSpec(name: "signature-place", type: .text, help: "where it was open for signature"),
                    ParameterSpec(
                        name: "signature-from", type: .date, help: "the first day it was open for signature",
                        defaultDescription: "never open: participants accede"),
                    ParameterSpec(name: "signature-until", type: .date, help: "the last day it was open for signature"),
                    ParameterSpec(
                        name: "depositary", type: .text, help: "its depositary",
                        defaultDescription: "the Secretary-General of the United Nations"),
                    ParameterSpec(
                        name: "texts", type: .list(.identifier), help: "its texts: document symbols",
                        placeholder: "SYMBOL"),
                    ParameterSpec(
                        name: "threshold", type: .integer(range: 1...1000),
                        help: "counted instruments that bring it into force", defaultDescription: "40"),
                    ParameterSpec(
                        name: "eif-days", type: .integer(range: 0...3650),
                        help: "in force on this day after the threshold-th deposit", defaultDescription: "90"),
                    ParameterSpec(
                        name: "later-days", type: .integer(range: 0...3650),
                        help: "for a later depositor, in force on this day after its deposit",
                        defaultDescription: "30"),
                    ParameterSpec(
                        name: "in-force", type: .date,
                        help: "the date of entry into force known from the record (stands while the deposits do not "
                            + "reach the threshold; flagged where they disagree)"),
                ],
                handler: { arguments, context in
                    let draft = InstrumentDraft(
                        code: try arguments.requiredString("code"), title: try arguments.requiredString("title"),
                        adoptedOn: try arguments.requiredDate("adopted"), adoptedBy: try arguments.requiredString("by"),
                        supplements: arguments.string("supplements"),
                        signaturePlace: arguments.string("signature-place"),
                        signatureFrom: arguments.date("signature-from"),
                        signatureUntil: arguments.date("signature-until"),
                        depositary: arguments.string("depositary") ?? Instrument.secretaryGeneral,
                        texts: arguments.list("texts") ?? [],
                        rule: EntryIntoForceRule(
                            threshold: arguments.int("threshold") ?? 40, days: arguments.int("eif-days") ?? 90,
                            laterDays: arguments.int("later-days") ?? 30),
                        recordedInForce: arguments.date("in-force"))
                    let added = try await treaties.add(
                        draft, body: try arguments.requiredString("body"), by: context.actor)
                    return Reply(
                        code: .created, records: [instrumentRecord(added, parties: nil)],
                        summary: [
                            ReplyField("body", .string(added.body)), ReplyField("code", .string(added.code)),
                        ])
                }),
            CommandSpec(
                noun: "instrument", verb: "get",
                summary: "Show an instrument: its entry into force (derived or recorded) and its parties today.",
                role: .observer,
                parameters: [
                    TreatyParameters.body,
                    ParameterSpec(
                        name: "code", type: .identifier, required: true, help: "the instrument's code",
                        placeholder: "UNTOC"),
                    TreatyParameters.asOf(help: "the day the parties are counted on"),
                ],
                handler: { arguments, _ in
                    let found = try await treaties.instrument(
                        body: try arguments.requiredString("body"), code: try arguments.requiredString("code"),
                        on: arguments.date("as-of"))
                    return .list([instrumentRecord(found.instrument, parties: found)])
                }),
            CommandSpec(
                noun: "instrument", verb: "list",
                summary: "List a body's instruments, the Convention first, with their entry into force and parties.",
                role: .observer,
                parameters: [TreatyParameters.body, TreatyParameters.asOf(help: "the day the parties are counted on")],
                handler: { arguments, _ in
                    let all = try await treaties.instruments(
                        body: try arguments.requiredString("body"), on: arguments.date("as-of"))
                    return .list(all.map { instrumentRecord($0.instrument, parties: $0) })
                }),
        ]
    }

    // MARK: - Acts

    static func treatyActCommands(_ treaties: TreatyRegistry) -> [CommandSpec] {
        let common = [TreatyParameters.body, TreatyParameters.instrument, TreatyParameters.state]
        return [
            CommandSpec(
                noun: "treaty", verb: "sign",
                summary: "Record a signature (only while the instrument is open for signature).", role: .secretariat,
                parameters: common + [TreatyParameters.date("the day of signature")],
                handler: { arguments, context in
                    let outcome = try await treaties.sign(
                        body: try arguments.requiredString("body"),
                        instrument: try arguments.requiredString("instrument"),
                        state: try arguments.requiredString("state"), date: try arguments.requiredDate("date"),
                        by: context.actor)
                    return outcomeReply(outcome)
                }),
            CommandSpec(
                noun: "treaty", verb: "deposit",
                summary: "Record an instrument of ratification, acceptance, approval (after signature), accession "
                    + "or succession; for a Protocol, only once the Convention's is deposited.",
                role: .secretariat,
                parameters: common + [
                    ParameterSpec(
                        name: "kind", type: .choice(ActionKind.consents.map(\.rawValue)), required: true,
                        help: "the kind of instrument"),
                    TreatyParameters.date("the day of deposit"),
                ],
                handler: { arguments, context in
                    let outcome = try await treaties.deposit(
                        body: try arguments.requiredString("body"),
                        instrument: try arguments.requiredString("instrument"),
                        state: try arguments.requiredString("state"),
                        kind: ActionKind(rawValue: try arguments.requiredString("kind")) ?? .ratification,
                        date: try arguments.requiredDate("date"), by: context.actor)
                    return outcomeReply(outcome)
                }),
            CommandSpec(
                noun: "treaty", verb: "declare",
                summary: "Record a declaration, reservation or notification (on signature, deposit or after).",
                role: .secretariat,
                parameters: common + [
                    ParameterSpec(
                        name: "kind", type: .choice(ActionKind.statements.map(\.rawValue)), required: true,
                        help: "what it is"),
                    TreatyParameters.date("the day it was made"),
                    ParameterSpec(name: "text", type: .text, required: true, help: "its text"),
                    ParameterSpec(
                        name: "article", type: .string, help: "the article it concerns", placeholder: "35(2)"),
                ],
                handler: { arguments, context in
                    let outcome = try await treaties.declare(
                        body: try arguments.requiredString("body"),
                        instrument: try arguments.requiredString("instrument"),
                        state: try arguments.requiredString("state"),
                        kind: ActionKind(rawValue: try arguments.requiredString("kind")) ?? .declaration,
                        date: try arguments.requiredDate("date"), text: try arguments.requiredString("text"),
                        article: arguments.string("article"), by: context.actor)
                    return outcomeReply(outcome)
                }),
            CommandSpec(
                noun: "treaty", verb: "withdraw",
                summary: "Record the withdrawal of one of the participant's own declarations, reservations or "
                    + "notifications.",
                role: .secretariat,
                parameters: common + [
                    ParameterSpec(
                        name: "declaration", type: .integer(range: 1...Int.max), required: true,
                        help: "the declaration's id, as party get shows it"),
                    TreatyParameters.date("the day it was withdrawn"),
                ],
                handler: { arguments, context in
                    let outcome = try await treaties.withdraw(
                        body: try arguments.requiredString("body"),
                        instrument: try arguments.requiredString("instrument"),
                        state: try arguments.requiredString("state"),
                        declaration: try arguments.requiredInt("declaration"),
                        date: try arguments.requiredDate("date"), by: context.actor)
                    return outcomeReply(outcome)
                }),
            CommandSpec(
                noun: "treaty", verb: "denounce",
                summary: "Record a denunciation, effective one year after its receipt; denouncing the Convention "
                    + "denounces its Protocols.",
                role: .secretariat,
                parameters: common + [TreatyParameters.date("the day the depositary received it")],
                handler: { arguments, context in
                    let outcome = try await treaties.denounce(
                        body: try arguments.requiredString("body"),
                        instrument: try arguments.requiredString("instrument"),
                        state: try arguments.requiredString("state"), date: try arguments.requiredDate("date"),
                        by: context.actor)
                    return outcomeReply(outcome)
                }),
        ]
    }

    // MARK: - Parties

    static func partyCommands(_ treaties: TreatyRegistry) -> [CommandSpec] {
        [
            CommandSpec(
                noun: "party", verb: "get",
                summary: "Show where a State or REIO stands towards every instrument: status, signature, deposit, "
                    + "entry into force for it, declarations.",
                role: .observer,
                parameters: [
                    TreatyParameters.body, TreatyParameters.state,
                    TreatyParameters.asOf(help: "the day the standing is derived for"),
                ],
                handler: { arguments, _ in
                    let standings = try await treaties.party(
                        body: try arguments.requiredString("body"), state: try arguments.requiredString("state"),
                        on: arguments.date("as-of"))
                    var records: [ReplyRecord] = []
                    for standing in standings {
                        records.append(standingRecord(standing))
                        records += standing.statements.map { statementRecord($0, instrument: standing.instrument) }
                    }
                    return .list(records)
                }),
            CommandSpec(
                noun: "party", verb: "list",
                summary: "List the participants of an instrument as of a day, with their status and entry into force.",
                role: .observer,
                parameters: [
                    TreatyParameters.body, TreatyParameters.instrument,
                    TreatyParameters.asOf(help: "the day statuses are derived for"),
                    ParameterSpec(
                        name: "status", type: .choice(PartyStatus.allCases.map(\.rawValue)),
                        help: "only those standing so"),
                ],
                handler: { arguments, _ in
                    let found = try await treaties.parties(
                        body: try arguments.requiredString("body"),
                        instrument: try arguments.requiredString("instrument"), on: arguments.date("as-of"),
                        status: arguments.string("status").flatMap(PartyStatus.init(rawValue:)))
                    return .list(
                        found.standings.map(standingRecord), summary: [ReplyField("as-of", .date(found.day))])
                }),
            CommandSpec(
                noun: "party", verb: "report",
                summary: "The depositary's status table of an instrument; format=csv gives it as CSV.",
                role: .observer,
                parameters: [
                    TreatyParameters.body, TreatyParameters.instrument,
                    TreatyParameters.asOf(help: "the day the table is drawn up for"),
                    ParameterSpec(
                        name: "format", type: .choice(["records", "csv"]),
                        help: "records (one row per participant), or csv: one `csv` record per line, header first",
                        defaultDescription: "records"),
                ],
                handler: { arguments, _ in
                    let found = try await treaties.parties(
                        body: try arguments.requiredString("body"),
                        instrument: try arguments.requiredString("instrument"), on: arguments.date("as-of"))
                    let summary = [
                        ReplyField("instrument", .string(found.instrument.code)), ReplyField("as-of", .date(found.day)),
                        ReplyField("in-force", .optional(found.instrument.inForce.date)),
                    ]
                    if arguments.string("format") == "csv" {
                        return .list(
                            DepositaryTable.csv(found.standings).map {
                                ReplyRecord(type: "csv", fields: [ReplyField("line", .string($0))])
                            }, summary: [ReplyField("format", .string("csv"))] + summary)
                    }
                    return .list(found.standings.map(reportRecord), summary: summary)
                }),
            CommandSpec(
                noun: "party", verb: "count",
                summary: "How many States and REIOs were party to each instrument on a day, or when a session opened.",
                role: .observer,
                parameters: [
                    TreatyParameters.body,
                    ParameterSpec(
                        name: "session", type: .integer(range: 1...9999),
                        help: "count as at the opening of this session (its first day)"),
                    TreatyParameters.asOf(help: "the day counted (instead of session=)"),
                ],
                handler: { arguments, _ in
                    let body = try arguments.requiredString("body")
                    let counts: [InstrumentSummary]
                    if let session = arguments.int("session") {
                        if arguments.has("as-of") {
                            throw PlenaryError.badArgument("as-of", "give either session= or as-of=, not both")
                        }
                        counts = try await treaties.atOpening(body: body, session: session)
                    } else {
                        counts = try await treaties.instruments(body: body, on: arguments.date("as-of"))
                    }
                    return .list(
                        counts.map { count in
                            ReplyRecord(
                                type: "count",
                                fields: [
                                    ReplyField("instrument", .string(count.instrument.code)),
                                    ReplyField("as-of", .date(count.day)), ReplyField("parties", .int(count.parties)),
                                    ReplyField("states", .int(count.states)),
                                ])
                        }, summary: arguments.int("session").map { [ReplyField("session", .int($0))] } ?? [])
                }),
            CommandSpec(
                noun: "party", verb: "history",
                summary: "The count of parties to an instrument over time: each day it changed.", role: .observer,
                parameters: [TreatyParameters.body, TreatyParameters.instrument],
                handler: { arguments, _ in
                    let history = try await treaties.history(
                        body: try arguments.requiredString("body"),
                        instrument: try arguments.requiredString("instrument"))
                    return .list(
                        history.map {
                            ReplyRecord(
                                type: "count",
                                fields: [ReplyField("date", .date($0.date)), ReplyField("parties", .int($0.parties))])
                        })
                }),
        ]
    }

    /// The raw CSV of a `party report format=csv` reply (its `csv` records' lines, each ending in CRLF as RFC 4180
    /// has it), or nil for any other reply: what a client prints on a terminal or saves as a `.csv` file.
    public static func csvText(of reply: Reply) -> String? {
        let lines = reply.records.filter { $0.type == "csv" }.compactMap { $0["line"]?.textForm }
        guard reply.isSuccess, !lines.isEmpty else { return nil }
        return lines.map { $0 + "\r\n" }.joined()
    }

    // MARK: - Records

    static func instrumentRecord(_ instrument: Instrument, parties: InstrumentSummary?) -> ReplyRecord {
        let entry = instrument.inForce
        var fields = [
            ReplyField("body", .string(instrument.body)), ReplyField("code", .string(instrument.code)),
            ReplyField("title", .string(instrument.title)), ReplyField("adopted", .date(instrument.adoptedOn)),
            ReplyField("by", .string(instrument.adoptedBy)),
            ReplyField("supplements", .optional(instrument.supplements)),
            ReplyField("signature-place", .optional(instrument.signaturePlace)),
            ReplyField("signature-from", .optional(instrument.signatureFrom)),
            ReplyField("signature-until", .optional(instrument.signatureUntil)),
            ReplyField("depositary", .string(instrument.depositary)),
            ReplyField("texts", instrument.texts.isEmpty ? .null : .list(instrument.texts.map(ReplyValue.string))),
            ReplyField("threshold", .int(instrument.rule.threshold)),
            ReplyField("eif-days", .int(instrument.rule.days)),
            ReplyField("later-days", .int(instrument.rule.laterDays)),
            ReplyField("in-force", .optional(entry.date)), ReplyField("in-force-basis", .string(entry.basis.rawValue)),
            ReplyField("derived-in-force", .optional(entry.derived)),
            ReplyField("recorded-in-force", .optional(entry.recorded)),
            ReplyField("in-force-agrees", entry.agrees.map(ReplyValue.bool) ?? .null),
            ReplyField("counted", .int(entry.counted)),
            ReplyField("threshold-deposit", .optional(entry.thresholdDeposit)),
        ]
        if let parties {
            fields += [
                ReplyField("as-of", .date(parties.day)), ReplyField("parties", .int(parties.parties)),
                ReplyField("states", .int(parties.states)),
            ]
        }
        return ReplyRecord(type: "instrument", fields: fields)
    }

    static func outcomeReply(_ outcome: TreatyOutcome) -> Reply {
        let action = outcome.action
        var fields = [
            ReplyField("id", .int(action.id)), ReplyField("instrument", .string(action.instrument)),
            ReplyField("state", .string(action.participant)), ReplyField("kind", .string(action.kind.rawValue)),
            ReplyField("date", .date(action.date)), ReplyField("article", .optional(action.article)),
            ReplyField("withdraws", .optional(action.withdraws)),
        ]
        if action.kind == .denunciation {
            fields.append(ReplyField("effective", .date(TreatyAction.denunciationEffective(action.date))))
        }
        fields += [
            ReplyField("status", .optional(outcome.standing?.status.rawValue)),
            ReplyField("in-force", .optional(outcome.standing?.inForce)),
            ReplyField("counted", .optional(outcome.position)),
            ReplyField("instrument-in-force", .optional(outcome.instrument.inForce.date)),
            ReplyField("in-force-basis", .string(outcome.instrument.inForce.basis.rawValue)),
        ]
        if let position = outcome.position, position == outcome.instrument.rule.threshold {
            fields.append(ReplyField("brings-into-force", .bool(true)))
        }
        return Reply(
            code: .created, records: [ReplyRecord(type: "act", fields: fields)],
            summary: [ReplyField("id", .int(action.id))])
    }

    static func standingRecord(_ standing: Standing) -> ReplyRecord {
        ReplyRecord(
            type: "party",
            fields: [
                ReplyField("instrument", .string(standing.instrument)),
                ReplyField("state", .string(standing.participant.code)),
                ReplyField("name", .string(standing.participant.name)),
                ReplyField("status", .string(standing.status.rawValue)),
                ReplyField("in-force", .optional(standing.inForce)),
                ReplyField("signature", .optional(standing.signature)),
                ReplyField("deposit", .optional(standing.consent?.date)),
                ReplyField("deposit-kind", .optional(standing.consent?.kind.rawValue)),
                ReplyField("denounced", .optional(standing.denunciationReceived)),
                ReplyField("denunciation-effective", .optional(standing.denunciationEffective)),
                ReplyField("declarations", standing.statements.isEmpty ? .null : .int(standing.statements.count)),
            ])
    }

    static func statementRecord(_ statement: Statement, instrument: String) -> ReplyRecord {
        ReplyRecord(
            type: "declaration",
            fields: [
                ReplyField("instrument", .string(instrument)), ReplyField("id", .int(statement.action.id)),
                ReplyField("kind", .string(statement.action.kind.rawValue)),
                ReplyField("date", .date(statement.action.date)),
                ReplyField("article", .optional(statement.action.article)),
                ReplyField("withdrawn", .optional(statement.withdrawn)),
                ReplyField("text", .optional(statement.action.text)),
            ])
    }

    static func reportRecord(_ standing: Standing) -> ReplyRecord {
        let cells = DepositaryTable.cells(standing)
        return ReplyRecord(
            type: "row",
            fields: [
                ReplyField("participant", .string(cells[0])), ReplyField("state", .string(cells[1])),
                ReplyField("signature", .optional(standing.signature)),
                ReplyField("consent", .optional(standing.consentMarked)),
                ReplyField("in-force", .optional(standing.inForce)),
                ReplyField("status", .string(standing.status.rawValue)),
                ReplyField("denunciation", cells[6].isEmpty ? .null : .string(cells[6])),
                ReplyField("declarations", cells[7].isEmpty ? .null : .string(cells[7])),
            ])
    }
}

/// Parameters the treaty commands share, declared once so their keys, types and help agree.
enum TreatyParameters {
    static let body = ParameterSpec(
        name: "body", type: .identifier, required: true, help: "the body's code", placeholder: "CTOC/COP")
    static let instrument = ParameterSpec(
        name: "instrument", type: .identifier, required: true, help: "the instrument's code", placeholder: "UNTOC")
    static let state = ParameterSpec(
        name: "state", type: .identifier, required: true,
        help: "the State's ISO 3166-1 alpha-3 code, or EUU for the European Union", placeholder: "ITA")

    static func date(_ help: String) -> ParameterSpec {
        ParameterSpec(name: "date", type: .date, required: true, help: help)
    }

    static func asOf(help: String) -> ParameterSpec {
        ParameterSpec(name: "as-of", type: .date, help: help, defaultDescription: "today in the body's time zone")
    }
}
