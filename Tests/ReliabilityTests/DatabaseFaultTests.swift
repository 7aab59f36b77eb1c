import EmbeddedPostgres
import Foundation
import Logging
import PlenaryTestSupport
import Postgres
import Storage
import Testing

/// Issue 9, item 1: PostgreSQL restarted (`pg_ctl restart -m fast`) and stopped while 8 clients write and read over
/// TCP. A cluster of the test's own: the shared test cluster must not be disturbed.
@Suite("Database restart under load")
struct DatabaseFaultTests {
    @Test func everyCommandSucceedsAndStaysOrIsAnswered451AndServiceReturnsOnItsOwn() throws {
        let directory = try TestCluster.scratchDirectory()
        let cluster = EmbeddedCluster(directory: directory.path, databaseName: "faults", logger: Logger(label: "test"))
        defer {
            try? cluster.down()
            try? FileManager.default.removeItem(at: directory)
        }
        let database = try cluster.up()
        let commandTimeout = 3_000
        let server = try ServerProcess(
            databaseURL: database,
            environment: [
                "PLENARY_LIMITS_COMMAND_TIMEOUT_MS": "\(commandTimeout)", "PLENARY_DATABASE_ACQUIRE_TIMEOUT_MS": "2000",
                "PLENARY_DATABASE_CONNECT_TIMEOUT_S": "2",
            ])
        defer { server.stop() }
        let token = try #require(server.bootstrapToken)
        // Bounded in CI; the soak script stops the database for the full 30 s.
        let stopSeconds = setting("PLENARY_RELIABILITY_DB_STOP_S", 5)
        let between = setting("PLENARY_RELIABILITY_COMMANDS_BETWEEN_FAULTS", 400)

        let load = Load(ports: [server.port], token: token, clients: 8)
        #expect(load.waitFor(more: between), "the load runs")
        try cluster.restart()
        let restarted = ContinuousClock.now
        let afterRestart = load.waitForSuccess(after: restarted)
        #expect(load.waitFor(more: between), "the load runs on after the restart")

        try cluster.down()
        Thread.sleep(forTimeInterval: Double(stopSeconds))  // the fault itself: the database is away this long
        _ = try cluster.up()
        let returned = ContinuousClock.now
        let afterStop = load.waitForSuccess(after: returned)
        #expect(load.waitFor(more: between), "the load runs on after the stop")
        // Frozen: the server holds every connection and answers nothing (a paused VM, a partition).
        let frozen = try ClusterProcesses(cluster)
        frozen.signal(SIGSTOP)
        Thread.sleep(forTimeInterval: Double(commandTimeout) / 1000 * 2)  // the fault: twice the command timeout
        frozen.signal(SIGCONT)
        let thawed = ContinuousClock.now
        _ = load.waitForSuccess(after: thawed)
        #expect(load.waitFor(more: between), "the load runs on after the freeze")
        let outcomes = load.stop()
        #expect(server.isRunning, "Plenary was never restarted")

        // Generous slack over the configured timeout: what is asserted is that nobody waits for the database.
        let lateAfter = Double(commandTimeout + 2_000) / 1000
        let audit = try LoadAudit(outcomes, database: database, lateAfter: lateAfter)
        #expect(audit.lost.isEmpty, "acknowledged writes missing: \(audit.lost)")
        #expect(audit.presentThoughRefused.isEmpty, "answered 451 but written: \(audit.presentThoughRefused)")
        #expect(audit.otherCodes.isEmpty, "every command succeeded or was answered 451: \(audit.otherCodes)")
        #expect(audit.unanswered == 0, "every command was answered")
        // Past the timeout only the outcome of a COMMIT already sent to the frozen server may come: 451 would
        // claim it did nothing, which nobody knows until the server answers.
        for outcome in audit.late {
            #expect(
                outcome.writes != nil && outcome.code == "201",
                "\(outcome.line) → \(outcome.reply) after \(outcome.seconds) s; slowest: \(audit.slowestCommands)")
        }
        #expect(audit.unavailable > 0, "the faults were felt")
        #expect(audit.timedOut > 0, "the freeze was answered by the command timeout")
        for (fault, back, since) in [("restart", afterRestart, restarted), ("stop", afterStop, returned)] {
            let outcome = try #require(back, "no command succeeded after the \(fault)")
            let seconds = (outcome.answered - since).seconds
            #expect(seconds < 5, "served again \(seconds) s after the database came back from the \(fault)")
            print("reliability: database \(fault): served again \(Int(seconds * 1000)) ms after the database returned")
        }
        try expectWholeAndChained(database, port: server.port, token: token)
        print(
            "reliability: database restart under load: 8 clients, faults: pg_ctl restart -m fast, "
                + "stop \(stopSeconds) s, "
                + "freeze (SIGSTOP) \(commandTimeout * 2 / 1000) s with a \(commandTimeout) ms command timeout; "
                + "\(audit)")
    }
}

/// The processes of a private cluster (the postmaster and its children), to freeze and thaw it.
struct ClusterProcesses {
    let pids: [Int32]

    init(_ cluster: EmbeddedCluster) throws {
        let pidFile = try String(
            contentsOfFile: try cluster.status().dataDirectory + "/postmaster.pid", encoding: .utf8)
        let postmaster = try #require(pidFile.split(separator: "\n").first.flatMap { Int32($0) })
        var pids = [postmaster]
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let pid = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // Field 4, the parent's pid, follows the state after the command name.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 1, Int32(fields[1]) == postmaster { pids.append(pid) }
        }
        self.pids = pids
    }

    func signal(_ number: Int32) {
        for pid in pids { kill(pid, number) }
    }
}
