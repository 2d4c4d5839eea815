import Foundation
import HTTPTypes
import Yams

/// A `Config/routes/<dialect>.yaml` file:
///
///     dialect: foreman
///     mounts: [/api, /api/v2]          # every route is served under each mount
///     backend: pg                      # optional: the routes run on this entry of backends: (default: use:)
///     routes:
///       - method: GET
///         path: /compute_resources/{compute_resource_id}/images
///         operation: image.list
///         mounts: [/api]               # optional: overrides the file's mounts
///         defaults: {scope: public}    # optional: fixed parameters for the decoder
///         backend: new                 # optional: this route alone runs there (SIGHUP moves it)
public struct RouteFile: Decodable, Sendable {
    public struct Entry: Decodable, Sendable {
        public var method: String
        public var path: String
        public var operation: String
        public var mounts: [String]?
        public var defaults: [String: String]?
        public var backend: String?
    }

    public var dialect: String
    public var mounts: [String]?
    public var backend: String?
    public var routes: [Entry]

    /// Reads a route file and expands it into routes, one per mount; its dialect must be one of
    /// `dialects`.
    public static func load(path: String, dialects: DialectRegistry) throws(RouteError) -> [Route] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .file(path, "cannot read: \(error.localizedDescription)")
        }
        let file: RouteFile
        do {
            file = try YAMLDecoder().decode(RouteFile.self, from: text)
        } catch {
            throw .file(path, "not a route file: \(error)")
        }
        let dialect = DialectID(file.dialect)
        guard dialects.contains(dialect) else {
            throw .file(path, "unknown dialect '\(file.dialect)' (known: \(dialects.names))")
        }
        var routes: [Route] = []
        for (index, entry) in file.routes.enumerated() {
            let source = "\(path): routes[\(index)]"
            guard let operation = Operation(rawValue: entry.operation) else {
                throw .file(source, "unknown operation '\(entry.operation)'")
            }
            let method = HTTPRequest.Method(entry.method.uppercased())
            guard let method else { throw .file(source, "bad method '\(entry.method)'") }
            for mount in entry.mounts ?? file.mounts ?? [""] {
                guard mount.isEmpty || (mount.hasPrefix("/") && !mount.hasSuffix("/")) else {
                    throw .file(source, "bad mount '\(mount)': must start with / and not end with /")
                }
                routes.append(Route(dialect: dialect, method: method, template: mount + entry.path,
                                    operation: operation, defaults: entry.defaults ?? [:], source: source, mount: mount,
                                    backend: entry.backend ?? file.backend))
            }
        }
        return routes
    }
}
