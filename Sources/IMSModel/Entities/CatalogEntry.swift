import Foundation

/// A parent record Foreman hangs images under: a compute resource, an operating system or an
/// architecture. Seeded from the config, and a resource of Foreman's API in its own right.
public struct CatalogEntry: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case computeResource = "compute_resource"
        case operatingsystem
        case architecture

        /// The image column that names an entry of this kind as an image's parent: the one
        /// place every store and the service read it from.
        public var imageField: ImageField {
            switch self {
            case .computeResource: .computeResourceId
            case .operatingsystem: .operatingsystemId
            case .architecture: .architectureId
            }
        }
    }
    public var kind: Kind
    public var id: Int64
    public var name: String
    /// Foreman's label, which image answers show as `*_name`: an operating system's description,
    /// or its name and release ("Debian 12"); the name for the other kinds. Derived, see `labelled`.
    public var title: String
    /// Operating systems: release numbers (text, as Foreman keeps them) and family.
    public var major: String
    public var minor: String
    public var family: String
    public var description: String
    /// Compute resources: Foreman's provider name (`Libvirt`) and connection URL.
    public var provider: String
    public var url: String
    /// The kind's other declared attributes (`release_name`, `display_type`, …), as sent.
    public var extra: [String: JSONValue]
    public var createdAt: Date
    public var updatedAt: Date

    public init(kind: Kind, id: Int64, name: String, major: String = "", minor: String = "", family: String = "",
                description: String = "", provider: String = "", url: String = "", extra: [String: JSONValue] = [:],
                now: Date = Date(timeIntervalSince1970: 0)) {
        self.kind = kind
        self.id = id
        self.name = name
        self.title = name
        self.major = major
        self.minor = minor
        self.family = family
        self.description = description
        self.provider = provider
        self.url = url
        self.extra = extra
        self.createdAt = now
        self.updatedAt = now
        self = labelled
    }

    /// The text of one field (nil for `id`, the one number).
    public func text(_ field: CatalogField) -> String? {
        switch field {
        case .id: nil
        case .name: name
        case .title: title
        case .major: major
        case .minor: minor
        case .family: family
        case .description: description
        case .provider: provider
        case .url: url
        }
    }

    /// The entry with its `title` derived as Foreman derives it.
    public var labelled: CatalogEntry {
        var copy = self
        if kind == .operatingsystem {
            let release = major.isEmpty ? "" : minor.isEmpty ? major : "\(major).\(minor)"
            copy.title = !description.isEmpty ? description : release.isEmpty ? name : "\(name) \(release)"
        } else {
            copy.title = name
        }
        return copy
    }
}
