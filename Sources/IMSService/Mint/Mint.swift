import Foundation
import IMSModel
import NIOConcurrencyHelpers

/// Every id and time a command needs, minted by the service before any store is called: so a
/// command's records are the same whichever store keeps them. A command handed a `Minted`
/// takes its values from it instead (`Minting`); `seeded` gives repeatable values in tests.
public struct Mint: Sendable {
    let clock: @Sendable () -> Date
    /// `length` characters drawn from `alphabet`.
    let random: @Sendable (_ length: Int, _ alphabet: [Character]) -> String

    public init(clock: @escaping @Sendable () -> Date = { Date.wholeMilliseconds() },
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

    /// What a value is, in `Minted.values`.
    enum Kind: String {
        case imageRef, jobId, uploadId, uploadToken, multipartUploadId, shareId, requestId, platformRef, platformId
        case uploadSecret, uploadAccessKey
    }

    /// The command's time: the one it was handed (`Minting`), else the clock's.
    package func now() -> Date { Minting.current?.time(clock) ?? clock() }

    /// A value of `kind`: the one the command was handed, else `fresh`.
    private func mint(_ kind: Kind, _ fresh: () -> String) -> String {
        Minting.current?.value(kind, fresh) ?? fresh()
    }

    /// `img-` + 8, as 51idc's clients expect.
    package func imageRef() -> String { mint(.imageRef) { "img-" + random(8, Self.lowercase) } }
    func jobId() -> String { mint(.jobId) { "j-" + random(8, Self.lowercase) } }
    func uploadId() -> String { mint(.uploadId) { "upload-" + random(16, Self.lowercase) } }
    /// The one-time secret an upload presents (only its hash is stored).
    func uploadToken() -> String { mint(.uploadToken) { random(32, Self.lowercase) } }
    func multipartUploadId() -> String { mint(.multipartUploadId) { "mpu-" + random(32, Self.lowercase) } }
    func shareId() -> String { mint(.shareId) { "img-share-" + random(20, Self.lowercase) } }
    /// A job's request id when the request gave none: UUID-shaped, as request ids are.
    func requestId() -> String { mint(.requestId) { uuid() } }
    /// htaiyun's stack/server/flavour references (24 hex digits).
    func platformRef() -> String { mint(.platformRef) { random(24, Self.hex) } }
    /// htaiyun's platform ids: version-4 UUIDs, lower case.
    func platformId() -> String { mint(.platformId) { uuid() } }

    private func uuid() -> String {
        let h = Array(random(32, Self.hex))
        let variant = Self.hex[8 + (Self.hex.firstIndex(of: h[16])! % 4)]
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-4" + String(h[13..<16]) + "-" + String(variant) + String(h[17..<20])
            + "-" + String(h[20..<32])
    }

    /// A new S3 key pair for an upload (`UploadKey.mint`), its secret and access key from this mint.
    func uploadKey(imageId: String, token: String, now: Date) -> (key: UploadKey, secret: String) {
        UploadKey.mint(imageId: imageId, token: token, now: now, secret: mint(.uploadSecret) { random(40, Self.lowercase) },
                       accessKey: mint(.uploadAccessKey) { "IMS" + random(17, Self.lowercase).uppercased() })
    }
}
