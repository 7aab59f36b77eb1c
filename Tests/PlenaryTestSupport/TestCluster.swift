import Foundation
import Postgres
import Storage

/// The throwaway cluster Scripts/test starts, and databases of one's own in it.
///
/// Tests fail — never skip — when the cluster is not there: a database test that silently passes without a
/// database would be a test that cannot fail.
public enum TestCluster {
    /// Why a test cannot run.
    public struct Unavailable: Error, CustomStringConvertible {
        /// What is missing.
        public var description: String
    }

    /// The maintenance database's conninfo, as Scripts/test exports it.
    public static func adminURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["PLENARY_TEST_ADMIN_URL"], !url.isEmpty else {
            throw Unavailable(
                description: "PLENARY_TEST_ADMIN_URL is not set: run the tests with Scripts/test, which starts "
                    + "a throwaway PostgreSQL")
        }
        return url
    }

    /// The migrated template every test database is cloned from.
    public static var template: String {
        ProcessInfo.processInfo.environment["PLENARY_TEST_TEMPLATE"] ?? "plenary_template"
    }

    /// The built `plenary` binary.
    public static func plenaryBinary() throws -> String {
        guard let path = ProcessInfo.processInfo.environment["PLENARY_BIN"],
            FileManager.default.isExecutableFile(atPath: path)
        else {
            throw Unavailable(description: "PLENARY_BIN is not set to the built plenary binary: run Scripts/test")
        }
        return path
    }

    /// A scratch directory the `postgres` user can enter (under the cluster's work directory).
    public static func scratchDirectory() throws -> URL {
        let base = ProcessInfo.processInfo.environment["PLENARY_TEST_WORK"] ?? NSTemporaryDirectory()
        let url = URL(fileURLWithPath: base).appendingPathComponent("scratch-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: url.path)
        return url
    }

    /// Creates a database of the test's own and returns its conninfo. `migrated` clones the migrated template;
    /// otherwise the database is empty (template0).
    public static func makeDatabase(migrated: Bool = true) throws -> String {
        let admin = try adminURL()
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20)
        let connection = try Connection(conninfo: admin)
        let template = try connection.quoteIdentifier(migrated ? Self.template : "template0")
        // CREATE DATABASE takes no parameters; the name is generated here and the template quoted.
        var attempts = 0
        while true {
            do {
                try connection.simpleQuery("CREATE DATABASE \(name) TEMPLATE \(template)")
                break
            } catch {
                // "source database is being accessed by other users": another clone is in progress.
                guard error.sqlState == "55006", attempts < 50 else { throw error }
                attempts += 1
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        return admin.replacingOccurrences(of: "dbname=postgres", with: "dbname=\(name)")
    }
}
