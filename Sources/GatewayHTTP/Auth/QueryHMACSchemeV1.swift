import Crypto
import Foundation
import IMSModel

/// `qingcloud-hmac-sha256-v1`: QingCloud's signature version 1, as qingcloud-sdk signs.
///
/// The client adds `access_key_id`, `time_stamp` (`YYYY-MM-DDThh:mm:ssZ`, UTC),
/// `signature_method=HmacSHA256` and `signature_version=1` to the parameters, and signs
///
///     METHOD \n PATH \n k1=v1&k2=v2…
///
/// keys sorted by code point, keys and values percent-encoded as UTF-8 with only
/// `A-Z a-z 0-9 - _ . ~` left bare; `signature` is base64(HMAC-SHA256(secret, that)). The
/// parameters are re-encoded here from their decoded values, so how the client escaped them on
/// the wire does not matter. A request is accepted while its `time_stamp` is within the
/// context's window of now (and before its `expires`, when it has one), and once only: a replay of the same
/// signed request within the window is refused.
public struct QueryHMACSchemeV1: AuthScheme {
    public let name = "qingcloud-hmac-sha256-v1"

    public init() {}

    static let decoyKey = SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }

    public func identity(for request: AuthRequest, in context: AuthContext) throws(CanonicalError) -> SignedIdentity {
        let (now, window) = (context.now, context.window)
        let (signed, presented) = try Self.split(request.parameters)
        func value(_ name: String) -> String? { signed.first { $0.name == name }?.value }
        guard let presented, let keyId = value("access_key_id"), let stamp = value("time_stamp") else {
            throw .unauthorized("a signed request needs access_key_id, time_stamp and signature")
        }
        guard value("signature_method") == "HmacSHA256", value("signature_version") == "1" else {
            throw .unauthorized("only signature_method HmacSHA256 with signature_version 1 is accepted")
        }
        let text = Data(Self.stringToSign(request.method, request.path, signed).utf8)
        let secret = context.credentials.signingSecret(request.dialect, id: keyId)
        // An unknown key is checked against a decoy key: the refusal takes as long as a known
        // key's, so its time does not tell which key ids exist.
        guard let signature = Data(base64Encoded: presented),
              HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: text, using: SymmetricKey(data: secret?.key ?? Self.decoyKey)),
              let secret
        else { throw .unauthorized("the signature does not match access key \(keyId)") }

        guard let signedAt = Self.date(stamp) else { throw .unauthorized("time_stamp must be YYYY-MM-DDThh:mm:ssZ (UTC)") }
        guard abs(now.timeIntervalSince(signedAt)) <= window else {
            throw .unauthorized("time_stamp \(stamp) is more than \(Int(window / 60)) minutes from the gateway's clock")
        }
        if let expires = value("expires") {
            guard let until = Self.date(expires) else { throw .unauthorized("expires must be YYYY-MM-DDThh:mm:ssZ (UTC)") }
            guard now <= until else { throw .unauthorized("the request expired at \(expires)") }
        }
        // Filed by the signature's bytes, not its text: two spellings of one base64 value are one request.
        let seen = "\(request.dialect.rawValue)\u{0}\(keyId)\u{0}\(signature.base64EncodedString())"
        return SignedIdentity(identity: secret.identity, replayKey: seen, until: signedAt + window)
    }

    /// The signed parameters and the signature. A name given twice is refused: the signature
    /// could cover one value while the dialect reads the other. (A set, not a scan: a batch of
    /// 10,000 `images.N` must not cost 10,000² comparisons.)
    static func split(_ parameters: [(name: String, value: String)]) throws(CanonicalError)
        -> (signed: [(name: String, value: String)], signature: String?) {
        var signed: [(name: String, value: String)] = []
        var names = Set<String>()
        var signature: String?
        for pair in parameters {
            guard names.insert(pair.name).inserted else {
                throw .unauthorized("parameter \(pair.name) appears more than once in a signed request")
            }
            if pair.name == "signature" { signature = pair.value } else { signed.append(pair) }
        }
        return (signed, signature)
    }

    /// What the client signs (`signature` itself left out of `parameters`).
    public static func stringToSign(_ method: String, _ path: String, _ parameters: [(name: String, value: String)]) -> String {
        let sorted = parameters.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        let query = sorted.map { escape($0.name) + "=" + escape($0.value) }.joined(separator: "&")
        return "\(method)\n\(path)\n\(query)"
    }

    /// Percent-encoding with only the unreserved characters bare, upper-case hex, as Python's
    /// `quote(s, safe='-_~')` writes it.
    static func escape(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0f)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `2026-11-27T14:34:57Z` → a date; anything else → nil.
    public static func date(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count == 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), b[19] == UInt8(ascii: "Z") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var n = 0
            for c in b[range] {
                guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                n = n * 10 + Int(c - UInt8(ascii: "0"))
            }
            return n
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
              let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        // Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3_600 + minute * 60 + second))
    }
}
