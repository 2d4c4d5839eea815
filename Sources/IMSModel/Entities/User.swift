import Foundation

/// A person known to the gateway's directory (seeded from the deployment config): htaiyun
/// instance owners and members, CECSTACK share recipients.
public struct User: Codable, Sendable, Equatable {
    public var id: Int64
    public var username: String
    public var name: String?
    public var mobile: String
    public var email: String
    public var type: String
    public var status: String
    public var avatarUrl: String
    /// The flavours this user may pick (htaiyun `optionalflavorids`, "1,2,3").
    public var optionalFlavorIds: String
    public var tenant: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(id: Int64, username: String, name: String? = nil, mobile: String = "", email: String = "",
                type: String = "PERSONAL", status: String = "ACTIVED", avatarUrl: String = "",
                optionalFlavorIds: String = "", tenant: String = "default", now: Date) {
        self.id = id
        self.username = username
        self.name = name
        self.mobile = mobile
        self.email = email
        self.type = type
        self.status = status
        self.avatarUrl = avatarUrl
        self.optionalFlavorIds = optionalFlavorIds
        self.tenant = tenant
        self.createdAt = now
        self.updatedAt = now
    }
}
