import HTTPTypes

extension HTTPFields {
    /// Whether a request with these headers has a body: HTTP/1.1 sends one only with a length
    /// (not 0) or chunked coding. A GET announces none, so nothing waits for its body.
    var announcesBody: Bool {
        if let length = value(.contentLength) { return length != "0" }
        return contains(.transferEncoding)
    }
}
