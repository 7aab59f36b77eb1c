import Foundation
import PlenaryTestSupport
import Testing

/// The real `plenary` binary, run as an operator would, against a database of the test's own.
@Suite("plenary command line")
struct CommandLineTests {
    let database: String

    init() throws {
        database = try TestCluster.makeDatabase()
    }

    @Test func bodyCommandsRunInProcessWithTheContractsExitCodes() throws {
        let added = try PlenaryProcess.run(
            ["body", "add", "code=CTOC/COP", "name=Conference of the Parties", "timezone=Europe/Vienna"],
            databaseURL: database)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.hasSuffix("201 OK body=CTOC/COP\n"))

        let duplicate = try PlenaryProcess.run(["body", "add", "code=CTOC/COP", "name=Again"], databaseURL: database)
        #expect(duplicate.status == 1)
        #expect(duplicate.stdout.isEmpty)
        #expect(duplicate.stderr.contains("551 CONFLICT code: body CTOC/COP already exists"))

        let listed = try PlenaryProcess.run(["body", "list"], databaseURL: database)
        #expect(listed.status == 0)
        #expect(
            listed.stdout
                == "200-body code=CTOC/COP name=\"Conference of the Parties\" timezone=Europe/Vienna\n200 OK count=1\n")

        let json = try PlenaryProcess.run(["--format", "json", "body", "get", "CTOC/COP"], databaseURL: database)
        #expect(json.status == 0)
        let first = try #require(json.stdout.split(separator: "\n").first)
        let object = try JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any]
        #expect((object?["record"] as? [String: Any])?["timezone"] as? String == "Europe/Vienna")
    }

    @Test func refusalsNameTheKeyAndChangeNothing() throws {
        let missing = try PlenaryProcess.run(["body", "add", "code=CTOC/COP"], databaseURL: database)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("504 BAD_ARGUMENT name"))
        let unknown = try PlenaryProcess.run(["body", "add", "code=A", "name=B", "colour=red"], databaseURL: database)
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("colour"))
        let zone = try PlenaryProcess.run(
            ["body", "add", "code=A", "name=B", "timezone=Mars/Olympus"], databaseURL: database)
        #expect(zone.stderr.contains("504 BAD_ARGUMENT timezone"))
        let nothing = try PlenaryProcess.run(["body", "list"], databaseURL: database)
        #expect(nothing.stdout == "200 OK count=0\n")
        let notFound = try PlenaryProcess.run(["body", "get", "CTOC/COP"], databaseURL: database)
        #expect(notFound.status == 1)
        #expect(notFound.stderr.hasPrefix("550 NOT_FOUND"))
        let noCommand = try PlenaryProcess.run(["bodies", "list"], databaseURL: database)
        #expect(noCommand.status == 1)
        #expect(noCommand.stderr.hasPrefix("502 UNKNOWN_COMMAND"))
    }

    @Test func helpListsTheCatalog() throws {
        let help = try PlenaryProcess.run(["help"], databaseURL: database)
        #expect(help.status == 0)
        for command in ["body add", "body get", "body list", "token create", "ping", "status"] {
            #expect(help.stdout.contains(command), "help does not list \(command)")
        }
        let one = try PlenaryProcess.run(["help", "body", "add"], databaseURL: database)
        #expect(one.status == 0)
        #expect(one.stdout.contains("timezone"))
    }

    @Test func anUnreachableDatabaseExitsThree() throws {
        let result = try PlenaryProcess.run(
            ["body", "list"], databaseURL: "host=/nonexistent-socket-dir dbname=x connect_timeout=2")
        #expect(result.status == 3)
        #expect(result.stderr.contains("451 UNAVAILABLE"))
    }

    @Test func usageErrorsExitTwo() throws {
        let badFormat = try PlenaryProcess.run(["--format", "xml", "body", "list"], databaseURL: database)
        #expect(badFormat.status == 2)
        let badOption = try PlenaryProcess.run(["serve", "--no-such-option"], databaseURL: database)
        #expect(badOption.status == 2)
    }

    @Test func malformedConfigurationStopsStartUpNamingTheKey() throws {
        let result = try PlenaryProcess.run(
            ["body", "list"], databaseURL: database, environment: ["PLENARY_SERVER_PORT": "abc"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("server.port"))
        #expect(result.stderr.contains("PLENARY_SERVER_PORT"))
    }

    @Test func migrateStatusListsEveryMigration() throws {
        let result = try PlenaryProcess.run(["migrate", "--status"], databaseURL: database)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("0001 applied  0001_bodies.sql"))
        let again = try PlenaryProcess.run(["migrate"], databaseURL: database)
        #expect(again.stdout == "schema up to date\n")
    }
}
