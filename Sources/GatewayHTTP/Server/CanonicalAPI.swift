import Foundation
import HTTPTypes
import Hummingbird
import IMSModel
import IMSService
import NIOCore

/// The gateway's own API, `/ims/v1`: canonical commands over HTTP, so that one gateway (bundled)
/// can be the backend of others (`backend: remote`). Only callers presenting one of the
/// configured service tokens may use it; they assert the identity each command runs as, within
/// the token's scope.
///
/// - `POST /ims/v1/execute` `{"command": Command, "minted": Minted?}` → `{"result": CommandResult,
///   "minted": Minted}` (the values the command used) or `{"error": CanonicalError}` with a
///   matching status. A mutation sent with `Idempotency-Key`
///   is run once per key (`IdempotencyLedger`).
/// - `GET /ims/v1/images/{ref}/file` → the image's bytes, streamed.
/// - `PUT /ims/v1/uploads/{imageId}?token=…` → stores a prepared upload (the upload token is the
///   credential; see `UploadRoutes`).
/// - `GET /ims/v1/export/…` → every record, for a migration (`CanonicalAPI+Export`).
struct CanonicalAPI: Sendable {
    let backend: any Backend
    /// The accepted tokens by SHA-256 (hex); none means the API is closed.
    let tokens: [String: ServiceToken]
    let ledger: IdempotencyLedger
    /// Largest command accepted (a 51idc batch delete of 10,000 ids is well under it).
    static let maxBody = 16 << 20

    init(backend: any Backend, config: GatewayConfig.CanonicalAPIConfig) {
        self.backend = backend
        tokens = Dictionary(config.tokens.map { ($0.sha256, $0) }, uniquingKeysWith: { first, _ in first })
        ledger = IdempotencyLedger(window: .seconds(config.idempotencyWindowSeconds ?? 3600),
                                   capacity: config.idempotencyMaxEntries ?? 50_000,
                                   records: backend.capabilities.records?.stores.idempotency)
    }

    func add(to router: Router<GatewayRequestContext>) {
        let api = router.group("ims/v1")
        api.post("execute") { request, context -> Response in
            let requestId = request.headers[.requestID]
            do {
                let identity = try authorize(request)
                let execute = try await Self.execute(from: request)
                let answer = try await run(execute.command, as: identity, minted: execute.minted, key: request.headers[.idempotencyKey]).get()
                return CanonicalWire.json(.ok, CanonicalWire.Answer(result: answer.result, error: nil, minted: answer.minted))
            } catch {
                return CanonicalWire.error(error, requestId: requestId)
            }
        }
        api.get("images/{ref}/file") { request, context -> Response in
            do {
                let identity = try authorize(request)
                let ref = try context.parameters.require("ref")
                let download = try await backend.download(ImageSelector(ref: ref), as: identity)
                return DialectMiddleware.stream(download, requestId: request.headers[.requestID] ?? "", pacedBy: context.eventLoop)
            } catch {
                return CanonicalWire.error(error as? CanonicalError ?? .internal("\(error)"), requestId: request.headers[.requestID])
            }
        }
        addExport(to: api)
    }

    /// Runs a command with the values it was handed; a mutation with a key runs at most once
    /// per key and identity.
    func run(_ command: Command, as identity: Identity, minted: Minted?, key: String?) async -> IdempotencyLedger.Answer {
        let backend = self.backend
        let execute: @Sendable () async -> IdempotencyLedger.Answer = {
            do throws(CanonicalError) {
                return .success(try await backend.execute(command, as: identity, minted: minted))
            } catch {
                return .failure(error)
            }
        }
        guard let key, !key.isEmpty, !command.isReadOnly else { return await execute() }
        return await ledger.run(key: IdempotencyKey.normalized(key), identity: identity, command: command, execute)
    }

    /// The body's command and values. Job work is no command, so it is refused here as an unknown one.
    static func execute(from request: Request) async throws(CanonicalError) -> CanonicalWire.Execute {
        let body = try await DialectMiddleware.collectBody(request, limit: maxBody)
        do {
            return try JSONValueDecoder().decode(CanonicalWire.Execute.self, from: body.readableBytesView)
        } catch {
            throw .malformedBody("not a canonical command")
        }
    }

    /// The service token, then the identity the caller asserts, which must be in the token's scope.
    func authorize(_ request: Request) throws(CanonicalError) -> Identity {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              let token = tokens[Secrets.sha256Hex(String(header.dropFirst(7)))]
        else { throw .unauthorized("the canonical API needs a service token") }
        guard let text = request.headers[.imsIdentity], let identity = try? JSONValueDecoder().decode(Identity.self, from: text.utf8)
        else { throw .invalidParameter(field: "X-IMS-Identity", message: "is required") }
        if let refusal = token.refusal(for: identity) {
            // Worth an operator's eye: a front asserting what its token does not cover is misconfigured or stolen.
            CanonicalWire.logger.warning("service token used outside its scope", metadata: [
                "token_sha256": .string(String(token.sha256.prefix(12))), "tenant": .string(identity.tenant),
                "operator": "\(identity.isOperator)", "request_id": .string(request.headers[.requestID] ?? ""),
            ])
            throw .forbidden(refusal)
        }
        return identity
    }
}
