import IMSModel
import Yams

/// One action of a data dialect: the canonical operation it runs, how its parameters become the
/// command's inputs, whether it answers a job, and its answer's template.
struct ActionSpec: Sendable {
    /// What a parameter feeds: a canonical image field (a filter for lists, a change otherwise)
    /// or one of the operation's own inputs.
    enum Target: Sendable, Hashable {
        case field(ImageField)
        case arg(Arg)
    }

    /// The operations' own inputs, by the names a file gives them.
    enum Arg: String, Sendable, CaseIterable {
        /// The instance a capture starts from.
        case instance
        /// One image, by reference.
        case image
        /// Image references (a batch).
        case images
        /// Job ids.
        case jobs
        /// Job states (`pending`, `working`, `successful`, `failed`), and a job's action.
        case jobStatus = "job_status", jobAction = "job_action"
        /// An image id or part of a name (51idc's `search_word`).
        case search
        case offset, limit
        /// The zone a job is recorded in.
        case zone
        /// Accepted and checked, but changes nothing (a `verbose` flag).
        case ignore
    }

    struct Param: Sendable {
        var name: String
        var target: Target
        /// Read as `name.1`, `name.2`, … (the action APIs' list encoding).
        var list: Bool
        var required: Bool
        var integer: Bool
        var fallback: Int?
        var range: ClosedRange<Int>
    }

    /// What each operation takes besides canonical fields, and which take fields at all.
    static let args: [Operation: Set<Arg>] = [
        .imageList: [.search, .offset, .limit, .zone, .ignore],
        .imageGet: [.image, .zone, .ignore],
        .imageCreate: [.zone, .ignore],
        .imageCapture: [.instance, .zone, .ignore],
        .imageUpdate: [.image, .zone, .ignore],
        .imageDelete: [.image, .zone, .ignore],
        .imageBatchDelete: [.images, .zone, .ignore],
        .jobGet: [.jobs, .zone, .ignore],
        .jobList: [.jobs, .jobStatus, .jobAction, .offset, .limit, .zone, .ignore],
    ]
    static let takesFields: Set<Operation> = [.imageList, .imageCreate, .imageCapture, .imageUpdate]

    var name: String
    var operation: Operation
    /// Answer a job of this name (the change runs in the background).
    var job: String?
    var params: [Param]
    /// Canonical fields the action always sets (where the dialect's images hang in the others).
    var fixed: ImagePatch = [:]
    var answer: AnswerTemplate
    var line: Int

    init(name: String, node: Node, reader: DialectFile.Reader, fields: FieldSlots) throws(DialectFileError) {
        let spec = try reader.mapping(node, "action \(name)")
        try reader.onlyKeys(spec, ["operation", "job", "params", "set", "answer"], "action \(name)")
        let operationText = try reader.string(spec["operation"] ?? node, "\(name).operation")
        guard let operation = Operation(rawValue: operationText), let allowed = Self.args[operation] else {
            throw reader.fail(spec["operation"], "operation '\(operationText)' cannot be defined as data (known: \(Self.args.keys.map(\.rawValue).sorted().joined(separator: ", ")))")
        }
        self.name = name
        self.operation = operation
        line = node.mark?.line ?? 1
        job = try spec["job"].map { n throws(DialectFileError) in try reader.string(n, "\(name).job") }
        var params: [Param] = []
        for (key, value) in try spec["params"].map({ n throws(DialectFileError) in try reader.mapping(n, "\(name).params") }) ?? [:] {
            let param = try reader.string(key, "a parameter")
            let entry = try reader.mapping(value, "\(name).params.\(param)")
            try reader.onlyKeys(entry, ["field", "arg", "list", "required", "type", "default", "min", "max"], "\(name).params.\(param)")
            let target: Target
            switch (entry["field"], entry["arg"]) {
            case (let node?, nil):
                let text = try reader.string(node, "field")
                guard let field = ImageField(rawValue: text) else { throw reader.fail(node, "unknown canonical field '\(text)'") }
                guard Self.takesFields.contains(operation) else { throw reader.fail(node, "\(operation.rawValue) takes no image fields") }
                guard fields.slot(field) != nil else { throw reader.fail(node, "field '\(text)' has no slot in this file's fields:") }
                guard operation == .imageList || field.isWritable else { throw reader.fail(node, "field '\(text)' cannot be set") }
                target = .field(field)
            case (nil, let node?):
                let text = try reader.string(node, "arg")
                guard let arg = Arg(rawValue: text), allowed.contains(arg) else {
                    throw reader.fail(node, "\(operation.rawValue) has no input '\(text)' (known: \(allowed.map(\.rawValue).sorted().joined(separator: ", ")))")
                }
                target = .arg(arg)
            default:
                throw reader.fail(value, "\(name).params.\(param) needs exactly one of field: and arg:")
            }
            let integer = entry["type"]?.string == "integer" || target == .arg(.offset) || target == .arg(.limit)
            if let type = entry["type"]?.string, !["integer", "string"].contains(type) {
                throw reader.fail(entry["type"], "type must be integer or string")
            }
            params.append(Param(name: param, target: target, list: entry["list"]?.bool ?? false, required: entry["required"]?.bool ?? false,
                                integer: integer, fallback: entry["default"]?.int,
                                range: try Self.range(entry, reader: reader)))
        }
        self.params = params
        for (key, value) in try spec["set"].map({ n throws(DialectFileError) in try reader.mapping(n, "\(name).set") }) ?? [:] {
            let text = try reader.string(key, "a field")
            guard let field = ImageField(rawValue: text), field.isWritable, Self.takesFields.contains(operation), operation != .imageList else {
                throw reader.fail(key, "'\(text)' is not a canonical field \(operation.rawValue) can set")
            }
            do {
                fixed[field] = try ValueCodec.coerce(reader.json(value), as: field.kind)
            } catch {
                guard case .wrongType(let phrase) = error else { throw reader.fail(value, "bad value") }
                throw reader.fail(value, "\(text) \(phrase)")
            }
        }
        answer = try AnswerTemplate(reader.json(spec["answer"] ?? node), allowed: AnswerTemplate.answerFacts, at: spec["answer"], reader: reader)
    }

    static func range(_ entry: Node.Mapping, reader: DialectFile.Reader) throws(DialectFileError) -> ClosedRange<Int> {
        let (low, high) = (entry["min"]?.int ?? Int(Int32.min), entry["max"]?.int ?? Int(Int32.max))
        guard low <= high else { throw reader.fail(entry["min"], "min is above max") }
        return low...high
    }
}
