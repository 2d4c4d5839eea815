import Foundation

/// An upload's S3 key pair as the server keeps it: the access key, the image object it opens,
/// and per-day first steps of the signing key instead of the secret (see `SigV4Keys.dateKey`).
public struct UploadKey: Sendable, Equatable {
    public var accessKey: String
    public var imageId: String
    /// Hex `SigV4Keys.dateKey` by yyyymmdd, for each day the key is good on.
    public var dateKeys: [String: String]
    /// SHA-256 of the session token (`X-Amz-Security-Token`), checked when a client sends one.
    public var tokenSha256: String
    public var expiresAt: Date

    public init(accessKey: String, imageId: String, dateKeys: [String: String], tokenSha256: String, expiresAt: Date) {
        self.accessKey = accessKey
        self.imageId = imageId
        self.dateKeys = dateKeys
        self.tokenSha256 = tokenSha256
        self.expiresAt = expiresAt
    }

    /// How long a prepared upload's key pair is good for.
    public static let lifetime: TimeInterval = 24 * 3600
    /// How far a request's clock may be from ours, as S3 allows.
    public static let skew: TimeInterval = 15 * 60

    /// A new key pair for `imageId`: the stored half, and the secret for the client only.
    public static func mint(imageId: String, token: String, now: Date, secret: String = RandomID.make(length: 40),
                            accessKey: String = "IMS" + RandomID.make(length: 17).uppercased()) -> (key: UploadKey, secret: String) {
        let expiresAt = now.addingTimeInterval(lifetime)
        var dateKeys: [String: String] = [:]
        // Every day a request may be signed on: from our clock minus the skew S3 allows to the
        // expiry plus that skew.
        let last = expiresAt.addingTimeInterval(skew)
        for day in stride(from: now.addingTimeInterval(-skew), through: last, by: 3600) + [last] {
            let date = String(SigV4Keys.timestamp(day).prefix(8))
            dateKeys[date] = Secrets.hex(SigV4Keys.dateKey(secret: secret, date: date))
        }
        return (UploadKey(accessKey: accessKey, imageId: imageId, dateKeys: dateKeys, tokenSha256: Secrets.sha256Hex(token),
                          expiresAt: expiresAt), secret)
    }

    /// `yyyymmdd=hex,…` as stored.
    package var storedDateKeys: String {
        dateKeys.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    package static func dateKeys(stored: String) -> [String: String] {
        var keys: [String: String] = [:]
        for pair in stored.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { keys[String(parts[0])] = String(parts[1]) }
        }
        return keys
    }
}
