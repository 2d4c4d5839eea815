import GRDB

/// htaiyun's list rules, shared by applications, instances and members.
extension ListWindow {
    /// Sorted by the requested column (creation by default), the row id breaking ties.
    func ordering<R>(_ request: QueryInterfaceRequest<R>) -> QueryInterfaceRequest<R> {
        let column: Column = switch order {
        case .name: Column("name")
        case .updated: Column("updatedAt")
        case .created, nil: Column("createdAt")
        }
        return ascending ? request.order(column.asc, Column("id").asc) : request.order(column.desc, Column("id").desc)
    }

    static func validateName(_ name: String, max: Int) throws {
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw CanonicalError.invalidParameter(field: "name", message: "can't be blank")
        }
        if name.count > max {
            throw CanonicalError.invalidParameter(field: "name", message: "is too long (maximum is \(max) characters)")
        }
    }
}
