@testable import GatewayHTTP
import HTTPTypes
import Testing

/// A header read the fast way answers what the subscript answers: one field as sent, several
/// joined (two `Authorization` headers make one unusable value, not the first of them).
@Suite struct HeaderValueTests {
    @Test func oneFieldSeveralAndNone() {
        var fields: HTTPFields = [.contentType: "application/json", .authorization: "Basic YQ=="]
        #expect(fields.value(.authorization) == "Basic YQ==")
        #expect(fields.value(.contentLength) == nil)
        fields.append(HTTPField(name: .authorization, value: "Bearer t"))
        #expect(fields.value(.authorization) == "Basic YQ==, Bearer t")
        #expect(fields.value(.authorization) == fields[.authorization])
        #expect(HTTPFields([HTTPField(name: .contentLength, value: "0")]).announcesBody == false)
        #expect(HTTPFields([HTTPField(name: .transferEncoding, value: "chunked")]).announcesBody)
        #expect(HTTPFields().announcesBody == false)
    }
}
