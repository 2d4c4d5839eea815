import IMSModel

/// An action's parameters into its canonical command.
extension ActionSpec {
    func command(_ params: [String: JSONValue], fields: FieldSlots, requestId: String) throws(CanonicalError) -> Command {
        var filters: [ImageCondition] = []
        var patch: ImagePatch = [:]
        var args: [Arg: [String]] = [:]
        var numbers: [Arg: Int] = [:]
        for param in self.params {
            let values = try Self.values(of: param, in: params)
            if values.isEmpty {
                if param.required { throw .invalidParameter(field: param.name, message: "is required") }
                if case .arg(let arg) = param.target, let fallback = param.fallback { numbers[arg] = fallback }
                continue
            }
            if param.integer {
                for value in values {
                    guard let n = Int(value.trimmingCharacters(in: .whitespaces)) else {
                        throw .invalidParameter(field: param.name, message: "must be an integer")
                    }
                    guard param.range.contains(n) else {
                        throw .invalidParameter(field: param.name, message: "must be between \(param.range.lowerBound) and \(param.range.upperBound)")
                    }
                    if case .arg(let arg) = param.target { numbers[arg] = n }
                }
            }
            switch param.target {
            case .field(let field) where operation == .imageList:
                var matched: [JSONValue] = []
                for value in values { matched += try fields.matches(.string(value), field: field) }
                filters.append(matched.count == 1 ? .eq(field, matched[0]) : ImageCondition(field, .in, matched))
            case .field(let field):
                patch[field] = try fields.decodeValue(.string(values[values.count - 1]), field: field)
            case .arg(let arg):
                args[arg, default: []] += values
            }
        }
        patch.merge(fixed) { given, _ in given }
        let one = { (arg: Arg) in args[arg]?.last ?? "" }
        let zone = one(.zone)
        var command: Command
        switch operation {
        case .imageList:
            let search = one(.search)
            command = .listImages(ImageQuery(scope: .visible, filters: filters, searchWord: search.isEmpty ? nil : search,
                                             sort: [SortKey(.createdAt, descending: true)], offset: numbers[.offset] ?? 0,
                                             limit: numbers[.limit]))
        case .imageGet: command = .getImage(ImageSelector(ref: one(.image)))
        case .imageCreate:
            if !zone.isEmpty { patch[.zone] = .string(zone) }
            command = .createImage(patch)
        case .imageCapture:
            if !zone.isEmpty { patch[.zone] = .string(zone) }
            command = .captureImage(instance: one(.instance), patch: patch)
        case .imageUpdate: command = .updateImage(ImageSelector(ref: one(.image)), patch)
        case .imageDelete: command = .deleteImage(ImageSelector(ref: one(.image)))
        case .imageBatchDelete: command = .batchDeleteImages(args[.images] ?? [])
        case .jobGet:
            let ids = args[.jobs] ?? []
            guard ids.count <= 1 else { throw .invalidParameter(field: "jobs", message: "takes one job at a time") }
            command = .getJob(ids.first ?? "")
        case .jobList:
            var statuses: [JobStatus] = []
            for text in args[.jobStatus] ?? [] {
                guard let status = JobStatus(rawValue: text) else {
                    throw .invalidParameter(field: ActionSpec.Arg.jobStatus.rawValue, message: "must be one of pending, working, successful, failed")
                }
                statuses.append(status)
            }
            let action = one(.jobAction)
            command = .listJobs(JobQuery(jobIds: args[.jobs] ?? [], statuses: statuses, action: action.isEmpty ? nil : action,
                                         offset: numbers[.offset] ?? 0, limit: numbers[.limit] ?? 20))
        default:
            throw .internal("\(operation.rawValue) is not defined as data")
        }
        if let job { command = .asJob(JobSpec(action: job, zone: zone, requestId: requestId), command) }
        return command
    }

    /// A parameter's values: `name.1`, `name.2`, … in order of their numbers for a list (and a
    /// plain `name` too), the one value otherwise. Empty values count as absent.
    static func values(of param: Param, in params: [String: JSONValue]) throws(CanonicalError) -> [String] {
        var found: [String] = []
        if param.list {
            found = try NumberedList.values(param.name, in: params)
        }
        if let plain = params[param.name] {
            switch plain {
            case .string(let s): found.append(s)
            case .int(let n): found.append(String(n))
            case .array(let items) where param.list: found += items.compactMap(\.stringValue)
            case .null: break
            default: throw .invalidParameter(field: param.name, message: "must be text")
            }
        }
        return found.filter { !$0.isEmpty }
    }
}
