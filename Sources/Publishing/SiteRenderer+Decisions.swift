import Decisions
import Documents
import PlenaryCore
import Sessions
import WorkingGroups

extension SiteRenderer {
    // MARK: - Decision

    /// An adopted decision's page: facts, text, and its lineage both ways.
    public func decision(_ model: DecisionPageModel) -> SiteFile {
        let body = model.body
        let decision = model.decision
        let citation = decision.citation!
        let name = decisionName(citation)
        return page(
            path: SitePaths.decision(body.code, citation), title: name, body: body,
            crumbs: crumbs(
                body,
                [
                    Crumb(
                        label: sessionName(body.code, decision.session),
                        path: SitePaths.session(body.code, decision.session)),
                    Crumb(label: name, path: nil),
                ])
        ) { html, path in
            let link = { (target: String) in SitePaths.relative(from: path, to: target) }
            html.element("h1", [], name)
            html.element("p", [("class", "lead")], decision.title)
            html.element("h2", [], words["decision.facts"])
            html.raw("<dl class=\"facts\">\n")
            html.element("dt", [], words["decision.status"], newline: false)
            html.open("dd")
            tag(decision.status.rawValue, words["decision.status.\(decision.status.rawValue)"], into: &html)
            html.close("dd", newline: true)
            if let day = decision.adoptedOn { fact(words["decision.adopted"], words.day(day), into: &html) }
            if let day = decision.endsOn { fact(words["decision.ends"], words.day(day), into: &html) }
            html.element("dt", [], words["decision.session"], newline: false)
            html.open("dd")
            html.link(link(SitePaths.session(body.code, decision.session)), sessionName(body.code, decision.session))
            html.close("dd", newline: true)
            if let item = decision.agendaItem { fact(words["decision.item"], item, into: &html) }
            if let symbol = decision.document {
                html.element("dt", [], words["decision.document"], newline: false)
                html.open("dd")
                documentReference(symbol, model: model, link: link, into: &html)
                html.close("dd", newline: true)
            }
            html.raw("</dl>\n")

            html.element("h2", [("id", "text")], words["decision.text"])
            if let text = decision.text, !text.allSatisfy(\.isWhitespace) {
                html.raw("<div class=\"text\">\n")
                for paragraph in text.split(whereSeparator: \.isNewline) where !paragraph.allSatisfy(\.isWhitespace) {
                    html.element("p", [], String(paragraph))
                }
                html.raw("</div>\n")
            } else {
                html.element("p", [], words["decision.text.none"])
            }

            let kind = words["decision.kind.\(citation.kind.rawValue)"]
            html.element("h2", [("id", "lineage")], words["decision.lineage"])
            let outgoing = model.links.filter { $0.from == citation }
            let incoming = model.links.filter { $0.to == .decision(citation) && $0.from != citation }
            html.element("h3", [], words.format("decision.acts", kind))
            if outgoing.isEmpty {
                html.element("p", [], words["decision.acts.none"])
            } else {
                html.raw("<ul class=\"items\">\n")
                for link in outgoing {
                    html.open("li")
                    html.put(words["relation.\(link.relation.rawValue)"] + " ")
                    target(link.to, model: model, path: path, into: &html)
                    html.close("li", newline: true)
                }
                html.raw("</ul>\n")
            }
            html.element("h3", [], words.format("decision.actedon", kind))
            if incoming.isEmpty {
                html.element("p", [], words["decision.actedon.none"])
            } else {
                html.raw("<ul class=\"items\">\n")
                for link in incoming {
                    html.open("li")
                    html.put(words["relation.by.\(link.relation.rawValue)"] + " ")
                    target(.decision(link.from), model: model, path: path, into: &html)
                    html.close("li", newline: true)
                }
                html.raw("</ul>\n")
            }
        }
    }

    /// A link's far end: a decision (with its title and status), a working group, or a document.
    func target(_ target: LinkTarget, model: DecisionPageModel, path: String, into html: inout HTML) {
        let link = { (to: String) in SitePaths.relative(from: path, to: to) }
        let body = model.body.code
        switch target {
        case .decision(let citation):
            if let reached = model.related[citation] {
                decisionLink(reached, body: body, link: link, into: &html)
                html.put(" ")
                tag(reached.status.rawValue, words["decision.status.\(reached.status.rawValue)"], into: &html)
            } else {
                html.put(decisionName(citation))
            }
        case .workingGroup(let code):
            if model.workingGroups.contains(code) {
                html.link(link(SitePaths.workingGroup(body, code)), "\(body)/\(code)")
            } else {
                html.put("\(body)/\(code)")
            }
        case .document(let symbol):
            documentReference(symbol, model: model, link: link, into: &html)
        }
    }

    /// A document named by a decision: linked when the site publishes it.
    func documentReference(
        _ symbol: String, model: DecisionPageModel, link: (String) -> String, into html: inout HTML
    ) {
        if model.publishedDocuments.contains(symbol), let parsed = try? DocumentSymbol(symbol) {
            html.link(link(SitePaths.document(model.body.code, parsed)), symbol)
        } else {
            html.put(symbol)
        }
    }

    // MARK: - Working group

    /// A working group's page: facts, mandate, former names, the decisions that made it, and its meetings.
    public func workingGroup(_ model: WorkingGroupPageModel) -> SiteFile {
        let body = model.body
        let group = model.group
        return page(
            path: SitePaths.workingGroup(body.code, group.code), title: group.name, body: body,
            crumbs: crumbs(body, [Crumb(label: group.symbolPrefix, path: nil)])
        ) { html, path in
            let link = { (target: String) in SitePaths.relative(from: path, to: target) }
            html.element("h1", [], group.name)
            html.element(
                "p", [("class", "lead")], group.symbolPrefix + " · " + words["group.kind.\(group.kind.rawValue)"])
            html.element("h2", [], words["group.facts"])
            html.raw("<dl class=\"facts\">\n")
            fact(words["group.code"], group.symbolPrefix, into: &html)
            fact(words["group.kind"], words["group.kind.\(group.kind.rawValue)"], into: &html)
            html.element("dt", [], words["group.status"], newline: false)
            html.open("dd")
            tag(group.status.rawValue, words["group.status.\(group.status.rawValue)"], into: &html)
            html.close("dd", newline: true)
            if let by = group.establishedBy {
                html.element("dt", [], words["group.established"], newline: false)
                html.open("dd")
                reference(by, model: model, link: link, into: &html)
                html.close("dd", newline: true)
            }
            if let day = group.establishedOn { fact(words["group.established.on"], words.day(day), into: &html) }
            if let day = group.dissolvedOn { fact(words["group.dissolved"], words.day(day), into: &html) }
            html.raw("</dl>\n")

            html.element("h2", [], words["group.mandate"])
            html.element("p", [], group.mandate ?? words["group.mandate.none"])

            html.element("h2", [], words["group.renames"])
            if model.renames.isEmpty {
                html.element("p", [], words["group.renames.none"])
            } else {
                html.raw("<ul class=\"items\">\n")
                for rename in model.renames {
                    html.open("li")
                    html.put(words.format("group.rename", rename.oldName, rename.newName))
                    var meta: [String] = []
                    if let by = rename.by { meta.append(by.description) }
                    if let on = rename.on { meta.append(words.day(on)) }
                    if !meta.isEmpty {
                        html.element("span", [("class", "meta")], meta.joined(separator: " · "), newline: false)
                    }
                    html.close("li", newline: true)
                }
                html.raw("</ul>\n")
            }

            if !model.acts.isEmpty {
                html.element("h2", [], words["group.acts"])
                html.raw("<ul class=\"items\">\n")
                for act in model.acts {
                    html.open("li")
                    html.put(act.acts.map { words["relation.\($0.rawValue)"] }.joined(separator: ", ") + ": ")
                    decisionLink(act.decision, body: body.code, link: link, into: &html)
                    html.close("li", newline: true)
                }
                html.raw("</ul>\n")
            }

            html.element("h2", [("id", "meetings")], words["group.meetings"])
            if model.meetings.isEmpty { html.element("p", [], words["group.meetings.none"]) }
            for meeting in model.meetings.sorted(by: { $0.number > $1.number }) {
                html.element(
                    "h3", [("id", "meeting-\(meeting.number)")], words.format("group.meeting", String(meeting.number)))
                html.open("p")
                html.put(words.format("event.where", meeting.venue, words.range(meeting.start, meeting.end)) + " · ")
                tag(meeting.status.rawValue, words["meeting.status.\(meeting.status.rawValue)"], into: &html)
                if let session = meeting.withSession {
                    html.put(" · ")
                    html.sentence(
                        words.format("group.meeting.with", "{L}"), href: link(SitePaths.session(body.code, session)),
                        label: sessionName(body.code, session))
                }
                html.close("p", newline: true)
                let documents = model.documents.filter { document in
                    guard case .meeting(let code, let number) = document.placement else { return false }
                    return code == group.code && number == meeting.number
                }
                if !documents.isEmpty { documentList(documents, body: body.code, link: link, into: &html) }
            }
        }
    }

    /// A decision named by a working group's record: linked when the body's record holds it.
    func reference(
        _ citation: DecisionCitation, model: WorkingGroupPageModel, link: (String) -> String, into html: inout HTML
    ) {
        if model.decisions.contains(citation) {
            html.link(link(SitePaths.decision(model.body.code, citation)), decisionName(citation))
        } else {
            html.put(decisionName(citation))
        }
    }
}
