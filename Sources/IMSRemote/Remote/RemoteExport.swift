import AsyncHTTPClient
import Foundation
import IMSModel
import IMSService
import NIOCore

/// Another gateway's records as a migration reads them: its canonical API's export
/// (`GET /ims/v1/export/{kind}`) and its images' bytes (`GET /ims/v1/images/{ref}/file`), with
/// the remote backend's client and token. The token must be one that gateway marks `export`.
/// A failure is the migration's error in words (the far side's refusal as it said it); the
/// records themselves, default passwords included, are never logged.
struct RemoteExport: MigrationSource {
    let backend: RemoteBackend

    func page(_ kind: Migration.Kind, offset: Int, limit: Int) async throws -> [Migration.Record] {
        try await fetch(ExportPage.self, kind.rawValue + "?offset=\(offset)&limit=\(limit)").records
    }

    func count(_ kind: Migration.Kind) async throws -> Int {
        try await fetch(ExportPage.self, kind.rawValue + "?offset=0&limit=0").total
    }

    func holds(_ refs: [String]) async throws -> [Bool] {
        guard !refs.isEmpty else { return [] }
        let list = refs.map { $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-_"))) ?? $0 }
        let held = try await fetch(ExportHeld.self, "held?refs=" + list.joined(separator: ",")).held
        guard held.count == refs.count else { throw MigrationError("the gateway at \(backend.loggedURL) answered \(held.count) of \(refs.count) refs") }
        return held
    }

    /// Streamed as the far side sends them; the copy measures and checks them (`copyBytes`).
    func read(_ imageId: String, _ emit: ImageDownload.Emit) async throws {
        let ref = imageId.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(.init(charactersIn: "/"))) ?? imageId
        let request = backend.request("/ims/v1/images/\(ref)/file", method: .GET, identity: .anonymousOperator)
        let response = try await reached { try await backend.client.execute(request, timeout: .hours(6)) }
        guard response.status == .ok else { throw refusal(try await response.body.collect(upTo: 1 << 20), status: response.status.code) }
        for try await chunk in response.body { try await emit(chunk) }
    }

    /// One answer of the export (`/ims/v1/export/` + `path`); a read, so a failure that left no
    /// answer is tried again.
    private func fetch<T: Decodable>(_ type: T.Type, _ path: String) async throws -> T {
        let request = backend.request("/ims/v1/export/" + path, method: .GET, identity: nil)
        var attempt = 0
        while true {
            do {
                let response = try await backend.client.execute(request, timeout: .init(backend.options.requestTimeout))
                let bytes = try await response.body.collect(upTo: 256 << 20)
                guard response.status == .ok else { throw refusal(bytes, status: response.status.code) }
                return try JSONValueDecoder().decode(T.self, from: bytes.readableBytesView)
            } catch let error as MigrationError {
                throw error
            } catch {
                attempt += 1
                guard attempt <= backend.options.retries else {
                    throw MigrationError("the export at \(backend.loggedURL) gave no usable answer to \(path): \(error)")
                }
                try await Task.sleep(for: .milliseconds(25 << min(attempt, 4)))
            }
        }
    }

    /// The call, with a failure to reach the far side said as the migration's error.
    private func reached(_ call: () async throws -> HTTPClientResponse) async throws -> HTTPClientResponse {
        do {
            return try await call()
        } catch {
            throw MigrationError("cannot reach the gateway at \(backend.loggedURL): \(error)")
        }
    }

    /// The far side's refusal in its own words (a token not marked `export` is refused there).
    private func refusal(_ bytes: ByteBuffer, status: UInt) -> MigrationError {
        let said = (try? JSONValueDecoder().decode(CanonicalWire.Answer.self, from: bytes.readableBytesView))?.error
        return MigrationError("the gateway at \(backend.loggedURL) answered HTTP \(status)" + (said.map { ": \($0.description)" } ?? ""))
    }
}
