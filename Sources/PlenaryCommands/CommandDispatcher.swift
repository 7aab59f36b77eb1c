import AdminProtocol
import Foundation
import Logging
import PlenaryCore

/// Runs one request through the catalog: resolve the command, check the caller's role, run the handler, and turn
/// whatever it throws into a reply. Both doors — the TCP server and the in-process CLI — go through here, so a
/// command behaves the same whichever way it came.
public struct CommandDispatcher: Sendable {
    /// The catalog requests are resolved against.
    public let catalog: Catalog
    private let logger: Logger

    /// Creates a dispatcher.
    public init(catalog: Catalog, logger: Logger = Logger(label: "plenary.command")) {
        self.catalog = catalog
        self.logger = logger
    }

    /// Resolves and runs `request` as `actor`; never throws — every failure is a reply.
    public func run(_ request: RawRequest, actor: Actor, requestID: String = Self.newRequestID()) async -> Reply {
        switch catalog.resolve(request) {
        case .failure(let error): return .error(error)
        case .success(let (spec, arguments)): return await run(spec, arguments, actor: actor, requestID: requestID)
        }
    }

    /// Runs a request already resolved against ``catalog`` as `actor` (the server resolves each line once, to
    /// admit it, and runs what it resolved); never throws — every failure is a reply.
    public func run(
        _ spec: CommandSpec, _ arguments: Arguments, actor: Actor, requestID: String = Self.newRequestID()
    ) async -> Reply {
        do {
            try spec.check(role: actor.role)
            let context = CommandContext(actor: actor, requestID: requestID, catalog: catalog)
            let reply = try await spec.handler(arguments, context)
            logger.debug(
                "command done",
                metadata: ["command": "\(spec.name)", "actor": "\(actor.name)", "code": "\(reply.code.rawValue)"])
            return reply
        } catch let refusal as DomainError where refusal.kind != .fault {
            let error = PlenaryError(refusal)
            logger.info(
                "command refused",
                metadata: [
                    "command": "\(spec.name)", "actor": "\(actor.name)", "code": "\(error.code.rawValue)",
                    "request": "\(requestID)",
                ])
            return .error(error)
        } catch let error as PlenaryError {
            logger.info(
                "command refused",
                metadata: [
                    "command": "\(spec.name)", "actor": "\(actor.name)", "code": "\(error.code.rawValue)",
                    "request": "\(requestID)",
                ])
            return .error(error)
        } catch {
            let incident = String(requestID.prefix(12))
            logger.error(
                "command failed unexpectedly",
                metadata: ["command": "\(spec.name)", "incident": "\(incident)", "error": "\(error)"])
            return .error(.internal(incident: incident))
        }
    }

    /// Whether `request` names a command that can be answered in a batch (``CommandSpec/batchHandler``).
    public func isBatchable(_ request: RawRequest) -> Bool {
        guard case .success(let (spec, _)) = catalog.resolve(request) else { return false }
        return spec.batchHandler != nil
    }

    /// Runs requests of one batchable command at once as `actor`, one reply each, in order: each the reply
    /// ``run(_:actor:requestID:)`` would give it alone. Requests that do not resolve to the first one's command
    /// are answered one at a time.
    public func runBatch(_ requests: [RawRequest], actor: Actor) async -> [Reply] {
        guard let first = requests.first, case .success(let (spec, _)) = catalog.resolve(first),
            let batch = spec.batchHandler
        else {
            var replies: [Reply] = []
            for request in requests { replies.append(await run(request, actor: actor)) }
            return replies
        }
        var replies = [Reply?](repeating: nil, count: requests.count)
        var positions: [Int] = []
        var arguments: [Arguments] = []
        for (position, request) in requests.enumerated() {
            switch catalog.resolve(request) {
            case .failure(let error): replies[position] = .error(error)
            case .success(let (other, bound)) where other.name == spec.name:
                positions.append(position)
                arguments.append(bound)
            case .success: replies[position] = await run(request, actor: actor)
            }
        }
        if !arguments.isEmpty {
            do {
                try spec.check(role: actor.role)
                let context = CommandContext(actor: actor, requestID: Self.newRequestID(), catalog: catalog)
                let results = await batch(arguments, context)
                for (position, result) in zip(positions, results) {
                    switch result {
                    case .success(let reply): replies[position] = reply
                    case .failure(let error): replies[position] = .error(error)
                    }
                }
            } catch {
                for position in positions { replies[position] = .error(error) }
            }
            logger.debug(
                "batch done",
                metadata: ["command": "\(spec.name)", "actor": "\(actor.name)", "count": "\(positions.count)"])
        }
        return replies.map { $0 ?? .error(.internal(incident: "batch")) }
    }

    /// A fresh id for a request, carried into logs and INTERNAL replies: 16 lower-case hex digits. Drawn from the
    /// system generator directly: a UUID string cut down with Foundation's string search cost more than the rest of
    /// dispatching a `doc get` put together.
    public static func newRequestID() -> String {
        let digits = Array("0123456789abcdef".utf8)
        var value = UInt64.random(in: .min ... .max)
        var bytes = [UInt8](repeating: 0, count: 16)
        for position in (0..<16).reversed() {
            bytes[position] = digits[Int(value & 0xF)]
            value >>= 4
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
