import EmbeddedPostgres
import Foundation
import PlenaryTestSupport
import Testing

/// The README's run path: no database configured, so `plenary` brings up its own cluster under `.plenary/`.
@Suite("Embedded default database")
struct EmbeddedDatabaseTests {
    @Test func serveStartsTheEmbeddedClusterReusesItAndDbDownStopsIt() throws {
        let directory = try TestCluster.scratchDirectory()
        defer {
            _ = try? PlenaryProcess.runProcess(
                try TestCluster.plenaryBinary(), ["db", "down"], environment: Self.environment,
                currentDirectory: directory.path)
            try? FileManager.default.removeItem(at: directory)
        }
        let first = try ServerProcess(databaseURL: nil, currentDirectory: directory.path)
        let token = try #require(first.bootstrapToken)
        let client = try LineClient(port: first.port)
        _ = client.readLine()
        #expect(client.command("auth token=\(token)") == ["200 OK name=admin role=admin"])
        #expect(client.command("body add code=CTOC/COP name=Conference")[1] == "201 OK body=CTOC/COP")
        #expect(first.stop() == 0)

        let running = try run(["db", "status"], in: directory)
        #expect(running.stdout.hasPrefix("running pid="), "the cluster outlives the server: \(running.stdout)")

        // A second run reuses the cluster and its data; no new token is printed.
        let second = try ServerProcess(databaseURL: nil, currentDirectory: directory.path)
        #expect(second.bootstrapToken == nil)
        let again = try LineClient(port: second.port)
        _ = again.readLine()
        _ = again.command("auth token=\(token)")
        #expect(again.command("body list").last == "200 OK count=1")
        #expect(second.stop() == 0)

        // The CLI door uses the same cluster in-process.
        let listed = try run(["body", "get", "CTOC/COP"], in: directory)
        #expect(listed.status == 0, "\(listed.stderr)")
        let url = try run(["db", "url"], in: directory)
        #expect(url.stdout.contains("dbname=plenary"))

        let down = try run(["db", "down"], in: directory)
        #expect(down.status == 0)
        #expect(try run(["db", "status"], in: directory).stdout.hasPrefix("stopped"))
    }

    static var environment: [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PLENARY_") && !$0.key.hasPrefix("PG") }
    }

    func run(_ arguments: [String], in directory: URL) throws -> ProcessResult {
        try PlenaryProcess.runProcess(
            try TestCluster.plenaryBinary(), arguments, environment: Self.environment, currentDirectory: directory.path)
    }
}
