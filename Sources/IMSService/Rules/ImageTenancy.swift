import IMSModel

/// The tenancy rule, stated once: an operator sees every tenant's images; anyone else public
/// ones, their tenant's own, and those shared with them. `own` is the non-public part of what
/// one sees as one's tenant's. Stores translate the reach; they do not decide it.
extension ImageReach {
    public static func of(_ scope: ImageScope, for identity: Identity) -> ImageReach {
        switch (scope, identity.isOperator) {
        case (.visible, true): .all
        case (.visible, false): .visible(tenant: identity.tenant, user: identity.user)
        case (.publicOnly, _): .publicOnly
        case (.own, true): .nonPublic(tenant: nil)
        case (.own, false): .nonPublic(tenant: identity.tenant)
        }
    }

    /// What someone of `tenant` who is `user` sees.
    public static func visible(tenant: String, user: String) -> ImageReach {
        .anyOf([[.isPublic], [.ownedBy(tenant)], [.sharedWith(user)]])
    }

    public static let publicOnly = ImageReach.anyOf([[.isPublic]])

    /// The non-public images of `tenant` (of every tenant when nil).
    public static func nonPublic(tenant: String?) -> ImageReach {
        .anyOf([[.notPublic] + (tenant.map { [.ownedBy($0)] } ?? [])])
    }
}
