import IMSModel
import IMSService
import NIOCore
import ServiceLifecycle

/// A test backend that changes some calls and passes the rest on to `inner` (the forwarding
/// store's pattern): each one writes only what it changes.
protocol ForwardingBackend: Backend {
    var inner: any Backend { get }
}

extension ForwardingBackend {
    func execute(_ command: Command, as identity: Identity) async throws(CanonicalError) -> CommandResult {
        try await execute(command, as: identity, minted: nil).result
    }

    func upload(imageId: String, token: String, body: some AsyncSequence<ByteBuffer, any Error> & Sendable)
        async throws(CanonicalError) -> UploadTicket { try await inner.upload(imageId: imageId, token: token, body: body) }

    func download(_ selector: ImageSelector, as identity: Identity) async throws(CanonicalError) -> ImageDownload {
        try await inner.download(selector, as: identity)
    }

    var services: [any Service] { inner.services }
    func unreadiness() async -> String? { await inner.unreadiness() }
}
