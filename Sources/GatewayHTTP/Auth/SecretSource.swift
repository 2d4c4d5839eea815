import Foundation

/// Where a credential's secret itself comes from when a scheme needs it (an HMAC signature is
/// checked with the secret, not a hash of it): an environment variable or a file, named in the
/// credentials file and never written in it, so the secret stays out of the repository.
enum SecretSource {
    case environment(String)
    case file(String)

    /// Reads the secret; an unset, empty or unreadable source stops the start (naming the
    /// variable or file, never what it holds). A file's trailing line break is not part of it.
    func read(environment: [String: String] = ProcessInfo.processInfo.environment, relativeTo folder: String,
              place: String) throws -> String {
        switch self {
        case .environment(let name):
            guard let secret = environment[name], !secret.isEmpty else {
                throw GatewayStartError("\(place): secret_env: the environment variable \(name) is not set (or empty)")
            }
            return secret
        case .file(let path):
            let full = path.hasPrefix("/") ? path : URL(fileURLWithPath: folder).appendingPathComponent(path).path
            guard let text = try? String(contentsOfFile: full, encoding: .utf8) else {
                throw GatewayStartError("\(place): secret_file: \(full) cannot be read")
            }
            var secret = Substring(text)
            while let last = secret.last, last.isNewline { secret.removeLast() }
            guard !secret.isEmpty else { throw GatewayStartError("\(place): secret_file: \(full) is empty") }
            return String(secret)
        }
    }
}

extension SecretSource: Equatable {
    /// The source an entry names, if any; naming both is refused.
    static func named(env: String?, file: String?, place: String) throws -> SecretSource? {
        switch (env, file) {
        case (nil, nil): return nil
        case (let name?, nil): return .environment(name)
        case (nil, let path?): return .file(path)
        default: throw GatewayStartError("\(place): give secret_env or secret_file, not both")
        }
    }
}
