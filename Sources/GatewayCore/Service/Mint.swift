import Foundation
import NIOConcurrencyHelpers

/// Every id and time a command needs, minted by the service before any store is called: so a
/// command's records are the same whichever store keeps them, and a command replayed on a
/// second store with a mint in the same state (`seeded`) gives the same answer.
public struct Mint: Sendable {
    let clock: @Sendable () -> Date
    /// `length` characters drawn from `alphabet`.
    let random: @Sendable (_ length: Int, _ alphabet: [Character]) -> String

    public init(clock: @escaping @Sendable () -> Date = { Date() },
                random: @escaping @Sendable (_ length: Int, _ alphabet: [Character]) -> String = { length, alphabet in
                    String((0..<length).map { _ in alphabet.randomElement()! })
                }) {
        self.clock = clock
        self.random = random
    }

    /// A deterministic mint: the same seed gives the same ids, and times that start at `start`
    /// and advance a millisecond per reading (replays, shadow comparisons, tests).
    public static func seeded(_ seed: UInt64, start: Date) -> Mint {
        let state = NIOLockedValueBox((rng: seed, ticks: 0))
        return Mint(clock: {
            state.withLockedValue { s in
                s.ticks += 1
                return start.addingTimeInterval(Double(s.ticks) / 1000)
            }
        }, random: { length, alphabet in
            state.withLockedValue { s in
                String((0..<length).map { _ in
                    // SplitMix64.
                    s.rng &+= 0x9E37_79B9_7F4A_7C15
                    var z = s.rng
                    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                    return alphabet[Int((z ^ (z >> 31)) % UInt64(alphabet.count))]
                })
            }
        })
    }

    static let lowercase = RandomID.alphabet
    static let hex = Array("0123456789abcdef")

    func now() -> Date { clock() }

    /// `img-` + 8, as 51idc's clients expect.
    func imageRef() -> String { "img-" + random(8, Self.lowercase) }
    func jobId() -> String { "j-" + random(8, Self.lowercase) }
    func uploadId() -> String { "upload-" + random(16, Self.lowercase) }
    /// The one-time secret an upload presents (only its hash is stored).
    func uploadToken() -> String { random(32, Self.lowercase) }
    func multipartUploadId() -> String { "mpu-" + random(32, Self.lowercase) }
    func shareId() -> String { "img-share-" + random(20, Self.lowercase) }
    /// A job's request id when the request gave none: UUID-shaped, as request ids are.
    func requestId() -> String { platformId() }
    /// htaiyun's stack/server/flavour references (24 hex digits).
    func platformRef() -> String { random(24, Self.hex) }
    /// htaiyun's platform ids: version-4 UUIDs, lower case.
    func platformId() -> String {
        let h = Array(random(32, Self.hex))
        let variant = Self.hex[8 + (Self.hex.firstIndex(of: h[16])! % 4)]
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-4" + String(h[13..<16]) + "-" + String(variant) + String(h[17..<20])
            + "-" + String(h[20..<32])
    }

    /// A new S3 key pair for an upload (`UploadKey.mint`), its secret and access key from this mint.
    func uploadKey(imageId: String, token: String, now: Date) -> (key: UploadKey, secret: String) {
        UploadKey.mint(imageId: imageId, token: token, now: now, secret: random(40, Self.lowercase),
                       accessKey: "IMS" + random(17, Self.lowercase).uppercased())
    }
}
