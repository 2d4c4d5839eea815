import Foundation

/// Everything decided once for one command (DESIGN §6): the times it read, the ids, refs and
/// secrets it minted, and the row ids its stores assigned. Running a command answers its
/// `Minted` with its result; a second backend handed the command and this value stores the
/// same records (a shadow, a migration target, the backend behind a remote front).
///
/// Each list is in the order the command asked: a command takes the same path on a store
/// holding the same records, so the n-th value it asks for is the n-th one recorded.
public struct Minted: Codable, Sendable, Equatable {
    /// Clock readings; the first is the command's time.
    public var times: [Date]
    /// Minted values by kind (`Mint.Kind`: image refs, job ids, upload ids and tokens, …).
    public var values: [String: [String]]
    /// Row ids by table (`RowTable`), each the id the row was stored under.
    public var rowIds: [String: [Int64]]

    public init(times: [Date] = [], values: [String: [String]] = [:], rowIds: [String: [Int64]] = [:]) {
        self.times = times
        self.values = values
        self.rowIds = rowIds
    }

    /// The tables whose row ids a command can assign (catalogue entries per kind, as their ids are).
    public enum RowTable: Sendable {
        case image, application, instance, share
        case catalogue(CatalogEntry.Kind)

        package var key: String {
            switch self {
            case .image: "image"
            case .application: "application"
            case .instance: "instance"
            case .share: "share"
            case .catalogue(let kind): "catalogue." + kind.rawValue
            }
        }
    }
}
