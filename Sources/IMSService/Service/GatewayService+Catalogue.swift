import Foundation
import IMSModel

/// Foreman's catalogue and the rules of images hanging under its entries.
extension GatewayService {
    static let parentFields = CatalogEntry.Kind.allCases.map { ($0.imageField, $0) }

    /// The parents' name fields, with the id field and kind each names.
    static let parentNames: [ImageField: (ImageField, CatalogEntry.Kind)] = [
        .computeResourceName: (.computeResourceId, .computeResource), .operatingsystemName: (.operatingsystemId, .operatingsystem),
        .architectureName: (.architectureId, .architecture),
    ]

    /// By id when the reference is a number, else by name (an operating system also by title),
    /// as Foreman finds them.
    func catalogEntry(_ selector: CatalogSelector) async throws -> CatalogEntry {
        let found: CatalogEntry?
        if let id = Int64(selector.ref) {
            found = try await stores.catalogue.entry(selector.kind, id: id)
        } else {
            found = try await stores.catalogue.entry(selector.kind, named: selector.ref)
        }
        guard let found else { throw CanonicalError.notFound(kind: selector.kind.rawValue, id: selector.ref) }
        return found
    }

    /// Parents named by name or title in a path (Foreman finds them either way) as conditions on
    /// their ids; a name that does not exist makes the collection itself not found. A parent given
    /// by id is not read here: the caller checks it with `requireParents` only when it must (a
    /// list always, a GET only on a miss: an image hangs only under entries that exist), which
    /// keeps a Foreman GET-by-id at one store read.
    nonisolated(nonsending) func resolveParents(_ conditions: [ImageCondition]) async throws -> [ImageCondition] {
        var resolved: [ImageCondition] = []
        for c in conditions {
            guard c.op == .eq, let (idField, kind) = Self.parentNames[c.field], case .string(let ref)? = c.values.first else {
                resolved.append(c)
                continue
            }
            if let id = Int64(ref) {
                resolved.append(.eq(idField, .int(id)))
            } else {
                resolved.append(.eq(idField, .int(try await catalogEntry(CatalogSelector(kind, ref)).id)))
            }
        }
        return resolved
    }

    /// A collection under a parent that does not exist is itself not found.
    nonisolated(nonsending) func requireParents(_ conditions: [ImageCondition]) async throws {
        for c in conditions where c.op == .eq {
            guard let kind = Self.parentFields.first(where: { $0.0 == c.field })?.1, case .int(let id) = c.values.first else { continue }
            if try await !stores.catalogue.contains(kind, id: id) {
                throw CanonicalError.notFound(kind: kind.rawValue, id: String(id))
            }
        }
    }

    /// An image may only hang under catalogue entries that exist.
    func checkReferences(_ image: Image) async throws {
        let ids = [image.computeResourceId, image.operatingsystemId, image.architectureId]
        for ((field, kind), id) in zip(Self.parentFields, ids) {
            guard let id else { continue }
            if try await !stores.catalogue.contains(kind, id: id) {
                throw CanonicalError.invalidParameter(field: field.rawValue, message: "is invalid")
            }
        }
    }

    func createCatalogEntry(_ kind: CatalogEntry.Kind, _ patch: CatalogPatch, as identity: Identity, now: Date) async throws
        -> CatalogEntry
    {
        try Self.requireOperator(identity)
        // 0: the store takes the kind's next id.
        var entry = CatalogEntry(kind: kind, id: Minting.current?.rowId(.catalogue(kind)) ?? 0, name: "", now: now)
        Self.apply(patch, to: &entry)
        try Self.validate(entry)
        let stored = try await stores.catalogue.insert(entry, unique: CatalogueUniqueness.fields(of: kind))
        Minting.current?.stored(.catalogue(kind), stored.id)
        return stored
    }

    func updateCatalogEntry(_ selector: CatalogSelector, _ patch: CatalogPatch, as identity: Identity, now: Date) async throws
        -> CatalogEntry
    {
        try Self.requireOperator(identity)
        var entry = try await catalogEntry(selector)
        Self.apply(patch, to: &entry)
        entry.updatedAt = now
        try Self.validate(entry)
        return try await stores.catalogue.update(entry, unique: CatalogueUniqueness.fields(of: entry.kind))
    }

    /// Refused while images hang under the entry, as Foreman refuses it (the store's check).
    func deleteCatalogEntry(_ selector: CatalogSelector, as identity: Identity) async throws -> CatalogEntry {
        try Self.requireOperator(identity)
        let entry = try await catalogEntry(selector)
        _ = try await stores.catalogue.delete(entry.kind, id: entry.id)
        return entry
    }

    /// The catalogue is shared by every tenant: only an operator changes it.
    static func requireOperator(_ identity: Identity) throws {
        guard identity.isOperator else { throw CanonicalError.forbidden("only an operator may change the catalogue") }
    }

    static func apply(_ patch: CatalogPatch, to entry: inout CatalogEntry) {
        for (field, value) in patch.fields {
            switch field {
            case .id, .title: break
            case .name: entry.name = value
            case .major: entry.major = value
            case .minor: entry.minor = value
            case .family: entry.family = value
            case .description: entry.description = value
            case .provider: entry.provider = value
            case .url: entry.url = value
            }
        }
        entry.extra.merge(patch.extra) { _, new in new }
        entry = entry.labelled
    }

    /// Foreman's rules on a name (its uniqueness is the store's atomic check).
    static func validate(_ entry: CatalogEntry) throws {
        if entry.name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw CanonicalError.invalidParameter(field: "name", message: "can't be blank")
        }
        if entry.name.count > 255 {
            throw CanonicalError.invalidParameter(field: "name", message: "is too long (maximum is 255 characters)")
        }
    }
}
