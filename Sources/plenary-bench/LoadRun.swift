import Foundation
import Histogram

/// One measured run: `connections` threads, each with its own socket, sending `pipeline` requests at a time and
/// reading their replies, for `warmup` seconds unrecorded and then `duration` seconds recorded.
///
/// A request's latency runs from the moment its batch was written to the moment its reply was read, so with a
/// pipeline of K the later replies of a batch include the wait behind the earlier ones, as a client sees it.
/// Only requests sent after the warm-up and answered before the end count.
final class LoadRun: @unchecked Sendable {
    struct Settings {
        var host: String
        var port: Int
        var token: String
        var connections: Int
        var pipeline: Int
        var warmup: Double
        var duration: Double
        var firstUnique: Int
    }

    /// What one connection measured.
    struct Tally {
        var histogram = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
        var requests = 0
        var errors = 0
        var errorSample: String?
        var failure: String?
    }

    private let settings: Settings
    private let workload: Workload
    // Written by the main thread before `go` is signalled, read by the workers after: the semaphores order them.
    private var windowStart: UInt64 = 0
    private var windowEnd: UInt64 = 0
    private var tallies: [Tally]
    private let talliesLock = NSLock()
    private let ready = DispatchSemaphore(value: 0)
    private let go = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)

    init(settings: Settings, workload: Workload) {
        self.settings = settings
        self.workload = workload
        self.tallies = Array(repeating: Tally(), count: settings.connections)
    }

    /// Runs the load; `monitor` is called on the main thread at the window's start and end with the phase, and
    /// every 100 ms in between (RSS sampling).
    func run(monitor: (Phase) -> Void) -> (tallies: [Tally], seconds: Double) {
        for index in 0..<settings.connections {
            let thread = Thread { [self] in work(index) }
            thread.stackSize = 1 << 20
            thread.start()
        }
        for _ in 0..<settings.connections { ready.wait() }
        let start = Probes.now() + UInt64(settings.warmup * 1e9)
        windowStart = start
        windowEnd = start + UInt64(settings.duration * 1e9)
        for _ in 0..<settings.connections { go.signal() }
        Probes.sleep(until: windowStart)
        monitor(.start)
        while Probes.now() < windowEnd {
            Probes.sleep(until: min(windowEnd, Probes.now() + 100_000_000))
            monitor(.tick)
        }
        monitor(.end)
        for _ in 0..<settings.connections { done.wait() }
        return (talliesLock.withLock { tallies }, Double(windowEnd - windowStart) / 1e9)
    }

    enum Phase {
        case start, tick, end
    }

    private func work(_ index: Int) {
        var tally = Tally()
        defer {
            talliesLock.withLock { tallies[index] = tally }
            done.signal()
        }
        let socket: LineSocket
        do {
            socket = try Self.open(settings)
        } catch {
            tally.failure = error.description
            ready.signal()
            go.wait()
            return
        }
        ready.signal()
        go.wait()
        var random = SplitMix(seed: UInt64(index + 1) &* 0x2545_F491_4F6C_DD1D)
        var request: [UInt8] = []
        request.reserveCapacity(settings.pipeline * 256)
        var sequence = 0
        let pipeline = settings.pipeline
        let (start, end) = (windowStart, windowEnd)
        do {
            while true {
                let sent = Probes.now()
                if sent >= end { break }
                request.removeAll(keepingCapacity: true)
                for _ in 0..<pipeline {
                    let unique = settings.firstUnique + sequence * settings.connections + index
                    workload.appendRequest(to: &request, random: &random, unique: unique)
                    sequence += 1
                }
                try socket.send(request)
                for _ in 0..<pipeline {
                    let outcome = try socket.readReply()
                    let answered = Probes.now()
                    // A refusal during the warm-up is still worth showing: it usually means the mix is wrong.
                    if outcome.code >= 400, tally.errorSample == nil { tally.errorSample = outcome.refusal }
                    guard sent >= start, answered <= end else { continue }
                    tally.histogram.record((answered - sent) / 1_000)
                    tally.requests += 1
                    if outcome.code >= 400 { tally.errors += 1 }
                }
            }
        } catch {
            tally.failure = error.description
        }
    }

    /// A connected, authenticated socket.
    static func open(_ settings: Settings) throws(BenchError) -> LineSocket {
        let socket = try LineSocket(host: settings.host, port: settings.port)
        let greeting = try socket.readReply()
        guard greeting.code == 220 else { throw BenchError("unexpected greeting \(greeting.code)") }
        try socket.send(Array("auth token=\(settings.token)\n".utf8))
        let auth = try socket.readReply()
        guard auth.code == 200 else { throw BenchError("auth refused: \(auth.refusal ?? String(auth.code))") }
        return socket
    }
}
