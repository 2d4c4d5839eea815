/// What a backend can do beyond running commands, as it reports it (DESIGN §5). Asked, never
/// found by a downcast: a wrapper (composite, shadow) is not the class that holds the objects,
/// and passes on what its inner backend reports.
public struct BackendCapabilities: Sendable {
    /// S3-style upload objects (CECSTACK's presigned uploads) served in this process.
    public var uploadObjects: (any UploadObjects)?
    /// Another gateway whose S3 endpoint holds them: the endpoint here passes requests on to it.
    public var uploadObjectsAt: String?

    public init(uploadObjects: (any UploadObjects)? = nil, uploadObjectsAt: String? = nil) {
        self.uploadObjects = uploadObjects
        self.uploadObjectsAt = uploadObjectsAt
    }

    /// Commands only.
    public static let none = BackendCapabilities()
}
