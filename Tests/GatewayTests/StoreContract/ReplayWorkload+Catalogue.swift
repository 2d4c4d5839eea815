import Foundation
@testable import IMSModel

/// The workload's Foreman catalogue steps (`ReplayWorkload.run`).
extension ReplayWorkload {
    static func catalogue(_ r: inout Recorder) async throws {
        for kind in CatalogEntry.Kind.allCases {
            try await r.run(.listCatalog(CatalogQuery(kind: kind)), as: zhang)
        }
        func create(_ kind: CatalogEntry.Kind, _ fields: [CatalogField: String], extra: [String: JSONValue] = [:],
                    as who: Identity = admin) async throws {
            try await r.run(.createCatalogEntry(kind, CatalogPatch(fields: fields, extra: extra)), as: who)
        }
        try await create(.architecture, [.name: "aarch64"])
        try await create(.architecture, [.name: "x86_64"])
        try await create(.architecture, [.name: "X86_64"])
        try await create(.architecture, [.name: ""])
        try await create(.architecture, [.name: "  "])
        try await create(.architecture, [.name: "arch" + nul])
        try await create(.architecture, [.name: "arch" + controls])
        try await create(.architecture, [.name: String(repeating: "a", count: 255)])
        try await create(.architecture, [.name: String(repeating: "b", count: 256)])
        try await create(.architecture, [.name: "riscv64"], as: zhang)
        try await create(.operatingsystem, [.name: "Ubuntu", .major: "22", .minor: "04", .family: "Debian",
                                            .description: "Ubuntu 22.04 LTS"])
        try await create(.operatingsystem, [.name: "CentOS", .major: "9"])
        try await create(.operatingsystem, [.name: "麒麟", .major: "10", .description: "银河麒麟" + tricky])
        try await create(.operatingsystem, [.name: "Debian", .major: "12", .description: "nul" + nul])
        try await create(.operatingsystem, [.name: "Fedora", .major: "40"], extra: ["release_name": "中文", "nested": ["a": 1, "b": [true, .null]]])
        try await create(.operatingsystem, [.name: "Alpine", .major: "3"], extra: ["bad": .string("x" + nul + "y")])
        try await create(.computeResource, [.name: "ovirt", .provider: "Ovirt", .url: "https://ovirt.example/api",
                                           .description: ""])
        try await create(.computeResource, [.name: "libvirt", .provider: "Libvirt"])
        try await create(.computeResource, [.name: "vmware", .url: "https://vc" + nul])

        for ref in ["1", "2", "99", "CentOS 9", "CentOS", "Ubuntu 22.04", "麒麟 10", "", nul, "CentOS" + nul + "x", "x86_64"] {
            try await r.run(.getCatalogEntry(CatalogSelector(.operatingsystem, ref)), as: zhang)
        }
        try await r.run(.getCatalogEntry(CatalogSelector(.architecture, "x86_64")), as: zhang)
        try await r.run(.getCatalogEntry(CatalogSelector(.computeResource, "ovirt")), as: zhang)
        func update(_ kind: CatalogEntry.Kind, _ ref: String, _ fields: [CatalogField: String], extra: [String: JSONValue] = [:],
                    as who: Identity = admin) async throws {
            try await r.run(.updateCatalogEntry(CatalogSelector(kind, ref), CatalogPatch(fields: fields, extra: extra)), as: who)
        }
        try await update(.architecture, "aarch64", [.name: "arm64"])
        try await update(.architecture, "arm64", [.name: "x86_64"])
        try await update(.architecture, "arm64", [.name: "arm" + nul])
        try await update(.architecture, "arm64", [.name: ""])
        try await update(.architecture, "arm64", [.name: "arm64"], as: zhang)
        try await update(.operatingsystem, "Ubuntu 22.04", [.minor: "10"], extra: ["codename": "kinetic"])
        try await update(.operatingsystem, "1", [.description: "CentOS 7 — 中文"])
        try await update(.computeResource, "ovirt", [.url: "", .description: String(repeating: "长", count: 5000)])
        try await update(.computeResource, "nope", [.url: "x"])

        for kind in CatalogEntry.Kind.allCases {
            try await r.run(.listCatalog(CatalogQuery(kind: kind, sort: [.name], descending: true)), as: zhang)
        }
        let searches: [Match<CatalogCondition>] = [
            .condition(CatalogCondition(.name, .eq, ["CentOS"])), .condition(CatalogCondition(.name, .eq, ["centos"])),
            .condition(CatalogCondition(.name, .contains, ["bunt"])), .condition(CatalogCondition(.name, .contains, ["麒"])),
            .condition(CatalogCondition(.name, .contains, [.string(nul)])), .condition(CatalogCondition(.name, .ne, ["CentOS"])),
            .condition(CatalogCondition(.major, .in, ["7", "22"])), .condition(CatalogCondition(.id, .gt, [1])),
            .condition(CatalogCondition(.title, .eq, ["CentOS 9"])), .condition(CatalogCondition(.description, .eq, [""])),
            .any([.condition(CatalogCondition(.name, .eq, ["Ubuntu"])), .not(.condition(CatalogCondition(.major, .eq, ["7"])))]),
        ]
        for search in searches {
            try await r.run(.listCatalog(CatalogQuery(kind: .operatingsystem, match: search, sort: [.id])), as: zhang)
        }
        try await r.run(.listCatalog(CatalogQuery(kind: .operatingsystem, sort: [.major, .name], offset: 1, limit: 2)), as: zhang)
        try await r.run(.listCatalog(CatalogQuery(kind: .operatingsystem, sort: [.title], descending: true)), as: zhang)

        // Entries images hang under stay.
        try await r.run(.deleteCatalogEntry(CatalogSelector(.computeResource, "libvirt")), as: admin)
        try await r.run(.deleteCatalogEntry(CatalogSelector(.operatingsystem, "2")), as: admin)
        try await r.run(.deleteCatalogEntry(CatalogSelector(.architecture, "x86_64")), as: admin)
        try await r.run(.deleteCatalogEntry(CatalogSelector(.architecture, "arm64")), as: zhang)
        try await r.run(.deleteCatalogEntry(CatalogSelector(.architecture, "arm64")), as: admin)
        try await r.run(.deleteCatalogEntry(CatalogSelector(.architecture, "arm64")), as: admin)
        try await r.run(.deleteCatalogEntry(CatalogSelector(.computeResource, "ovirt")), as: admin)
        try await create(.architecture, [.name: "aarch64"])
        try await r.run(.listCatalog(CatalogQuery(kind: .architecture, sort: [.id])), as: zhang)
    }
}
