import Foundation
import PlenaryCore
import PlenaryTestSupport
import Synchronization
import Testing

@testable import Documents

/// Single gets asked at the same time are read together (``DocumentReadCoalescer``), against the real database.
/// Each test holds the first batch between its statement and its answers, so what is in flight and what waits is
/// fixed by the test, not by timing.
@Suite("Documents: gets asked together are read together", .timeLimit(.minutes(1)))
struct ReadCoalescingTests {
    let office: Secretariat

    init() async throws { office = try await Secretariat() }

    /// A registry over the office's database, with one lane unless told (one batch in flight at a time), whose
    /// first batch, once it has read, waits for `release`; `held` opens when it does. `queued` hears each request
    /// that waits behind a batch in flight; `batches` records the number of requests in every batch.
    func registry(
        held: Gate, release: Gate, queued: @escaping @Sendable (Int) -> Void = { _ in },
        batches: Recorder<Int> = Recorder(), lanes: Int = 1
    ) -> DocumentRegistry {
        let first = Mutex(true)
        return DocumentRegistry(
            database: office.database, lanes: lanes,
            hooks: DocumentReadHooks(
                queued: queued,
                read: { requests in
                    batches.append(requests)
                    if first.withLock({ isFirst in
                        defer { isFirst = false }; return isFirst
                    }) {
                        held.open()
                        await release.wait()
                    }
                }))
    }

    /// What `get` gives, refusal or document.
    static func answer(_ registry: DocumentRegistry, _ symbol: DocumentSymbol) async -> Result<Document, DomainError> {
        do throws(DomainError) { return .success(try await registry.get(symbol)) } catch { return .failure(error) }
    }

    @Test func manyGetsAtOnceGiveWhatEachGivesAloneInBatchesOfAtMostTheLimit() async throws {
        var asked: [String] = []
        for serial in 1...8 { try await office.register("CTOC/COP/2008/\(serial)", "Document \(serial)") }
        try await office.documents.reissue(try DocumentSymbol("CTOC/COP/2008/3"), by: Secretariat.clerk)
        for index in 0..<100 { asked.append(index % 10 == 9 ? "CTOC/COP/2008/99" : "CTOC/COP/2008/\(index % 8 + 1)") }
        asked[5] = "CTOC/COP/2008/3*"
        let symbols = try asked.map { try DocumentSymbol($0) }

        let held = Gate()
        let release = Gate()
        let waiting = Counter()
        let batches = Recorder<Int>()
        let registry = registry(held: held, release: release, queued: { waiting.reach($0) }, batches: batches)
        let first = Task { try await registry.get(symbols[0]) }
        await held.wait()
        let rest = Task {
            await withTaskGroup(of: (Int, Result<Document, DomainError>).self) { group in
                for index in symbols.indices.dropFirst() {
                    group.addTask { (index, await Self.answer(registry, symbols[index])) }
                }
                var answers: [Int: Result<Document, DomainError>] = [:]
                for await (index, answer) in group { answers[index] = answer }
                return answers
            }
        }
        await waiting.wait(for: 99)
        release.open()
        var answers = await rest.value
        answers[0] = .success(try await first.value)

        // The first alone (nothing was in flight), then the 99 waiting in batches of at most 64.
        #expect(batches.values == [1, 64, 35])
        #expect(answers.count == 100)
        for (index, symbol) in symbols.enumerated() {
            let alone = await Self.answer(office.documents, symbol)
            #expect(answers[index] == alone, "\(symbol)")
        }
        guard case .failure(let missing) = answers[9] else {
            Issue.record("an unregistered symbol was found")
            return
        }
        #expect(missing.kind == .notFound && missing.message.contains("CTOC/COP/2008/99"))
        #expect(try answers[5]?.get().symbol.description == "CTOC/COP/2008/3*")
        #expect(registry.reads.load == (0, 0, 0))
    }

    @Test func aGetAfterAWriteSeesTheWriteWhileAnEarlierBatchIsInFlight() async throws {
        try await office.register("CTOC/COP/2008/19", "Report of the Conference")
        let symbol = try DocumentSymbol("CTOC/COP/2008/19")
        let held = Gate()
        let release = Gate()
        // The get below, queued behind the batch in flight, lets that batch answer.
        let registry = registry(held: held, release: release, queued: { _ in release.open() })
        let early = Task { try await registry.get(symbol) }
        await held.wait()  // the first batch has read: before the write

        try await registry.reissue(symbol, by: Secretariat.clerk)
        let after = try await registry.get(symbol)

        #expect(after.symbol.isReissue, "a get after a write must read the write, not the batch already sent")
        #expect(!(try await early.value).symbol.isReissue, "the first batch was meant to read before the write")
    }

    @Test func withLanesToSpareAGetGoesAtOnceBesideABatchInFlight() async throws {
        try await office.register("CTOC/COP/2008/19")
        try await office.register("CTOC/COP/2008/20")
        let held = Gate()
        let release = Gate()
        let waiting = Counter()
        // A get that had to queue lets the held batch go, so a coalescer with one lane fails this test, not hangs.
        let registry = registry(
            held: held, release: release,
            queued: {
                waiting.reach($0 + 1); release.open()
            }, lanes: 2)
        let first = Task { try await registry.get(try DocumentSymbol("CTOC/COP/2008/19")) }
        await held.wait()

        let second = try await registry.get(try DocumentSymbol("CTOC/COP/2008/20"))

        #expect(second.symbol.description == "CTOC/COP/2008/20")
        #expect(waiting.value == 0, "the second get went on the free lane without waiting")
        #expect(registry.reads.load == (0, 1, 1), "the first batch is still held")
        release.open()
        #expect(try await first.value.symbol.description == "CTOC/COP/2008/19")
        #expect(registry.reads.load == (0, 0, 0))
    }

    /// `/19` and `/20` registered, and a one-lane registry whose first batch — a get of `/19`, started here — is
    /// held once it has read, until `release` opens; `waiting` hears each request that queues behind it.
    func holdingFirstBatch() async throws -> (
        registry: DocumentRegistry, first: Task<Document, any Error>, release: Gate, waiting: Counter
    ) {
        try await office.register("CTOC/COP/2008/19")
        try await office.register("CTOC/COP/2008/20")
        let held = Gate()
        let release = Gate()
        let waiting = Counter()
        let registry = registry(held: held, release: release, queued: { waiting.reach($0) })
        let first = Task { try await registry.get(try DocumentSymbol("CTOC/COP/2008/19")) }
        await held.wait()
        return (registry, first, release, waiting)
    }

    @Test func aDatabaseFailureReachesEveryWaiterOfItsBatchAndOnlyThem() async throws {
        let (registry, first, release, waiting) = try await holdingFirstBatch()
        // The next batch's statement cannot run: the table it reads is gone.
        try office.connection().query("ALTER TABLE document_summaries RENAME TO document_summaries_away")
        var waiters: [Task<Result<Document, DomainError>, Never>] = []
        for text in ["CTOC/COP/2008/19", "CTOC/COP/2008/20", "CTOC/COP/2008/99", "CTOC/COP/2008/20"] {
            let symbol = try DocumentSymbol(text)
            waiters.append(Task { await Self.answer(registry, symbol) })
        }
        await waiting.wait(for: waiters.count)
        release.open()

        #expect(try await first.value.symbol.description == "CTOC/COP/2008/19")
        var failures: [DomainError] = []
        for waiter in waiters {
            if case .failure(let error) = await waiter.value { failures.append(error) }
        }
        #expect(failures.count == waiters.count, "every waiter of the failed batch fails")
        #expect(failures.allSatisfy { $0.kind == .fault }, "\(failures)")
        #expect(Set(failures).count == 1, "one statement, one failure, the same for all: \(failures)")

        try office.connection().query("ALTER TABLE document_summaries_away RENAME TO document_summaries")
        #expect(try await registry.get(try DocumentSymbol("CTOC/COP/2008/20")).title == "A document")
        #expect(registry.reads.load == (0, 0, 0))
    }

    @Test func aCancelledWaiterLeavesAtOnceAndHoldsUpNoOne() async throws {
        let (registry, inFlight, release, waiting) = try await holdingFirstBatch()
        let queued = Task { try await registry.get(try DocumentSymbol("CTOC/COP/2008/20")) }
        await waiting.wait(for: 1)
        let staying = Task { try await registry.get(try DocumentSymbol("CTOC/COP/2008/19")) }
        await waiting.wait(for: 2)

        // Both answer while the first batch is still held: neither waits for a statement it no longer wants.
        queued.cancel()
        inFlight.cancel()
        // The cancellation handlers have run: both left, the queue and the batch in flight.
        let load = registry.reads.load
        #expect(load == (1, 0, 1), "the cancelled waiters left the queue and the batch in flight")
        // A coalescer that kept them must fail this test, not hang it.
        if load != (1, 0, 1) { release.open() }
        for task in [queued, inFlight] {
            do {
                _ = try await task.value
                Issue.record("a cancelled get was answered")
            } catch {
                #expect(error as? DomainError == .unavailable("request cancelled"))
            }
        }

        release.open()
        #expect(try await staying.value.symbol.description == "CTOC/COP/2008/19")
        #expect(registry.reads.load == (0, 0, 0))

        // A task cancelled before it asks is never queued.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await registry.get(try DocumentSymbol("CTOC/COP/2008/20"))
        }
        await #expect(throws: DomainError.unavailable("request cancelled")) { try await early.value }
        #expect(registry.reads.load == (0, 0, 0))
    }
}

/// Opens once; everyone waiting, and everyone who comes after, goes on.
final class Gate: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func wait() async {
        await withCheckedContinuation { continuation in
            let open = state.withLock { state in
                if !state.open { state.waiters.append(continuation) }
                return state.open
            }
            if open { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// The highest value heard, and a wait until it reaches a number.
final class Counter: Sendable {
    private let state = Mutex<(value: Int, waiters: [(Int, CheckedContinuation<Void, Never>)])>((0, []))

    func reach(_ value: Int) {
        let ready = state.withLock { state in
            state.value = max(state.value, value)
            let ready = state.waiters.filter { $0.0 <= state.value }.map(\.1)
            state.waiters.removeAll { $0.0 <= state.value }
            return ready
        }
        for waiter in ready { waiter.resume() }
    }

    var value: Int { state.withLock { $0.value } }

    func wait(for value: Int) async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state in
                if state.value < value { state.waiters.append((value, continuation)) }
                return state.value >= value
            }
            if ready { continuation.resume() }
        }
    }
}

/// Values appended from any task, read back in order.
final class Recorder<Value: Sendable>: Sendable {
    private let state = Mutex<[Value]>([])

    func append(_ value: Value) { state.withLock { $0.append(value) } }

    var values: [Value] { state.withLock { $0 } }
}
