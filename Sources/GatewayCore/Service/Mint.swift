import Foundation

/// Every id and time a command needs, minted by the service before any store is called: so a
/// command's records are the same whichever store keeps them, and a command can be replayed
/// on a second store with the same answer.
public struct Mint: Sendable {
    let clock: @Sendable () -> Date

    public init(clock: @escaping @Sendable () -> Date = { Date() }) {
        self.clock = clock
    }

    func now() -> Date { clock() }

    /// `img-` + 8, as 51idc's clients expect.
    func imageRef() -> String { "img-" + RandomID.make(length: 8) }
    func jobId() -> String { "j-" + RandomID.make(length: 8) }
    func uploadId() -> String { "upload-" + RandomID.make(length: 16) }
    /// The one-time secret an upload presents (only its hash is stored).
    func uploadToken() -> String { RandomID.make(length: 32) }
    func multipartUploadId() -> String { "mpu-" + RandomID.make(length: 32) }
    func shareId() -> String { "img-share-" + RandomID.make(length: 20) }
    /// htaiyun's stack/server/flavour references (24 hex digits) and platform ids (UUIDs).
    func platformRef() -> String { RandomID.hex24() }
    func platformId() -> String { UUID().uuidString.lowercased() }
}

extension ImageReach {
    /// The tenancy rule: an operator sees every tenant's images; anyone else public ones, their
    /// tenant's own, and those shared with them.
    public static func of(_ scope: ImageScope, for identity: Identity) -> ImageReach {
        switch (scope, identity.isOperator) {
        case (.visible, true): .all
        case (.visible, false): .visible(tenant: identity.tenant, user: identity.user)
        case (.publicOnly, _): .publicOnly
        case (.own, true): .nonPublic(tenant: nil)
        case (.own, false): .nonPublic(tenant: identity.tenant)
        }
    }
}
