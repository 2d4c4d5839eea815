import Foundation
import HTTPTypes
import IMSModel
import Yams

/// A problem in a dialect file, at its line: what `config check` prints and a reload refuses.
public struct DialectFileError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String
    public var description: String { "\(file):\(line): \(message)" }
}

/// Reads a dialect file (`Config/dialects/<name>.yaml`, see README "Adding a dialect") into a
/// `DataDialect`. The compiled dialects are given so a file can write a field's values as one of
/// them does (`values: idc51`): one table of value forms, not a copy per dialect.
public enum DialectFile {
    public static func load(path: String, compiled: DialectRegistry) throws(DialectFileError) -> DataDialect {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw DialectFileError(file: path, line: 1, message: "cannot read the file")
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw DialectFileError(file: path, line: 1, message: "empty file") }
            root = node
        } catch let error as DialectFileError {
            throw error
        } catch {
            throw DialectFileError(file: path, line: (error as? YamlError).flatMap(ConfigCheck.line) ?? 1, message: "not YAML: \(error)")
        }
        return try Reader(file: path, compiled: compiled).dialect(root)
    }

    /// Walks the file's nodes; each problem names the node's line.
    struct Reader {
        let file: String
        let compiled: DialectRegistry

        static let topKeys: Set<String> = ["name", "auth", "auth_parameters", "endpoint", "times", "fields", "image_constants", "job", "errors", "actions"]

        func fail(_ node: Node?, _ message: String) -> DialectFileError {
            DialectFileError(file: file, line: (node?.mark?.line).map { $0 } ?? 1, message: message)
        }

        func mapping(_ node: Node?, _ what: String) throws(DialectFileError) -> Node.Mapping {
            guard let mapping = node?.mapping else { throw fail(node, "\(what) must be a mapping") }
            return mapping
        }

        func string(_ node: Node?, _ what: String) throws(DialectFileError) -> String {
            guard let text = node?.string, !text.isEmpty else { throw fail(node, "\(what) must be given as text") }
            return text
        }

        func onlyKeys(_ mapping: Node.Mapping, _ allowed: Set<String>, _ what: String) throws(DialectFileError) {
            for (key, _) in mapping where !allowed.contains(key.string ?? "") {
                throw fail(key, "unknown key '\(key.string ?? "")' in \(what) (known: \(allowed.sorted().joined(separator: ", ")))")
            }
        }

        func dialect(_ root: Node) throws(DialectFileError) -> DataDialect {
            let top = try mapping(root, "a dialect file")
            try onlyKeys(top, Self.topKeys, "a dialect file")
            let name = DialectID(try string(top["name"] ?? root, "name"))
            if compiled.contains(name) { throw fail(top["name"], "'\(name)' is a compiled dialect's name") }
            let authName = try string(top["auth"] ?? root, "auth")
            var scheme: (any AuthScheme)?
            if authName != "none" {
                guard let found = AuthSchemes.named(authName) else {
                    throw fail(top["auth"], "unknown auth scheme '\(authName)' (known: \((["none"] + AuthSchemes.names).joined(separator: ", ")))")
                }
                scheme = found
            }
            var authParameters: [(name: String, description: String)] = []
            for (key, value) in try top["auth_parameters"].map({ n throws(DialectFileError) in try mapping(n, "auth_parameters") }) ?? [:] {
                authParameters.append((try string(key, "a parameter"), try string(value, "its description")))
            }
            let times = try timeStyle(top["times"]) ?? .isoSeconds
            let fields = try self.fields(top["fields"], dialect: name)
            let endpoint = try mapping(top["endpoint"] ?? root, "endpoint")
            try onlyKeys(endpoint, ["path", "methods", "select"], "endpoint")
            let path = try string(endpoint["path"] ?? top["endpoint"], "endpoint.path")
            guard path.hasPrefix("/"), !path.contains("{") else { throw fail(endpoint["path"], "endpoint.path must start with / and hold no {parameter}") }
            var methods: [HTTPRequest.Method] = []
            for node in endpoint["methods"]?.sequence ?? [] {
                guard let method = HTTPRequest.Method(try string(node, "a method").uppercased()) else { throw fail(node, "bad method") }
                methods.append(method)
            }
            if methods.isEmpty { throw fail(top["endpoint"], "endpoint.methods must list at least one method") }
            let selector = try string(endpoint["select"] ?? top["endpoint"], "endpoint.select")
            var constants: [String: JSONValue] = [:]
            for (key, value) in try top["image_constants"].map({ node throws(DialectFileError) in try mapping(node, "image_constants") }) ?? [:] {
                constants[try string(key, "a key")] = json(value)
            }
            let job = try AnswerTemplate(json(top["job"] ?? Node.mapping([:])), allowed: AnswerTemplate.jobFacts,
                                         at: top["job"], reader: self)
            let errors = try ErrorAnswers(top["errors"] ?? root, reader: self, fields: fields)
            var actions: [ActionSpec] = []
            let actionNodes = try mapping(top["actions"] ?? root, "actions")
            for (key, node) in actionNodes {
                actions.append(try ActionSpec(name: try string(key, "an action's name"), node: node, reader: self, fields: fields))
            }
            if actions.isEmpty { throw fail(top["actions"], "actions must name at least one action") }
            let routes = actions.flatMap { action in
                methods.map { method in
                    Route(dialect: name, method: method, template: path, operation: action.operation,
                          defaults: [selector: action.name], source: "\(file):\(action.line)", selector: selector)
                }
            }
            return DataDialect(id: name, authScheme: scheme, selector: selector, authParameters: authParameters, fields: fields, constants: constants, times: times,
                               job: job, errors: errors, actions: Dictionary(actions.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }),
                               routes: routes, file: file)
        }

        func timeStyle(_ node: Node?) throws(DialectFileError) -> ValueCodec.TimeStyle? {
            guard let node else { return nil }
            let text = try string(node, "a time style")
            guard let style = ValueCodec.TimeStyle(rawValue: text) else {
                throw fail(node, "unknown time style '\(text)' (known: \(ValueCodec.TimeStyle.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return style
        }

        /// `fields:` — canonical field → key (a bare key, or `{key, out, values, time, lowercase}`).
        func fields(_ node: Node?, dialect: DialectID) throws(DialectFileError) -> FieldSlots {
            var slots: [(ImageField, FieldSlot)] = []
            for (key, value) in try mapping(node, "fields") {
                let name = try string(key, "a field")
                guard let field = ImageField(rawValue: name) else {
                    throw fail(key, "unknown canonical field '\(name)' (known: \(ImageField.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                if slots.contains(where: { $0.0 == field }) { throw fail(key, "field '\(name)' is given twice") }
                if let wire = value.string {
                    slots.append((field, .io(wire)))
                    continue
                }
                let spec = try mapping(value, "field '\(name)'")
                try onlyKeys(spec, ["key", "out", "values", "time"], "field '\(name)'")
                let wire = try string(spec["key"] ?? value, "field '\(name)'.key")
                var codec = ValueCodec.same
                if let style = try timeStyle(spec["time"]) { codec = .time(style) }
                if let source = spec["values"] {
                    let other = DialectID(try string(source, "values"))
                    guard let dialect = compiled[other] else { throw fail(source, "unknown dialect '\(other)' (known: \(compiled.names))") }
                    guard let slot = dialect.fields.slot(field) else { throw fail(source, "\(other) has no slot for '\(name)'") }
                    codec = slot.codec
                }
                let out = spec["out"]?.bool ?? false
                slots.append((field, FieldSlot(input: out ? nil : wire, output: wire, codec: codec)))
            }
            let built = FieldSlots(dialect, slots)
            if let clash = built.duplicateKeys.first { throw fail(node, "a key names two fields: \(clash)") }
            return built
        }

        /// A YAML node as JSON: scalars typed as YAML types them (`0` a number, `""` text).
        func json(_ node: Node) -> JSONValue {
            switch node {
            case .scalar(let scalar):
                if scalar.style == .plain {
                    if let n = Int64(scalar.string) { return .int(n) }
                    if scalar.string == "true" || scalar.string == "false" { return .bool(scalar.string == "true") }
                    if scalar.string == "null" || scalar.string == "~" { return .null }
                }
                return .string(scalar.string)
            case .mapping(let mapping):
                return .object(Dictionary(mapping.map { ($0.key.string ?? "", json($0.value)) }, uniquingKeysWith: { a, _ in a }))
            case .sequence(let sequence):
                return .array(sequence.map(json))
            case .alias:
                return .null
            }
        }
    }
}
