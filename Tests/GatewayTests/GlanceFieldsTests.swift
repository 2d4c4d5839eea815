import Foundation
@testable import IMSFiles
@testable import IMSModel
@testable import IMSService
@testable import IMSStoreGlance
import NIOCore
import Testing

/// The one table of where canonical image fields live in Glance, as pure functions: every
/// field has a home, an image written and read back is the image, the password never leaves.
@Suite struct GlanceFieldsTests {
    static let t0 = Date(timeIntervalSince1970: 1_764_000_000.25)

    /// An image whose every field differs from a new image's default.
    static func unusual() -> Image {
        var i = Image(imageId: "img-unusual1", name: "centos-9 stream", now: t0)
        i.id = 42
        i.description = "a description"
        i.status = .killed
        i.transitionStatus = "capturing"
        i.imageType = "app_image"
        i.diskFormat = "vmdk"
        i.minDisk = 40
        i.minRam = 2048
        i.cpuArch = "arm"
        i.bits = .bits32
        i.osType = "windows"
        i.osVersion = "2019"
        i.platform = "Windows"
        i.visibility = .market
        i.bootMode = "UEFI"
        i.usage = "bms"
        i.owner = "acme"
        i.departmentId = "dep-1"
        i.resourceGroupId = "rg-1"
        i.region = "region0"
        i.size = 1_048_576
        i.checksum = "0123456789abcdef0123456789abcdef"
        i.username = "Administrator"
        i.password = "s3cret!"
        i.uuid = "3d2b7c2a"
        i.userData = true
        i.computeResourceId = 1
        i.operatingsystemId = 2
        i.architectureId = 3
        i.provider = "market"
        i.zone = "ac1"
        i.sourceType = "url"
        i.uploadId = "upl-1"
        i.errMessage = "fetch failed: 404"
        i.createdAt = t0
        i.updatedAt = t0.addingTimeInterval(60)
        i.statusTime = t0.addingTimeInterval(120)
        return i
    }

    /// What Glance answers for a document it was given: the body, plus what Glance itself decides.
    static func stored(_ doc: GlanceFields.Document, of image: Image) -> [String: JSONValue] {
        var json = doc.createBody
        json["id"] = .string(GlanceFields.glanceId(image.imageId))
        json["status"] = "active"
        json["size"] = .int(image.size)
        json["checksum"] = .string(image.checksum)
        json["created_at"] = "2026-12-06T22:41:55Z"
        json["updated_at"] = "2026-12-06T22:41:56Z"
        return json
    }

    /// The image as the table can hold it: the row id and the password are the gateway's.
    static func glanceable(_ image: Image) -> Image {
        var i = image
        i.id = nil
        i.password = ""
        return i
    }

    static let projects = GlanceFields.Projects(["acme": "p-acme-uuid"])

    @Test func everyCanonicalFieldHasAHomeAndOnlyTheRowIdPasswordAndCatalogueNamesStayInTheGateway() {
        var kept: [ImageField] = []
        var keys: [String] = []
        for field in ImageField.allCases {
            switch GlanceFields.home(field) {
            case .gateway: kept.append(field)
            case .core(let key), .measured(let key), .ims(let key): keys.append(key)
            case .standard(let key, _): keys.append(key)
            }
        }
        #expect(kept == [.id, .password, .computeResourceName, .operatingsystemName, .architectureName])
        #expect(Set(keys).count == keys.count, "two fields in one home")
        for case .ims(let key) in ImageField.allCases.map(GlanceFields.home) { #expect(key.hasPrefix("ims_")) }
        // Custom properties are at most 128 per image in Glance, `description` and the standard ones counted.
        #expect(GlanceFields.ownedProperties.count < 64)
    }

    /// What Glance 33.0.0 refuses as it is (docs/GLANCE.md): characters outside the BMP in any
    /// text, minimums past 32 bits; and a value that merely looks like the encoding used for them.
    static func wide() -> Image {
        var i = unusual()
        i.name = "🚀 rocket-9"
        i.description = "e\u{301}👨‍👩‍👧 family"
        i.osVersion = "=?utf-8?b?not-encoded?="
        i.zone = "zone-🌏"
        i.owner = "tenant-🦊"
        i.minDisk = Int64(Int32.max) + 1
        i.minRam = 1 << 40
        return i
    }

    @Test func whatGlanceRefusesIsWrittenInAFormItTakesAndReadBackExactly() {
        let doc = GlanceFields.document(Self.wide(), projects: Self.projects)
        let texts = Array(doc.properties.values) + doc.core.values.compactMap { if case .string(let t) = $0 { t } else { nil } }
        #expect(!texts.contains { $0.unicodeScalars.contains { $0.value > 0xFFFF } })
        #expect(doc.core["min_disk"] == .int(Int64(Int32.max)) && doc.core["min_ram"] == .int(Int64(Int32.max)))
        #expect(doc.core["name"] == .string("\u{FFFD} rocket-9"))
        #expect(!doc.refusedByGlance)
    }

    @Test(arguments: [unusual(), wide(), Image(imageId: "img-plain001", name: "plain", now: t0)])
    func anImageWrittenAndReadBackIsTheImage(_ image: Image) {
        let doc = GlanceFields.document(image, projects: Self.projects)
        let back = GlanceFields.image(Self.stored(doc, of: image), projects: Self.projects)
        for field in ImageField.stored {
            #expect(ImageView(image: back).value(field) == ImageView(image: Self.glanceable(image)).value(field), "\(field)")
        }
        #expect(back == Self.glanceable(image))
    }

    @Test func translatedFieldsUseOpenStacksVocabularyAndKeepTheExactValueWhenItDiffers() {
        var image = Image(imageId: "img-vocab001", name: "v", now: Self.t0)
        image.platform = "CentOS"
        image.bootMode = "BIOS"
        image.diskFormat = "QCOW2"
        image.owner = "acme"
        var doc = GlanceFields.document(image, projects: Self.projects)
        #expect(doc.properties["architecture"] == "x86_64")
        #expect(doc.properties["ims_cpu_arch"] == nil)
        #expect(doc.properties["os_distro"] == "centos")
        #expect(doc.properties["ims_platform"] == "CentOS")
        #expect(doc.properties["hw_firmware_type"] == "bios")
        #expect(doc.properties["ims_boot_mode"] == nil)
        #expect(doc.core["disk_format"] == "qcow2")
        #expect(doc.properties["ims_disk_format"] == "QCOW2")
        #expect(doc.core["owner"] == "p-acme-uuid")
        #expect(doc.core["visibility"] == "shared")
        #expect(doc.properties["os_type"] == "linux")
        image.diskFormat = "something-else"
        image.cpuArch = "ppc64le"
        doc = GlanceFields.document(image)
        #expect(doc.core["disk_format"] == "raw")
        #expect(doc.properties["ims_disk_format"] == "something-else")
        #expect(doc.properties["architecture"] == "ppc64le")
        #expect(GlanceFields.image(Self.stored(doc, of: image)).cpuArch == "ppc64le")
    }

    @Test(arguments: ["", "s3cret!", "ims_password"]) func thePasswordNeverGoesToGlance(_ password: String) {
        var image = Self.unusual()
        image.password = password
        let doc = GlanceFields.document(image)
        #expect(!doc.properties.keys.contains { $0.contains("password") })
        if !password.isEmpty {
            #expect(!doc.properties.values.contains(password))
            #expect(!JSONValue.object(doc.createBody).serialized.contains(password))
        }
    }

    @Test func anImageMadeInGlanceDirectlyReadsWithGlancesFactsAndCanonicalDefaults() {
        let json: [String: JSONValue] = [
            "id": "d3ff7376-a043-4543-afea-818324cd9e0e", "name": "sdk-made", "status": "queued", "visibility": "public",
            "disk_format": "raw", "owner": "p-acme-uuid", "size": .null, "checksum": .null, "min_disk": 0, "min_ram": 0,
            "architecture": "aarch64", "os_distro": "ubuntu", "os_version": "24.04", "hw_firmware_type": "uefi",
            "created_at": "2026-12-06T22:41:55Z", "updated_at": "2026-12-06T22:41:56Z",
        ]
        let image = GlanceFields.image(json, projects: Self.projects)
        #expect(image.imageId == "d3ff7376-a043-4543-afea-818324cd9e0e")
        #expect(image.status == .queued)
        #expect(image.visibility == .public)
        #expect(image.owner == "acme")
        #expect(image.cpuArch == "arm" && image.bits == .bits64)
        #expect(image.platform == "ubuntu" && image.osVersion == "24.04" && image.bootMode == "UEFI")
        #expect(image.size == 0 && image.checksum == "")
        #expect(image.createdAt == CanonicalTime.parse("2026-12-06T22:41:55Z"))
        #expect(image.imageType == "os_image" && image.usage == "ecs" && image.provider == "self")
    }

    @Test func aPatchTurnsGlancesImageIntoTheNewOneAndLeavesOthersPropertiesAlone() throws {
        let before = Self.unusual()
        var old = Self.stored(GlanceFields.document(before), of: before)
        old["owner_specified.openstack.md5"] = ""
        var after = Self.unusual()
        after.name = "renamed"
        after.zone = ""            // back to the default: the property goes
        after.uuid = "9f9f"
        after.diskFormat = "qcow2" // an active image's disk_format stays; the value goes to ims_disk_format
        after.visibility = .public
        let ops = GlanceFields.patch(from: old, to: GlanceFields.document(after))
        let patched = try Self.apply(ops, to: old)
        #expect(patched["owner_specified.openstack.md5"] == "")
        #expect(patched["ims_zone"] == nil)
        #expect(patched["disk_format"] == "vmdk")
        #expect(patched["ims_disk_format"] == "qcow2")
        #expect(GlanceFields.image(patched) == Self.glanceable(after))
        // Nothing to change: no operations.
        #expect(GlanceFields.patch(from: patched, to: GlanceFields.document(after)).isEmpty)
    }

    @Test func glanceIdsAreVersion5UUIDsOfTheReference() {
        let id = GlanceFields.glanceId("img-centos9a")
        #expect(id == GlanceFields.glanceId("img-centos9a"))
        #expect(id != GlanceFields.glanceId("img-centos9b"))
        #expect(id != GlanceFields.glanceId("img-centos9a", attempt: 1))
        #expect(UUID(uuidString: id) != nil)
        #expect(Array(id)[14] == "5")
        #expect("89ab".contains(Array(id)[19]))
    }

    /// RFC 6902 add/replace/remove on top-level keys, as Glance applies them.
    static func apply(_ ops: [JSONValue], to json: [String: JSONValue]) throws -> [String: JSONValue] {
        var json = json
        for op in ops {
            let key = String(try #require(op["path"]?.stringValue).dropFirst())
            switch op["op"]?.stringValue {
            case "add": json[key] = op["value"]
            case "replace":
                #expect(json[key] != nil, "replace of a missing \(key)")
                json[key] = op["value"]
            case "remove":
                #expect(json[key] != nil, "remove of a missing \(key)")
                json[key] = nil
            default: Issue.record("unknown op \(op)")
            }
        }
        return json
    }

    @Test func glancesHTMLErrorPagesBecomeTheirMessage() {
        let page = ByteBuffer(string: """
            <html>
             <head>
              <title>409 Conflict</title>
             </head>
             <body>
              <h1>409 Conflict</h1>
              Image ID 11111111-2222-5333-8444-555555555555 already exists!<br /><br />



             </body>
            </html>
            """)
        #expect(GlanceClient.error(409, page) == GlanceError(status: 409, message: "Image ID 11111111-2222-5333-8444-555555555555 already exists!"))
        #expect(GlanceClient.error(500, ByteBuffer()) == GlanceError(status: 500, message: ""))
    }

    @Test func anUploadBodyPastItsLimitThrowsTooLarge() async throws {
        let chunks = [ByteBuffer(string: "12345"), ByteBuffer(string: "678")]
        var seen = 0
        for try await chunk in Measuring(body: GlanceLive.Chunks(chunks), limit: 8) { seen += chunk.readableBytes }
        #expect(seen == 8)
        await #expect(throws: FileTooLarge.self) {
            for try await _ in Measuring(body: GlanceLive.Chunks(chunks), limit: 7) {}
        }
    }
}
