import IMSModel

/// CECSTACK's rule, stated once: an image others were given cannot be deleted from under them.
/// Stores enforce it inside the delete (`ImageStore.deleteAll(_:unless:)`); the service checks
/// a resolved image against it only to name the refusal.
enum ImageDeletion {
    /// What keeps an image from being deleted.
    static let holds: [ImageHold] = [.shared]

    /// Refuses an image the rule keeps.
    static func check(_ match: ImageRefMatch) throws {
        if match.isShared { throw CanonicalError.rejected(.imageIsShared, "image \(match.imageId) is shared") }
    }
}
