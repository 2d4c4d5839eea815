import Foundation
import IMSModel

/// Image rules: tenancy on every read, ownership on every change, Foreman's parents.
extension GatewayService {
    /// A ref that parses as an integer is a row id, anything else an `img-…` reference.
    static func key(_ ref: String) -> ImageKey { Int64(ref).map(ImageKey.row) ?? .ref(ref) }

    nonisolated(nonsending) func find(_ selector: ImageSelector, as identity: Identity) async throws -> ImageView {
        let within = selector.within.isEmpty ? [] : try await resolveParents(selector.within)
        if let found = try await stores.images.image(Self.key(selector.ref), reach: .of(.visible, for: identity), within: within) {
            return found
        }
        try await requireParents(within)
        throw CanonicalError.notFound(kind: "image", id: selector.ref)
    }

    /// Like `find`, but only images the caller may change: its own tenant's (any, for an operator).
    func findWritable(_ selector: ImageSelector, as identity: Identity) async throws -> ImageView {
        let found = try await find(selector, as: identity)
        guard identity.isOperator || found.image.owner == identity.tenant else {
            throw CanonicalError.forbidden("image \(selector.ref) belongs to another tenant")
        }
        return found
    }

    nonisolated(nonsending) func listImages(_ query: ImageQuery, as identity: Identity) async throws -> ImagePage {
        var query = query
        if !query.base.isEmpty {
            query.base = try await resolveParents(query.base)
            try await requireParents(query.base)
        }
        return try await stores.images.images(query, reach: .of(query.scope, for: identity))
    }

    func createImage(_ patch: ImagePatch, as identity: Identity, now: Date, job: (@Sendable (String) -> Job)? = nil) async throws
        -> ImageView
    {
        var patch = patch
        // Made under a parent named by name (`/api/compute_resources/libvirt/images`).
        for (nameField, (idField, kind)) in Self.parentNames {
            guard let ref = patch.removeValue(forKey: nameField)?.stringValue else { continue }
            patch[idField] = .int(try await catalogEntry(CatalogSelector(kind, ref)).id)
        }
        try ImageRules.validate(patch, creating: true)
        var image = Image(imageId: "", name: "", now: now)
        image.owner = identity.tenant
        Self.apply(patch, to: &image, as: identity)
        // The dialect says what state a new image starts in (CECSTACK metadata: queued).
        if let status = patch[.status]?.stringValue.flatMap(ImageStatus.init(rawValue:)) { image.status = status }
        if let source = patch[.sourceType]?.stringValue { image.sourceType = source }
        try await checkReferences(image)
        return try await insert(image, job: job)
    }

    /// Inserts with a freshly minted `img-…` reference, minting again in the rare case it is
    /// taken (never a handed one: the records would differ from the first run's).
    func insert(_ image: Image, job: (@Sendable (String) -> Job)?) async throws -> ImageView {
        var image = image
        image.id = Minting.current?.rowId(.image)
        var attempt = 0
        while true {
            image.imageId = mint.imageRef()
            do {
                let stored = try await stores.images.insert(image, job: job?(image.imageId), unique: ImageUniqueness.keys)
                if let id = stored.image.id { Minting.current?.stored(.image, id) }
                return stored
            } catch CanonicalError.conflict(field: "imageId", _) where attempt < 8 && Minting.current?.retract(.imageRef) ?? true {
                attempt += 1
            }
        }
    }

    /// Made from a stopped instance, `saving` until the job that answers the request finishes it.
    func capture(instance: String, _ patch: ImagePatch, as identity: Identity, now: Date, job: (@Sendable (String) -> Job)?)
        async throws -> ImageView
    {
        var patch = patch
        if patch[.name] == nil { patch[.name] = .string(instance) }
        var image = Image(imageId: "", name: "", now: now)
        image.owner = identity.tenant
        image.sourceType = "instance"
        image.provider = "self"
        image.status = .saving
        image.transitionStatus = "creating"
        try ImageRules.validate(patch, creating: true)
        Self.apply(patch, to: &image, as: identity)
        return try await insert(image, job: job)
    }

    /// The image as `updateImage` would write it, every check made, nothing written.
    func updated(_ selector: ImageSelector, _ patch: ImagePatch, as identity: Identity, now: Date) async throws -> Image {
        try ImageRules.validate(patch, creating: false)
        var image = try await findWritable(selector, as: identity).image
        // The stored bytes are in one format; relabelling them would lie (CECSTACK's rule).
        if let format = patch[.diskFormat]?.stringValue, format != image.diskFormat {
            throw CanonicalError.invalidParameter(field: ImageField.diskFormat.rawValue,
                                                  message: "must equal the image's disk format (\(image.diskFormat))")
        }
        Self.apply(patch, to: &image, as: identity)
        image.updatedAt = now
        try await checkReferences(image)
        return image
    }

    func updateImage(_ selector: ImageSelector, _ patch: ImagePatch, as identity: Identity, now: Date) async throws -> ImageView {
        // Only the fields the patch names are written: a concurrent change of others is kept.
        try await stores.images.update(try await updated(selector, patch, as: identity, now: now), fields: Set(patch.keys),
                                       unique: ImageUniqueness.keys)
    }

    /// Deleted unless `ImageDeletion` keeps it.
    func deleteImage(_ selector: ImageSelector, as identity: Identity) async throws -> ImageView {
        let found = try await findWritable(selector, as: identity)
        if try await stores.images.deleteAll([found.image.imageId], unless: ImageDeletion.holds) { return found }
        if let match = try await stores.images.resolve([found.image.imageId], reach: .all).first ?? nil {
            try ImageDeletion.check(match)
        }
        throw CanonicalError.notFound(kind: "image", id: selector.ref)
    }

    /// All-or-nothing: every ref must name an image the caller may delete, or nothing is
    /// deleted. Answers the deleted images' references.
    func batchDelete(_ refs: [String], as identity: Identity) async throws -> [String] {
        // Checked, then deleted if nothing changed meanwhile; if something did, checked again.
        for _ in 0..<3 {
            let imageIds = try await batchTargets(refs, as: identity)
            if try await stores.images.deleteAll(imageIds, unless: ImageDeletion.holds) { return imageIds }
        }
        throw CanonicalError.internal("the batch's images kept changing while it was deleted")
    }

    /// What `batchDelete` would delete, with every check it makes, changing nothing. A ref is an
    /// image id, or a row id (which wins when a number is both); the first ref that fails a check
    /// names the error, and a ref given twice is deleted once.
    func batchTargets(_ refs: [String], as identity: Identity) async throws -> [String] {
        let matches = try await stores.images.resolve(refs, reach: .of(.visible, for: identity))
        var imageIds: [String] = []
        imageIds.reserveCapacity(refs.count)
        var seen = Set<Int64>(minimumCapacity: refs.count)
        for (ref, match) in zip(refs, matches) {
            guard let match else { throw CanonicalError.notFound(kind: "image", id: ref) }
            guard identity.isOperator || match.owner == identity.tenant else {
                throw CanonicalError.forbidden("image \(ref) belongs to another tenant")
            }
            try ImageDeletion.check(match)
            if seen.insert(match.rowID).inserted { imageIds.append(match.imageId) }
        }
        return imageIds
    }

    static func apply(_ patch: ImagePatch, to image: inout Image, as identity: Identity) {
        for (field, value) in patch where field.isWritable {
            // Only an operator may hand an image to another tenant.
            if field == .owner, !identity.isOperator { continue }
            if field == .owner, value.stringValue?.isEmpty ?? true { continue }
            image.set(field, value)
        }
    }
}
