import Foundation

/// One canonical operation, as every dialect's decoder produces it and every backend runs it.
/// Codable so the remote backend can carry it over the canonical HTTP API unchanged.
public enum Command: Sendable, Codable, Equatable {
    case createImage(ImagePatch)
    case getImage(ImageSelector)
    case listImages(ImageQuery)
    case updateImage(ImageSelector, ImagePatch)
    case deleteImage(ImageSelector)
    /// All-or-nothing: one unknown or foreign id and nothing is deleted.
    case batchDeleteImages([String])
    /// Make an image from a stopped instance (51idc `POST /images`).
    case captureImage(instance: String, patch: ImagePatch)

    case createApplication(ApplicationDraft)
    case getApplication(Int64)
    case listApplications(ListWindow)
    case updateApplication(Int64, ApplicationPatch)
    case deleteApplication(Int64)

    case createInstance(InstanceDraft)
    case getInstance(Int64)
    case listInstances(InstanceQuery)
    case updateInstance(Int64, InstancePatch)
    /// All-or-nothing, like image batch delete.
    case deleteInstances([Int64])
    /// All-or-nothing: every user must exist.
    case addMembers(instance: Int64, users: [Int64])
    case removeMembers(instance: Int64, users: [Int64])
    case listMembers(instance: Int64, ListWindow)

    /// Where to put an image's bytes; the image must be waiting for them.
    case prepareUpload(ImageSelector, size: Int64)
    /// The client says the upload ended: success makes the image active (size and checksum from
    /// the stored bytes), failure makes it killed.
    case finishUpload(ImageSelector, uploadId: String, success: Bool)
    /// Answered by `Backend.download`, not `execute`: the bytes are streamed.
    case downloadImage(ImageSelector)
    case shareImage(ImageSelector, userIds: [String])
    case unshareImage(ImageSelector, userIds: [String])
    case listShares(ImageSelector, offset: Int, limit: Int)
    /// Shares made to the caller (every share, for an operator).
    case listReceivedShares(offset: Int, limit: Int, newestFirst: Bool)
    case deleteShare(String)
    /// A private copy of a shared image for the caller; its bytes follow in the background.
    case copyShare(String, ImagePatch)
    /// A new image whose bytes are fetched from `url` in the background.
    case importImage(ImagePatch, url: String)
    case listBuckets(ImageSelector)
    /// Writes the image's bytes into the bucket in the background.
    case exportImage(ImageSelector, bucket: String)

    /// Foreman's catalogue (compute resources, operating systems, architectures). Deleting an
    /// entry that images hang under is refused.
    case listCatalog(CatalogQuery)
    case getCatalogEntry(CatalogSelector)
    case createCatalogEntry(CatalogEntry.Kind, CatalogPatch)
    case updateCatalogEntry(CatalogSelector, CatalogPatch)
    case deleteCatalogEntry(CatalogSelector)

    case getJob(String)
    /// The caller's recent jobs, newest first (a job listing, such as an action API's DescribeJobs).
    case listJobs(JobQuery)
    /// Run `command` and record it as a Job that clients can poll (51idc's mutations). The command
    /// is checked at once; it runs, and the job moves to successful or failed, in the background.
    indirect case asJob(JobSpec, Command)
    // The work a job does after it is answered is `JobWork`, never a command.
}

/// What the backend answers.
public enum CommandResult: Sendable, Codable, Equatable {
    case image(ImageView)
    case images(ImagePage)
    /// The references of the images a batch deleted.
    case imagesDeleted([String])
    case application(ImageApplication)
    case applications(ApplicationPage)
    case job(Job)
    case jobs(JobPage)
    case instance(InstanceView)
    case instances(InstancePage)
    case users(UserPage)
    case uploadTicket(UploadTicket)
    case shares(SharePage)
    case buckets([Bucket])
    case catalogEntry(CatalogEntry)
    case catalogEntries(CatalogPage)
    case done
}

extension CommandResult {
    /// The case's name, for messages.
    public var kind: String {
        switch self {
        case .image: "image"
        case .images: "images"
        case .imagesDeleted: "imagesDeleted"
        case .application: "application"
        case .applications: "applications"
        case .job: "job"
        case .jobs: "jobs"
        case .instance: "instance"
        case .instances: "instances"
        case .users: "users"
        case .uploadTicket: "uploadTicket"
        case .shares: "shares"
        case .buckets: "buckets"
        case .catalogEntry: "catalogEntry"
        case .catalogEntries: "catalogEntries"
        case .done: "done"
        }
    }
}

/// Canonical field values keyed by canonical field, as produced by `FieldSlots.decode`.
public typealias ImagePatch = [ImageField: JSONValue]

/// Which image: by `img-…` reference or row number, optionally required to sit under
/// some parent (Foreman's nested routes).
public struct ImageSelector: Sendable, Codable, Equatable {
    public var ref: String
    public var within: [ImageCondition]

    public init(ref: String, within: [ImageCondition] = []) {
        self.ref = ref
        self.within = within
    }
}

public struct ImageCondition: Sendable, Codable, Equatable {
    /// `lt`…`ge` compare numbers; `notIn` is `in` negated (NULL counts as not in the list).
    public enum Op: String, Sendable, Codable { case eq, ne, contains, notContains, `in`, notIn, lt, le, gt, ge }
    public var field: ImageField
    public var op: Op
    public var values: [JSONValue]

    public init(_ field: ImageField, _ op: Op, _ values: [JSONValue]) {
        self.field = field
        self.op = op
        self.values = values
    }

    public static func eq(_ field: ImageField, _ value: JSONValue) -> ImageCondition {
        ImageCondition(field, .eq, [value])
    }
}

public enum ImageScope: String, Sendable, Codable {
    /// Public images plus the caller's own (everything for an operator).
    case visible
    case publicOnly
    /// The caller's tenant's non-public images (every non-public image for an operator).
    case own
}

public struct SortKey: Sendable, Codable, Equatable {
    public var field: ImageField
    public var descending: Bool

    public init(_ field: ImageField, descending: Bool = false) {
        self.field = field
        self.descending = descending
    }
}

public struct ImageQuery: Sendable, Codable, Equatable {
    public var scope: ImageScope
    /// Conditions that define the collection (Foreman's parent): its size is `scopeTotal`.
    public var base: [ImageCondition]
    /// The caller's filters on top of `base`: the matches are `total`.
    public var filters: [ImageCondition]
    /// A boolean combination (OR, NOT, groups) on top of `filters`, for searches a plain AND
    /// cannot say (Foreman's scoped search); `nil` for every other dialect, whose lists keep
    /// the store's fast paths. Optional, so canonical API peers that omit it still decode.
    public var match: Match<ImageCondition>?
    /// Matches an exact `img-…` id or a substring of the name (51idc `search_word`).
    public var searchWord: String?
    public var sort: [SortKey]
    public var offset: Int
    /// `nil` means every match.
    public var limit: Int?
    /// Whether the answer needs the collection's own size as well (Foreman's `total`): a
    /// second COUNT, over the whole scope, that the other dialects never show.
    public var countsScope: Bool

    public init(scope: ImageScope = .visible, base: [ImageCondition] = [], filters: [ImageCondition] = [],
                searchWord: String? = nil, sort: [SortKey] = [], offset: Int = 0, limit: Int? = nil,
                countsScope: Bool = false, match: Match<ImageCondition>? = nil) {
        self.scope = scope
        self.base = base
        self.filters = filters
        self.match = match
        self.searchWord = searchWord
        self.sort = sort
        self.offset = offset
        self.limit = limit
        self.countsScope = countsScope
    }
}

public struct ImagePage: Sendable, Codable, Equatable {
    public var items: [ImageView]
    /// Matches of base + filters.
    public var total: Int
    /// Size of the base collection alone, when the query asked for it (`countsScope`).
    public var scopeTotal: Int?

    public init(items: [ImageView], total: Int, scopeTotal: Int? = nil) {
        self.items = items
        self.total = total
        self.scopeTotal = scopeTotal
    }
}

public struct ApplicationDraft: Sendable, Codable, Equatable {
    public var name: String
    public var displayName: String
    public var description: String
    public var picture: String
    public var applications: [String]

    public init(name: String, displayName: String, description: String, picture: String, applications: [String] = []) {
        self.name = name
        self.displayName = displayName
        self.description = description
        self.picture = picture
        self.applications = applications
    }
}

public struct ApplicationPatch: Sendable, Codable, Equatable {
    public var name: String?
    public var displayName: String?
    public var description: String?
    public var picture: String?
    public var applications: [String]?

    public init(name: String? = nil, displayName: String? = nil, description: String? = nil,
                picture: String? = nil, applications: [String]? = nil) {
        self.name = name
        self.displayName = displayName
        self.description = description
        self.picture = picture
        self.applications = applications
    }

    public var isEmpty: Bool { self == ApplicationPatch() }
}

public struct ApplicationPage: Sendable, Codable, Equatable {
    public var items: [ImageApplication]
    public var total: Int

    public init(items: [ImageApplication], total: Int) {
        self.items = items
        self.total = total
    }
}

public struct JobSpec: Sendable, Codable, Equatable {
    public var action: String
    public var zone: String
    public var requestId: String

    public init(action: String, zone: String, requestId: String) {
        self.action = action
        self.zone = zone
        self.requestId = requestId
    }
}
