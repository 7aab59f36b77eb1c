import Foundation
import PlenaryTestSupport
import Testing

/// The doc and symbol commands through the real `plenary` binary, in-process as the local operator, against a
/// database of the test's own: replies on stdout, refusals on stderr, exit 0 for done and 1 for refused.
@Suite("plenary doc and symbol commands")
struct DocumentCommandTests: OperatorSuite {
    let database: String

    init() throws {
        database = try TestCluster.makeDatabase()
    }

    /// CTOC/COP with its fourth session, Vienna 8-17 October 2008.
    func conference() throws {
        try plenary("body", "add", "code=CTOC/COP", "name=Conference of the Parties", "timezone=Europe/Vienna")
        try plenary(
            "session", "schedule", "body=CTOC/COP", "number=4", "start=2008-10-08", "end=2008-10-17", "venue=Vienna")
    }

    @Test func registerAllocateVersionReviseAndRead() throws {
        try conference()
        try plenary("agenda", "add", "body=CTOC/COP", "session=4", "item=1", "title=Opening")
        let registered = try plenary(
            "doc", "register", "symbol=CTOC/COP/2008/1", "title=Provisional agenda and annotations", "session=4",
            "agenda-item=1")
        #expect(registered.stdout.hasSuffix("201 OK symbol=CTOC/COP/2008/1\n"))
        #expect(registered.stdout.contains("type=main distribution=general"))
        let allocated = try plenary(
            "doc", "allocate", "body=CTOC/COP", "session=4", "series=CRP", "title=Statement", "languages=en")
        #expect(allocated.stdout.hasSuffix("201 OK symbol=CTOC/COP/2008/CRP.1\n"))
        let main = try plenary("doc", "allocate", "body=CTOC/COP", "session=4", "title=Report")
        #expect(main.stdout.hasSuffix("201 OK symbol=CTOC/COP/2008/2\n"))

        let versioned = try plenary(
            "doc", "version", "CTOC/COP/2008/1", "lang=fr", "status=issued", "date=2008-08-01", "file=V0855001.pdf",
            "sha256=" + String(repeating: "0f", count: 32), "bytes=2048")
        #expect(versioned.stdout.hasSuffix("200 OK symbol=CTOC/COP/2008/1 lang=fr status=issued\n"))
        let got = try plenary("doc", "get", "CTOC/COP/2008/1")
        #expect(got.stdout.contains("version symbol=CTOC/COP/2008/1 lang=fr required=true status=issued"))
        #expect(got.stdout.hasSuffix("200 OK count=7\n"))

        let revised = try plenary("doc", "revise", "CTOC/COP/2008/1")
        #expect(revised.stdout.hasSuffix("201 OK symbol=CTOC/COP/2008/1/Rev.1 parent=CTOC/COP/2008/1\n"))
        // A corrigendum corrects issued texts: French and Spanish first.
        for language in ["fr", "es"] {
            try plenary("doc", "version", "CTOC/COP/2008/2", "lang=\(language)", "status=issued", "date=2008-08-20")
        }
        let corrected = try plenary("doc", "correct", "CTOC/COP/2008/2", "languages=fr,es")
        #expect(corrected.stdout.hasSuffix("201 OK symbol=CTOC/COP/2008/2/Corr.1 parent=CTOC/COP/2008/2\n"))
        try plenary("doc", "addendum", "CTOC/COP/2008/2", "title=Replies of States")
        try plenary("doc", "amend", "CTOC/COP/2008/2")
        let reissued = try plenary("doc", "reissue", "CTOC/COP/2008/2")
        #expect(reissued.stdout.hasSuffix("200 OK symbol=CTOC/COP/2008/2*\n"))
        let current = try plenary("doc", "current", "CTOC/COP/2008/1")
        #expect(current.stdout.contains("document symbol=CTOC/COP/2008/1/Rev.1"))

        let page = try plenary("doc", "list", "body=CTOC/COP", "limit=2")
        let next = page.stdout.split(separator: "\n").last!.split(separator: " ").first { $0.hasPrefix("next=") }
        #expect(next != nil)
        let rest = try plenary("doc", "list", "body=CTOC/COP", "after=" + (next?.dropFirst(5) ?? ""), "limit=100")
        #expect(rest.stdout.hasSuffix("200 OK count=5\n"))
        let missing = try plenary("doc", "list", "body=CTOC/COP", "missing-language=fr")
        #expect(!missing.stdout.contains("symbol=CTOC/COP/2008/1 "))
        let found = try plenary("doc", "search", "text=agenda")
        #expect(found.stdout.contains("symbol=CTOC/COP/2008/1 "))
        let deadlines = try plenary("doc", "deadlines", "body=CTOC/COP", "session=4", "today=2008-10-01")
        #expect(deadlines.stdout.contains("deadline symbol=CTOC/COP/2008/1 lang=ar state=missing"))
        #expect(deadlines.stdout.contains("days-late=53"))
    }

    @Test func refusalsExitOneNamingTheField() throws {
        try conference()
        try plenary("doc", "register", "symbol=CTOC/COP/2008/4", "title=Firearms", "session=4")
        let duplicate = try plenary(
            "doc", "register", "symbol=CTOC/COP/2008/4", "title=Again", "session=4", status: 1)
        #expect(duplicate.stderr.hasPrefix("551 CONFLICT symbol: CTOC/COP/2008/4 is already registered"))
        let contradicting = try plenary(
            "doc", "register", "symbol=CTOC/COP/WG.4/2010/1", "title=Agenda", "session=4", status: 1)
        #expect(contradicting.stderr.hasPrefix("551 CONFLICT symbol: CTOC/COP/WG.4/2010/1"))
        let malformed = try plenary("doc", "register", "symbol=CTOC/COP/20O8/1", "title=X", "session=4", status: 1)
        #expect(malformed.stderr.hasPrefix("504 BAD_ARGUMENT symbol: component 3 `20O8`"))
        let language = try plenary("doc", "version", "CTOC/COP/2008/4", "lang=de", "status=submitted", status: 1)
        #expect(language.stderr.hasPrefix("504 BAD_ARGUMENT lang: unknown language de"))
        let bytes = try plenary(
            "doc", "version", "CTOC/COP/2008/4", "lang=en", "status=submitted", "bytes=-1", status: 1)
        #expect(bytes.stderr.hasPrefix("504 BAD_ARGUMENT bytes:"))
        let sha = try plenary(
            "doc", "version", "CTOC/COP/2008/4", "lang=en", "status=submitted", "sha256=abc", status: 1)
        #expect(sha.stderr.hasPrefix("504 BAD_ARGUMENT sha256: must be 64 hexadecimal digits"))
        let unknown = try plenary("doc", "get", "CTOC/COP/2008/99", status: 1)
        #expect(unknown.stderr.hasPrefix("550 NOT_FOUND symbol: CTOC/COP/2008/99 is not registered"))
        let session = try plenary("doc", "allocate", "body=CTOC/COP", "session=9", "title=X", status: 1)
        #expect(session.stderr.hasPrefix("550 NOT_FOUND session: CTOC/COP has no session 9"))
        let list = try plenary("doc", "list", "body=CTOC/COP")
        #expect(list.stdout.hasSuffix("200 OK count=1\n"))
    }

    @Test func symbolParseShowsTheComponents() throws {
        let parsed = try plenary("symbol", "parse", "ctoc/cop/wg.4/2010/l.1/rev.2*")
        #expect(
            parsed.stdout.contains("symbol=CTOC/COP/WG.4/2010/L.1/Rev.2* body=CTOC/COP issuer=CTOC/COP/WG.4 wg=WG.4"))
        #expect(
            parsed.stdout.contains("year=2010 type=limited distribution=limited serial=1 modifiers=Rev.2 reissue=true"))
        let refused = try plenary("symbol", "parse", "CTOC//2008", status: 1)
        #expect(refused.stderr.hasPrefix("504 BAD_ARGUMENT symbol:"))
    }
}
