import HTTPTypes
import IMSModel
import NIOCore
import NIOHTTP1

/// How a request the HTTP parser rejected is answered: in the shape of the dialect its path
/// belongs to, instead of Hummingbird's bare `400` with no body (`ConnectionGuard` writes it and
/// closes the connection: after a parse error the stream cannot be trusted). The failing
/// request's first bytes come from the `RequestLineSniffer` before the parser.
enum ParseErrorAnswer {
    /// The answer for a request line's path and what was wrong; `nil` leaves it to Hummingbird.
    typealias Render = @Sendable (_ path: String, _ error: CanonicalError) -> (HTTPResponse, ByteBuffer)?

    /// `GET /api/x?y HTTP/1.1` → `/api/x`.
    static func path(of line: String) -> String {
        let target = line.split(separator: " ", maxSplits: 2).dropFirst().first ?? ""
        return String(target.prefix { $0 != "?" })
    }

    static func canonical(_ error: HTTPParserError) -> CanonicalError {
        switch error {
        case .headerOverflow: .malformedBody("the request line and headers are longer than 80 KB")
        case .invalidURL, .invalidCharactersUsed: .malformedBody("the request line has characters HTTP does not allow (percent-encode them)")
        default: .malformedBody("the request is not valid HTTP/1.1")
        }
    }
}
