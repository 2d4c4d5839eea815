import Foundation
import Yams

/// The credentials file: which legacy credential is which identity. Secrets are kept only as
/// SHA-256 hashes (`ims-gateway credentials hash` makes them).
///
///     credentials:
///       - {dialect: foreman, id: admin, secret_sha256: …, user: "1", tenant: default, operator: true}
///       - {dialect: cecstack, secret_sha256: …, user: "7074…", tenant: "7074…"}     # bearer token
///       - {dialect: idc51, id: AKID…, secret_sha256: …, user: …, tenant: …}          # access key
///       - {dialect: htaiyun, id: <IMR-SESSION-TOKEN>, secret_sha256: sha256(<HT-ACCESS-TOKEN>:<IMR-SESSION-SECRET>), …}
public struct CredentialStore: Sendable {
    struct File: Decodable {
        struct Entry: Decodable {
            var dialect: String
            var id: String?
            var secret_sha256: String
            var user: String
            var tenant: String
            var `operator`: Bool?
        }
        var credentials: [Entry]
    }

    private var identities: [String: Identity] = [:]
    public private(set) var count = 0

    public init() {}

    public static func load(path: String) throws -> CredentialStore {
        let file = try YAMLDecoder().decode(File.self, from: String(contentsOfFile: path, encoding: .utf8))
        var store = CredentialStore()
        for (index, entry) in file.credentials.enumerated() {
            guard let dialect = DialectID(rawValue: entry.dialect) else {
                throw GatewayStartError("\(path): credentials[\(index)]: unknown dialect '\(entry.dialect)'")
            }
            let hash = entry.secret_sha256.lowercased()
            guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else {
                throw GatewayStartError("\(path): credentials[\(index)]: secret_sha256 must be 64 hex digits")
            }
            let key = Secrets.sha256Hex("\(dialect.rawValue)\u{0}\(entry.id ?? "")\u{0}\(hash)")
            store.identities[key] = Identity(user: entry.user, tenant: entry.tenant, isOperator: entry.operator ?? false)
        }
        store.count = store.identities.count
        return store
    }

    /// The identity a presented credential proves, if any.
    func verify(_ credential: PresentedCredential) -> Identity? {
        identities[credential.lookupKey]
    }
}
