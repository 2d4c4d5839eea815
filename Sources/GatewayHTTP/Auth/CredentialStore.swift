import Foundation
import HummingbirdBcrypt
import IMSModel
import IMSService
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Yams

/// The credentials file: which legacy credential is which identity. No secret is written in
/// it, only a hash (`ims-gateway credentials hash` makes them), or where to read one:
///
/// - `secret_bcrypt` — bcrypt, salted and slow: for passwords people choose (Foreman's Basic
///   auth requires it). Checked off the event loop; the verified result is cached (`TokenCache`).
/// - `secret_sha256` — for random machine tokens (CECSTACK bearer tokens, 51idc access-key
///   secrets, htaiyun session secrets), where a fast hash is enough: they cannot be guessed.
/// - `secret_env` / `secret_file` — the secret itself, read from an environment variable or a
///   file, for schemes that check a signature made with it (HMAC), which no hash can. Kept in
///   memory only. A plain `secret:` is refused: it would sit in the repository.
///
///     credentials:
///       - {dialect: foreman, id: admin, secret_bcrypt: "$2b$10$…", user: "1", tenant: default, operator: true}
///       - {dialect: cecstack, secret_sha256: …, user: "7074…", tenant: "7074…"}     # bearer token
///       - {dialect: idc51, id: AKID…, secret_sha256: …, user: …, tenant: …}          # access key
///       - {dialect: htaiyun, id: <IMR-SESSION-TOKEN>, secret_sha256: sha256(<HT-ACCESS-TOKEN>:<IMR-SESSION-SECRET>), …}
///       - {dialect: <a signing dialect>, id: <access key id>, secret_env: IMS_ACCESS_SECRET, user: …, tenant: …}
public struct CredentialStore: Sendable {
    struct File: Decodable {
        struct Entry: Decodable {
            var dialect: String
            var id: String?
            var secret_sha256: String?
            var secret_bcrypt: String?
            var secret_env: String?
            var secret_file: String?
            var secret: String?
            var user: String
            var tenant: String
            var `operator`: Bool?
        }
        var credentials: [Entry]
    }

    /// SHA-256 entries, filed under the presented credential's lookup key.
    private var hashed: [String: Identity] = [:]
    /// bcrypt entries, filed under dialect and id (a salted hash cannot be a lookup key).
    private var bcrypted: [String: [(hash: String, identity: Identity)]] = [:]
    /// The highest bcrypt cost among each dialect's entries: an id such a dialect does not know
    /// is checked against a decoy of that cost, so a refusal takes as long whether or not the
    /// id exists (the time would otherwise tell which user names do).
    private var bcryptCosts: [DialectID: Int] = [:]
    /// Secrets themselves (`secret_env`, `secret_file`), filed under dialect and id.
    private var signing: [String: (key: [UInt8], identity: Identity)] = [:]
    public private(set) var count = 0

    public init() {}

    /// Reads the file; each entry must name one of `dialects`. A dialect whose secrets are
    /// passwords a person chose (`Dialect.secretsArePasswords`) takes only a slow hash.
    public static func load(path: String, dialects: DialectRegistry) throws -> CredentialStore {
        let file = try YAMLDecoder().decode(File.self, from: String(contentsOfFile: path, encoding: .utf8))
        var store = CredentialStore()
        for (index, entry) in file.credentials.enumerated() {
            let place = "\(path): credentials[\(index)]"
            let dialect = DialectID(entry.dialect)
            guard let speaker = dialects[dialect] else {
                throw GatewayStartError("\(place): unknown dialect '\(entry.dialect)' (known: \(dialects.names))")
            }
            let identity = Identity(user: entry.user, tenant: entry.tenant, isOperator: entry.operator ?? false)
            if entry.secret != nil {
                throw GatewayStartError("\(place): a plain secret is never read from the credentials file: "
                                        + "name where it is with secret_env: VARIABLE or secret_file: PATH")
            }
            let secret = try SecretSource.named(env: entry.secret_env, file: entry.secret_file, place: place)?
                .read(relativeTo: URL(fileURLWithPath: path).deletingLastPathComponent().path, place: place)
            if speaker.authScheme != nil, secret == nil {
                throw GatewayStartError("\(place): \(dialect.rawValue) requests are signed with the secret itself, which no hash "
                                        + "can check: name where it is with secret_env: VARIABLE or secret_file: PATH")
            }
            switch (entry.secret_sha256?.lowercased(), entry.secret_bcrypt, secret) {
            case (nil, nil, let secret?):
                guard !speaker.secretsArePasswords else {
                    throw GatewayStartError("\(place): \(dialect.rawValue) secrets are passwords: give secret_bcrypt")
                }
                store.signing[Self.slot(dialect, entry.id ?? "")] = (Array(secret.utf8), identity)
                store.hashed[Secrets.sha256Hex("\(dialect.rawValue)\u{0}\(entry.id ?? "")\u{0}\(Secrets.sha256Hex(secret))")] = identity
            case (nil, let bcrypt?, nil):
                guard bcrypt.hasPrefix("$2"), bcrypt.count == 60 else {
                    throw GatewayStartError("\(place): secret_bcrypt is not a bcrypt hash")
                }
                store.bcrypted[Self.slot(dialect, entry.id ?? ""), default: []].append((bcrypt, identity))
                let cost = Int(bcrypt.dropFirst(4).prefix(2)) ?? 10
                store.bcryptCosts[dialect] = max(store.bcryptCosts[dialect] ?? 0, cost)
            case (let hash?, nil, nil):
                guard !speaker.secretsArePasswords else {
                    throw GatewayStartError("\(place): \(dialect.rawValue) secrets are passwords: give secret_bcrypt "
                                            + "(ims-gateway credentials hash --bcrypt SECRET), not secret_sha256")
                }
                guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else {
                    throw GatewayStartError("\(place): secret_sha256 must be 64 hex digits")
                }
                store.hashed[Secrets.sha256Hex("\(dialect.rawValue)\u{0}\(entry.id ?? "")\u{0}\(hash)")] = identity
            default:
                throw GatewayStartError("\(place): give exactly one of secret_sha256, secret_bcrypt, secret_env and secret_file")
            }
            store.count += 1
        }
        return store
    }

    static func slot(_ dialect: DialectID, _ id: String) -> String { "\(dialect.rawValue)\u{0}\(id)" }

    /// The secret itself and its identity, for a scheme that checks a signature made with it.
    func signingSecret(_ dialect: DialectID, id: String) -> (key: [UInt8], identity: Identity)? {
        signing[Self.slot(dialect, id)]
    }

    /// Threads of bcrypt's own. At cost 10 a check takes ~50 ms of CPU, which must not stall an
    /// event loop; nor may it queue ahead of file I/O on NIO's shared blocking pool (2 threads
    /// here): under many first logins, uploads stalled behind it until clients timed out.
    static let hashing: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: max(1, System.coreCount))
        pool.start()
        return pool
    }()

    /// bcrypt checks waiting or running at most. Only verified credentials are cached, so a
    /// flood of wrong passwords for a known user would otherwise queue without bound on the
    /// hashing threads; past this, a check is refused at once as unavailable (503).
    public static let maxPendingChecks = 64
    /// Per store, not per process: a reload starts a new count, and gateways in one test
    /// process do not share one.
    private let pendingChecks = NIOLockedValueBox(0)
    /// bcrypt checks run so far (how much hashing this store has paid for).
    let slowChecksRun = NIOLockedValueBox(0)

    /// The identity a presented credential proves, if any.
    func verify(_ credential: PresentedCredential) async throws(CanonicalError) -> Identity? {
        if let identity = hashed[credential.lookupKey] { return identity }
        let candidates = bcrypted[Self.slot(credential.dialect, credential.id)]
        let decoyCost = bcryptCosts[credential.dialect]
        guard candidates != nil || decoyCost != nil else { return nil }
        let admitted = pendingChecks.withLockedValue { pending in
            guard pending < Self.maxPendingChecks else { return false }
            pending += 1
            return true
        }
        guard admitted else { throw .unavailable("too many password checks in progress; try again shortly") }
        defer { pendingChecks.withLockedValue { $0 -= 1 } }
        let secret = credential.secret
        slowChecksRun.withLockedValue { $0 += 1 }
        return try? await Self.hashing.runIfActive {
            guard let candidates else {
                _ = Bcrypt.verify(secret, hash: Self.decoy(cost: decoyCost ?? 10))
                return nil
            }
            return candidates.first { Bcrypt.verify(secret, hash: $0.hash) }?.identity
        }
    }

    /// A hash of a random secret at `cost`, made once per cost on the hashing threads.
    private static func decoy(cost: Int) -> String {
        if let made = decoys.withLockedValue({ $0[cost] }) { return made }
        let made = Bcrypt.hash(RandomID.make(length: 24), cost: UInt8(clamping: cost))
        decoys.withLockedValue { $0[cost] = made }
        return made
    }

    private static let decoys = NIOLockedValueBox<[Int: String]>([:])
}
