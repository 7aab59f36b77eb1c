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
        let resolved = catalog.resolve(request)
        let spec: CommandSpec
        let arguments: Arguments
        switch resolved {
        case .failure(let error): return .error(error)
        case .success(let pair): (spec, arguments) = pair
        }
        do {
            try spec.check(role: actor.role)
            let context = CommandContext(actor: actor, requestID: requestID, catalog: catalog)
            let reply = try await spec.handler(arguments, context)
            logger.debug(
                "command done",
                metadata: ["command": "\(spec.name)", "actor": "\(actor.name)", "code": "\(reply.code.rawValue)"])
            return reply
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

    /// A fresh id for a request, carried into logs and INTERNAL replies.
    public static func newRequestID() -> String {
        String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16))
    }
}
