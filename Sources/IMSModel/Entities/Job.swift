import Foundation

/// An asynchronous operation record (51idc's Job). Mutations that legacy clients expect to be
/// asynchronous answer one; it is stored with the mutation it describes.
public struct Job: Codable, Sendable, Equatable {
    public var jobId: String
    public var action: String
    public var status: JobStatus
    public var zone: String
    public var requestId: String
    /// What the job concerns (image ids), as stored: see `StringList`.
    public var resources: StringList
    public var owner: String
    public var info: String
    public var createdAt: Date
    public var beganAt: Date?
    public var finishedAt: Date?
    /// The work still to do, for jobs that run after they are answered. Stored with the job,
    /// never sent over the canonical API (it is not among the `CodingKeys`).
    public var command: JobWork?

    public init(jobId: String, action: String, status: JobStatus, zone: String, requestId: String,
                resourceIds: [String], owner: String, info: String = "", createdAt: Date,
                beganAt: Date? = nil, finishedAt: Date? = nil, command: JobWork? = nil) {
        self.jobId = jobId
        self.action = action
        self.status = status
        self.zone = zone
        self.requestId = requestId
        resources = StringList(resourceIds)
        self.owner = owner
        self.info = info
        self.createdAt = createdAt
        self.beganAt = beganAt
        self.finishedAt = finishedAt
        self.command = command
    }

    public var resourceIds: [String] { resources.strings }

    /// The canonical wire's names (`resourceIds` as before `resources` kept its text); the
    /// job's work stays in the store.
    enum CodingKeys: String, CodingKey {
        case jobId, action, status, zone, requestId, resources = "resourceIds", owner, info, createdAt, beganAt, finishedAt
    }
}

public enum JobStatus: String, Codable, Sendable {
    case pending, working, successful, failed
}
