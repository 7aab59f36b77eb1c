import Foundation
import PlenaryTestSupport
import Testing

/// The documentation that is generated must match what generates it.
@Suite("Documentation")
struct DocumentationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func protocolReferenceMatchesTheCatalog() throws {
        let reference = try PlenaryProcess.run(["reference"], databaseURL: nil)
        #expect(reference.status == 0)
        let head = try String(contentsOf: Self.root.appendingPathComponent("docs/PROTOCOL.head.md"), encoding: .utf8)
        let committed = try String(contentsOf: Self.root.appendingPathComponent("docs/PROTOCOL.md"), encoding: .utf8)
        #expect(
            committed == head + reference.stdout,
            "docs/PROTOCOL.md is out of date with the catalog: run Scripts/generate-docs")
    }
}
