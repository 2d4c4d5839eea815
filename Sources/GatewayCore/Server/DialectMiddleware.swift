import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Serves every route of the route table: match → dialect decode → backend → dialect encode.
/// Requests the table does not know go on to the rest of the router (health, 404).
public struct DialectMiddleware: RouterMiddleware {
    public typealias Context = GatewayRequestContext
    let table: RouteTable
    let dialects: [DialectID: any Dialect]
    let backend: any Backend
    let maxBodyBytes: Int

    public init(table: RouteTable, dialects: [DialectID: any Dialect], backend: any Backend, maxBodyBytes: Int) {
        self.table = table
        self.dialects = dialects
        self.backend = backend
        self.maxBodyBytes = maxBodyBytes
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let match = table.match(request.method, request.uri.path), let dialect = dialects[match.route.dialect] else {
            return try await next(request, context)
        }
        let requestId = request.headers[.requestID] ?? UUID().uuidString.lowercased()
        var dialectRequest = DialectRequest(
            route: match.route, parameters: match.parameters,
            query: request.uri.queryParameters.map { (String($0.key), String($0.value)) },
            headers: request.headers, requestId: requestId)
        let answer: DialectResponse
        do {
            dialectRequest.body = try await request.body.collect(upTo: maxBodyBytes)
            let command = try dialect.decode(dialectRequest)
            let result = try await backend.execute(command, as: context.identity)
            answer = dialect.encode(result, for: dialectRequest)
        } catch let error as CanonicalError {
            answer = dialect.encode(error, for: dialectRequest)
        } catch {
            // Body too large or the connection failed while reading it.
            let reason = (error as? HTTPError)?.status == .contentTooLarge
                ? CanonicalError.malformedBody("the body is larger than \(maxBodyBytes) bytes")
                : CanonicalError.internal("\(error)")
            answer = dialect.encode(reason, for: dialectRequest)
        }
        context.logger.info("request", metadata: [
            "dialect": .string(match.route.dialect.rawValue), "operation": .string(match.route.operation.rawValue),
            "status": .stringConvertible(answer.status.code), "request_id": .string(requestId),
        ])
        return Self.response(answer, requestId: requestId)
    }

    static func response(_ answer: DialectResponse, requestId: String) -> Response {
        var headers = answer.headers
        headers[.requestID] = requestId
        guard let body = answer.body else {
            return Response(status: answer.status, headers: headers)
        }
        var buffer = ByteBuffer()
        body.write(into: &buffer)
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: answer.status, headers: headers, body: .init(byteBuffer: buffer))
    }
}

extension HTTPField.Name {
    public static let requestID = Self("X-Request-Id")!
}
