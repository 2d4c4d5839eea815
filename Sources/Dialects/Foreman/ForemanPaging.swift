import GatewayHTTP
import IMSModel

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

    /// The window to list, and what the index answer echoes of it.
    func listWindow(_ request: DialectRequest, echo: inout Echo) throws(CanonicalError) -> Window {
        let params = try Parameters.merged(request)
        let search = try Parameters.string(params["search"], name: "search").flatMap { $0.isEmpty ? nil : $0 }
        let order = try Parameters.string(params["order"], name: "order").flatMap { $0.isEmpty ? nil : $0 }
        let page = max(1, try Parameters.int(params["page"], name: "page") ?? 1)
        let limit: Int?
        if params["per_page"]?.stringValue == "all" {
            limit = nil
            echo.everything = true
        } else {
            let perPage = try Parameters.int(params["per_page"], name: "per_page") ?? Self.defaultPerPage
            guard perPage >= 1 else { throw .invalidParameter(field: "per_page", message: "must be greater than 0") }
            limit = perPage >= Self.unboundedPerPage ? nil : perPage
            echo.pageSize = perPage
        }
        (echo.page, echo.search, echo.order) = (page, search, order)
        // As Foreman reads it: anything but a true value is false.
        echo.thin = (try? Parameters.bool(params["thin"], name: "thin")) ?? false
        return Window(search: search, order: order, page: page, limit: limit,
                      offset: limit.map { Parameters.offset(page: page, size: $0) } ?? 0)
    }

    /// `total` is the collection's size, `subtotal` the search's matches.
    func indexEnvelope(total: Int, subtotal: Int, _ echo: Echo) -> [String: JSONValue] {
        let perPage = echo.everything ? total : echo.pageSize ?? Self.defaultPerPage
        var sort: JSONValue = ["by": nil, "order": nil]
        if let order = echo.order {
            let parts = order.split(separator: " ")
            sort = ["by": .string(String(parts[0])), "order": parts.count > 1 ? .string(parts[1].uppercased()) : "ASC"]
        }
        return [
            "total": .int(Int64(total)), "subtotal": .int(Int64(subtotal)), "page": .int(Int64(echo.page)),
            "per_page": .int(Int64(perPage)), "search": JSONValue(echo.search), "sort": sort,
        ]
    }
}
