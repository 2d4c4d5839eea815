import HTTPTypes
import IMSModel

extension CanonicalError {
    /// The HTTP status a dialect without its own rule gives this error's front-door kinds.
    public var frontDoorStatus: HTTPResponse.Status? {
        switch self {
        case .tooLarge: .contentTooLarge
        case .noRoute(_, _, let allowed): allowed.isEmpty ? .notFound : .methodNotAllowed
        default: nil
        }
    }

    /// `Allow` for a 405, as HTTP asks.
    public var allowHeader: HTTPFields {
        guard case .noRoute(_, _, let allowed) = self, !allowed.isEmpty else { return [:] }
        return [.allow: allowed.joined(separator: ", ")]
    }
}
