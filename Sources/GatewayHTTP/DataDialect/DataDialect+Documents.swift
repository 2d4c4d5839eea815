/// What a data dialect's OpenAPI document says, from its file: every action shares one path, so
/// each method's operation takes the selector (one of the actions) and the union of the actions'
/// parameters, in the query for GET and as form fields otherwise.
extension DataDialect {
    public func input(for route: Route) -> OperationInput {
        var seen: Set<String> = []
        var parameters = [InputParameter(selector, .oneOf(actions.keys.sorted()), required: true, description: "the action")]
        for action in actions.values.sorted(by: { $0.name < $1.name }) {
            for param in action.params where seen.insert(param.name).inserted {
                let schema: InputSchema = param.integer
                    ? .integer(minimum: Int64(param.range.lowerBound), maximum: Int64(param.range.upperBound)) : .string()
                let forms = param.list ? "\(param.name).1, \(param.name).2, … or \(param.name)" : param.name
                parameters.append(InputParameter(param.list ? "\(param.name).1" : param.name, schema,
                                                 description: "\(forms) (\(action.name)\(param.required ? ", required" : ""))"))
            }
        }
        parameters += authParameters.map { InputParameter($0.name, .string(), description: $0.description) }
        if route.method == .get { return OperationInput(query: parameters) }
        let form = InputSchema.object(parameters.map { ($0.name, $0.schema) }, required: [selector])
        return OperationInput(form: form, bodyRequired: true)
    }

    /// The scheme's parameters, as the file lists them (`auth_parameters`).
    public var security: DialectSecurity {
        guard authScheme != nil, !authParameters.isEmpty else { return DialectSecurity() }
        return DialectSecurity(schemes: authParameters.map { ($0.name, .query($0.name), $0.description) },
                               requirements: [authParameters.map(\.name)])
    }
}
