import Decisions
import Documents
import PlenaryCore
import Sessions
import WorkingGroups

extension SiteRenderer {
    // MARK: - Session

    /// A session's page: its facts, agenda, documents by agenda item and series, and what it adopted.
    public func session(_ model: SessionPageModel) -> SiteFile {
        let body = model.body
        let first = model.parts[0]
        let name = sessionName(body.code, first.number)
        let heading = first.title ?? words.format("session.label", body.code, String(first.number))
        return page(
            path: SitePaths.session(body.code, first.number), title: name, body: body,
            crumbs: crumbs(body, [Crumb(label: name, path: nil)])
        ) { html, path in
            let link = { (target: String) in SitePaths.relative(from: path, to: target) }
            html.element("h1", [], heading)
            html.element("p", [("class", "lead")], name + " · " + words["kind.\(first.kind.rawValue)"])
            html.element("h2", [("id", "facts")], words["session.facts"])
            html.raw("<dl class=\"facts\">\n")
            for part in model.parts {
                let label =
                    model.parts.count > 1
                    ? words["session.dates"] + " (" + words.format("session.part", String(part.part)) + ")"
                    : words["session.dates"]
                fact(label, words.range(part.start, part.end), into: &html)
            }
            fact(words["session.venue"], model.parts.last!.venue, into: &html)
            fact(words["session.format"], words["format.\(model.parts.last!.format.rawValue)"], into: &html)
            html.element("dt", [], words["session.status"], newline: false)
            html.open("dd")
            tag(
                model.parts.last!.status.rawValue, words["session.status.\(model.parts.last!.status.rawValue)"],
                into: &html)
            html.close("dd", newline: true)
            html.raw("</dl>\n")

            html.element("h2", [("id", "agenda")], words["session.agenda"])
            if let agenda = model.agenda, !agenda.items.isEmpty {
                html.element(
                    "p", [],
                    agenda.adoptedOn.map { words.format("session.agenda.adopted", words.day($0)) }
                        ?? words["session.agenda.provisional"])
                html.raw("<ol class=\"items\">\n")
                for item in agenda.items {
                    html.open("li", [("id", "item-" + Self.itemKey(item.number.description))])
                    html.element("span", [("class", "symbol")], item.number.description + ".", newline: false)
                    html.put(" " + item.title)
                    html.close("li", newline: true)
                }
                html.raw("</ol>\n")
            } else {
                html.element("p", [], words["session.agenda.none"])
            }

            html.element("h2", [("id", "documents")], words["session.documents"])
            if model.documents.isEmpty { html.element("p", [], words["session.documents.none"]) }
            let grouped = documentsByItem(model.documents, agenda: model.agenda)
            for (item, documents) in grouped {
                if grouped.count == 1 && item == nil {
                    // Nothing is filed under an agenda item: one list, no heading to say so.
                } else if let item {
                    let title = model.agenda?.items.first(where: {
                        Self.itemKey($0.number.description) == Self.itemKey(item)
                    })?.title
                    html.element(
                        "h3", [], words.format("session.documents.item", item) + (title.map { ": " + $0 } ?? ""))
                } else {
                    html.element("h3", [], words["session.documents.other"])
                }
                documentList(documents, body: body.code, link: link, into: &html)
            }

            html.element("h2", [("id", "decisions")], words["session.decisions"])
            let adopted = model.decisions.filter { $0.citation != nil }
            if adopted.isEmpty {
                html.element("p", [], words["session.decisions.none"])
            } else {
                html.raw("<ul class=\"items\">\n")
                for decision in adopted {
                    html.open("li")
                    decisionLink(decision, body: body.code, link: link, into: &html)
                    if let day = decision.adoptedOn {
                        html.element("span", [("class", "meta")], words.day(day), newline: false)
                    }
                    html.close("li", newline: true)
                }
                html.raw("</ul>\n")
            }
            if !model.meetings.isEmpty {
                html.element("h2", [("id", "meetings")], words["session.meetings"])
                html.raw("<ul class=\"items\">\n")
                for meeting in model.meetings {
                    html.open("li")
                    html.link(
                        link(SitePaths.workingGroup(body.code, meeting.workingGroup)) + "#meeting-\(meeting.number)",
                        words.format("event.meeting", String(meeting.number), "\(body.code)/\(meeting.workingGroup)")
                            + " ("
                            + words.range(meeting.start, meeting.end) + ")")
                    html.close("li", newline: true)
                }
                html.raw("</ul>\n")
            }
        }
    }

    /// `4(a)` and `4 (a)` alike: the key agenda items are matched by.
    static func itemKey(_ item: String) -> String {
        String(item.unicodeScalars.filter { $0 != " " && $0 != "(" && $0 != ")" }.map(Character.init))
    }

    /// Documents grouped by agenda item (agenda order, then any other item in number order, then those under no
    /// item), each group in series order (main, L, CRP, INF, WP, others) and symbol order within a series.
    func documentsByItem(_ documents: [Document], agenda: Agenda?) -> [(String?, [Document])] {
        var groups: [String: [Document]] = [:]
        var labels: [String: String] = [:]
        var none: [Document] = []
        for document in documents {
            if document.agendaItems.isEmpty { none.append(document) }
            for item in document.agendaItems {
                let key = Self.itemKey(item)
                groups[key, default: []].append(document)
                if labels[key] == nil { labels[key] = item }
            }
        }
        var order = (agenda?.items ?? []).map { Self.itemKey($0.number.description) }.filter { groups[$0] != nil }
        let rest = groups.keys.filter { !order.contains($0) }.sorted { left, right in
            let (l, r) = (Int(left.prefix { $0.isNumber }) ?? 0, Int(right.prefix { $0.isNumber }) ?? 0)
            return l != r ? l < r : left < right
        }
        order += rest
        var result: [(String?, [Document])] = order.map { (labels[$0], Self.bySeries(groups[$0]!)) }
        if !none.isEmpty { result.append((nil, Self.bySeries(none))) }
        return result
    }

    /// Series order, keeping the registry's symbol order within each series.
    static func bySeries(_ documents: [Document]) -> [Document] {
        let rank: [DocumentSymbol.DocumentType: Int] = [
            .main: 0, .limited: 1, .conferenceRoomPaper: 2, .information: 3, .workingPaper: 4,
        ]
        return documents.enumerated().sorted { left, right in
            let (l, r) = (rank[left.element.type] ?? 5, rank[right.element.type] ?? 5)
            return l != r ? l < r : left.offset < right.offset
        }.map(\.element)
    }

    /// A list of documents, each linked by symbol and title, with its date and languages issued.
    func documentList(_ documents: [Document], body: String, link: (String) -> String, into html: inout HTML) {
        html.raw("<ul class=\"items\">\n")
        for document in documents {
            html.open("li")
            html.open("a", [("href", link(SitePaths.document(body, document.symbol)))])
            html.element("span", [("class", "symbol")], document.symbol.description, newline: false)
            html.put(" — " + document.title)
            html.close("a")
            let issued = document.versions.filter { $0.status == .issued }.map { words["lang.\($0.language.rawValue)"] }
            var meta: [String] = []
            if let day = document.issuedOn { meta.append(words.day(day)) }
            if !issued.isEmpty { meta.append(issued.joined(separator: ", ")) }
            if !meta.isEmpty {
                html.element("span", [("class", "meta")], meta.joined(separator: " · "), newline: false)
            }
            html.close("li", newline: true)
        }
        html.raw("</ul>\n")
    }

    /// `Decision 4/4: Title`, linked to its page.
    func decisionLink(_ decision: Decision, body: String, link: (String) -> String, into html: inout HTML) {
        guard let citation = decision.citation else { return }
        html.open("a", [("href", link(SitePaths.decision(body, citation)))])
        html.element("span", [("class", "symbol")], decisionName(citation), newline: false)
        html.put(" — " + decision.title)
        html.close("a")
    }

    /// `Decision 4/4`.
    func decisionName(_ citation: DecisionCitation) -> String {
        words.format("decision.kind.\(citation.kind.rawValue).title", citation.number.description)
    }

    /// A term and its description in a facts list.
    func fact(_ term: String, _ value: String, into html: inout HTML) {
        html.element("dt", [], term, newline: false)
        html.element("dd", [], value)
    }

    /// A status, as a coloured tag (its colour only repeats what its word says).
    func tag(_ status: String, _ label: String, into html: inout HTML) {
        let tone =
            switch status {
            case "issued", "in-force", "open", "active", "closed": "tag good"
            case "translated", "submitted", "scheduled", "postponed", "not-yet-adopted": "tag warn"
            case "cancelled", "superseded", "withdrawn", "dissolved": "tag bad"
            default: "tag"
            }
        html.element("span", [("class", tone)], label, newline: false)
    }

    // MARK: - Document

    /// A document's page: facts, current text, the six language versions, and what revises or adds to it.
    public func document(_ model: DocumentPageModel) -> SiteFile {
        let body = model.body
        let document = model.document
        let symbol = document.symbol.description
        return page(
            path: SitePaths.document(body.code, document.symbol), title: symbol, body: body,
            crumbs: crumbs(body, placementCrumbs(document, body: body.code) + [Crumb(label: symbol, path: nil)])
        ) { html, path in
            let link = { (target: String) in SitePaths.relative(from: path, to: target) }
            html.element("h1", [], symbol)
            html.element("p", [("class", "lead")], document.title)
            if let parent = document.parent, let relation = document.relation {
                html.open("p")
                html.sentence(
                    words.format("document.parent", words["docrel.\(relation.rawValue)"], "{L}"),
                    href: link(SitePaths.document(body.code, parent)), label: parent.description)
                html.close("p", newline: true)
            }
            html.element("h2", [], words["document.facts"])
            html.raw("<dl class=\"facts\">\n")
            fact(words["document.distribution"], words["distribution.\(document.distribution.rawValue)"], into: &html)
            html.element("dt", [], words["document.original"], newline: false)
            html.open("dd")
            languageName(document.originalLanguage, into: &html)
            html.close("dd", newline: true)
            if let day = document.issuedOn { fact(words["document.issued"], words.day(day), into: &html) }
            html.element("dt", [], words["document.filed"], newline: false)
            html.open("dd")
            switch document.placement {
            case .session(let number):
                html.link(link(SitePaths.session(body.code, number)), sessionName(body.code, number))
            case .meeting(let group, let number):
                html.link(
                    link(SitePaths.workingGroup(body.code, group)) + "#meeting-\(number)",
                    words.format("event.meeting", String(number), "\(body.code)/\(group)"))
            }
            html.close("dd", newline: true)
            if !document.agendaItems.isEmpty {
                fact(words["document.items"], document.agendaItems.joined(separator: ", "), into: &html)
            }
            html.raw("</dl>\n")

            html.element("h2", [("id", "current")], words["document.current"])
            if let newer = document.supersededBy {
                html.open("p")
                html.sentence(
                    words.format("document.current.other", "{L}"), href: link(SitePaths.document(body.code, newer)),
                    label: newer.description)
                html.close("p", newline: true)
            } else {
                html.element("p", [], words["document.current.self"])
            }

            html.element("h2", [("id", "languages")], words["document.languages"])
            html.raw("<table>\n")
            html.element("caption", [], words.format("document.languages.caption", symbol))
            html.raw("<thead><tr>")
            for key in ["document.language", "document.status", "document.date", "document.file"] {
                html.element("th", [("scope", "col")], words[key], newline: false)
            }
            html.raw("</tr></thead>\n<tbody>\n")
            for version in document.versions {
                let code = version.language.rawValue
                html.raw("<tr>")
                html.open("th", [("scope", "row")])
                languageName(version.language, into: &html)
                html.close("th")
                html.open("td")
                if version.required {
                    tag(version.status.rawValue, words["status.\(version.status.rawValue)"], into: &html)
                } else {
                    tag("", words["document.notrequired"], into: &html)
                }
                html.close("td")
                html.element("td", [], version.issuedOn.map { words.day($0) } ?? "—", newline: false)
                html.open("td")
                if let file = version.file, file.hasPrefix("https://") || file.hasPrefix("http://") {
                    html.link(
                        file, words.format("document.file.link", words["lang.\(code)"], symbol),
                        attributes: [("hreflang", code)])
                } else {
                    html.put(version.file ?? "—")
                }
                html.close("td")
                html.raw("</tr>\n")
            }
            html.raw("</tbody>\n</table>\n")

            html.element("h2", [("id", "related")], words["document.related"])
            if model.derived.isEmpty {
                html.element("p", [], words["document.related.none"])
            } else {
                html.raw("<ul class=\"items\">\n")
                for derived in model.derived {
                    html.open("li")
                    html.open("a", [("href", link(SitePaths.document(body.code, derived.symbol)))])
                    html.element("span", [("class", "symbol")], derived.symbol.description, newline: false)
                    html.put(
                        " — " + (derived.relation.map { words["docrel.short.\($0.rawValue)"] + ": " } ?? "")
                            + derived.title)
                    html.close("a")
                    html.close("li", newline: true)
                }
                html.raw("</ul>\n")
            }
        }
    }

    /// The crumbs from a body to where a document is filed.
    func placementCrumbs(_ document: Document, body: String) -> [Crumb] {
        switch document.placement {
        case .session(let number):
            [Crumb(label: sessionName(body, number), path: SitePaths.session(body, number))]
        case .meeting(let group, _):
            [Crumb(label: "\(body)/\(group)", path: SitePaths.workingGroup(body, group))]
        }
    }

    /// A language by its own name, marked with its language (and direction), then its name in the page's words.
    func languageName(_ language: Language, into html: inout HTML) {
        let code = language.rawValue
        html.element(
            "span", [("class", "native"), ("lang", code), ("dir", language == .ar ? "rtl" : nil)],
            words["native.\(code)"], newline: false)
        if words["native.\(code)"] != words["lang.\(code)"] {
            html.put(" ")
            html.element("span", [("class", "muted")], words["lang.\(code)"], newline: false)
        }
    }
}
