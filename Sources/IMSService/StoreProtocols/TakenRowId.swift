import IMSModel

/// A row id handed to an insert (`Minted`) that another row already holds: the stores refuse
/// it in these words, so the replaying side learns the stores have parted (not a store fault).
package enum TakenRowId {
    package static let error = CanonicalError.conflict(field: "id", message: "has already been taken")
}
