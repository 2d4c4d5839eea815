import Foundation
import IMSModel

/// A dialect defined by a file (see `DialectFile`): actions chosen by one parameter, each mapped
/// to a canonical operation, with its answers and errors written as templates. Pure functions
/// over the parsed file, like every dialect.
public struct DataDialect: Dialect {
    public let id: DialectID
    /// The built-in authentication scheme the file names (`nil` for `auth: none`).
    public let authScheme: (any AuthScheme)?
    let selector: String
    /// The parameters the auth scheme reads, for documents (`auth_parameters` in the file).
    let authParameters: [(name: String, description: String)]
    public let fields: FieldSlots
    let constants: [String: JSONValue]
    let times: ValueCodec.TimeStyle
    let job: AnswerTemplate
    let errors: ErrorAnswers
    let actions: [String: ActionSpec]
    /// The routes the file declares: one per action and method.
    public let routes: [Route]
    /// Where it was read from.
    public let file: String

    /// Requests prove who sent them by `authScheme`; there is no other credential.
    public func credential(_ request: DialectRequest) -> PresentedCredential? { nil }

    func action(_ request: DialectRequest) throws(CanonicalError) -> ActionSpec {
        guard let name = request.route.defaults[selector], let action = actions[name] else {
            throw .noRoute(method: request.route.method.rawValue, path: request.route.template, allowed: [])
        }
        return action
    }

    public func decode(_ request: DialectRequest) throws(CanonicalError) -> Decoded {
        let action = try action(request)
        let params = try Self.parameters(request)
        var echo = request.echo
        echo.action = action.name
        return Decoded(try action.command(params, fields: fields, requestId: request.requestId), echo)
    }

    /// Body fields (a form, or JSON) with the query's over them, as text.
    static func parameters(_ request: DialectRequest) throws(CanonicalError) -> [String: JSONValue] {
        var all = try request.bodyObject()
        for (name, value) in request.query { all[name] = .string(value) }
        return all
    }

    public func encode(_ result: CommandResult, for echo: Echo) throws(CanonicalError) -> DialectResponse {
        guard let action = echo.action.flatMap({ actions[$0] }) else {
            throw .internal("\(id.rawValue) has no action '\(echo.action ?? "")' to answer")
        }
        // An action that is a job answers the job; any other, its operation's result.
        var facts: [String: JSONValue] = [:]
        switch (action.job == nil ? action.operation : nil, result) {
        case (.imageList?, .images(let page)):
            facts["images"] = .array(page.items.map(image))
            facts["total"] = .int(Int64(page.total))
        case (.imageGet?, .image(let view)), (.imageCreate?, .image(let view)), (.imageCapture?, .image(let view)),
             (.imageUpdate?, .image(let view)), (.imageDelete?, .image(let view)):
            facts["image"] = image(view)
        case (.imageBatchDelete?, .imagesDeleted):
            // Nothing a template can name: the answer is the action's constants.
            break
        case (.jobList?, .jobs(let page)):
            facts["jobs"] = .array(page.items.map { job in self.job.render { job.fact($0, times: times) } })
            facts["total"] = .int(Int64(page.total))
        case (nil, .job(let job)), (.jobGet?, .job(let job)):
            let written = self.job.render { job.fact($0, times: times) }
            facts["job"] = written
            facts["jobs"] = [written]
            facts["total"] = 1
            for fact in AnswerTemplate.jobFacts { facts["job." + fact] = job.fact(fact, times: times) }
        default:
            throw echo.unexpected(result, in: id)
        }
        return DialectResponse(body: action.answer.render { facts[$0] })
    }

    public func encode(_ error: CanonicalError, for request: DialectRequest) -> DialectResponse {
        let names = Dictionary(actions.values.flatMap { $0.params.map { ($0.target, $0.name) } }, uniquingKeysWith: { a, _ in a })
        return errors.answer(error) { field in
            if let canonical = ImageField(rawValue: field), let key = fields.key(canonical) { return key }
            if let arg = ActionSpec.Arg(rawValue: field), let name = names[.arg(arg)] { return name }
            return field
        }
    }

    func image(_ view: ImageView) -> JSONValue {
        .object(fields.encode(view).merging(constants) { mine, _ in mine })
    }
}
