import Dialects
import Foundation
@testable import GatewayHTTP
import HTTPTypes
@testable import IMSModel
import NIOCore
import Testing

/// A dialect as pure functions, judged against its seed examples (`Fixtures/<dialect>.json`, the
/// copy of `../shared/examples`): each seed request is routed by the route files of `Config/`,
/// decoded with no server and no store, its command checked; a result (or error) built by hand
/// with the seed's values is encoded and compared with the seed's answer as the conformance
/// suite compares answers (`conformanceProblems`: every key with its JSON type, values at
/// `equal`, so ids and times are masked).
struct DialectSeedTable: Sendable {
    /// What the seed's request becomes, and what is answered.
    enum Outcome: Sendable {
        /// Decoded to `command`; the backend's `result` is encoded.
        case answers(Command, CommandResult)
        /// Decoded to `command`; the backend refuses it with `error` (the seed's error answer).
        case fails(Command, CanonicalError)
        /// The decoder refuses the request with `error`.
        case refused(CanonicalError)
        /// Decoded to `command`, whose answer is the image's bytes, streamed by the pipeline:
        /// no encoder answers it.
        case streams(Command)
    }

    struct Case: Sendable {
        var outcome: Outcome
        /// Paths of the seed's answer compared by value (the seed's own field names).
        var equal: [String] = []
        /// The seed's answer as the conformance suite reads it (a value the gateway writes in
        /// another JSON type, as the conformance case replaces it).
        var seed: (@Sendable (JSONValue) -> JSONValue)? = nil
    }

    let dialect: any Dialect
    let name: String
    let cases: [String: Case]

    static let requestId = "97b154b6-d808-4288-911d-a34e1af52a97"
    static let publicURL = "http://gateway.test:8080"

    /// The route files of the shipped configuration, for every compiled dialect.
    static let routes: Result<RouteTable, any Error> = Result {
        let config = try GatewayConfig.load(path: TestGateway.repoRoot.appendingPathComponent("Config/ims-gateway.yaml").path)
        return try config.routeTable(dialects: DialectRegistry(Dialects.all))
    }

    /// Every seed example has a case and every case a seed example; each one decodes and answers as its case says.
    func check(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let seeds = try SeedCase.load(name)
        #expect(Set(seeds.keys) == Set(cases.keys), "\(name): seed examples and cases differ", sourceLocation: sourceLocation)
        for (caseName, seed) in seeds.sorted(by: { $0.key < $1.key }) {
            guard let c = cases[caseName] else { continue }
            let problems = try problems(seed, c)
            #expect(problems.isEmpty, "\(name) \(caseName): \(problems.joined(separator: "; "))", sourceLocation: sourceLocation)
        }
    }

    func problems(_ seed: SeedCase, _ c: Case) throws -> [String] {
        let request = try Self.request(seed)
        guard request.route.dialect == dialect.id else { return ["routed to \(request.route.dialect.rawValue)"] }
        let decoded: Result<Decoded, CanonicalError> = Result { () throws(CanonicalError) in try dialect.decode(request) }
        let answer: DialectResponse
        switch (c.outcome, decoded) {
        case (.answers(let command, let result), .success(let decoded)):
            guard decoded.command == command else { return ["command \(decoded.command), expected \(command)"] }
            do { answer = try dialect.encode(result, for: decoded.echo) } catch { return ["encoding threw \(error)"] }
        case (.fails(let command, let error), .success(let decoded)):
            guard decoded.command == command else { return ["command \(decoded.command), expected \(command)"] }
            answer = dialect.encode(error, for: request)
        case (.refused(let expected), .failure(let error)):
            guard error == expected else { return ["refused with \(error), expected \(expected)"] }
            answer = dialect.encode(error, for: request)
        case (.streams(let command), .success(let decoded)):
            return decoded.command == command ? [] : ["command \(decoded.command), expected \(command)"]
        case (_, .failure(let error)):
            return ["decoding threw \(error)"]
        case (.refused(let expected), .success(let decoded)):
            return ["decoded to \(decoded.command), expected the refusal \(expected)"]
        }
        var judged = seed
        if let fix = c.seed { judged.answer = fix(seed.answer) }
        let body = answer.body
        return conformanceProblems(Reply(status: Int(answer.status.code), json: body, text: body?.serialized ?? "",
                                         headers: answer.headers), to: judged, equal: c.equal)
    }

    /// The seed's request as the pipeline hands it to its dialect: routed, with its path
    /// parameters, query, headers and body.
    static func request(_ seed: SeedCase) throws -> DialectRequest {
        let table = try routes.get()
        let match = try #require(table.match(seed.method, seed.path), "no route for \(seed.method) \(seed.path)")
        var headers = HTTPFields()
        for (name, value) in seed.headers { headers[try #require(HTTPField.Name(name))] = value }
        let (contentType, body) = seed.body.encoded()
        if let contentType { headers[.contentType] = contentType }
        var request = DialectRequest(route: match.route, parameters: match.parameters,
                                     query: seed.query.map { (name: $0.0, value: $0.1) }, headers: headers,
                                     body: body ?? ByteBuffer(), requestId: requestId)
        request.method = seed.method
        request.path = seed.path
        request.publicURL = publicURL
        return request
    }
}

/// Every operation a dialect decodes, with one result of every kind: the pairs the dialect
/// answers encode, and every other pair is the internal error, never an answer made up for it.
func expectTotalEncoder(_ dialect: any Dialect, answers expected: [GatewayHTTP.Operation: String],
                        sourceLocation: SourceLocation = #_sourceLocation) {
    for operation in GatewayHTTP.Operation.allCases {
        let echo = Echo(operation: operation, requestId: DialectSeedTable.requestId, publicURL: DialectSeedTable.publicURL)
        for result in Samples.all {
            let encoded: Result<DialectResponse, CanonicalError> = Result { () throws(CanonicalError) in
                try dialect.encode(result, for: echo)
            }
            switch encoded {
            case .success where expected[operation] == result.kind:
                continue
            case .success:
                Issue.record("\(dialect.id.rawValue) answers \(result.kind) for \(operation.rawValue)", sourceLocation: sourceLocation)
            case .failure(let error) where expected[operation] == result.kind:
                Issue.record("\(dialect.id.rawValue) refuses \(result.kind) for \(operation.rawValue): \(error)",
                             sourceLocation: sourceLocation)
            case .failure(let error):
                guard case .internal = error else {
                    Issue.record("\(dialect.id.rawValue): \(error) for \(result.kind) in \(operation.rawValue)", sourceLocation: sourceLocation)
                    continue
                }
                // …answered in the dialect's 500 shape (CECSTACK answers every error 400, as its seed's table lists).
                let answer = dialect.encode(error, for: DialectRequest(
                    route: Route(dialect: dialect.id, method: .get, template: "/", operation: operation), parameters: [:],
                    requestId: DialectSeedTable.requestId))
                #expect(answer.status == (dialect.id == .cecstack ? .badRequest : .internalServerError),
                        "\(dialect.id.rawValue) \(operation.rawValue) \(result.kind): \(answer.status)", sourceLocation: sourceLocation)
            }
        }
    }
    // An operation the dialect decodes is one it answers.
    #expect(Set(Samples.all.map(\.kind)).isSuperset(of: expected.values), sourceLocation: sourceLocation)
}
