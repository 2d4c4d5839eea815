import Foundation
import IMSModel

/// Where each canonical image field lives in OpenStack Glance (issue 25): THE one table. A field
/// is a Glance core attribute, a standard property other OpenStack tools read (`architecture`,
/// `os_distro`, …), a namespaced `ims_*` property, or the gateway's alone.
///
/// Writing (`GlanceFields.document`) and reading (`GlanceFields.image`) are pure functions of
/// this table, so that an image written and read back is the image (tested field by field).
/// Properties whose value is the canonical default are left out: an image made in Glance
/// directly reads with the defaults a new canonical image has.
public enum GlanceHome: Sendable, Equatable {
    /// A core attribute of Glance's image schema (`name`, `min_disk`, …).
    case core(String)
    /// A core attribute Glance decides and the gateway only reads (`size`, `checksum`).
    case measured(String)
    /// A property OpenStack's own tools know; `translated` when the two vocabularies differ
    /// (the canonical value is then also kept as `ims_*` when the translation would lose it).
    case standard(String, translated: Bool = false)
    /// A property of the gateway's own, `ims_` + the field's name in snake case.
    case ims(String)
    /// Kept by the gateway only, with why.
    case gateway(String)
}

public enum GlanceFields {
    /// Every canonical field's home. `GlanceFieldsTests` checks that every `ImageField` has one.
    public static func home(_ field: ImageField) -> GlanceHome {
        switch field {
        case .id: .gateway("integer row id: the index's, as are totals, offsets and order")
        case .imageId: .ims("ims_image_id")
        case .name: .core("name")
        case .description: .standard("description")
        case .status: .ims("ims_status")
        case .transitionStatus: .ims("ims_transition_status")
        case .imageType: .ims("ims_image_type")
        case .diskFormat: .core("disk_format")
        case .minDisk: .core("min_disk")
        case .minRam: .core("min_ram")
        case .cpuArch: .standard("architecture", translated: true)
        case .bits: .ims("ims_bits")
        case .osType: .standard("os_type")
        case .osVersion: .standard("os_version")
        case .platform: .standard("os_distro", translated: true)
        case .visibility: .core("visibility")
        case .bootMode: .standard("hw_firmware_type", translated: true)
        case .usage: .ims("ims_usage")
        case .owner: .core("owner")
        case .departmentId: .ims("ims_department_id")
        case .resourceGroupId: .ims("ims_resource_group_id")
        case .region: .ims("ims_region")
        case .size: .measured("size")
        case .checksum: .measured("checksum")
        case .username: .standard("os_admin_user")
        case .password: .gateway("a default password: any project that can see an image reads its properties")
        case .uuid: .ims("ims_uuid")
        case .userData: .ims("ims_user_data")
        case .computeResourceId: .ims("ims_compute_resource_id")
        case .operatingsystemId: .ims("ims_operatingsystem_id")
        case .architectureId: .ims("ims_architecture_id")
        case .provider: .ims("ims_provider")
        case .zone: .ims("ims_zone")
        case .sourceType: .ims("ims_source_type")
        case .uploadId: .ims("ims_upload_id")
        case .errMessage: .ims("ims_err_message")
        case .createdAt: .ims("ims_created_at")
        case .updatedAt: .ims("ims_updated_at")
        case .statusTime: .ims("ims_status_time")
        case .computeResourceName, .operatingsystemName, .architectureName:
            .gateway("the Foreman catalogue's title, joined on read")
        }
    }

    /// The `ims_*` property that keeps a translated field's canonical value when the standard
    /// property cannot say it exactly.
    static func exact(_ field: ImageField) -> String {
        "ims_" + field.rawValue.reduce(into: "") { name, c in
            if c.isUppercase { name += "_" + c.lowercased() } else { name.append(c) }
        }
    }

    /// Glance's `disk_format`s (33.0.0's default list).
    public static let diskFormats: Set<String> = ["ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop"]

    /// Glance's own attributes, as opposed to properties.
    static let coreKeys: Set<String> = ["id", "name", "owner", "status", "visibility", "disk_format", "container_format", "checksum",
                                        "os_hash_algo", "os_hash_value", "created_at", "updated_at", "size", "virtual_size",
                                        "min_disk", "min_ram", "protected", "file", "schema", "self"]

    /// Every image of ours is `bare`: the gateway has no containers.
    public static let containerFormat = "bare"

    /// Which Glance project a canonical tenant is, and back (config; the identity by default).
    public struct Projects: Sendable, Equatable {
        public var byTenant: [String: String]

        public init(_ byTenant: [String: String] = [:]) { self.byTenant = byTenant }

        public func project(_ tenant: String) -> String { byTenant[tenant] ?? tenant }

        public func tenant(_ project: String) -> String {
            byTenant.first { $0.value == project }?.key ?? project
        }
    }

    // MARK: - Translations between vocabularies

    /// libosinfo's architecture names (Glance's `architecture`) for the canonical (cpuArch, bits).
    static let architectures: [(cpuArch: String, bits: ProcessorBits, glance: String)] = [
        ("x86", .bits64, "x86_64"), ("x86", .bits32, "i686"), ("arm", .bits64, "aarch64"), ("arm", .bits32, "armv7l"),
    ]

    static func glanceArchitecture(_ cpuArch: String, _ bits: ProcessorBits) -> String? {
        if cpuArch.isEmpty { return nil }
        return architectures.first { $0.cpuArch == cpuArch.lowercased() && $0.bits == bits }?.glance ?? cpuArch.lowercased()
    }

    static func canonicalArchitecture(_ glance: String) -> (cpuArch: String, bits: ProcessorBits?) {
        if let known = architectures.first(where: { $0.glance == glance }) { return (known.cpuArch, known.bits) }
        return (glance, nil)
    }

    // MARK: - Writing

    /// The image as Glance holds it: core attributes (JSON values) and properties (strings).
    /// `size` and `checksum` are Glance's to measure and are not written; `password` and the
    /// row id never leave the gateway.
    public struct Document: Sendable, Equatable {
        public var core: [String: JSONValue]
        public var properties: [String: String]

        public init(core: [String: JSONValue] = [:], properties: [String: String] = [:]) {
            self.core = core
            self.properties = properties
        }

        /// The body of `POST /v2/images`: core and properties in one object.
        public var createBody: [String: JSONValue] {
            core.merging(properties.mapValues { .string($0) }) { a, _ in a }
        }
    }

    /// Where a new canonical image's default value stands, so properties holding it are left out.
    static let defaults = Image(imageId: "", name: "", now: Date(timeIntervalSince1970: 0))

    public static func document(_ image: Image, projects: Projects = Projects()) -> Document {
        var doc = Document()
        let d = defaults
        func put(_ key: String, _ value: String, unless dflt: String) { if value != dflt { doc.properties[key] = value } }
        doc.core["name"] = .string(image.name)
        doc.core["container_format"] = .string(containerFormat)
        let disk = image.diskFormat.lowercased()
        doc.core["disk_format"] = .string(diskFormats.contains(disk) ? disk : "raw")
        if image.diskFormat != disk || !diskFormats.contains(disk) { doc.properties[exact(.diskFormat)] = image.diskFormat }
        doc.core["min_disk"] = .int(image.minDisk)
        doc.core["min_ram"] = .int(image.minRam)
        // Glance's `private` cannot have members; `shared` without members is as private.
        doc.core["visibility"] = .string(image.visibility == .public ? "public" : "shared")
        if image.visibility != .public && image.visibility != .private { doc.properties[exact(.visibility)] = image.visibility.rawValue }
        if !image.owner.isEmpty { doc.core["owner"] = .string(projects.project(image.owner)) }
        if projects.tenant(projects.project(image.owner)) != image.owner { doc.properties[exact(.owner)] = image.owner }

        doc.properties["ims_image_id"] = image.imageId
        put("description", image.description, unless: d.description)
        doc.properties["ims_status"] = image.status.rawValue  // always: Glance's status is its bytes'
        put("ims_transition_status", image.transitionStatus, unless: d.transitionStatus)
        put("ims_image_type", image.imageType, unless: d.imageType)
        // architecture + ims_bits; ims_cpu_arch when reading architecture back would not give cpuArch.
        if let arch = glanceArchitecture(image.cpuArch, image.bits) {
            doc.properties["architecture"] = arch
            if canonicalArchitecture(arch).cpuArch != image.cpuArch { doc.properties[exact(.cpuArch)] = image.cpuArch }
        } else {
            doc.properties[exact(.cpuArch)] = image.cpuArch
        }
        put("ims_bits", image.bits.rawValue, unless: "")  // always: architecture alone may not say it
        put("os_type", image.osType, unless: "")
        put("os_version", image.osVersion, unless: d.osVersion)
        // os_distro is libosinfo's lower-case short id ("centos"); CECSTACK says "CentOS".
        put("os_distro", image.platform.lowercased(), unless: "")
        if image.platform != image.platform.lowercased() { doc.properties[exact(.platform)] = image.platform }
        // hw_firmware_type is "bios" or "uefi"; the canonical value is upper case.
        let firmware = image.bootMode.lowercased()
        if firmware == "bios" || firmware == "uefi" { doc.properties["hw_firmware_type"] = firmware }
        if !(firmware == "bios" || firmware == "uefi") || image.bootMode != firmware.uppercased() {
            doc.properties[exact(.bootMode)] = image.bootMode
        }
        put("ims_usage", image.usage, unless: d.usage)
        put("ims_department_id", image.departmentId, unless: d.departmentId)
        put("ims_resource_group_id", image.resourceGroupId, unless: d.resourceGroupId)
        put("ims_region", image.region, unless: d.region)
        put("os_admin_user", image.username, unless: d.username)
        put("ims_uuid", image.uuid, unless: d.uuid)
        put("ims_user_data", image.userData ? "true" : "false", unless: "false")
        put("ims_compute_resource_id", image.computeResourceId.map(String.init) ?? "", unless: "")
        put("ims_operatingsystem_id", image.operatingsystemId.map(String.init) ?? "", unless: "")
        put("ims_architecture_id", image.architectureId.map(String.init) ?? "", unless: "")
        put("ims_provider", image.provider, unless: d.provider)
        put("ims_zone", image.zone, unless: d.zone)
        put("ims_source_type", image.sourceType, unless: d.sourceType)
        put("ims_upload_id", image.uploadId, unless: d.uploadId)
        put("ims_err_message", image.errMessage, unless: d.errMessage)
        doc.properties["ims_created_at"] = CanonicalTime.format(image.createdAt)
        doc.properties["ims_updated_at"] = CanonicalTime.format(image.updatedAt)
        doc.properties["ims_status_time"] = CanonicalTime.format(image.statusTime)
        // What Glance refuses goes in a form it takes, the exact value beside it (GlanceText):
        // a character outside the BMP in a core text, a minimum past a signed 32-bit integer.
        for (key, field) in [("name", ImageField.name), ("owner", .owner)] {
            if case .string(let text)? = doc.core[key], GlanceText.hasWide(text) {
                doc.core[key] = .string(GlanceText.shown(text))
                doc.properties[exact(field)] = field == .name ? image.name : image.owner
            }
        }
        for (key, field, value) in [("min_disk", ImageField.minDisk, image.minDisk), ("min_ram", .minRam, image.minRam)]
            where value > Int64(Int32.max) {
            doc.core[key] = .int(Int64(Int32.max))
            doc.properties[exact(field)] = String(value)
        }
        doc.properties = doc.properties.mapValues(GlanceText.storable)
        return doc
    }

    // MARK: - Reading

    /// The canonical image a Glance image document describes (`json`: Glance's answer, core
    /// attributes and properties in one object). `id` and `password` are the gateway's: nil
    /// and "" here. An image made in Glance directly (no `ims_*`) reads with Glance's status,
    /// times and visibility, and the defaults of a new canonical image otherwise.
    public static func image(_ json: [String: JSONValue], projects: Projects = Projects()) -> Image {
        func text(_ key: String) -> String? {
            switch json[key] {
            // Properties may be encoded words (GlanceText); core values never are.
            case .string(let s)?: coreKeys.contains(key) ? s : GlanceText.read(s)
            case .int(let n)?: String(n)
            default: nil
            }
        }
        func int(_ key: String) -> Int64? {
            switch json[key] {
            case .int(let n)?: n
            case .double(let d)?: Int64(exactly: d)
            case .string(let s)?: Int64(s)
            default: nil
            }
        }
        func date(_ key: String) -> Date? { text(key).flatMap(CanonicalTime.parse) }
        let glanceCreated = date("created_at") ?? defaults.createdAt
        var image = Image(imageId: text("ims_image_id") ?? text("id") ?? "", name: text(exact(.name)) ?? text("name") ?? "",
                          now: glanceCreated)
        image.description = text("description") ?? ""
        image.status = text("ims_status").flatMap(ImageStatus.init(rawValue:)) ?? canonicalStatus(text("status"))
        image.transitionStatus = text("ims_transition_status") ?? ""
        if let v = text("ims_image_type") { image.imageType = v }
        image.diskFormat = text(exact(.diskFormat)) ?? text("disk_format") ?? ""
        image.minDisk = int(exact(.minDisk)) ?? int("min_disk") ?? 0
        image.minRam = int(exact(.minRam)) ?? int("min_ram") ?? 0
        if let arch = text("architecture") {
            let canonical = canonicalArchitecture(arch)
            image.cpuArch = canonical.cpuArch
            if let bits = canonical.bits { image.bits = bits }
        }
        if let v = text(exact(.cpuArch)) { image.cpuArch = v }
        if let v = text("ims_bits").flatMap(ProcessorBits.init(rawValue:)) { image.bits = v }
        image.osType = text("os_type") ?? ""
        image.osVersion = text("os_version") ?? ""
        image.platform = text(exact(.platform)) ?? text("os_distro") ?? ""
        image.visibility = text(exact(.visibility)).flatMap(Visibility.init(rawValue:))
            ?? (["public", "community"].contains(text("visibility") ?? "") ? .public : .private)
        if let v = text(exact(.bootMode)) {
            image.bootMode = v
        } else {
            image.bootMode = text("hw_firmware_type")?.uppercased() ?? ""
        }
        if let v = text("ims_usage") { image.usage = v }
        image.owner = text(exact(.owner)) ?? projects.tenant(text("owner") ?? "")
        image.departmentId = text("ims_department_id") ?? ""
        image.resourceGroupId = text("ims_resource_group_id") ?? ""
        image.region = text("ims_region") ?? ""
        image.size = int("size") ?? 0
        image.checksum = text("checksum") ?? ""
        image.username = text("os_admin_user") ?? ""
        image.uuid = text("ims_uuid") ?? ""
        image.userData = text("ims_user_data") == "true"
        image.computeResourceId = int("ims_compute_resource_id")
        image.operatingsystemId = int("ims_operatingsystem_id")
        image.architectureId = int("ims_architecture_id")
        if let v = text("ims_provider") { image.provider = v }
        image.zone = text("ims_zone") ?? ""
        image.sourceType = text("ims_source_type") ?? ""
        image.uploadId = text("ims_upload_id") ?? ""
        image.errMessage = text("ims_err_message") ?? ""
        image.createdAt = date("ims_created_at") ?? glanceCreated
        image.updatedAt = date("ims_updated_at") ?? date("updated_at") ?? glanceCreated
        image.statusTime = date("ims_status_time") ?? image.updatedAt
        return image
    }

    /// A Glance status as a canonical one (for images the gateway did not make): v2 has no
    /// `killed` (a failed upload goes back to `queued`); `uploading`/`importing` are saving.
    static func canonicalStatus(_ glance: String?) -> ImageStatus {
        switch glance {
        case "queued": .queued
        case "saving", "uploading", "importing": .saving
        case "active": .active
        case "killed": .killed
        case "deleted", "pending_delete": .deleted
        case "deactivated": .suspended
        default: .queued
        }
    }

    // MARK: - Patching

    /// The JSON patch (RFC 6902, Glance's `application/openstack-images-v2.1-json-patch`) that
    /// turns `old` (Glance's current document) into `new`: core attributes replaced where they
    /// differ, properties added, replaced or removed. Glance lets `disk_format` change only
    /// while an image is `queued`: after that the canonical value goes to `ims_disk_format`.
    /// `owner` and `visibility` `public` need Glance's admin role.
    public static func patch(from old: [String: JSONValue], to new: Document) -> [JSONValue] {
        var ops: [JSONValue] = []
        var new = new
        if old["status"] != "queued", let disk = new.core["disk_format"], disk != old["disk_format"], let was = old["disk_format"] {
            new.core["disk_format"] = was
            if new.properties[exact(.diskFormat)] == nil { new.properties[exact(.diskFormat)] = disk.stringValue ?? "" }
        }
        for key in new.core.keys.sorted() where key != "container_format" {
            if old[key] != new.core[key] {
                let op: JSONValue = old[key] == nil || old[key] == .null ? "add" : "replace"
                ops.append(.object(["op": op, "path": .string("/" + key), "value": new.core[key]!]))
            }
        }
        let ours = ownedProperties
        for key in new.properties.keys.sorted() where old[key] != .string(new.properties[key]!) {
            let op: JSONValue = old[key] == nil ? "add" : "replace"
            ops.append(.object(["op": op, "path": .string("/" + key), "value": .string(new.properties[key]!)]))
        }
        for key in old.keys.sorted() where new.properties[key] == nil && ours.contains(key) {
            ops.append(.object(["op": "remove", "path": .string("/" + key)]))
        }
        return ops
    }

    /// The properties this table writes: the ones a patch may remove (anything else on a Glance
    /// image was put there by someone else and stays).
    public static let ownedProperties: Set<String> = {
        var keys: Set<String> = []
        for field in ImageField.allCases {
            switch GlanceFields.home(field) {
            case .standard(let key, let translated):
                keys.insert(key)
                if translated { keys.insert(GlanceFields.exact(field)) }
            case .ims(let key): keys.insert(key)
            case .core: keys.insert(GlanceFields.exact(field))  // disk_format, visibility, owner keep exact values here
            case .measured, .gateway: break
            }
        }
        return keys
    }()
}
