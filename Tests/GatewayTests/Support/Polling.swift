import HTTPTypes
@testable import IMSModel

extension GatewayClient {
    /// Polls a 51idc job until it has finished (successful or failed), as a client would.
    @discardableResult
    func finishedJob(_ jobId: String, zone: String = "ac1") async throws -> JSONValue {
        for _ in 0..<500 {
            let job = try await send(.get, "/v2/zone/\(zone)/job/\(jobId)")
            if let status = job["status"]?.stringValue, status == "successful" || status == "failed" { return job.json! }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw PollTimeout(what: "job \(jobId)")
    }

    /// Sends a 51idc mutation and waits for the job it answers.
    @discardableResult
    func idcMutation(_ method: HTTPRequest.Method, _ path: String, body: Body = .none) async throws -> (reply: Reply, job: JSONValue?) {
        let reply = try await send(method, path, body: body)
        guard let jobId = reply["job_id"]?.stringValue else { return (reply, nil) }
        return (reply, try await finishedJob(jobId))
    }

    /// Polls a CECSTACK image until its status is one of `statuses`.
    @discardableResult
    func cecImage(_ imageId: String, until statuses: Set<String>) async throws -> JSONValue {
        for _ in 0..<3000 {
            let image = try await send(.get, "/api/image/v1/images/\(imageId)", headers: ["x-regionid": "r0"])
            if let status = image.json.flatMap({ lookup($0, "data.status") })?.stringValue, statuses.contains(status) {
                return image.json!
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw PollTimeout(what: "image \(imageId)")
    }
}

struct PollTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "\(what) did not finish in time" }
}

