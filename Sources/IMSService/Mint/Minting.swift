import Foundation
import IMSModel
import NIOConcurrencyHelpers

/// One command's minting, bound to the task that runs it (`Minting.current`): each time, value
/// and row id it asks for comes from the `Minted` it was handed, in order, and whatever was not
/// handed is decided now (by the mint, or by the store for a row id). Either way it is noted, so
/// the command answers every value it used.
///
/// A task-local rather than a parameter: the mint is read deep in the service (and in job work
/// and uploads), and the dialect path, which binds none, mints exactly as before.
final class Minting: Sendable {
    @TaskLocal static var current: Minting?

    fileprivate struct State {
        /// `nil` until first asked when the values are handed later (`init(later:)`).
        var handed: Minted?
        var taken = Minted()
    }

    private let state: NIOLockedValueBox<State>
    private let later: (@Sendable () -> Minted?)?

    init(_ given: Minted?) {
        state = NIOLockedValueBox(State(handed: given ?? Minted()))
        later = nil
    }

    /// Values known only once the work has begun: a shadow's secondary reads an upload's bytes
    /// while the primary still stores them, and takes the primary's values when it asks for its
    /// first one, after the bytes have ended.
    init(later: @escaping @Sendable () -> Minted?) {
        state = NIOLockedValueBox(State(handed: nil))
        self.later = later
    }

    /// What the command used.
    var minted: Minted { state.withLockedValue { $0.taken } }

    func time(_ fresh: () -> Date) -> Date {
        state.withLockedValue { s in
            let index = s.taken.times.count
            let time = index < s.given(later).times.count ? s.given(later).times[index] : fresh()
            s.taken.times.append(time)
            return time
        }
    }

    func value(_ kind: Mint.Kind, _ fresh: () -> String) -> String {
        state.withLockedValue { s in
            let index = s.taken.values[kind.rawValue, default: []].count
            let given = s.given(later).values[kind.rawValue, default: []]
            let value = index < given.count ? given[index] : fresh()
            s.taken.values[kind.rawValue, default: []].append(value)
            return value
        }
    }

    /// Whether the last `kind` value, which a store refused as taken, may be minted again: not
    /// when it was handed, as the records would then differ from the first run's.
    func retract(_ kind: Mint.Kind) -> Bool {
        state.withLockedValue { s in
            let taken = s.taken.values[kind.rawValue, default: []]
            guard !taken.isEmpty, taken.count > s.given(later).values[kind.rawValue, default: []].count else { return false }
            s.taken.values[kind.rawValue]?.removeLast()
            return true
        }
    }

    /// The row id handed for the next `table` row (the `ahead`-th after it, for rows inserted
    /// together), or nil: the store assigns one.
    func rowId(_ table: Minted.RowTable, ahead: Int = 0) -> Int64? {
        state.withLockedValue { s in
            let index = s.taken.rowIds[table.key, default: []].count + ahead
            let given = s.given(later).rowIds[table.key, default: []]
            return index < given.count ? given[index] : nil
        }
    }

    /// Notes the row id a `table` row was stored under.
    func stored(_ table: Minted.RowTable, _ id: Int64) {
        state.withLockedValue { s in s.taken.rowIds[table.key, default: []].append(id) }
    }
}

private extension Minting.State {
    /// The handed values, asked of `later` until it has them.
    /// (Asked before they are there, e.g. the upload's start time, none is handed: that value is
    /// minted fresh, in its place, as the primary minted its own there.)
    mutating func given(_ later: (@Sendable () -> Minted?)?) -> Minted {
        if let handed { return handed }
        guard let values = later?() else { return Minted() }
        handed = values
        return values
    }
}
