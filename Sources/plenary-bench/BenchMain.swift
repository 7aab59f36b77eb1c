import ArgumentParser
import Foundation
import Histogram

/// `plenary-bench`: a load generator for the admin protocol. It opens N authenticated connections, sends a mix of
/// commands (waiting for each reply, or K at a time), records every latency in an HDR histogram and prints the
/// throughput, the percentiles and the errors — for a person on stderr, and as one JSON line on stdout for
/// `Benchmarks/run`. With `--idle N` it instead holds N authenticated connections open and reports the server's
/// resident memory.
@main
struct PlenaryBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plenary-bench",
        abstract: "Load generator for the Plenary admin protocol.",
        discussion: """
            Templates: {key} is a random line of --keys, {n} a number unique in the run. Examples:
              plenary-bench --token pln_… --keys symbols.txt --command 'doc get {key}' --connections 8
              plenary-bench --token pln_… --command 'doc register symbol=BENCH/2030/{n} title=T{n} session=1'
            """)

    @Option(help: "The server, HOST:PORT.") var server = "127.0.0.1:7411"
    @Option(help: "The access token to authenticate with.") var token: String
    @Option(help: "A label for the output.") var scenario = "load"
    @Option(name: .customLong("command"), help: "A request template; repeat to mix (a repeated one weighs double).")
    var commands: [String] = []
    @Option(help: "A file of keys, one a line, for {key}.") var keys: String?
    @Option(help: "Connections, each on its own thread.") var connections = 1
    @Option(help: "Requests sent before reading their replies.") var pipeline = 1
    @Option(help: "Seconds run before recording starts.") var warmup = 1.0
    @Option(help: "Seconds recorded.") var duration = 5.0
    @Option(help: "The first value of {n}.") var first = 1
    @Option(help: "The server's process id: its CPU time and resident memory are reported.") var serverPid: Int32?
    @Option(help: "Instead of load: hold this many authenticated connections and report the server's memory.")
    var idle: Int?
    @Option(help: "With --idle, seconds to hold the connections before reading the memory.") var hold = 2.0

    func validate() throws {
        guard connections >= 1, pipeline >= 1 else { throw ValidationError("connections and pipeline must be ≥ 1") }
        guard duration > 0, warmup >= 0 else { throw ValidationError("duration must be > 0, warmup ≥ 0") }
        if idle == nil && commands.isEmpty { throw ValidationError("give --command (or --idle N)") }
    }

    func run() throws {
        guard let colon = server.lastIndex(of: ":"), let port = Int(server[server.index(after: colon)...]) else {
            throw ValidationError("--server must be HOST:PORT")
        }
        let settings = LoadRun.Settings(
            host: String(server[..<colon]), port: port, token: token, connections: connections, pipeline: pipeline,
            warmup: warmup, duration: duration, firstUnique: first)
        if let idle {
            try holdIdle(idle, settings: settings)
            return
        }
        let keyLines =
            try keys.map { path in
                try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
                    .filter { !$0.isEmpty }
            } ?? []
        let workload = try Workload(templates: commands, keys: keyLines)
        let run = LoadRun(settings: settings, workload: workload)
        var before = CPUSample(own: 0)
        var after = CPUSample(own: 0)
        var maxRSS: Int?
        let (tallies, seconds) = run.run { phase in
            switch phase {
            case .start: before = CPUSample.take(server: serverPid)
            case .end: after = CPUSample.take(server: serverPid)
            case .tick: break
            }
            if let pid = serverPid, let rss = Probes.residentKiB(of: pid) { maxRSS = max(maxRSS ?? 0, rss) }
        }
        var histogram = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
        var requests = 0
        var errors = 0
        var sample: String?
        var failures: [String] = []
        for tally in tallies {
            histogram.add(tally.histogram)
            requests += tally.requests
            errors += tally.errors
            sample = sample ?? tally.errorSample
            if let failure = tally.failure { failures.append(failure) }
        }
        func milliseconds(_ percentile: Double) -> Double {
            requests == 0 ? 0 : Double(histogram.valueAtPercentile(percentile)) / 1000
        }
        func cores(_ start: Double?, _ end: Double?) -> Double? {
            guard let start, let end else { return nil }
            return (end - start) / seconds
        }
        var report = JSONLine()
        report.add("scenario", scenario)
        report.add("connections", connections)
        report.add("pipeline", pipeline)
        report.add("seconds", seconds)
        report.add("requests", requests)
        report.add("errors", errors)
        report.add("throughput", Double(requests) / seconds)
        report.add("p50_ms", milliseconds(50))
        report.add("p99_ms", milliseconds(99))
        report.add("p999_ms", milliseconds(99.9))
        report.add("max_ms", requests == 0 ? 0 : Double(histogram.max) / 1000)
        report.add("client_cpu", cores(before.own, after.own))
        report.add("server_cpu", cores(before.server, after.server))
        report.add("machine_cpu", cores(before.machine, after.machine))
        report.add("server_rss_kib", maxRSS)
        report.add("error_sample", sample)
        report.add("failures", failures.isEmpty ? nil : failures.joined(separator: "; "))
        print(report.finish())
        FileHandle.standardError.write(
            Data(
                """
                \(scenario): \(connections) connection(s), pipeline \(pipeline), \(String(format: "%.1f", seconds)) s: \
                \(requests) replies, \(String(format: "%.0f", Double(requests) / seconds))/s, \(errors) errors; \
                p50 \(milliseconds(50)) ms, p99 \(milliseconds(99)) ms, p99.9 \(milliseconds(99.9)) ms

                """.utf8))
        if !failures.isEmpty || requests == 0 {
            throw BenchError("run failed: \(failures.first ?? "no reply was recorded")")
        }
    }

    /// Opens `count` authenticated connections one after another, waits, reads the server's memory, closes them.
    private func holdIdle(_ count: Int, settings: LoadRun.Settings) throws {
        var sockets: [LineSocket] = []
        sockets.reserveCapacity(count)
        let before = serverPid.flatMap { Probes.residentKiB(of: $0) }
        for _ in 0..<count { sockets.append(try LoadRun.open(settings)) }
        Probes.sleep(until: Probes.now() + UInt64(hold * 1e9))
        let rss = serverPid.flatMap { Probes.residentKiB(of: $0) }
        var report = JSONLine()
        report.add("scenario", scenario)
        report.add("idle_connections", sockets.count)
        report.add("server_rss_before_kib", before)
        report.add("server_rss_kib", rss)
        print(report.finish())
        FileHandle.standardError.write(
            Data("\(scenario): \(sockets.count) idle connections, server RSS \(rss.map(String.init) ?? "?") KiB\n".utf8)
        )
    }
}

/// One flat JSON object on one line; nil values are written as null.
struct JSONLine {
    private var text = "{"

    mutating func add(_ key: String, _ value: String?) {
        member(key, value.map(Self.quoted) ?? "null")
    }

    mutating func add(_ key: String, _ value: Int?) {
        member(key, value.map(String.init) ?? "null")
    }

    mutating func add(_ key: String, _ value: Double?) {
        member(key, value.map { $0.isFinite ? String(format: "%.3f", $0) : "null" } ?? "null")
    }

    private mutating func member(_ key: String, _ value: String) {
        if text.count > 1 { text += "," }
        text += Self.quoted(key) + ":" + value
    }

    func finish() -> String { text + "}" }

    private static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
