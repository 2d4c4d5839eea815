import Foundation
import HTTPTypes
import Hummingbird
import IMSModel
import IMSService

/// The canonical API's export: every record of the backend it serves, kind by kind, with ids
/// and times as stored, for `ims-gateway migrate --from` a `remote` backend naming this
/// gateway. Only for a token marked `export` (an operator token of every tenant); others get
/// the canonical 403.
///
/// - `GET /ims/v1/export/{kind}?offset=N&limit=M` (kind: `Migration.Kind`; limit 0…1000,
///   default 100; 0 counts only) → `ExportPage`: `{"kind", "total", "records": [...]}`, each
///   image with its complete bytes' record (`file`: size, MD5, time), each instance with its
///   members.
/// - `GET /ims/v1/export/held?refs=img-a,img-b` → `{"held": [true, false]}`: which of
///   these images the backend still holds (a migration's catch-up removes those deleted).
/// - The bytes: `GET /ims/v1/images/{ref}/file` as the operator.
///
/// What travels: the records as the target must store them to answer the same, so an image's
/// default password is in it (the canonical API's commands answer it too). Secrets the stores
/// hold only as hashes (upload tokens) stay out: an open upload is not copied. The answers are
/// never logged.
extension CanonicalAPI {
    static let exportMaxLimit = 1000

    func addExport(to api: RouterGroup<GatewayRequestContext>) {
        api.get("export/{kind}") { request, context -> Response in
            do {
                try authorizeExport(request)
                let name = try context.parameters.require("kind")
                guard let kind = Migration.Kind(rawValue: name) else {
                    throw CanonicalError.invalidParameter(field: "kind", message:
                        "must be one of \(Migration.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                let offset = try Self.integer(request, "offset", default: 0, max: .max)
                let limit = try Self.integer(request, "limit", default: 100, max: Self.exportMaxLimit)
                let source = try exportSource()
                let total = try await source.count(kind)
                let records = limit == 0 ? [] : try await source.page(kind, offset: offset, limit: limit)
                return CanonicalWire.json(.ok, ExportPage(kind: kind, total: total, records: records))
            } catch {
                return CanonicalWire.error(error, requestId: request.headers[.requestID])
            }
        }
        api.get("export/held") { request, context -> Response in
            do {
                try authorizeExport(request)
                let refs = (request.uri.queryParameters["refs"].map(String.init) ?? "").split(separator: ",").map(String.init)
                guard refs.count <= Self.exportMaxLimit else {
                    throw CanonicalError.invalidParameter(field: "refs", message: "must name at most \(Self.exportMaxLimit) images")
                }
                return CanonicalWire.json(.ok, ExportHeld(held: try await exportSource().holds(refs)))
            } catch {
                return CanonicalWire.error(error, requestId: request.headers[.requestID])
            }
        }
    }

    /// The records of the backend served: its stores, or, in front of another gateway, that
    /// gateway's export.
    private func exportSource() throws(CanonicalError) -> any MigrationSource {
        guard let source = backend.capabilities.migrationSource else {
            throw .unavailable("this gateway's backend has no records to export")
        }
        return source
    }

    /// A service token marked `export`; no identity is asserted (the export is every tenant's).
    func authorizeExport(_ request: Request) throws(CanonicalError) {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              let token = tokens[Secrets.sha256Hex(String(header.dropFirst(7)))]
        else { throw .unauthorized("the canonical API needs a service token") }
        guard token.export else {
            CanonicalWire.logger.warning("service token used for an export it is not marked for", metadata: [
                "token_sha256": .string(String(token.sha256.prefix(12))), "request_id": .string(request.headers[.requestID] ?? ""),
            ])
            throw .forbidden("this service token may not export records (canonical_api.tokens: export: true)")
        }
    }

    /// A whole number query parameter in 0...max, or the default when absent.
    private static func integer(_ request: Request, _ name: String, default value: Int, max: Int) throws(CanonicalError) -> Int {
        guard let text = request.uri.queryParameters[Substring(name)] else { return value }
        guard let number = Int(text), (0...max).contains(number) else {
            throw .invalidParameter(field: name, message: max == .max ? "must be a whole number, 0 or more" : "must be a whole number from 0 to \(max)")
        }
        return number
    }
}
