import Foundation

/// The canonical image: the union of what the four legacy APIs say about an image.
/// Every dialect reads and writes these facts through its `FieldSlots`, never by its own names.
public struct Image: Codable, Sendable, Equatable {
    /// Row number: Foreman's integer `id` and CECSTACK's `id`.
    public var id: Int64?
    /// Public reference `img-xxxxxxxx`: 51idc `image_id`, CECSTACK `imageId`.
    public var imageId: String
    public var name: String
    public var description: String
    public var status: ImageStatus
    public var transitionStatus: String
    public var imageType: String
    public var diskFormat: String
    public var minDisk: Int64
    public var minRam: Int64
    public var cpuArch: String
    public var bits: ProcessorBits
    public var osType: String
    public var osVersion: String
    /// Distribution family (CECSTACK `platform` "CentOS", 51idc `os_family` "centos").
    public var platform: String
    public var visibility: Visibility
    public var bootMode: String
    public var usage: String
    /// Owning tenant.
    public var owner: String
    public var departmentId: String
    public var resourceGroupId: String
    public var region: String
    /// Bytes.
    public var size: Int64
    public var checksum: String
    public var username: String
    public var password: String
    public var uuid: String
    public var userData: Bool
    public var computeResourceId: Int64?
    public var operatingsystemId: Int64?
    public var architectureId: Int64?
    public var provider: String
    public var zone: String
    public var sourceType: String
    public var uploadId: String
    public var errMessage: String
    public var createdAt: Date
    public var updatedAt: Date
    public var statusTime: Date

    public init(imageId: String, name: String, now: Date) {
        self.imageId = imageId
        self.name = name
        description = ""
        status = .active
        transitionStatus = ""
        imageType = "os_image"
        diskFormat = "qcow2"
        minDisk = 0
        minRam = 0
        cpuArch = "x86"
        bits = .bits64
        osType = "linux"
        osVersion = ""
        platform = ""
        visibility = .private
        bootMode = "BIOS"
        usage = "ecs"
        owner = ""
        departmentId = ""
        resourceGroupId = ""
        region = ""
        size = 0
        checksum = ""
        username = ""
        password = ""
        uuid = ""
        userData = false
        provider = "self"
        zone = ""
        sourceType = ""
        uploadId = ""
        errMessage = ""
        createdAt = now
        updatedAt = now
        statusTime = now
    }
}

public enum ImageStatus: String, Codable, Sendable, CaseIterable {
    case queued, saving, active, killed, deleted, deprecated, suspended
}

public enum ProcessorBits: String, Codable, Sendable, CaseIterable {
    case bits32 = "32"
    case bits64 = "64"
}

public enum Visibility: String, Codable, Sendable, CaseIterable {
    case `public`, `private`, market, shared
}

/// An image together with the names of its Foreman parents, as read back from the store.
public struct ImageView: Codable, Sendable, Equatable {
    public var image: Image
    public var computeResourceName: String?
    public var operatingsystemName: String?
    public var architectureName: String?

    public init(image: Image, computeResourceName: String? = nil, operatingsystemName: String? = nil,
                architectureName: String? = nil) {
        self.image = image
        self.computeResourceName = computeResourceName
        self.operatingsystemName = operatingsystemName
        self.architectureName = architectureName
    }
}
