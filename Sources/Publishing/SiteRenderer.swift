import Decisions
import Documents
import PlenaryCore
import Sessions
import WorkingGroups

/// Turns site models into files: HTML pages, the stylesheet, the machine-readable data and the calendar. Pure — no
/// database, no clock, no file system — so the same model always gives the same bytes, and every page is tested
/// without PostgreSQL. The pages use no JavaScript; every text comes from the words table or from the record.
public struct SiteRenderer: Sendable {
    /// The pages' own words.
    public let words: PageWords

    /// Creates a renderer speaking `words`.
    public init(words: PageWords = .english) {
        self.words = words
    }

    /// The stylesheet every page links.
    public func stylesheet() -> SiteFile {
        SiteFile(path: SitePaths.stylesheet, bytes: PackageResources.style_css)
    }

    /// The calendar of a body: the same iCalendar the `calendar format=ics` command gives.
    public func calendar(_ view: CalendarView) -> SiteFile {
        SiteFile(path: SitePaths.calendar(view.body.code), bytes: Array(ICalendar.render(view).utf8))
    }

    // MARK: - The page around the content

    /// One crumb of the breadcrumb trail: a label and the path it links to (nil for the current page).
    struct Crumb {
        var label: String
        var path: String?
    }

    /// A whole page: head, skip link, banner, breadcrumb, main content and footer, in landmark order.
    func page(
        path: String, title: String, body: Body?, crumbs: [Crumb], content: (inout HTML, String) -> Void
    ) -> SiteFile {
        let link = { (target: String) in SitePaths.relative(from: path, to: target) }
        var html = HTML()
        html.raw("<!DOCTYPE html>\n")
        html.open("html", [("lang", words.language)])
        html.raw("\n<head>\n<meta charset=\"utf-8\">\n")
        html.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        html.element("title", [], body.map { "\(title) — \($0.code)" } ?? title)
        html.open("link", [("rel", "stylesheet"), ("href", link(SitePaths.stylesheet))])
        html.raw("\n</head>\n<body>\n")
        html.link("#main", words["skip"], attributes: [("class", "skip")])
        html.raw("\n<header class=\"site\"><div class=\"wrap\">")
        html.open("p", [("class", "brand")])
        if let body {
            html.link(link(SitePaths.front(body.code)), body.code)
            html.close("p")
            html.element("p", [("class", "tagline")], body.name, newline: false)
        } else {
            html.link(link(SitePaths.index), words["site.title"])
            html.close("p")
        }
        html.raw("</div></header>\n")
        html.open("nav", [("class", "crumbs"), ("aria-label", words["crumbs"])])
        html.raw("<div class=\"wrap\"><ol>")
        for crumb in crumbs {
            if let target = crumb.path {
                html.open("li")
                html.link(link(target), crumb.label)
            } else {
                html.open("li", [("class", "current")])
                html.put(crumb.label)
            }
            html.close("li")
        }
        html.raw("</ol></div></nav>\n<main id=\"main\"><div class=\"wrap\">\n")
        content(&html, path)
        html.raw("</div></main>\n<footer class=\"site\"><div class=\"wrap\">\n")
        html.element("p", [], words["footer.generated"])
        if let body {
            html.open("nav", [("aria-label", words["footer.site"])])
            html.raw("<ul>")
            html.open("li")
            html.link(link(SitePaths.data(body.code)), words.format("footer.data", body.code))
            html.raw("</li><li>")
            html.link(link(SitePaths.calendar(body.code)), words.format("footer.calendar", body.code))
            html.raw("</li></ul></nav>\n")
        }
        html.raw("</div></footer>\n</body>\n</html>\n")
        return SiteFile(path: path, bytes: Array(html.text.utf8))
    }

    /// The crumbs down to a body's front page.
    func crumbs(_ body: Body, _ rest: [Crumb]) -> [Crumb] {
        [
            Crumb(label: words["crumbs.home"], path: SitePaths.index),
            Crumb(label: body.code, path: SitePaths.front(body.code)),
        ]
            + rest
    }

    // MARK: - The list of bodies

    /// The site's root: the bodies it publishes.
    public func index(_ bodies: [Body]) -> SiteFile {
        page(
            path: SitePaths.index, title: words["site.title"], body: nil,
            crumbs: [Crumb(label: words["crumbs.home"], path: nil)]
        ) { html, path in
            html.element("h1", [], words["site.title"])
            html.element("p", [("class", "lead")], words["site.intro"])
            html.element("h2", [], words["site.bodies"])
            html.raw("<ul class=\"items\">\n")
            for body in bodies.sorted(by: { $0.code < $1.code }) {
                html.open("li")
                html.link(SitePaths.relative(from: path, to: SitePaths.front(body.code)), "\(body.name) (\(body.code))")
                html.close("li", newline: true)
            }
            html.raw("</ul>\n")
        }
    }

    // MARK: - A body's front page

    /// `CTOC/COP 4`, as the Conference's own pages name a session.
    func sessionName(_ body: String, _ number: Int) -> String { "\(body) \(number)" }

    /// A body's front page: instruments, sessions newest first, working groups and their meetings, upcoming events.
    public func front(_ model: FrontPageModel) -> SiteFile {
        let body = model.body
        return page(
            path: SitePaths.front(body.code), title: body.name, body: body,
            crumbs: [Crumb(label: words["crumbs.home"], path: SitePaths.index), Crumb(label: body.code, path: nil)]
        ) { html, path in
            let link = { (target: String) in SitePaths.relative(from: path, to: target) }
            html.element("h1", [], body.name)
            if let treaty = body.treaty {
                html.element("p", [("class", "lead")], words.format("front.treaty", treaty))
            }
            if !model.instruments.isEmpty { instruments(model.instruments, into: &html) }
            let numbers = Dictionary(grouping: model.sessions, by: \.number)
            let ordered = numbers.keys.sorted(by: >).map { numbers[$0]!.sorted { $0.part < $1.part } }
            let special = ordered.filter { $0[0].kind == .special }
            for (heading, group) in [
                ("front.regular", ordered.filter { $0[0].kind != .special }), ("front.special", special),
            ]
            where heading == "front.regular" || !group.isEmpty {
                html.element("h2", [], words[heading])
                if group.isEmpty {
                    html.element("p", [], words["front.sessions.none"])
                    continue
                }
                html.raw("<ul class=\"items\">\n")
                for parts in group {
                    let first = parts[0]
                    let name = sessionName(body.code, first.number)
                    let target = link(SitePaths.session(body.code, first.number))
                    html.open("li")
                    html.open("a", [("href", target)])
                    html.element("span", [("class", "symbol")], name, newline: false)
                    html.put(" — " + (first.title ?? words.format("session.label", body.code, String(first.number))))
                    html.close("a")
                    html.open("span", [("class", "meta")])
                    html.put(
                        words.format("event.where", first.venue, words.range(first.start, parts.last!.end)) + " · "
                            + words["session.status.\(parts.last!.status.rawValue)"])
                    html.close("span")
                    html.raw("<ul class=\"links\"><li>")
                    html.link(target + "#documents", words.format("front.session.documents", name))
                    html.raw("</li><li>")
                    html.link(target + "#decisions", words.format("front.session.decisions", name))
                    html.raw("</li></ul>")
                    html.close("li", newline: true)
                }
                html.raw("</ul>\n")
            }
            html.element("h2", [], words["front.groups"])
            if model.workingGroups.isEmpty { html.element("p", [], words["front.groups.none"]) }
            if !model.workingGroups.isEmpty {
                html.raw("<ul class=\"items\">\n")
                for group in model.workingGroups {
                    html.open("li")
                    html.open("a", [("href", link(SitePaths.workingGroup(body.code, group.code)))])
                    html.element("span", [("class", "symbol")], group.symbolPrefix, newline: false)
                    html.put(" — " + group.name)
                    html.close("a")
                    html.element(
                        "span", [("class", "meta")],
                        words["group.kind.\(group.kind.rawValue)"] + " · "
                            + words["group.status.\(group.status.rawValue)"],
                        newline: false)
                    let meetings = model.meetings.filter { $0.workingGroup == group.code }.sorted {
                        $0.number > $1.number
                    }
                    if !meetings.isEmpty {
                        html.raw("<ul class=\"links\">")
                        for meeting in meetings {
                            html.open("li")
                            html.link(
                                link(SitePaths.workingGroup(body.code, group.code)) + "#meeting-\(meeting.number)",
                                words.format("event.meeting", String(meeting.number), group.symbolPrefix) + " ("
                                    + words.format(
                                        "event.where", meeting.venue, words.range(meeting.start, meeting.end))
                                    + ")")
                            html.close("li")
                        }
                        html.raw("</ul>")
                    }
                    html.close("li", newline: true)
                }
                html.raw("</ul>\n")
            }
            html.element("h2", [], words["front.upcoming"])
            if model.upcoming.isEmpty {
                html.element("p", [], words["front.upcoming.none"])
            } else {
                html.raw("<ul class=\"items\">\n")
                for entry in model.upcoming {
                    html.open("li")
                    switch entry.kind {
                    case .session:
                        html.link(
                            link(SitePaths.session(body.code, entry.number)),
                            words.format(
                                "event.session", sessionName(body.code, entry.number),
                                entry.title ?? words["kind.\(entry.sessionKind ?? "regular")"]))
                    case .meeting:
                        let group = entry.workingGroup ?? ""
                        html.link(
                            link(SitePaths.workingGroup(body.code, group)) + "#meeting-\(entry.number)",
                            entry.workingGroupName.map { words.format("event.meeting.named", String(entry.number), $0) }
                                ?? words.format("event.meeting", String(entry.number), "\(body.code)/\(group)"))
                    }
                    html.element(
                        "span", [("class", "meta")],
                        words.format("event.where", entry.venue, words.range(entry.start, entry.end)) + " · "
                            + words["session.status.\(entry.status)"], newline: false)
                    html.close("li", newline: true)
                }
                html.raw("</ul>\n")
            }
        }
    }

    /// The instruments section of a front page.
    func instruments(_ instruments: [PublishedInstrument], into html: inout HTML) {
        html.element("h2", [], words["front.instruments"])
        html.raw("<ul class=\"items\">\n")
        for instrument in instruments {
            html.open("li")
            html.element("strong", [], instrument.name, newline: false)
            var facts: [String] = []
            switch (instrument.adoptedBy, instrument.adoptedOn) {
            case (let by?, let day?): facts.append(words.format("front.instrument.adopted.on", words.day(day), by))
            case (let by?, nil): facts.append(words.format("front.instrument.adopted", by))
            case (nil, let day?): facts.append(words.format("front.instrument.adopted.day", words.day(day)))
            case (nil, nil): break
            }
            if let day = instrument.entryIntoForce {
                let key =
                    instrument.forceBasis.map { "front.instrument.force.\($0.rawValue)" } ?? "front.instrument.force"
                facts.append(words.format(key, words.day(day)))
            }
            if let parties = instrument.parties {
                facts.append(words.format("front.instrument.parties", String(parties)))
            }
            if !facts.isEmpty {
                html.element("span", [("class", "meta")], facts.joined(separator: " · "), newline: false)
            }
            if !instrument.texts.isEmpty {
                html.open("ul", [("class", "links"), ("aria-label", words["front.instrument.texts"])])
                for language in Language.allCases {
                    guard let url = instrument.texts[language] else { continue }
                    html.open("li")
                    html.link(
                        url, words["native.\(language.rawValue)"],
                        attributes: [
                            ("hreflang", language.rawValue), ("lang", language.rawValue),
                            ("dir", language == .ar ? "rtl" : nil),
                        ])
                    html.close("li")
                }
                html.close("ul")
            }
            html.close("li", newline: true)
        }
        html.raw("</ul>\n")
    }
}
