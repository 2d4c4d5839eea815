import HTTPTypes
import IMSModel
import NIOCore

/// Reads a request's query and body once, when the pipeline first needs them: before routing
/// for routes chosen by a parameter, before the credential for signed requests, else before
/// decoding (so an unauthenticated request's body is never read).
struct RequestReader: Sendable {
    let request: Gateway.Request
    private(set) var query: [(name: String, value: String)] = []
    private(set) var body = ByteBuffer()
    private var fields: [String: JSONValue] = [:]
    /// A form body's fields in the order they came (empty for any other body).
    private(set) var formFields: [(name: String, value: String)] = []
    private var done = false
    /// What the one read failed with, answered again to every later reader.
    private var failure: CanonicalError?
    private var fieldsDone = false

    init(_ request: Gateway.Request) { self.request = request }

    nonisolated(nonsending) mutating func read() async throws(CanonicalError) {
        guard !done else {
            if let failure { throw failure }
            return
        }
        done = true
        do {
            // Form rules (`+` is a space), as the legacy clients encode their queries.
            query = try DialectRequest.parseForm(request.query, what: "the query")
            if request.hasBody { body = try await request.body() }
        } catch {
            failure = error
            throw error
        }
    }

    /// Reads the query and body, and the body's fields: what a parameter that chooses the route
    /// or a signature over the parameters needs (other requests leave their body to the decoder).
    nonisolated(nonsending) mutating func readFields() async throws(CanonicalError) {
        try await read()
        guard !fieldsDone else { return }
        fieldsDone = true
        let probe = DialectRequest(route: Route(dialect: "", method: request.method, template: request.path, operation: .document),
                                   parameters: [:], headers: request.headers, body: body, requestId: request.requestId)
        // Only for choosing a route and checking a signature: a body these cannot read is the
        // decoder's to refuse, in the dialect's words.
        fields = (try? probe.bodyObject()) ?? [:]
        if bodyIsForm {
            formFields = (try? DialectRequest.parseForm(String(buffer: body))) ?? []
        }
    }

    /// Whether the body is a form: the only body whose fields a signature over the parameters covers.
    var bodyIsForm: Bool { request.headers.value(.contentType)?.hasPrefix("application/x-www-form-urlencoded") == true }

    /// A parameter from the query, else from the body's fields (`nil` before `read`).
    func parameter(_ name: String) -> String? {
        query.last { $0.name == name }?.value ?? fields[name]?.stringValue
    }
}
