import Crypto
import Dialects
import Foundation
@testable import GatewayHTTP
@testable import IMSModel
import Testing

/// The `qingcloud-hmac-sha256-v1` scheme as pure functions: a request signed as qingcloud-sdk
/// signs verifies; a changed parameter, a wrong secret, a stale or expired request and a
/// replay are refused, and no refusal tells the secret or the signature it expected.
@Suite struct SignatureSchemeTests {
    static let scheme = try! #require(AuthSchemes.named("qingcloud-hmac-sha256-v1"))
    static let secret = "qc-secret"
    static let signedAt = "2026-11-27T14:34:57Z"
    static var now: Date { QueryHMACSchemeV1.date(signedAt)! + 60 }

    /// The parameters of qingcloud-sdk 1.2.16's `describe_images` in /work/notes/qingcloud-sdk.md,
    /// whose signature the SDK's own `_calc_signature` computed.
    static let sdkParameters: [(name: String, value: String)] = [
        ("access_key_id", "AKIDQC"), ("action", "DescribeImages"), ("images.1", "img-a"), ("images.2", "img-b"),
        ("search_word", "cent os/ü"), ("zone", "pek3"), ("signature_version", "1"), ("version", "1"),
        ("time_stamp", signedAt), ("req_id", "0123456789abcdef0123456789abcdef"), ("verbose", "0"), ("offset", "0"),
        ("limit", "10"), ("signature_method", "HmacSHA256"),
    ]
    static let sdkSignature = "mBsrBcagpcElypzZ6Fx+FAfgLVfQLFDa/QtyKJDNsE0="

    /// A credentials file naming the secret by file, loaded as the gateway loads it.
    static func credentials() throws -> CredentialStore {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ims-sig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try "\(secret)\n".write(to: folder.appendingPathComponent("qc.secret"), atomically: true, encoding: .utf8)
        let file = folder.appendingPathComponent("credentials.yaml")
        try """
        credentials:
          - {dialect: idc51, id: AKIDQC, secret_file: qc.secret, user: usr-qc, tenant: qc}
        """.write(to: file, atomically: true, encoding: .utf8)
        return try CredentialStore.load(path: file.path, dialects: DialectRegistry(Dialects.all))
    }

    static func request(_ parameters: [(name: String, value: String)], signature: String) -> AuthRequest {
        AuthRequest(dialect: .idc51, method: "GET", path: "/iaas/", parameters: parameters + [("signature", signature)])
    }

    /// Signs as the SDK does (the vector test pins this to the SDK's own output).
    static func sign(_ parameters: [(name: String, value: String)], secret: String = secret) -> String {
        let text = QueryHMACSchemeV1.stringToSign("GET", "/iaas/", parameters)
        return Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: SymmetricKey(data: Data(secret.utf8))))
            .base64EncodedString()
    }

    static func with(_ name: String, _ value: String, in parameters: [(name: String, value: String)] = sdkParameters)
        -> [(name: String, value: String)] {
        parameters.filter { $0.name != name } + [(name, value)]
    }

    func verify(_ request: AuthRequest, replays: ReplayMemory = ReplayMemory(), now: Date = SignatureSchemeTests.now)
        throws -> Result<Identity, CanonicalError> {
        let context = AuthContext(credentials: try Self.credentials(), window: 900, now: now)
        return Result { () throws(CanonicalError) in
            let signed = try Self.scheme.identity(for: request, in: context)
            try replays.admitHere(signed.replayKey, until: signed.until, now: now)
            return signed.identity
        }
    }

    func refusal(_ result: Result<Identity, CanonicalError>) -> String? {
        guard case .failure(.unauthorized(let message)) = result else { return nil }
        return message
    }

    @Test func aRequestSignedByTheSDKVerifies() throws {
        let canonical = QueryHMACSchemeV1.stringToSign("GET", "/iaas/", Self.sdkParameters)
        #expect(canonical == "GET\n/iaas/\naccess_key_id=AKIDQC&action=DescribeImages&images.1=img-a&images.2=img-b&limit=10"
            + "&offset=0&req_id=0123456789abcdef0123456789abcdef&search_word=cent%20os%2F%C3%BC&signature_method=HmacSHA256"
            + "&signature_version=1&time_stamp=2026-11-27T14%3A34%3A57Z&verbose=0&version=1&zone=pek3")
        #expect(Self.sign(Self.sdkParameters) == Self.sdkSignature)
        let identity = try verify(Self.request(Self.sdkParameters, signature: Self.sdkSignature)).get()
        #expect(identity == Identity(user: "usr-qc", tenant: "qc"))
    }

    @Test func aChangedParameterOrPathIsRefused() throws {
        let tampered = Self.with("images.2", "img-c")
        #expect(refusal(try verify(Self.request(tampered, signature: Self.sdkSignature))) != nil)
        let added = Self.sdkParameters + [("owner", "usr-other")]
        #expect(refusal(try verify(Self.request(added, signature: Self.sdkSignature))) != nil)
        var otherPath = Self.request(Self.sdkParameters, signature: Self.sdkSignature)
        otherPath.path = "/iaas"
        #expect(refusal(try verify(otherPath)) != nil)
        // The method is signed too: a POST (form body) is checked as POST.
        var posted = Self.request(Self.sdkParameters, signature: Self.sdkSignature)
        posted.method = "POST"
        #expect(refusal(try verify(posted)) != nil)
        let postText = QueryHMACSchemeV1.stringToSign("POST", "/iaas/", Self.sdkParameters)
        posted.parameters = Self.sdkParameters + [("signature", Data(HMAC<SHA256>.authenticationCode(
            for: Data(postText.utf8), using: SymmetricKey(data: Data(Self.secret.utf8)))).base64EncodedString())]
        #expect(try verify(posted).get().tenant == "qc")
        // One name twice: the signature could cover one value while the decoder reads the other.
        let twice = Self.sdkParameters + [("images.1", "img-z")]
        #expect(refusal(try verify(Self.request(twice, signature: Self.sdkSignature)))?.contains("more than once") == true)
    }

    @Test func aBatchOfTenThousandImagesIsSignedAndCheckedAsOne() throws {
        let batch = Self.sdkParameters.filter { !$0.name.hasPrefix("images.") }
            + (1...10_000).map { (name: "images.\($0)", value: "img-\(String($0, radix: 36).leftPadded(8))") }
        #expect(try verify(Self.request(batch, signature: Self.sign(batch))).get().tenant == "qc")
        let twoSignatures = Self.request(batch, signature: Self.sign(batch)).parameters + [("signature", "x")]
        #expect(refusal(try verify(AuthRequest(dialect: "idc51", method: "GET", path: "/iaas/", parameters: twoSignatures))) != nil)
    }

    @Test func aWrongSecretOrUnknownKeyIsRefusedWithoutTellingWhatWasExpected() throws {
        let wrong = Self.sign(Self.sdkParameters, secret: "not-the-secret")
        let message = try #require(refusal(try verify(Self.request(Self.sdkParameters, signature: wrong))))
        let unknown = Self.with("access_key_id", "AKIDNOBODY")
        let unknownMessage = try #require(refusal(try verify(Self.request(unknown, signature: Self.sign(unknown)))))
        // The same words for both, so a refusal does not tell which keys exist.
        #expect(message.replacingOccurrences(of: "AKIDQC", with: "") == unknownMessage.replacingOccurrences(of: "AKIDNOBODY", with: ""))
        for text in [message, unknownMessage] {
            #expect(!text.contains(Self.secret) && !text.contains(Self.sdkSignature) && !text.contains(wrong))
        }
        #expect(refusal(try verify(Self.request(Self.sdkParameters, signature: "not base64!"))) != nil)
        let sha1 = Self.with("signature_method", "HmacSHA1")
        #expect(refusal(try verify(Self.request(sha1, signature: Self.sign(sha1)))) != nil)
    }

    @Test func aRequestSignedTooLongAgoOrExpiredIsRefused() throws {
        let request = Self.request(Self.sdkParameters, signature: Self.sdkSignature)
        let signedAt = try #require(QueryHMACSchemeV1.date(Self.signedAt))
        #expect(refusal(try verify(request, now: signedAt + 20 * 60))?.contains("time_stamp") == true)
        #expect(refusal(try verify(request, now: signedAt - 20 * 60)) != nil)
        #expect(try verify(request, now: signedAt + 14 * 60).get().tenant == "qc")
        // The CLI's `expires`: once past it, refused even inside the window.
        let expiring = Self.with("expires", "2026-11-27T14:36:00Z")
        let expiringRequest = Self.request(expiring, signature: Self.sign(expiring))
        #expect(try verify(expiringRequest, now: signedAt + 30).get().tenant == "qc")
        #expect(refusal(try verify(expiringRequest, now: signedAt + 5 * 60))?.contains("expired") == true)
        let garbled = Self.with("time_stamp", "2026-11-27 14:34:57")
        #expect(refusal(try verify(Self.request(garbled, signature: Self.sign(garbled)))) != nil)
    }

    @Test func theSameSignedRequestIsAcceptedOnce() throws {
        let replays = ReplayMemory()
        let request = Self.request(Self.sdkParameters, signature: Self.sdkSignature)
        #expect(try verify(request, replays: replays).get().tenant == "qc")
        #expect(refusal(try verify(request, replays: replays))?.contains("already received") == true)
        // A client's next request differs (req_id, time_stamp), so it is new.
        let next = Self.with("req_id", "fedcba9876543210fedcba9876543210")
        #expect(try verify(Self.request(next, signature: Self.sign(next)), replays: replays).get().tenant == "qc")
        // A refused request is not remembered: the signed one still goes through afterwards.
        let fresh = ReplayMemory()
        let wrong = Self.request(Self.sdkParameters, signature: Self.sign(Self.sdkParameters, secret: "x"))
        _ = try verify(wrong, replays: fresh)
        #expect(fresh.count == 0)
    }

    @Test func aFullReplayMemoryRefusesRatherThanForgets() throws {
        let memory = ReplayMemory(maxEntries: 2)
        let start = Date(timeIntervalSince1970: 1_000_000)
        try memory.admitHere("a", until: start + 10, now: start)
        try memory.admitHere("b", until: start + 20, now: start)
        #expect(throws: CanonicalError.unavailable("too many signed requests at once; try again shortly")) {
            try memory.admitHere("c", until: start + 30, now: start + 1)
        }
        // Once one has passed its window, it makes room; the other is still remembered.
        try memory.admitHere("c", until: start + 30, now: start + 11)
        #expect(throws: CanonicalError.self) { try memory.admitHere("b", until: start + 20, now: start + 12) }
    }

    @Test func timeStampsAreReadAsUTC() {
        #expect(QueryHMACSchemeV1.date("1970-01-01T00:00:00Z") == Date(timeIntervalSince1970: 0))
        #expect(QueryHMACSchemeV1.date("2026-11-27T14:34:57Z") == Date(timeIntervalSince1970: 1_795_790_097))
        #expect(QueryHMACSchemeV1.date("2024-02-29T23:59:59Z") == Date(timeIntervalSince1970: 1_709_251_199))
        for bad in ["2026-11-27T14:34:57", "2026-13-01T00:00:00Z", "2026-11-27T14:34:5xZ", "", "2026-11-27T14:34:57.123Z"] {
            #expect(QueryHMACSchemeV1.date(bad) == nil, "\(bad)")
        }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
