import AdminProtocol
import Documents
import Foundation
import PlenaryCore

extension PlenaryCatalog {
    /// The document registry and the symbol grammar (issue 4): `doc register|allocate|get|current|list|version|
    /// revise|correct|addendum|amend|reissue|search|deadlines|deadline-rule` and `symbol parse`.
    static func documentCommands(_ services: Services) -> [CommandSpec] {
        let documents = services.documents
        return documentWriteCommands(documents) + documentDerivedCommands(documents)
            + documentReadCommands(documents) + [symbolParseCommand()]
    }

    // MARK: - Registration

    /// `doc register|allocate|version|deadline-rule`.
    static func documentWriteCommands(_ documents: DocumentRegistry) -> [CommandSpec] {
        [
            CommandSpec(
                noun: "doc", verb: "register",
                summary: "Register a document under its symbol, filed under a session or a working group's meeting.",
                role: .secretariat,
                parameters: [
                    DocumentParameters.symbol(positional: false),
                    ParameterSpec(name: "title", type: .string, required: true, help: "the title"),
                ] + DocumentParameters.filing + DocumentParameters.details,
                handler: { arguments, context in
                    let symbol = try DocumentSymbol(try arguments.requiredString("symbol"))
                    let document = try await documents.register(
                        symbol: symbol, try DocumentParameters.draft(arguments), by: context.actor)
                    return Reply(
                        code: .created, records: [documentRecord(document)],
                        summary: [ReplyField("symbol", .string(document.symbol.description))])
                }),
            CommandSpec(
                noun: "doc", verb: "allocate",
                summary: "Register a document under the next free symbol of a series, atomically; replies with it.",
                role: .secretariat,
                parameters: [
                    ParameterSpec(
                        name: "body", type: .identifier, required: true, help: "the body's code",
                        placeholder: "CTOC/COP"),
                    ParameterSpec(
                        name: "series", type: .choice(DocumentSeries.allCases.map(\.rawValue)),
                        help: "the series to number in", defaultDescription: "main"),
                    ParameterSpec(name: "title", type: .string, required: true, help: "the title"),
                ] + DocumentParameters.filing + DocumentParameters.details,
                handler: { arguments, context in
                    let series = DocumentSeries(rawValue: arguments.string("series") ?? "main") ?? .main
                    let document = try await documents.allocate(
                        body: try arguments.requiredString("body"), series: series,
                        try DocumentParameters.draft(arguments), by: context.actor)
                    return Reply(
                        code: .created, records: [documentRecord(document)],
                        summary: [ReplyField("symbol", .string(document.symbol.description))])
                }),
            CommandSpec(
                noun: "doc", verb: "version",
                summary:
                    "Move a language version forward (expected → submitted → translated → issued); record its file.",
                role: .secretariat,
                parameters: [
                    DocumentParameters.symbol(positional: true),
                    ParameterSpec(
                        name: "lang", type: .identifier, required: true, help: "the language",
                        placeholder: "ar|zh|en|fr|ru|es"),
                    ParameterSpec(
                        name: "status", type: .choice(["submitted", "translated", "issued"]), required: true,
                        help: "where it now stands; never back"),
                    ParameterSpec(
                        name: "date", type: .date, help: "the issue date, with status=issued",
                        defaultDescription: "today"),
                    ParameterSpec(name: "file", type: .string, help: "the file name or URL"),
                    ParameterSpec(
                        name: "sha256", type: .identifier, help: "the file's SHA-256, 64 hexadecimal digits"),
                    ParameterSpec(name: "bytes", type: .integer, help: "the file's size in bytes, 0 or more"),
                ],
                handler: { arguments, context in
                    let update = VersionUpdate(
                        language: try Language.parse(try arguments.requiredString("lang"), key: "lang"),
                        status: VersionStatus(rawValue: try arguments.requiredString("status")) ?? .submitted,
                        date: arguments.date("date"), file: arguments.string("file"),
                        sha256: arguments.string("sha256"), bytes: arguments.int("bytes"))
                    let document = try await documents.version(
                        try DocumentSymbol(try arguments.requiredString("symbol")), update, by: context.actor)
                    let version = document.versions.first { $0.language == update.language }!
                    return Reply(
                        records: [documentRecord(document)] + document.versions.map { versionRecord(document, $0) },
                        summary: [
                            ReplyField("symbol", .string(document.symbol.description)),
                            ReplyField("lang", .string(version.language.rawValue)),
                            ReplyField("status", .string(version.status.rawValue)),
                        ])
                }),
            CommandSpec(
                noun: "doc", verb: "deadline-rule",
                summary: "Set when a body's pre-session documents and provisional agendas are due.", role: .secretariat,
                parameters: [
                    ParameterSpec(
                        name: "body", type: .identifier, required: true, help: "the body's code",
                        placeholder: "CTOC/COP"),
                    ParameterSpec(
                        name: "pre-session-days", type: .integer(range: 0...365),
                        help: "days before the opening pre-session documents are due", defaultDescription: "42"),
                    ParameterSpec(
                        name: "agenda-regular-days", type: .integer(range: 0...365),
                        help: "days before a regular session its provisional agenda is due", defaultDescription: "60"),
                    ParameterSpec(
                        name: "agenda-special-days", type: .integer(range: 0...365),
                        help: "days before a special session its provisional agenda is due", defaultDescription: "30"),
                ],
                handler: { arguments, context in
                    let body = try arguments.requiredString("body")
                    let rule = try await documents.setDeadlineRule(
                        body: body, preSessionDays: arguments.int("pre-session-days"),
                        agendaRegularDays: arguments.int("agenda-regular-days"),
                        agendaSpecialDays: arguments.int("agenda-special-days"), by: context.actor)
                    return .ok([
                        ReplyField("body", .string(body)), ReplyField("pre-session-days", .int(rule.preSessionDays)),
                        ReplyField("agenda-regular-days", .int(rule.agendaRegularDays)),
                        ReplyField("agenda-special-days", .int(rule.agendaSpecialDays)),
                    ])
                }),
        ]
    }

    // MARK: - Revisions and the rest

    /// `doc revise|correct|addendum|amend|reissue`.
    static func documentDerivedCommands(_ documents: DocumentRegistry) -> [CommandSpec] {
        func derived(
            _ verb: String, _ relation: DocumentRelation, _ summary: String, extra: [ParameterSpec]
        ) -> CommandSpec {
            CommandSpec(
                noun: "doc", verb: verb, summary: summary, role: .secretariat,
                parameters: [DocumentParameters.symbol(positional: true)] + extra,
                handler: { arguments, context in
                    let languages = try arguments.list("languages").map { codes throws(DomainError) in
                        try Language.parseList(codes, key: "languages")
                    }
                    let document = try await documents.derive(
                        relation, of: try DocumentSymbol(try arguments.requiredString("symbol")),
                        title: arguments.string("title"), languages: languages, by: context.actor)
                    return Reply(
                        code: .created, records: [documentRecord(document)],
                        summary: [
                            ReplyField("symbol", .string(document.symbol.description)),
                            ReplyField("parent", .optional(document.parent?.description)),
                        ])
                })
        }
        let title = ParameterSpec(name: "title", type: .string, help: "the title", defaultDescription: "the parent's")
        return [
            derived(
                "revise", .revision, "Register the next revision (/Rev.n), which supersedes the text.", extra: [title]),
            derived(
                "correct", .corrigendum, "Register the next corrigendum (/Corr.n), in some languages if need be.",
                extra: [
                    ParameterSpec(
                        name: "languages", type: .list(.identifier), help: "the languages it corrects",
                        defaultDescription: "all of the document's", placeholder: "en,fr")
                ]),
            derived(
                "addendum", .addendum, "Register the next addendum (/Add.n).",
                extra: [ParameterSpec(name: "title", type: .string, required: true, help: "the addendum's title")]),
            derived("amend", .amendment, "Register the next amendment (/Amend.n).", extra: [title]),
            CommandSpec(
                noun: "doc", verb: "reissue", summary: "Mark a document reissued for technical reasons (symbol*).",
                role: .secretariat, parameters: [DocumentParameters.symbol(positional: true)],
                handler: { arguments, context in
                    let document = try await documents.reissue(
                        try DocumentSymbol(try arguments.requiredString("symbol")), by: context.actor)
                    return Reply(
                        records: [documentRecord(document)],
                        summary: [ReplyField("symbol", .string(document.symbol.description))])
                }),
        ]
    }

    // MARK: - Reading

    /// `doc get|current|list|search|deadlines`.
    static func documentReadCommands(_ documents: DocumentRegistry) -> [CommandSpec] {
        [
            CommandSpec(
                noun: "doc", verb: "get", summary: "Show a document with its six language versions.", role: .observer,
                parameters: [DocumentParameters.symbol(positional: true)],
                handler: { arguments, _ in
                    let document = try await documents.get(try DocumentSymbol(try arguments.requiredString("symbol")))
                    return .list([documentRecord(document)] + document.versions.map { versionRecord(document, $0) })
                },
                batchHandler: { batch, _ in
                    // A client's pipelined gets, answered with one query: the symbols that parse are fetched
                    // together, the others refused as they would be alone.
                    let symbols = batch.map { arguments in
                        Result { () throws(PlenaryError) in
                            let symbol = try arguments.requiredString("symbol")
                            do throws(DomainError) { return try DocumentSymbol(symbol) } catch {
                                throw PlenaryError(error)
                            }
                        }
                    }
                    let found = await documents.get(symbols.compactMap { try? $0.get() })
                    var next = found.makeIterator()
                    return symbols.map { symbol in
                        symbol.flatMap { _ in next.next()!.mapError { PlenaryError($0) } }.map { document in
                            .list([documentRecord(document)] + document.versions.map { versionRecord(document, $0) })
                        }
                    }
                }),
            CommandSpec(
                noun: "doc", verb: "current",
                summary: "Show the current text of a document: its latest revision, or itself.", role: .observer,
                parameters: [DocumentParameters.symbol(positional: true)],
                handler: { arguments, _ in
                    let document = try await documents.currentText(
                        of: try DocumentSymbol(try arguments.requiredString("symbol")))
                    return .list([documentRecord(document)])
                }),
            CommandSpec(
                noun: "doc", verb: "list",
                summary: "List a body's documents in symbol order, a page at a time.", role: .observer,
                parameters: [
                    ParameterSpec(
                        name: "body", type: .identifier, required: true, help: "the body's code",
                        placeholder: "CTOC/COP"),
                    ParameterSpec(name: "session", type: .integer(range: 1...9999), help: "only this session's"),
                    ParameterSpec(
                        name: "wg", type: .identifier, help: "only this working group's", placeholder: "WG.4"),
                    ParameterSpec(
                        name: "meeting", type: .integer(range: 1...9999), help: "only this meeting's (with wg=)"),
                    ParameterSpec(
                        name: "type", type: .choice(DocumentSymbol.DocumentType.allCases.map(\.rawValue)),
                        help: "only documents of this type"),
                    ParameterSpec(
                        name: "missing-language", type: .identifier,
                        help: "only documents required in this language and not yet issued in it", placeholder: "fr"),
                    ParameterSpec(
                        name: "late", type: .boolean, help: "only documents late or missing in a required language"),
                    ParameterSpec(
                        name: "complete", type: .boolean, help: "only documents issued in every required language"),
                    ParameterSpec(
                        name: "today", type: .date, help: "the day lateness is measured on", defaultDescription: "today"
                    ),
                    ParameterSpec(name: "after", type: .identifier, help: "the cursor of the previous page's next="),
                    ParameterSpec(
                        name: "limit", type: .integer(range: 1...1000), help: "at most this many",
                        defaultDescription: "100"),
                ],
                handler: { arguments, _ in
                    let filter = DocumentFilter(
                        session: arguments.int("session"), workingGroup: arguments.string("wg"),
                        meeting: arguments.int("meeting"),
                        type: arguments.string("type").flatMap(DocumentSymbol.DocumentType.init(rawValue:)),
                        missingLanguage: try arguments.string("missing-language").map { code throws(DomainError) in
                            try Language.parse(code, key: "missing-language")
                        },
                        late: arguments.bool("late") ?? false, complete: arguments.bool("complete") ?? false)
                    let page = try await documents.list(
                        body: try arguments.requiredString("body"), filter: filter, after: arguments.string("after"),
                        limit: arguments.int("limit") ?? 100, today: arguments.date("today"))
                    return .list(
                        page.documents.map { documentRecord($0) },
                        summary: page.next.map { [ReplyField("next", .string($0))] } ?? [])
                }),
            CommandSpec(
                noun: "doc", verb: "search",
                summary: "Full-text search over document titles and symbols, best match first.", role: .observer,
                parameters: [
                    ParameterSpec(
                        name: "text", type: .string, required: true,
                        help:
                            "what to find, as in a web search: words, \"a phrase\", -word to leave out, or between "
                            + "alternatives"
                    ),
                    ParameterSpec(name: "body", type: .identifier, help: "only this body's", placeholder: "CTOC/COP"),
                    ParameterSpec(name: "after", type: .identifier, help: "the cursor of the previous page's next="),
                    ParameterSpec(
                        name: "limit", type: .integer(range: 1...1000), help: "at most this many",
                        defaultDescription: "50"),
                ],
                handler: { arguments, _ in
                    let result = try await documents.search(
                        text: try arguments.requiredString("text"), body: arguments.string("body"),
                        after: arguments.string("after"), limit: arguments.int("limit") ?? 50)
                    return .list(
                        result.hits.map { hit in
                            documentRecord(
                                hit.document,
                                extra: [
                                    ReplyField("rank", .string(String(format: "%.4f", hit.rank))),
                                    ReplyField("excerpt", .string(hit.excerpt)),
                                ])
                        },
                        summary: result.next.map { [ReplyField("next", .string($0))] } ?? [])
                }),
            CommandSpec(
                noun: "doc", verb: "deadlines",
                summary:
                    "As of a day (today=), what is late, missing or due soon (due-within=), per document with its "
                    + "languages under it. Records: one deadline-document per document, by due day then symbol: its "
                    + "due day, the rule= that set it, its worst state= (missing, then late, then due), its languages "
                    + "in each state (late=, missing=, due-soon=) and days-late= of the worst (days-left= when due); "
                    + "after it one deadline per language, in the order ar zh en fr ru es: state=late (issued after "
                    + "its due day), missing (not issued, the day past) or due (not issued, due within due-within= "
                    + "days), with its status, issued day and days-late= (days-left= when due). Rules: the "
                    + "provisional agenda (the main-series document titled \"Provisional agenda…\" or \"Annotated "
                    + "provisional agenda…\", whatever its serial) is due 60 days before a regular session "
                    + "(rule=provisional-agenda-60) and 30 before a special one (provisional-agenda-30; rule 9); "
                    + "other main and information documents and their addenda 42 days before (pre-session-42: the "
                    + "six-week rule); doc deadline-rule changes the days, and the rule= names them. In-session "
                    + "papers (L, CRP, WP), revisions and corrigenda have none. A version issued after today= is not "
                    + "yet issued, so nothing issued by its due day is late. Withdrawn documents, and an original "
                    + "once a revision is issued in all its languages, are left out: the report follows the current "
                    + "text. The final line: count= (every record), opening=, today=, pre-session-days=, documents= "
                    + "and versions= (the deadline records).",
                role: .observer,
                parameters: [
                    ParameterSpec(
                        name: "body", type: .identifier, required: true, help: "the body's code",
                        placeholder: "CTOC/COP"),
                    ParameterSpec(
                        name: "session", type: .integer(range: 1...9999), required: true, help: "the session's number"),
                    ParameterSpec(
                        name: "today", type: .date, help: "the day to measure on", defaultDescription: "today"),
                    ParameterSpec(
                        name: "due-within", type: .integer(range: 0...365),
                        help: "also list what falls due in the next N days (state=due)"),
                ],
                handler: { arguments, _ in
                    let report = try await documents.deadlines(
                        body: try arguments.requiredString("body"), session: try arguments.requiredInt("session"),
                        today: arguments.date("today"), dueWithin: arguments.int("due-within"))
                    // Text and JSON replies are flat (one record a line): each document's record comes first, its
                    // languages' records after it.
                    let records = report.documents.flatMap { document in
                        [deadlineDocumentRecord(document)] + document.entries.map(deadlineRecord)
                    }
                    return .list(
                        records,
                        summary: [
                            ReplyField("opening", .date(report.opening)), ReplyField("today", .date(report.today)),
                            ReplyField("pre-session-days", .int(report.rule.preSessionDays)),
                            ReplyField("documents", .int(report.documents.count)),
                            ReplyField("versions", .int(report.entries.count)),
                        ])
                }),
        ]
    }

    /// A document of `doc deadlines`: its due day, the rule behind it, its worst state and its languages by state.
    static func deadlineDocumentRecord(_ document: DeadlineDocument) -> ReplyRecord {
        func languages(_ state: String) -> ReplyValue {
            let found = document.languages(state)
            return found.isEmpty ? .null : .list(found.map { .string($0.rawValue) })
        }
        return ReplyRecord(
            type: "deadline-document",
            fields: [
                ReplyField("symbol", .string(document.symbol.description)),
                ReplyField("state", .string(document.state)), ReplyField("due", .date(document.due)),
                ReplyField("rule", .string(document.rule.description)),
                ReplyField(document.state == "due" ? "days-left" : "days-late", .int(document.daysLate)),
                ReplyField("late", languages("late")), ReplyField("missing", languages("missing")),
                ReplyField("due-soon", languages("due")), ReplyField("title", .string(document.title)),
            ])
    }

    /// One language of a document of `doc deadlines`.
    static func deadlineRecord(_ entry: DeadlineEntry) -> ReplyRecord {
        ReplyRecord(
            type: "deadline",
            fields: [
                ReplyField("symbol", .string(entry.symbol.description)),
                ReplyField("lang", .string(entry.language.rawValue)),
                ReplyField("state", .string(entry.state)),
                ReplyField("status", .string(entry.status.rawValue)),
                ReplyField("due", .date(entry.due)),
                ReplyField("issued", .optional(entry.issuedOn)),
                ReplyField(entry.state == "due" ? "days-left" : "days-late", .int(entry.daysLate)),
                ReplyField("title", .string(entry.title)),
            ])
    }

    /// `symbol parse`.
    static func symbolParseCommand() -> CommandSpec {
        CommandSpec(
            noun: "symbol", verb: "parse", summary: "Show the components of any UN document symbol.", role: .observer,
            parameters: [
                ParameterSpec(
                    name: "symbol", type: .string, required: true, positional: true, help: "the symbol",
                    placeholder: "SYMBOL")
            ],
            handler: { arguments, _ in
                let symbol = try DocumentSymbol(try arguments.requiredString("symbol"))
                return .list([
                    ReplyRecord(
                        type: "symbol",
                        fields: [
                            ReplyField("symbol", .string(symbol.description)), ReplyField("body", .string(symbol.body)),
                            ReplyField("issuer", .string(symbol.issuer)),
                            ReplyField("wg", .optional(symbol.workingGroup)),
                            ReplyField("year", .optional(symbol.year)),
                            ReplyField("session", .optional(symbol.session)),
                            ReplyField("special-session", .optional(symbol.specialSession?.description)),
                            ReplyField("type", .string(symbol.documentType.rawValue)),
                            ReplyField("distribution", .optional(symbol.distribution?.rawValue)),
                            ReplyField("serial", .optional(symbol.serial)),
                            ReplyField("part", .optional(symbol.part)),
                            ReplyField(
                                "modifiers",
                                symbol.modifiers.isEmpty
                                    ? .null : .list(symbol.modifiers.map { .string($0.description) })),
                            ReplyField("reissue", symbol.isReissue ? .bool(true) : .null),
                            ReplyField("base", .string(symbol.base.description)),
                            ReplyField("parent", .optional(symbol.parent?.description)),
                        ])
                ])
            })
    }

    // MARK: - Records

    static func documentRecord(_ document: Document, extra: [ReplyField] = []) -> ReplyRecord {
        let placement: [ReplyField] =
            switch document.placement {
            case .session(let number): [ReplyField("session", .int(number))]
            case .meeting(let group, let number):
                [ReplyField("wg", .string(group)), ReplyField("meeting", .int(number))]
            }
        return ReplyRecord(
            type: "document",
            fields: [
                ReplyField("symbol", .string(document.symbol.description)), ReplyField("body", .string(document.body)),
            ]
                + placement + [
                    ReplyField("type", .string(document.type.rawValue)),
                    ReplyField("distribution", .string(document.distribution.rawValue)),
                    ReplyField("title", .string(document.title)),
                    ReplyField(
                        "agenda-items",
                        document.agendaItems.isEmpty ? .null : .list(document.agendaItems.map { .string($0) })),
                    ReplyField("original", .string(document.originalLanguage.rawValue)),
                    ReplyField("issued", .optional(document.issuedOn)),
                    ReplyField("languages", .string(document.requiredLanguages.map(\.rawValue).joined(separator: ","))),
                    ReplyField(
                        "missing",
                        document.missingLanguages.isEmpty
                            ? .null : .string(document.missingLanguages.map(\.rawValue).joined(separator: ","))),
                    ReplyField("relation", .optional(document.relation?.rawValue)),
                    ReplyField("parent", .optional(document.parent?.description)),
                    ReplyField("superseded-by", .optional(document.supersededBy?.description)),
                    ReplyField("withdrawn", .optional(document.withdrawnOn)),
                    ReplyField("withdrawn-reason", .optional(document.withdrawnReason)),
                ] + extra)
    }

    static func versionRecord(_ document: Document, _ version: LanguageVersion) -> ReplyRecord {
        ReplyRecord(
            type: "version",
            fields: [
                ReplyField("symbol", .string(document.symbol.description)),
                ReplyField("lang", .string(version.language.rawValue)), ReplyField("required", .bool(version.required)),
                ReplyField("status", .string(version.status.rawValue)),
                ReplyField("issued", .optional(version.issuedOn)),
                ReplyField("file", .optional(version.file)), ReplyField("bytes", .optional(version.bytes)),
                ReplyField("sha256", .optional(version.sha256)),
            ])
    }
}

/// Parameters the document commands share, declared once so their keys, types and help agree.
enum DocumentParameters {
    static func symbol(positional: Bool) -> ParameterSpec {
        ParameterSpec(
            name: "symbol", type: .string, required: true, positional: positional, help: "the document's symbol",
            placeholder: "SYMBOL")
    }

    static let filing = [
        ParameterSpec(name: "session", type: .integer(range: 1...9999), help: "the session it is filed under"),
        ParameterSpec(
            name: "wg", type: .identifier, help: "the working group whose meeting it is filed under (with meeting=)",
            placeholder: "WG.4"),
        ParameterSpec(name: "meeting", type: .integer(range: 1...9999), help: "the working group's meeting (with wg=)"),
    ]

    static let details = [
        ParameterSpec(
            name: "agenda-item", type: .list(.string), help: "the agenda items it is issued under",
            placeholder: "4,5 (a)"),
        ParameterSpec(
            name: "distribution", type: .choice(DocumentSymbol.Distribution.allCases.map(\.rawValue)),
            help: "where the symbol does not say", defaultDescription: "from the symbol, else general"),
        ParameterSpec(name: "original", type: .identifier, help: "the original language", defaultDescription: "en"),
        ParameterSpec(
            name: "languages", type: .list(.identifier), help: "the languages it is to exist in",
            defaultDescription: "ar,zh,en,fr,ru,es"),
        ParameterSpec(name: "date", type: .date, help: "the date of issue"),
    ]

    /// The session or meeting given: exactly one of `session=` and `wg=` with `meeting=`.
    static func placement(_ arguments: Arguments) throws(PlenaryError) -> DocumentPlacement {
        switch (arguments.int("session"), arguments.string("wg"), arguments.int("meeting")) {
        case (let session?, nil, nil): return .session(session)
        case (nil, let group?, let meeting?): return .meeting(workingGroup: group, number: meeting)
        case (_?, _, _): throw .badArgument("session", "give session= or wg= with meeting=, not both")
        case (nil, _?, nil): throw .badArgument("meeting", "required with wg=")
        case (nil, nil, _?): throw .badArgument("wg", "required with meeting=")
        case (nil, nil, nil): throw .badArgument("session", "required (or wg= with meeting=)")
        }
    }

    static func draft(_ arguments: Arguments) throws -> DocumentDraft {
        DocumentDraft(
            title: try arguments.requiredString("title"), placement: try placement(arguments),
            agendaItems: arguments.list("agenda-item") ?? [],
            distribution: arguments.string("distribution").flatMap(DocumentSymbol.Distribution.init(rawValue:)),
            originalLanguage: try Language.parse(arguments.string("original") ?? "en", key: "original"),
            languages: try arguments.list("languages").map { codes throws(DomainError) in
                try Language.parseList(codes, key: "languages")
            } ?? Language.allCases,
            issuedOn: arguments.date("date"))
    }
}
