import Foundation

/// An htaiyun image application: a named, pictured bundle of images users launch instances of.
public struct ImageApplication: Codable, Sendable, Equatable {
    public var id: Int64?
    public var name: String
    public var displayName: String
    public var description: String
    public var picture: String
    /// Names of the application kinds it offers (the seed's list shows `applications`).
    public var applications: [String]
    public var status: ApplicationStatus
    public var owner: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(name: String, displayName: String, description: String, picture: String,
                applications: [String] = [], owner: String, now: Date) {
        self.name = name
        self.displayName = displayName
        self.description = description
        self.picture = picture
        self.applications = applications
        self.status = .actived
        self.owner = owner
        self.createdAt = now
        self.updatedAt = now
    }
}

public enum ApplicationStatus: String, Codable, Sendable, CaseIterable {
    case actived = "ACTIVED"
    case deleted = "DELETED"
}
