import Foundation
import PlenaryConfig
import PlenaryCore
import Testing

@Suite("Configuration")
struct ConfigurationTests {
    static let shippedFile = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Config/plenary.yaml").path

    func temporaryFile(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "plenary-config-\(UUID().uuidString).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func theShippedFileGivesTheDefaults() async throws {
        let loaded = try await PlenaryConfiguration.load(file: Self.shippedFile, environment: [:])
        var expected = PlenaryConfiguration()
        expected.sourceFile = Self.shippedFile
        #expect(loaded == expected)
    }

    @Test func everyKeyIsDocumentedInTheShippedFile() throws {
        let text = try String(contentsOfFile: Self.shippedFile, encoding: .utf8)
        for key in PlenaryConfiguration.keys {
            let parts = key.split(separator: ".")
            #expect(text.contains("\n\(parts[0]):"), "section \(parts[0]) missing")
            #expect(text.contains("\n  \(parts[1]):"), "key \(key) missing from Config/plenary.yaml")
        }
    }

    @Test func environmentOverridesTheFile() async throws {
        let file = try temporaryFile("server:\n  port: 8000\ndatabase:\n  url: host=/tmp dbname=a\n")
        let loaded = try await PlenaryConfiguration.load(
            file: file,
            environment: [
                "PLENARY_SERVER_PORT": "9001", "PLENARY_DATABASE_POOL_SIZE": "3", "PLENARY_LOG_LEVEL": "DEBUG",
                "UNRELATED_SERVER_PORT": "1",
            ])
        #expect(loaded.server.port == 9001)
        #expect(loaded.database.poolSize == 3)
        #expect(loaded.database.url == "host=/tmp dbname=a")
        #expect(loaded.log.level == "debug")
        #expect(PlenaryConfiguration.environmentName(for: "limits.line_bytes") == "PLENARY_LIMITS_LINE_BYTES")
    }

    @Test(arguments: [
        ("PLENARY_SERVER_PORT", "abc", "server.port"),
        ("PLENARY_SERVER_PORT", "70000", "server.port"),
        ("PLENARY_DATABASE_POOL_SIZE", "0", "database.pool_size"),
        ("PLENARY_LIMITS_LINE_BYTES", "12k", "limits.line_bytes"),
        ("PLENARY_AUTH_BOOTSTRAP_ADMIN_TOKEN", "maybe", "auth.bootstrap_admin_token"),
        ("PLENARY_LOG_LEVEL", "loud", "log.level"),
    ])
    func aMalformedValueStopsStartUpNamingTheKey(variable: String, value: String, key: String) async throws {
        do {
            _ = try await PlenaryConfiguration.load(file: nil, environment: [variable: value])
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            #expect(error.message.hasPrefix(key), "message: \(error.message)")
            #expect(error.message.contains(variable))
            #expect(error.message.contains(value))
        }
    }

    @Test func aMalformedValueInTheFileIsRefusedToo() async throws {
        let file = try temporaryFile("server:\n  port: abc\n")
        await #expect(throws: PlenaryError.self) {
            _ = try await PlenaryConfiguration.load(file: file, environment: [:])
        }
    }

    @Test func aMissingNamedFileIsAnError() async throws {
        await #expect(throws: PlenaryError.self) {
            _ = try await PlenaryConfiguration.load(file: "/nonexistent/plenary.yaml", environment: [:])
        }
    }

    @Test func anEmptyURLMeansTheEmbeddedCluster() async throws {
        let loaded = try await PlenaryConfiguration.load(file: nil, environment: ["PLENARY_DATABASE_URL": "  "])
        #expect(loaded.database.url == nil)
    }
}
