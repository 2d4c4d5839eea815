/// Which bucket and key an S3 request names: path-style (`/bucket/key` on the gateway's own
/// host) or virtual-host-style (`bucket.host`, path `/key`). Requests naming neither are not
/// S3's and go on to the rest of the gateway.
public struct S3Address: Sendable, Equatable {
    public var bucket: String
    /// Decoded key; empty for the bucket itself.
    public var key: String

    public init(bucket: String, key: String) {
        self.bucket = bucket
        self.key = key
    }

    /// The gateway's own one-segment endpoints, which no image id can be.
    static let gatewayPaths: Set<String> = ["healthz", "readyz", "metrics"]

    public static func parse(host: String?, path: String, bucket: String) -> S3Address? {
        // Virtual-host style names one object (an image id) or the bucket: a longer path on such a
        // host (`/api/…`, `/v2/zone/…`) or the gateway's own endpoints stay the gateway's.
        let key = path.drop { $0 == "/" }
        if let host, host.lowercased().hasPrefix(bucket + "."), host.count > bucket.count + 1,
           !key.contains("/"), !gatewayPaths.contains(String(key)) {
            return S3Address(bucket: bucket, key: decode(key))
        }
        let prefix = "/" + bucket
        guard path == prefix || path.hasPrefix(prefix + "/") else { return nil }
        return S3Address(bucket: bucket, key: decode(path.dropFirst(prefix.count).drop { $0 == "/" }))
    }

    /// Percent-decoding of a path (a `+` stays a plus in a path).
    public static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var input = Array(text.utf8)[...]
        while let byte = input.popFirst() {
            if byte == UInt8(ascii: "%"), input.count >= 2,
               let value = UInt8(String(decoding: input.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                input = input.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Decoded `name=value` pairs of a raw query; a name without `=` has an empty value.
    public static func query(_ raw: String?) -> [(String, String)] {
        guard let raw, !raw.isEmpty else { return [] }
        return raw.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }
}
