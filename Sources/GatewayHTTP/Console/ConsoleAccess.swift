import Foundation
import Hummingbird
import IMSModel

/// Who may open the console: an operator of the credentials file, by HTTP Basic with a Foreman
/// user and password (`operator: true`), checked by the same `Authenticator` (and cache) as the
/// dialects' requests. Basic because a browser asks for it by itself and a headless one takes it
/// in the URL; Foreman's because it is the one dialect whose credentials are a user and password.
/// With no credentials file every request would be the operator, so the console is then closed.
struct ConsoleAccess: Sendable {
    static let dialect = DialectID("foreman")
    static let realm = #"Basic realm="ims-gateway console", charset="UTF-8""#
    let live: LiveConfig

    /// `nil` when the request is an operator's; otherwise the answer that refuses it.
    func refusal(_ request: Request) async -> Response? {
        let authenticator = live.snapshot.authenticator
        guard authenticator.isEnabled else {
            return Self.page(.forbidden, "The console needs a credentials file (auth.credentials): without one, everyone would be its operator.")
        }
        guard let credential = Self.basic(request.headers[.authorization]) else {
            return Self.page(.unauthorized, "The console takes a Foreman operator's user and password (HTTP Basic).", challenge: true)
        }
        do {
            let identity = try await authenticator.identity(for: credential)
            return identity.isOperator ? nil : Self.page(.forbidden, "\(credential.id) is not an operator.")
        } catch {
            return Self.page(.unauthorized, "Unknown user or wrong password.", challenge: true)
        }
    }

    static func basic(_ header: String?) -> PresentedCredential? {
        guard let header, header.count > 6, header.prefix(6).lowercased() == "basic ",
              let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":") else { return nil }
        return PresentedCredential(dialect: dialect, id: String(text[..<colon]), secret: String(text[text.index(after: colon)...]))
    }

    static func page(_ status: HTTPResponse.Status, _ message: String, challenge: Bool = false) -> Response {
        var headers: HTTPFields = [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"]
        if challenge { headers[.wwwAuthenticate] = realm }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
    }
}
