import PlenaryCore
import Synchronization

/// Gathers single `doc get`s asked at the same time — from different connections, or from callers in the process —
/// into one trip to the pool and one round trip to PostgreSQL (``DocumentRegistry/documents(_:symbols:)``), as one
/// connection's pipelined gets already are.
///
/// Batching is natural, with no timer. Up to `lanes` batches are in flight at once, each on its own pooled
/// connection: while a lane is free a request goes at once, so a quiet server adds no wait and a few
/// concurrent gets still run side by side; requests that arrive while every lane is busy queue, and the first lane
/// to finish takes them together as its next batch, at most `batchLimit` of them. Two lanes (one per core of the
/// machine measured) did best at 1M documents with 8 waiting connections: 11,364 gets/s against 8,710 without
/// batching, 8,242 with four lanes and 3,205 with one, where 8 connections took turns on one connection. A request
/// never joins a batch already sent: the statement that answers it starts after it asked, so it reads everything
/// committed before it asked — a connection always reads its own writes.
///
/// Each waiter gets what ``DocumentRegistry/get(_:)`` alone would give: a symbol not registered is 550 for its own
/// waiter only; a database failure fails every waiter of that batch with the same error (451 still means nothing
/// was done). A waiter whose task is cancelled (the server's deadline) leaves at once with 451, whether its batch is
/// queued or sent; the others are not held up, and the answer it no longer wants is dropped. Memory is bounded: at
/// most `waitingLimit` requests wait (more are refused with 451, try again), each holding one symbol.
final class DocumentReadCoalescer: Sendable {
    /// Reads the documents registered under these (unmarked) symbols, in one round trip.
    typealias Fetch = @Sendable ([DocumentSymbol]) async throws(DomainError) -> [Document]

    private typealias Waiter = CheckedContinuation<Result<Document, DomainError>, Never>

    private let state: Mutex<ReadQueue<Waiter>>
    private let nextID = Atomic<UInt64>(0)
    private let fetch: Fetch
    private let hooks: DocumentReadHooks

    /// Creates a coalescer over `fetch`; `hooks` let a test stop a batch between its read and its answers.
    init(
        lanes: Int = 2, batchLimit: Int = 64, waitingLimit: Int = 4096, hooks: DocumentReadHooks = .none,
        fetch: @escaping Fetch
    ) {
        state = Mutex(ReadQueue(lanes: lanes, batchLimit: batchLimit, waitingLimit: waitingLimit))
        self.fetch = fetch
        self.hooks = hooks
    }

    /// The document registered under `key` (unmarked), read in the next batch to go.
    func get(_ key: DocumentSymbol) async throws(DomainError) -> Document {
        let id = nextID.add(1, ordering: .relaxed).newValue
        let answer = await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: Waiter) in
                let (decision, waiting) = state.withLock { queue in
                    // Checked under the lock the cancellation handler takes: a task cancelled before it got here
                    // is never queued, one cancelled after is found by the handler.
                    if Task.isCancelled { return (ReadQueue<Waiter>.Decision.cancelled, queue.waitingCount) }
                    return (queue.enqueue(id: id, key: key, waiter: waiter), queue.waitingCount)
                }
                switch decision {
                case .send(let batch):
                    // On the asking request's event loop, not the global pool (see RequestExecutor).
                    Task(executorPreference: RequestExecutor.current) { await self.drain(batch) }
                case .wait:
                    hooks.queued(waiting)
                case .full:
                    waiter.resume(returning: .failure(.unavailable("database: too many reads waiting, try again")))
                case .cancelled:
                    waiter.resume(returning: .failure(Self.cancelled))
                }
            }
        } onCancel: {
            state.withLock { $0.cancel(id: id) }?.resume(returning: .failure(Self.cancelled))
        }
        return try answer.get()
    }

    /// What a waiter whose task was cancelled gets: what the database layer gives a cancelled request.
    static let cancelled = DomainError.unavailable("request cancelled")

    /// Sends batches one after another until none is waiting. Runs in a task of its own, so that no waiter's
    /// cancellation cancels a statement others wait for.
    private func drain(_ first: [ReadQueue<Waiter>.Entry]) async {
        var batch = first
        while true {
            let symbols = Array(Set(batch.map(\.key)))
            let result: Result<[String: Document], DomainError>
            do {
                let found = try await fetch(symbols)
                result = .success(
                    Dictionary(
                        found.map { (DocumentRules.unmarked($0.symbol).description, $0) },
                        uniquingKeysWith: { first, _ in first }))
            } catch {
                result = .failure(error)
            }
            await hooks.read(batch.count)
            let (answered, next) = state.withLock { $0.delivered(batch) }
            for entry in answered {
                entry.waiter.resume(
                    returning: result.flatMap { found in
                        found[entry.key.description].map { .success($0) }
                            ?? .failure(.notFound("symbol: \(entry.key) is not registered"))
                    })
            }
            guard let next else { return }
            batch = next
        }
    }

    /// How many requests wait for a batch, how many wait for the answers of batches in flight, and how many batches
    /// are in flight (for tests).
    var load: (waiting: Int, answering: Int, inFlight: Int) {
        state.withLock { ($0.waitingCount, $0.answeringCount, $0.inFlight) }
    }
}

/// Points where a test can watch or hold the coalescer; the server uses ``none``.
struct DocumentReadHooks: Sendable {
    /// Called when a request joins the queue behind a batch in flight, with how many now wait.
    var queued: @Sendable (Int) -> Void = { _ in }
    /// Awaited after a batch's statement has run and before its answers are given, with how many requests it holds.
    var read: @Sendable (Int) async -> Void = { _ in }

    /// No hooks.
    static let none = DocumentReadHooks()
}

/// The coalescer's state, without I/O: requests queued, the batches in flight, and what to do as each arrives,
/// finishes or is cancelled.
struct ReadQueue<Waiter> {
    /// One request: its number, its (unmarked) symbol and whom to answer.
    struct Entry {
        let id: UInt64
        let key: DocumentSymbol
        let waiter: Waiter
    }

    /// What to do with a request that arrives.
    enum Decision {
        /// A lane was free: send this batch (the request alone) now.
        case send([Entry])
        /// Every lane is busy: the request waits for the next batch.
        case wait
        /// Too many wait already: refuse it.
        case full
        /// Its task was cancelled before it was queued.
        case cancelled
    }

    let lanes: Int
    let batchLimit: Int
    let waitingLimit: Int
    private var queue: [Entry] = []
    private var head = 0
    /// The requests of the batches in flight still waiting for their answers; a cancelled one leaves.
    private var sent: [UInt64: Entry] = [:]
    /// How many batches are in flight (their statements sent, their answers not yet given).
    private(set) var inFlight = 0

    init(lanes: Int, batchLimit: Int, waitingLimit: Int) {
        precondition(lanes > 0 && batchLimit > 0 && waitingLimit >= 0)
        self.lanes = lanes
        self.batchLimit = batchLimit
        self.waitingLimit = waitingLimit
    }

    /// How many requests wait for the next batch.
    var waitingCount: Int { queue.count - head }

    /// How many requests of the batches in flight still wait for their answers.
    var answeringCount: Int { sent.count }

    /// A request arrives.
    mutating func enqueue(id: UInt64, key: DocumentSymbol, waiter: Waiter) -> Decision {
        let entry = Entry(id: id, key: key, waiter: waiter)
        guard inFlight == lanes else {
            inFlight += 1
            sent[id] = entry
            return .send([entry])
        }
        // Never into `sent`: that statement may have started before this request was made.
        guard waitingCount < waitingLimit else { return .full }
        queue.append(entry)
        return .wait
    }

    /// `batch` has its answers: the requests to answer (those not cancelled meanwhile), and the next batch for its
    /// lane to send now, or nil when none waits (then the lane is free).
    mutating func delivered(_ batch: [Entry]) -> (answered: [Entry], next: [Entry]?) {
        let answered = batch.compactMap { sent.removeValue(forKey: $0.id) }
        guard waitingCount > 0 else {
            inFlight -= 1
            queue = []
            head = 0
            return (answered, nil)
        }
        let end = min(head + batchLimit, queue.count)
        let next = Array(queue[head..<end])
        head = end
        if head == queue.count {
            queue = []
            head = 0
        } else if head >= 1024 && head * 2 >= queue.count {
            queue.removeFirst(head)
            head = 0
        }
        for entry in next { sent[entry.id] = entry }
        return (answered, next)
    }

    /// The request `id`'s task was cancelled: it leaves the queue or its batch in flight. Returns whom to answer, or
    /// nil when it was already answered (or never queued).
    mutating func cancel(id: UInt64) -> Waiter? {
        if let entry = sent.removeValue(forKey: id) { return entry.waiter }
        guard let index = queue[head...].firstIndex(where: { $0.id == id }) else { return nil }
        return queue.remove(at: index).waiter
    }
}

extension ReadQueue.Entry: Sendable where Waiter: Sendable {}
extension ReadQueue.Decision: Sendable where Waiter: Sendable {}
