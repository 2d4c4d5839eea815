import Foundation

/// Which of the caller's jobs to list (an action API's `DescribeJobs`, 51idc's job listing): the
/// caller's tenant's jobs, every tenant's for an operator, newest first.
public struct JobQuery: Sendable, Codable, Equatable {
    /// Only these jobs, when not empty (`jobs.1`, `jobs.2`, …); a foreign or unknown id is
    /// simply not listed, as a filter does, rather than an error.
    public var jobIds: [String]
    /// Only jobs in one of these states, when not empty.
    public var statuses: [JobStatus]
    /// Only jobs of this action (`CaptureInstance`, `DeleteImages`…), when set.
    public var action: String?
    public var offset: Int
    public var limit: Int

    /// The most one page holds, whatever a client asks for.
    public static let maxLimit = 100

    public init(jobIds: [String] = [], statuses: [JobStatus] = [], action: String? = nil, offset: Int = 0, limit: Int = 20) {
        self.jobIds = jobIds
        self.statuses = statuses
        self.action = action
        self.offset = offset
        self.limit = limit
    }
}

/// One page of jobs and how many match in all.
public struct JobPage: Sendable, Codable, Equatable {
    public var items: [Job]
    public var total: Int

    public init(items: [Job], total: Int) {
        self.items = items
        self.total = total
    }
}
