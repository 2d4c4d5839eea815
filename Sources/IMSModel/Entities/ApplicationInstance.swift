import Foundation

/// A running copy of an image application for a user (htaiyun seed 004), with the stack,
/// server and flavour the platform gave it.
public struct ApplicationInstance: Codable, Sendable, Equatable {
    public var id: Int64?
    public var name: String
    public var displayName: String
    public var description: String?
    public var userId: Int64
    public var applicationId: Int64
    public var flavorConfig: FlavorConfig
    public var status: ApplicationStatus
    public var owner: String
    public var stackRef: String
    public var stackName: String
    public var stackId: String
    public var serverRef: String
    public var serverName: String
    public var serverId: String
    public var flavorRef: String
    public var flavorId: String
    public var createdAt: Date
    public var updatedAt: Date

    /// Memberwise, for the targets that make one.
    package init(id: Int64? = nil, name: String, displayName: String, description: String? = nil, userId: Int64,
                 applicationId: Int64, flavorConfig: FlavorConfig, status: ApplicationStatus, owner: String, stackRef: String,
                 stackName: String, stackId: String, serverRef: String, serverName: String, serverId: String, flavorRef: String,
                 flavorId: String, createdAt: Date, updatedAt: Date) {
        self.id = id
        self.name = name
        self.displayName = displayName
        self.description = description
        self.userId = userId
        self.applicationId = applicationId
        self.flavorConfig = flavorConfig
        self.status = status
        self.owner = owner
        self.stackRef = stackRef
        self.stackName = stackName
        self.stackId = stackId
        self.serverRef = serverRef
        self.serverName = serverName
        self.serverId = serverId
        self.flavorRef = flavorRef
        self.flavorId = flavorId
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

public enum FlavorConfig: String, Codable, Sendable, CaseIterable {
    case lowest = "LOWEST"
    case recommended = "RECOMMENDED"
    case highest = "HIGHEST"
}

/// An instance with what its answers embed: the application and the owning user.
public struct InstanceView: Codable, Sendable, Equatable {
    public var instance: ApplicationInstance
    public var application: ImageApplication
    public var owner: User

    public init(instance: ApplicationInstance, application: ImageApplication, owner: User) {
        self.instance = instance
        self.application = application
        self.owner = owner
    }
}

public struct InstanceDraft: Codable, Sendable, Equatable {
    public var name: String
    public var displayName: String
    public var description: String?
    public var userId: Int64
    public var applicationId: Int64
    public var flavorConfig: FlavorConfig

    public init(name: String, displayName: String, description: String?, userId: Int64, applicationId: Int64,
                flavorConfig: FlavorConfig) {
        self.name = name
        self.displayName = displayName
        self.description = description
        self.userId = userId
        self.applicationId = applicationId
        self.flavorConfig = flavorConfig
    }
}

public struct InstancePatch: Codable, Sendable, Equatable {
    public var name: String?
    public var displayName: String?
    public var description: String?

    public init(name: String? = nil, displayName: String? = nil, description: String? = nil) {
        self.name = name
        self.displayName = displayName
        self.description = description
    }
}

/// Paging and ordering shared by htaiyun's lists (applications, instances, members).
public struct ListWindow: Codable, Sendable, Equatable {
    public enum Order: String, Codable, Sendable, CaseIterable { case name, created, updated }
    public var keywords: String?
    /// `nil` means every status.
    public var status: String?
    public var order: Order?
    public var ascending: Bool
    public var offset: Int
    public var limit: Int

    public init(keywords: String? = nil, status: String? = nil, order: Order? = nil, ascending: Bool = false,
                offset: Int = 0, limit: Int = 20) {
        self.keywords = keywords
        self.status = status
        self.order = order
        self.ascending = ascending
        self.offset = offset
        self.limit = limit
    }
}

public struct InstanceQuery: Codable, Sendable, Equatable {
    public var userId: Int64?
    public var applicationId: Int64?
    public var window: ListWindow

    public init(userId: Int64? = nil, applicationId: Int64? = nil, window: ListWindow) {
        self.userId = userId
        self.applicationId = applicationId
        self.window = window
    }
}

public struct InstancePage: Codable, Sendable, Equatable {
    public var items: [InstanceView]
    public var total: Int

    /// Memberwise, for the targets that make one.
    package init(items: [InstanceView], total: Int) {
        self.items = items
        self.total = total
    }
}

public struct UserPage: Codable, Sendable, Equatable {
    public var items: [User]
    public var total: Int

    /// Memberwise, for the targets that make one.
    package init(items: [User], total: Int) {
        self.items = items
        self.total = total
    }
}
