import Foundation
import IMSModel

/// A Keystone token for Glance, and the shapes of `POST /v3/auth/tokens` with an application
/// credential (Keystone's identity API v3): pure functions, so the caching rules are tested
/// without a Keystone.
public struct KeystoneToken: Sendable, Equatable {
    /// `X-Subject-Token` of the answer; what Glance is sent as `X-Auth-Token`.
    public var value: String
    public var expiresAt: Date
    /// The project the token is scoped to (an application credential's own).
    public var projectId: String

    /// Renewed this long before it expires, or at a tenth of its life when that is shorter:
    /// a request must not reach Glance with a token that lapses on the way.
    public static let margin: TimeInterval = 120

    /// Whether the token may still be used at `now` (issued at `issuedAt`).
    public func fresh(at now: Date, issuedAt: Date) -> Bool {
        let life = expiresAt.timeIntervalSince(issuedAt)
        return now < expiresAt - min(Self.margin, max(life, 0) / 10)
    }

    /// The body of `POST /v3/auth/tokens` for an application credential: the token is scoped
    /// to the credential's project, so no `scope` is sent (Keystone refuses one).
    public static func requestBody(id: String, secret: String) -> JSONValue {
        .object(["auth": .object(["identity": .object([
            "methods": .array(["application_credential"]),
            "application_credential": .object(["id": .string(id), "secret": .string(secret)]),
        ])])])
    }

    /// The token of a 201 answer: its `X-Subject-Token` header and `token.expires_at` /
    /// `token.project.id` of its body; nil when a part is missing.
    public static func parse(subjectToken: String?, body: JSONValue?) -> KeystoneToken? {
        guard let value = subjectToken, !value.isEmpty, let token = body?["token"],
              let expires = token["expires_at"]?.stringValue.flatMap(expiry) else { return nil }
        return KeystoneToken(value: value, expiresAt: expires, projectId: token["project"]?["id"]?.stringValue ?? "")
    }

    /// Keystone writes `2026-12-07T03:35:33.000000Z` (microseconds); ISO 8601 with or without
    /// a fraction and with `Z` or an offset is read.
    public static func expiry(_ text: String) -> Date? {
        var whole = text
        var fraction = 0.0
        if let dot = text.firstIndex(of: ".") {
            let digits = text[text.index(after: dot)...].prefix { $0.isNumber }
            fraction = Double("0." + digits) ?? 0
            whole = String(text[..<dot]) + String(text[text.index(after: dot)...].dropFirst(digits.count))
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: whole).map { $0 + fraction }
    }
}
