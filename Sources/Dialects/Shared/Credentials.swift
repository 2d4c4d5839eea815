import Foundation
import GatewayCore

/// Reading the credential conventions the legacy clients use.
enum Credentials {
    /// `Authorization: Basic base64(id:secret)`.
    static func basic(_ request: DialectRequest) -> (id: String, secret: String)? {
        guard let header = request.header("Authorization"), header.lowercased().hasPrefix("basic "),
              let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    /// `Authorization: Bearer token`.
    static func bearer(_ request: DialectRequest) -> String? {
        guard let header = request.header("Authorization"), header.lowercased().hasPrefix("bearer ") else { return nil }
        return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }

    static func header(_ request: DialectRequest, _ name: String) -> String? {
        request.header(name)
    }
}

extension ForemanDialect {
    /// HTTP Basic, as Foreman's API takes it.
    public func credential(_ request: DialectRequest) -> PresentedCredential? {
        Credentials.basic(request).map { PresentedCredential(dialect: .foreman, id: $0.id, secret: $0.secret) }
    }
}

extension CecstackDialect {
    /// A bearer token (the seed defers signing to another document; we take a bearer token).
    public func credential(_ request: DialectRequest) -> PresentedCredential? {
        Credentials.bearer(request).map { PresentedCredential(dialect: .cecstack, id: "", secret: $0) }
    }
}

extension Idc51Dialect {
    /// An access key: `X-Access-Key-Id` and `X-Access-Key-Secret`, or `Authorization: 51IDC id:secret`.
    public func credential(_ request: DialectRequest) -> PresentedCredential? {
        if let id = Credentials.header(request, "X-Access-Key-Id"), let secret = Credentials.header(request, "X-Access-Key-Secret") {
            return PresentedCredential(dialect: .idc51, id: id, secret: secret)
        }
        guard let header = request.header("Authorization"), header.uppercased().hasPrefix("51IDC "),
              let colon = header.dropFirst(6).firstIndex(of: ":") else { return nil }
        let pair = header.dropFirst(6)
        return PresentedCredential(dialect: .idc51, id: String(pair[..<colon]).trimmingCharacters(in: .whitespaces),
                                   secret: String(pair[pair.index(after: colon)...]))
    }
}

extension HtaiyunDialect {
    /// `HT-ACCESS-TOKEN` plus the session: `IMR-SESSION-TOKEN`/`IMR-SESSION-SECRET`, or
    /// `Authorization: Basic base64(sessionToken:sessionSecret)`.
    public func credential(_ request: DialectRequest) -> PresentedCredential? {
        guard let access = Credentials.header(request, "HT-ACCESS-TOKEN") else { return nil }
        let session: (id: String, secret: String)?
        if let token = Credentials.header(request, "IMR-SESSION-TOKEN"), let secret = Credentials.header(request, "IMR-SESSION-SECRET") {
            session = (token, secret)
        } else {
            session = Credentials.basic(request)
        }
        guard let session else { return nil }
        return PresentedCredential(dialect: .htaiyun, id: session.id, secret: "\(access):\(session.secret)")
    }
}
