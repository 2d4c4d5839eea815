import Foundation
@testable import IMSModel
@testable import IMSStoreGlance
import Testing

/// The shapes of Keystone's `POST /v3/auth/tokens` with an application credential, and when a
/// cached token is renewed: pure, no Keystone needed.
@Suite struct KeystoneTokenTests {
    @Test func theRequestNamesTheApplicationCredentialAndNoScope() {
        let body = KeystoneToken.requestBody(id: "21a9", secret: "s3cret")
        #expect(body["auth"]?["identity"]?["methods"] == .array(["application_credential"]))
        #expect(body["auth"]?["identity"]?["application_credential"] == .object(["id": "21a9", "secret": "s3cret"]))
        #expect(body["auth"]?["scope"] == nil)
    }

    /// Keystone's answer: the token in `X-Subject-Token`, its expiry and project in the body.
    @Test func anAnswerIsReadForItsTokenExpiryAndProject() throws {
        let body = JSONValue.parse(Array("""
            {"token": {"methods": ["application_credential"], "expires_at": "2026-12-07T03:35:33.123456Z",
             "project": {"id": "c81e93", "name": "ims-gateway", "domain": {"id": "default"}},
             "roles": [{"id": "r1", "name": "admin"}], "application_credential": {"id": "21a9", "restricted": true}}}
            """.utf8))
        let token = try #require(KeystoneToken.parse(subjectToken: "gAAAA-token", body: body))
        #expect(token.value == "gAAAA-token" && token.projectId == "c81e93")
        let whole = try #require(KeystoneToken.expiry("2026-12-07T03:35:33Z"))
        #expect(abs(token.expiresAt.timeIntervalSince(whole) - 0.123456) < 0.000_01)
        #expect(KeystoneToken.parse(subjectToken: nil, body: body) == nil)
        #expect(KeystoneToken.parse(subjectToken: "t", body: .object(["token": .object([:])])) == nil)
        #expect(KeystoneToken.expiry("2026-12-07T03:35:33+01:00") == whole - 3600)
        #expect(KeystoneToken.expiry("tomorrow") == nil)
    }

    /// Renewed two minutes before it expires, or at its last tenth when it lives shorter.
    @Test func aTokenIsUsedUntilShortlyBeforeItExpires() {
        let issued = Date(timeIntervalSince1970: 1_800_000_000)
        let hour = KeystoneToken(value: "t", expiresAt: issued + 3600, projectId: "p")
        #expect(hour.fresh(at: issued, issuedAt: issued))
        #expect(hour.fresh(at: issued + 3600 - 121, issuedAt: issued))
        #expect(!hour.fresh(at: issued + 3600 - 119, issuedAt: issued))
        #expect(!hour.fresh(at: issued + 4000, issuedAt: issued))
        let minute = KeystoneToken(value: "t", expiresAt: issued + 60, projectId: "p")
        #expect(minute.fresh(at: issued + 53, issuedAt: issued))
        #expect(!minute.fresh(at: issued + 55, issuedAt: issued))
        // Already expired when it arrived (clocks apart): never fresh.
        let stale = KeystoneToken(value: "t", expiresAt: issued - 1, projectId: "p")
        #expect(!stale.fresh(at: issued, issuedAt: issued))
    }

    @Test func aCredentialNeverShowsItsSecret() {
        let credential = ApplicationCredential(id: "21a9", secret: "s3cret-never-shown")
        var dumped = ""
        dump(credential, to: &dumped)
        for text in ["\(credential)", String(reflecting: credential), dumped] {
            #expect(text.contains("21a9") && !text.contains("s3cret"))
        }
    }
}
