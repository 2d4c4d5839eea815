import GatewayCore

/// Foreman's index parameters (`search`, `order`, `page`, `per_page`) and the envelope every
/// index answers with.
extension ForemanDialect {
    struct Window {
        var search: String?
        var order: String?
        var page: Int
        /// `nil`: every match (`per_page=all`, or a huge number).
        var limit: Int?
        var offset: Int
    }

    func listWindow(_ request: DialectRequest) throws(CanonicalError) -> Window {
        let params = try Parameters.merged(request)
        let search = try Parameters.string(params["search"], name: "search").flatMap { $0.isEmpty ? nil : $0 }
        let order = try Parameters.string(params["order"], name: "order").flatMap { $0.isEmpty ? nil : $0 }
        let page = max(1, try Parameters.int(params["page"], name: "page") ?? 1)
        let limit: Int?
        if params["per_page"]?.stringValue == "all" {
            limit = nil
        } else {
            let perPage = try Parameters.int(params["per_page"], name: "per_page") ?? Self.defaultPerPage
            guard perPage >= 1 else { throw .invalidParameter(field: "per_page", message: "must be greater than 0") }
            limit = perPage >= Self.unboundedPerPage ? nil : perPage
        }
        return Window(search: search, order: order, page: page, limit: limit,
                      offset: limit.map { Parameters.offset(page: page, size: $0) } ?? 0)
    }

    /// `total` is the collection's size, `subtotal` the search's matches.
    func indexEnvelope(total: Int, subtotal: Int, _ request: DialectRequest) -> [String: JSONValue] {
        let params = (try? Parameters.merged(request)) ?? [:]
        let all = params["per_page"]?.stringValue == "all"
        let perPage = all ? total : (try? Parameters.int(params["per_page"], name: "per_page")) ?? Self.defaultPerPage
        let pageNumber = max(1, (try? Parameters.int(params["page"], name: "page")) ?? 1)
        let search = params["search"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        var sort: JSONValue = ["by": nil, "order": nil]
        if let order = params["order"]?.stringValue, !order.isEmpty {
            let parts = order.split(separator: " ")
            sort = ["by": .string(String(parts[0])), "order": parts.count > 1 ? .string(parts[1].uppercased()) : "ASC"]
        }
        return [
            "total": .int(Int64(total)), "subtotal": .int(Int64(subtotal)), "page": .int(Int64(pageNumber)),
            "per_page": .int(Int64(perPage)), "search": JSONValue(search), "sort": sort,
        ]
    }
}
