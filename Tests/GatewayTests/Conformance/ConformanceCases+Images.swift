import GatewayHTTP

extension ConformanceCase {
    static let foremanFacts = ["name", "uuid", "username", "user_data", "compute_resource_id", "compute_resource_name",
                               "operatingsystem_id", "operatingsystem_name", "architecture_id", "architecture_name"]

    static let idc51: [ConformanceCase] = [
        ConformanceCase("idc51", "POST /v2/zone/{zone}/images", seed: "capture-image") { c in
            let (reply, problems) = try await c.check("idc51", "capture-image", equal: ["action", "ret_code"])
            let job = try await c.client.finishedJob(reply["job_id"]?.stringValue ?? "")
            let jobProblems = conformanceProblems(Reply(status: 200, json: job, text: job.serialized, headers: [:]),
                                                  to: try c.seed("idc51", "get-job"), equal: ["action", "status", "zone"])
            return problems + jobProblems
        },
        ConformanceCase("idc51", "DELETE /v2/zone/{zone}/images/{ids}", seed: "delete-images") { c in
            let (a, b) = (try await c.idcImage(), try await c.idcImage())
            let (reply, problems) = try await c.check("idc51", "delete-images", at: "/v2/zone/ac1/images/\(a),\(b)", equal: ["action", "ret_code"])
            let job = try await c.client.finishedJob(reply["job_id"]?.stringValue ?? "")
            return also(problems, job["resource_ids"] == [.string(a), .string(b)] && job["status"] == "successful", "job: \(job.serialized)")
        },
        ConformanceCase("idc51", "PUT /v2/zone/{zone}/images", seed: "modify-image") { c in
            let imageId = try await c.idcImage()
            guard case .raw(let text, let type) = try c.seed("idc51", "modify-image").body else { return ["no body"] }
            let (reply, problems) = try await c.check("idc51", "modify-image",
                                                      body: .raw(text.replacingOccurrences(of: "img-IDNC88D", with: imageId), contentType: type),
                                                      equal: ["action", "ret_code"])
            let job = try await c.client.finishedJob(reply["job_id"]?.stringValue ?? "")
            return also(problems, job["status"] == "successful", "job: \(job.serialized)")
        },
        ConformanceCase("idc51", "GET /v2/zone/{zone}/images", seed: "list-images") { c in
            let (_, _) = try await c.client.idcMutation(.post, "/v2/zone/ac1/images", body: .json(["instance": "i-1", "image_name": "TEST"]))
            return try await c.check("idc51", "list-images", equal: ["total_count", "ret_code", "images.0.image_name",
                                                                     "images.0.status", "images.0.processor_type"]).problems
        },
    ]

    static let foreman: [ConformanceCase] = [
        ConformanceCase("foreman", "GET /api/compute_resources/{cr}/images, /api/operatingsystems/{os}/images, /api/architectures/{arch}/images",
                        seed: "list-images") { c in
            _ = try await c.foremanImage()
            var problems: [String] = []
            for parent in ["/api/compute_resources/1", "/api/operatingsystems/2", "/api/architectures/1"] {
                problems += try await c.check("foreman", "list-images", at: "\(parent)/images",
                                              equal: ["subtotal", "page", "per_page", "search", "sort", "results.0.name"]).problems
            }
            return problems
        },
        ConformanceCase("foreman", "GET the same three parents /{id}", seed: "show-image-under-os") { c in
            let id = try await c.foremanImage()
            var problems: [String] = []
            for parent in ["/api/compute_resources/1", "/api/operatingsystems/2", "/api/architectures/1"] {
                problems += try await c.check("foreman", "show-image-under-os", at: "\(parent)/images/\(id)", equal: foremanFacts).problems
            }
            return problems + (try await c.check("foreman", "not-found", equal: ["error"]).problems)
        },
        ConformanceCase("foreman", "POST /api/compute_resources/{cr}/images", seed: "create-image-json") { c in
            let json = try await c.check("foreman", "create-image-json", equal: foremanFacts).problems
            let invalid = try await c.check("foreman", "validation-error", equal: ["error"]).problems
            return json + invalid
        },
        ConformanceCase("foreman", "PUT /api/compute_resources/{cr}/images/{id}", seed: "update-image") { c in
            let id = try await c.foremanImage()
            return try await c.check("foreman", "update-image", at: "/api/compute_resources/1/images/\(id)", equal: foremanFacts).problems
        },
        ConformanceCase("foreman", "DELETE /api/compute_resources/{cr}/images/{id}", seed: "delete-image") { c in
            let id = try await c.foremanImage()
            return try await c.check("foreman", "delete-image", at: "/api/compute_resources/1/images/\(id)",
                                     equal: foremanFacts.filter { $0 != "name" }).problems
        },
    ]
}
