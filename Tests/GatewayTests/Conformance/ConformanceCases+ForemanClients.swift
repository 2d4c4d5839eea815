import GatewayHTTP

/// SPEC.md's "Beyond the seeds" endpoints for Foreman (issue 13): what Foreman's own clients
/// call. No seed shows their answers; each case checks the keys and values Foreman 3.x answers.
extension ConformanceCase {
    static let catalogueKinds = ["compute_resources", "operatingsystems", "architectures"]

    static let foremanClients: [ConformanceCase] = [
        ConformanceCase("foreman", "GET /api/status", seed: "issue 13") { c in
            let reply = try await c.client.send(.get, "/api/status")
            return expectations([
                (reply.status == 200, "status \(reply.status)"),
                (reply["result"] == "ok" && reply["status"] == 200 && reply["api_version"] == 2, "not Foreman's status: \(reply.text)"),
                (reply["version"]?.stringValue?.hasPrefix("3.") == true, "no 3.x version"),
            ])
        },
        ConformanceCase("foreman", "GET /apidoc/v2.json", seed: "issue 13") { c in
            let reply = try await c.client.send(.get, "/apidoc/v2.json")
            guard case .object(let resources)? = reply["docs"]?["resources"] else { return ["no docs.resources"] }
            return ["home", "hosts", "images"].compactMap { resources[$0] == nil ? "no \($0) resource" : nil }
                + catalogueKinds.compactMap { resources[$0] == nil ? "no \($0) resource" : nil }
        },
        ConformanceCase("foreman", "GET /api/{compute_resources,operatingsystems,architectures}", seed: "issue 13") { c in
            var problems: [String] = []
            for (kind, search) in zip(catalogueKinds, [#"name="libvirt""#, #"title="Debian 12""#, #"name="x86_64""#]) {
                let reply = try await c.client.send(.get, "/api/\(kind)", query: [("search", search), ("per_page", "4294967296"), ("thin", "true")])
                problems += expectations([
                    (reply.status == 200, "\(kind): status \(reply.status)"),
                    (reply["subtotal"] == 1 && reply.at("results.0.id") == 1, "\(kind): \(search) did not find id 1"),
                    (reply["total"] != nil && reply["page"] == 1 && reply["sort"] != nil, "\(kind): not Foreman's index envelope"),
                ])
            }
            return problems
        },
        ConformanceCase("foreman", "GET /api/{compute_resources,operatingsystems,architectures}/{id}", seed: "issue 13") { c in
            let byId = try await c.client.send(.get, "/api/operatingsystems/2")
            let byTitle = try await c.client.send(.get, "/api/operatingsystems/CentOS 9")
            let missing = try await c.client.send(.get, "/api/compute_resources/99")
            return expectations([
                (byId["title"] == "CentOS 9" && byId["name"] == "CentOS" && byId["major"] == "9" && byId["family"] == "Redhat",
                 "operating system 2: \(byId.text)"),
                (byTitle["id"] == 2, "not found by title"),
                (missing.status == 404 && missing["error"]?["message"] == "Resource compute_resource not found by id '99'", missing.text),
            ])
        },
        ConformanceCase("foreman", "POST /api/{compute_resources,operatingsystems,architectures}", seed: "issue 13") { c in
            let created = try await c.client.send(.post, "/api/architectures", body: .json(["architecture": ["name": "s390x"]]))
            let invalid = try await c.client.send(.post, "/api/architectures", body: .json(["architecture": ["name": ""]]))
            return expectations([
                (created.status == 201 && created["name"] == "s390x" && created["created_at"] != nil, created.text),
                (invalid.status == 422 && invalid["error"]?["full_messages"] == ["Name can't be blank"], invalid.text),
            ])
        },
        ConformanceCase("foreman", "PUT /api/{compute_resources,operatingsystems,architectures}/{id}", seed: "issue 13") { c in
            let reply = try await c.client.send(.put, "/api/operatingsystems/1", body: .json(["operatingsystem": ["minor": "8"]]))
            return expectations([(reply.status == 200 && reply["title"] == "Debian 12.8", reply.text)])
        },
        ConformanceCase("foreman", "DELETE /api/{compute_resources,operatingsystems,architectures}/{id}", seed: "issue 13") { c in
            _ = try await c.foremanImage()
            let refused = try await c.client.send(.delete, "/api/operatingsystems/2")
            let deleted = try await c.client.send(.delete, "/api/architectures/2")
            return expectations([
                (refused.status == 422 && refused["error"]?["full_messages"] == ["Cannot delete record because dependent images exist"],
                 refused.text),
                (deleted.status == 200 && deleted["name"] == "aarch64", deleted.text),
            ])
        },
        ConformanceCase("foreman", "GET /api/compute_resources/{cr}/images?search=…&per_page=all", seed: "issue 13") { c in
            _ = try await c.foremanImage()
            let ansible = try await c.client.send(.get, "/api/compute_resources/1/images",
                                                  query: [("search", #"name="centos-9",operatingsystem="2""#), ("per_page", "all")])
            let either = try await c.client.send(.get, "/api/compute_resources/1/images",
                                                 query: [("search", "name = nothing or (architecture = 1 and not user_data = true)")])
            let bad = try await c.client.send(.get, "/api/compute_resources/1/images", query: [("search", "name = (x")])
            return expectations([
                (ansible["subtotal"] == 1 && ansible["per_page"] == 1, "Ansible's search: \(ansible.text)"),
                (either["subtotal"] == 1, "or/not/parentheses: \(either.text)"),
                (bad.status == 400 && bad["error"]?["message"] != nil, "parse error: \(bad.text)"),
            ])
        },
    ]

    /// The failed expectations' messages.
    static func expectations(_ list: [(Bool, String)]) -> [String] {
        list.filter { !$0.0 }.map(\.1)
    }
}
