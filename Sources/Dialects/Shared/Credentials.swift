import Foundation
import GatewayHTTP
import HTTPTypes

/// Reading the credential conventions the legacy clients use. Header names are made once:
/// building an `HTTPField.Name` validates and lower-cases it, and this runs on every request.
enum Credentials {
    static let authorization = HTTPField.Name.authorization
    static let accessKeyId = HTTPField.Name("X-Access-Key-Id")!
    static let accessKeySecret = HTTPField.Name("X-Access-Key-Secret")!
    static let htAccessToken = HTTPField.Name("HT-ACCESS-TOKEN")!
    static let sessionToken = HTTPField.Name("IMR-SESSION-TOKEN")!
    static let sessionSecret = HTTPField.Name("IMR-SESSION-SECRET")!

    /// `Authorization: Basic base64(id:secret)`.
    static func basic(_ request: DialectRequest) -> (id: String, secret: String)? {
        guard let value = scheme("basic ", of: request),
              let data = Data(base64Encoded: String(value)),
              let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    /// `Authorization: Bearer token`.
    static func bearer(_ request: DialectRequest) -> String? {
        scheme("bearer ", of: request).map(String.init)
    }

    /// What follows an `Authorization` scheme (given lower-case, with its space), trimmed of
    /// blanks; the scheme is matched case-insensitively.
    static func scheme(_ prefix: String, of request: DialectRequest) -> Substring? {
        guard let header = request.header(authorization) else { return nil }
        let utf8 = header.utf8
        guard utf8.count >= prefix.utf8.count,
              zip(utf8, prefix.utf8).allSatisfy({ a, b in (a >= 65 && a <= 90 ? a + 32 : a) == b }) else { return nil }
        let value = trimmed(header.dropFirst(prefix.count))
        return value.isEmpty ? nil : value
    }

    static func trimmed(_ text: Substring) -> Substring {
        var text = text
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
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
        if let id = request.header(Credentials.accessKeyId), let secret = request.header(Credentials.accessKeySecret) {
            return PresentedCredential(dialect: .idc51, id: id, secret: secret)
        }
        guard let pair = Credentials.scheme("51idc ", of: request), let colon = pair.firstIndex(of: ":") else { return nil }
        return PresentedCredential(dialect: .idc51, id: String(Credentials.trimmed(pair[..<colon])),
                                   secret: String(pair[pair.index(after: colon)...]))
    }
}

extension HtaiyunDialect {
    /// `HT-ACCESS-TOKEN` plus the session: `IMR-SESSION-TOKEN`/`IMR-SESSION-SECRET`, or
    /// `Authorization: Basic base64(sessionToken:sessionSecret)`.
    public func credential(_ request: DialectRequest) -> PresentedCredential? {
        guard let access = request.header(Credentials.htAccessToken) else { return nil }
        let session: (id: String, secret: String)?
        if let token = request.header(Credentials.sessionToken), let secret = request.header(Credentials.sessionSecret) {
            session = (token, secret)
        } else {
            session = Credentials.basic(request)
        }
        guard let session else { return nil }
        return PresentedCredential(dialect: .htaiyun, id: session.id, secret: "\(access):\(session.secret)")
    }
}
