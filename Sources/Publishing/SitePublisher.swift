import AdminProtocol
import Decisions
import Documents
import PlenaryCore
import Sessions
import Treaties
import WorkingGroups

/// What a publication did.
public struct PublishReport: Sendable, Hashable {
    /// Files written because their bytes changed (or were new).
    public var written = 0
    /// Files rendered whose bytes were already there.
    public var unchanged = 0
    /// The paths written, at most the first 50 (for the follower's log).
    public var paths: [String] = []

    /// Creates an empty report.
    public init() {}

    mutating func add(_ path: String, wrote: Bool) {
        if wrote {
            written += 1
            if paths.count < 50 { paths.append(path) }
        } else {
            unchanged += 1
        }
    }
}

/// Publishes the record as a site: reads through ``SiteReader``, renders with ``SiteRenderer``, writes with
/// ``SiteWriter``. A whole publication streams each body's documents a page of the registry at a time (the next
/// page is read while this one is rendered) and keeps only what the session and group pages need; a change
/// re-renders just the pages its ``ChangeScope`` names.
public struct SitePublisher: Sendable {
    let reader: SiteReader
    let renderer: SiteRenderer
    let writer: SiteWriter
    /// The bodies published (every body when nil).
    let bodies: [String]?

    /// Creates a publisher of `bodies` (all when nil).
    public init(
        reader: SiteReader, renderer: SiteRenderer = SiteRenderer(), writer: SiteWriter, bodies: [String]? = nil
    ) {
        self.reader = reader
        self.renderer = renderer
        self.writer = writer
        self.bodies = bodies
    }

    func put(_ file: SiteFile, _ report: inout PublishReport) throws(DomainError) {
        report.add(file.path, wrote: try writer.write(file))
    }

    // MARK: - Everything

    /// Publishes every page of the bodies.
    public func publishAll() async throws(DomainError) -> PublishReport {
        try await publishAll(list: reader.bodyList(bodies))
    }

    /// Publishes every page of `list`, the bodies already read.
    func publishAll(list: [Body]) async throws(DomainError) -> PublishReport {
        var report = PublishReport()
        try put(renderer.stylesheet(), &report)
        try put(renderer.index(list), &report)
        for body in list { try await publishBody(body, &report) }
        return report
    }

    /// Every page of one body, its documents streamed.
    func publishBody(_ body: Body, _ report: inout PublishReport) async throws(DomainError) {
        let record = try await reader.record(body)
        var bySession: [Int: [Document]] = [:]
        var byGroup: [String: [Document]] = [:]
        var symbols: Set<String> = []
        var page = try await reader.documentPage(body: body.code, after: nil)
        while true {
            let reader = self.reader
            let code = body.code
            let prefetch = page.next.map { cursor in
                Task { try await reader.documentPage(body: code, after: cursor) }
            }
            let derived = Dictionary(
                grouping: try await reader.derived(from: page.documents.map(\.symbol)).filter { $0.parent != nil },
                by: { DocumentRules.unmarked($0.parent!).description })
            for document in page.documents {
                let key = DocumentRules.unmarked(document.symbol).description
                symbols.insert(key)
                switch document.placement {
                case .session(let number): bySession[number, default: []].append(document)
                case .meeting(let group, _): byGroup[group, default: []].append(document)
                }
                try put(
                    renderer.document(DocumentPageModel(body: body, document: document, derived: derived[key] ?? [])),
                    &report)
            }
            guard let prefetch else { break }
            do {
                page = try await prefetch.value
            } catch let error as DomainError {
                throw error
            } catch {
                throw DomainError.unavailable("documents of \(body.code): \(error)")
            }
        }
        try await publishFront(record, &report)
        for number in Set(record.sessions.map(\.number)).sorted() {
            try await publishSession(record, number: number, documents: bySession[number] ?? [], &report)
        }
        for group in record.groups {
            try await publishGroup(record, group: group, documents: byGroup[group.code] ?? [], &report)
        }
        try publishDecisions(record, documents: symbols, &report)
    }

    func publishFront(_ record: SiteReader.BodyRecord, _ report: inout PublishReport) async throws(DomainError) {
        let instruments = try await reader.instruments(body: record.body.code).map(Self.instrument)
        let model = FrontPageModel(
            body: record.body, instruments: instruments, sessions: record.sessions, workingGroups: record.groups,
            meetings: record.meetings, upcoming: record.upcoming, decisions: record.decisions)
        try put(renderer.front(model), &report)
        try put(renderer.data(model), &report)
        try put(renderer.calendar(record.calendar), &report)
    }

    /// An instrument as the front page lists it. Its texts are document symbols (the adopting resolution), issued
    /// in the six languages: each language links the UN's official document system for that symbol.
    static func instrument(_ summary: InstrumentSummary) -> PublishedInstrument {
        let instrument = summary.instrument
        let entry = instrument.inForce
        let basis: PublishedInstrument.ForceBasis? =
            switch entry.basis {
            case .recorded: .recorded
            case .derived: .derived
            case .pending: nil
            }
        var texts: [Language: String] = [:]
        if let symbol = instrument.texts.first {
            for language in Language.allCases { texts[language] = "https://undocs.org/\(language.rawValue)/\(symbol)" }
        }
        return PublishedInstrument(
            name: instrument.title, adoptedBy: instrument.adoptedBy, adoptedOn: instrument.adoptedOn,
            entryIntoForce: entry.date, forceBasis: basis, parties: summary.parties, texts: texts)
    }

    func publishSession(
        _ record: SiteReader.BodyRecord, number: Int, documents: [Document], _ report: inout PublishReport
    ) async throws(DomainError) {
        let parts = record.sessions.filter { $0.number == number }.sorted { $0.part < $1.part }
        guard !parts.isEmpty else { return }
        let model = SessionPageModel(
            body: record.body, parts: parts, agenda: await reader.agenda(body: record.body.code, session: number),
            documents: documents, decisions: record.decisions.filter { $0.session == number },
            meetings: record.meetings.filter { $0.withSession == number })
        try put(renderer.session(model), &report)
        try put(renderer.sessionData(model), &report)
    }

    func publishGroup(
        _ record: SiteReader.BodyRecord, group: WorkingGroup, documents: [Document], _ report: inout PublishReport
    ) async throws(DomainError) {
        let code = record.body.code
        let model = WorkingGroupPageModel(
            body: record.body, group: group, renames: try await reader.renames(body: code, group: group.code),
            meetings: record.meetings.filter { $0.workingGroup == group.code }, documents: documents,
            acts: try await reader.acts(body: code, group: group.code),
            decisions: Set(record.decisions.compactMap(\.citation)))
        try put(renderer.workingGroup(model), &report)
    }

    func publishDecisions(
        _ record: SiteReader.BodyRecord, documents: Set<String>, _ report: inout PublishReport
    ) throws(DomainError) {
        var byCitation: [DecisionCitation: Decision] = [:]
        for decision in record.decisions { byCitation[decision.citation!] = decision }
        var linksOf: [DecisionCitation: [DecisionLink]] = [:]
        for link in record.links {
            linksOf[link.from, default: []].append(link)
            if case .decision(let target) = link.to, target != link.from { linksOf[target, default: []].append(link) }
        }
        let groups = Set(record.groups.map(\.code))
        for decision in record.decisions {
            let citation = decision.citation!
            let links = linksOf[citation] ?? []
            var related: [DecisionCitation: Decision] = [:]
            for link in links {
                related[link.from] = byCitation[link.from]
                if case .decision(let target) = link.to { related[target] = byCitation[target] }
            }
            try put(
                renderer.decision(
                    DecisionPageModel(
                        body: record.body, decision: decision, links: links, related: related,
                        publishedDocuments: documents, workingGroups: groups)),
                &report)
        }
    }

    // MARK: - Changes

    /// Re-renders the pages the scopes name; files whose bytes did not change are not written.
    public func publish(_ scopes: Set<ChangeScope>) async throws(DomainError) -> PublishReport {
        try await publish(scopes, list: reader.bodyList(bodies))
    }

    /// Re-renders the pages the scopes name among `published`, the bodies already read.
    func publish(_ scopes: Set<ChangeScope>, list published: [Body]) async throws(DomainError) -> PublishReport {
        if scopes.contains(.everything) { return try await publishAll(list: published) }
        var report = PublishReport()
        let byCode = Dictionary(published.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        var records: [String: SiteReader.BodyRecord] = [:]
        func record(_ code: String) async throws(DomainError) -> SiteReader.BodyRecord? {
            if let known = records[code] { return known }
            guard let body = byCode[code] else { return nil }
            let read = try await reader.record(body)
            records[code] = read
            return read
        }
        var sessions: Set<[String]> = []
        var groups: Set<[String]> = []
        var fronts: Set<String> = []
        var decisionBodies: Set<String> = []
        for scope in scopes {
            switch scope {
            case .everything, .nothing: continue
            case .body(let code):
                if bodies == nil || bodies!.contains(code) {
                    // A new body appears in the list of bodies; its pages follow (the list is read again).
                    return try await publishAll()
                }
            case .session(let body, let number):
                fronts.insert(body)
                sessions.insert([body, String(number)])
                decisionBodies.insert(body)
            case .agenda(let body, let number):
                sessions.insert([body, String(number)])
            case .decision(let body, let session):
                decisionBodies.insert(body)
                sessions.insert([body, String(session)])
                fronts.insert(body)
                if let known = try await record(body) {
                    for group in known.groups { groups.insert([body, group.code]) }
                }
            case .workingGroup(let body, let code):
                fronts.insert(body)
                groups.insert([body, code])
                if let known = try await record(body) {
                    for meeting in known.meetings where meeting.workingGroup == code {
                        if let number = meeting.withSession { sessions.insert([body, String(number)]) }
                    }
                }
            case .document(let text):
                guard let symbol = try? DocumentSymbol(text) else { continue }
                let document: Document
                do throws(DomainError) {
                    document = try await reader.document(symbol)
                } catch {
                    if error.kind == .notFound { continue }
                    throw error
                }
                guard let body = byCode[document.body] else { continue }
                try await publishDocumentFamily(document, body: body, &report)
                switch document.placement {
                case .session(let number): sessions.insert([body.code, String(number)])
                case .meeting(let group, _): groups.insert([body.code, group])
                }
            }
        }
        for code in fronts.sorted() {
            guard let known = try await record(code) else { continue }
            try await publishFront(known, &report)
        }
        for key in sessions.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            guard let known = try await record(key[0]), let number = Int(key[1]) else { continue }
            let documents = try await reader.allDocuments(body: key[0], filter: DocumentFilter(session: number))
            try await publishSession(known, number: number, documents: documents, &report)
        }
        for key in groups.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            guard let known = try await record(key[0]), let group = known.groups.first(where: { $0.code == key[1] })
            else { continue }
            let documents = try await reader.allDocuments(body: key[0], filter: DocumentFilter(workingGroup: key[1]))
            try await publishGroup(known, group: group, documents: documents, &report)
        }
        for code in decisionBodies.sorted() {
            guard let known = try await record(code) else { continue }
            let named =
                known.decisions.flatMap { decision in
                    [decision.document].compactMap { $0 }
                }
                + known.links.compactMap { link -> String? in
                    guard case .document(let symbol) = link.to else { return nil }
                    return symbol
                }
            try publishDecisions(known, documents: await reader.registered(named), &report)
        }
        return report
    }

    /// A document's page, its parent's, and every page derived from the parent (a new revision changes the
    /// siblings' current text).
    func publishDocumentFamily(
        _ document: Document, body: Body, _ report: inout PublishReport
    ) async throws(DomainError) {
        var family = [document]
        if let parent = document.parent, let found = try? await reader.document(parent) {
            family.append(found)
            family += try await reader.derived(from: [found.symbol])
        }
        var seen: Set<String> = []
        family = family.filter { seen.insert(DocumentRules.unmarked($0.symbol).description).inserted }
        let derived = Dictionary(
            grouping: try await reader.derived(from: family.map(\.symbol)).filter { $0.parent != nil },
            by: { DocumentRules.unmarked($0.parent!).description })
        for member in family {
            let key = DocumentRules.unmarked(member.symbol).description
            try put(
                renderer.document(DocumentPageModel(body: body, document: member, derived: derived[key] ?? [])), &report
            )
        }
    }

    // MARK: - Since the last publication

    /// The most changes an incremental publication reads from the trail; past that, everything is rendered (as
    /// fast, and one read of each page instead of many).
    static let incrementLimit = 10_000

    /// Publishes into a site that may hold an earlier publication: reads its ``PublicationStamp``, and when that
    /// still describes this publication (``PublicationStamp/allowsIncrement(to:)``, and the trail still holds its
    /// head) re-renders only the pages the changes committed since touch, as `--follow` would have; otherwise, or
    /// with `full`, everything. Writes the new stamp last, so an interrupted publication is redone from the old
    /// one. Returns what was written and whether the publication was incremental.
    public func publish(
        since source: any ChangeSource, plenary: String, full: Bool = false
    ) async throws(DomainError) -> (report: PublishReport, incremental: Bool) {
        // The head first: whatever is committed after it is published again next time, never missed.
        let head = try await reader.trailHead()
        let list = try await reader.bodyList(bodies)
        let stamp = PublicationStamp(plenary: plenary, trail: head, bodies: bodies, days: reader.days(of: list))
        var scopes: Set<ChangeScope> = [.everything]
        if !full, let bytes = writer.contents(of: PublicationStamp.fileName), let old = PublicationStamp(bytes: bytes),
            old.allowsIncrement(to: stamp), let from = old.anchor, from.seq <= head.seq,
            try await reader.trailHolds(from)
        {
            scopes = try await Self.scopes(source, after: from.seq, through: head.seq)
        }
        var report = PublishReport()
        scopes.remove(.nothing)
        if !scopes.isEmpty { report = try await publish(scopes, list: list) }
        try put(stamp.file, &report)
        return (report, !scopes.contains(.everything))
    }

    /// The scopes of the changes after `seq` up to `head`; everything past ``incrementLimit`` changes.
    static func scopes(
        _ source: any ChangeSource, after seq: Int, through head: Int
    ) async throws(DomainError) -> Set<ChangeScope> {
        if head - seq > incrementLimit { return [.everything] }
        var scopes: Set<ChangeScope> = []
        var cursor = seq
        while cursor < head {
            let events: [ChangeEvent]
            do {
                events = try await source.changes(after: cursor, limit: 1000)
            } catch let error as DomainError {
                throw error
            } catch {
                throw DomainError.unavailable("change feed: \(error)")
            }
            guard let last = events.last else { break }
            cursor = last.seq
            for event in events where event.seq <= head { scopes.insert(ChangeScope(topic: event.topic, id: event.id)) }
        }
        return scopes
    }

    // MARK: - Following the change feed

    /// Publishes from the site's stamp (``publish(since:plenary:full:)``: everything on a new site or another day,
    /// else the changes since the last publication), then follows `source` — the audit trail's change feed, the
    /// one `watch` streams — publishing from the stamp again at each signal, until the feed ends. The log, not the
    /// signal, says what changed: a lost or repeated signal, a listener that reconnected or a publication that
    /// failed costs a later pass, never a page. `published` hears of every publication that rendered a page;
    /// `failed` of one that failed (its stamp is not moved, so the next pass does its work again).
    public func follow(
        _ source: any ChangeSource, plenary: String, published: @Sendable (PublishReport) -> Void,
        failed: @Sendable (DomainError) -> Void
    ) async throws(DomainError) {
        let commits = source.commits()
        defer { source.stop() }
        published(try await publish(since: source, plenary: plenary).report)
        for await _ in commits {
            do throws(DomainError) {
                let report = try await publish(since: source, plenary: plenary).report
                // The stamp is always rendered; a pass that rendered nothing else (a token, a draft) says nothing.
                if report.written + report.unchanged > 1 { published(report) }
            } catch {
                failed(error)
            }
        }
    }
}
