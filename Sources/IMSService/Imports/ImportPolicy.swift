import Foundation
import IMSModel

/// Which URLs the gateway may fetch when a client asks it to import one. A client names the URL,
/// so without a rule the gateway would fetch loopback and internal services for it (its own
/// `/metrics`, a cloud metadata endpoint) and hand back what came. Nothing is allowed unless the
/// config lists its host (`imports.allowedHosts`); redirects are checked hop by hop.
public struct ImportPolicy: Sendable, Equatable {
    /// `host`, `host:port`, or `*.domain` (any subdomain); compared without case.
    public var allowedHosts: [String]

    public init(allowedHosts: [String] = []) {
        self.allowedHosts = allowedHosts.map { $0.lowercased() }
    }

    /// The URL if the gateway may fetch it, or the reason it may not (client-safe text).
    public func check(_ text: String) -> Result<URL, CanonicalError> {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              let host = url.host?.lowercased(), !host.isEmpty, url.user == nil, url.password == nil else {
            return .failure(.invalidParameter(field: "url", message: "must be an http or https URL"))
        }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        let allowed = allowedHosts.contains { entry in
            let (name, entryPort) = Self.split(entry)
            if let entryPort, entryPort != port { return false }
            if name.hasPrefix("*.") { return host.hasSuffix(String(name.dropFirst())) }
            return name == host
        }
        return allowed ? .success(url) : .failure(.invalidParameter(field: "url", message: "is on a host this gateway does not import from (\(host))"))
    }

    /// `host:port` → (host, port); an IPv6 literal keeps its brackets off.
    static func split(_ entry: String) -> (String, Int?) {
        if entry.hasPrefix("["), let close = entry.firstIndex(of: "]") {
            let host = String(entry[entry.index(after: entry.startIndex)..<close])
            let rest = entry[entry.index(after: close)...]
            return (host, rest.hasPrefix(":") ? Int(rest.dropFirst()) : nil)
        }
        let parts = entry.split(separator: ":")
        if parts.count == 2, let port = Int(parts[1]) { return (String(parts[0]), port) }
        return (entry, nil)
    }
}
