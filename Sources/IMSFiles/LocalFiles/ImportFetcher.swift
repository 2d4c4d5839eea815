import AsyncHTTPClient
import Foundation
import IMSService
import NIOCore

/// Opens an import's URL under the `ImportPolicy`: redirects are followed by hand, at most five,
/// each target checked like the first (an allowed host must not bounce the gateway to loopback).
enum ImportFetcher {
    /// Redirects off: every hop comes back here to be checked. A refused connection fails the
    /// import at once instead of being retried with a growing backoff until the connect timeout.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    static func open(_ text: String, policy: ImportPolicy) async throws -> HTTPClientResponse {
        var current = text
        for _ in 0...5 {
            let url = try policy.check(current).get()
            let response = try await client.execute(HTTPClientRequest(url: url.absoluteString), timeout: .hours(6))
            guard (300..<400).contains(response.status.code), let location = response.headers.first(name: "location") else {
                guard (200..<300).contains(response.status.code) else {
                    throw ImportFetchError("HTTP \(response.status.code) \(response.status.reasonPhrase) from \(url.host ?? "")")
                }
                return response
            }
            current = URL(string: location, relativeTo: url)?.absoluteString ?? location
        }
        throw ImportFetchError("too many redirects")
    }
}
