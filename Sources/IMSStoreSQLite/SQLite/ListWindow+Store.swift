import GRDB
import IMSModel

/// htaiyun's list order in the SQLite store, shared by applications, instances and members.
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
}
