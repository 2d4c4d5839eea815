@testable import IMSModel
import Testing

/// Foreman's compute resources, operating systems and architectures as API resources, and what
/// Foreman's own clients read before anything else: the status and the apidoc.
@Suite struct ForemanCatalogTests {
    @Test func statusAnswersAsForeman3() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let status = try await client.send(.get, "/api/status")
            #expect(status.status == 200)
            #expect(status["result"] == "ok" && status["status"] == 200 && status["api_version"] == 2)
            #expect(status["version"]?.stringValue?.hasPrefix("3.") == true)
            // As Foreman 3: the status needs credentials; the Apipie description does not.
            let anonymous = try await client.send(.get, "/api/status", auth: .none)
            #expect(anonymous.status == 401)
            #expect(anonymous["error"]?["message"]?.stringValue?.hasPrefix("Unable to authenticate") == true)
            #expect(try await client.send(.get, "/apidoc/v2.json", auth: .none).status == 200)
        }
    }

    @Test func apidocHasHomeHostsAndTheCatalogueWithForemansTypes() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let doc = try await client.send(.get, "/apidoc/v2.json")
            guard case .object(let resources)? = doc["docs"]?["resources"] else { Issue.record("no resources"); return }
            #expect(Set(resources.keys) == ["home", "hosts", "images", "compute_resources", "operatingsystems", "architectures"])
            func method(_ resource: String, _ name: String) -> JSONValue? {
                guard case .array(let methods)? = resources[resource]?["methods"] else { return nil }
                return methods.first { $0["name"] == .string(name) }
            }
            func param(_ m: JSONValue?, _ path: [String]) -> JSONValue? {
                var params = m?["params"]
                var found: JSONValue?
                for name in path {
                    guard case .array(let list)? = params else { return nil }
                    found = list.first { $0["name"] == .string(name) }
                    params = found?["params"]
                }
                return found
            }
            #expect(method("home", "status").flatMap { lookup($0, "apis.0.api_url") } == "/api/status")
            #expect(method("hosts", "update") != nil)
            // Every image action's parameters, as Foreman's Api::V2::ImagesController declares them.
            for (action, declared) in Self.foremansImageParams {
                let m = try #require(method("images", action), "images#\(action)")
                #expect(Self.flattened(m["params"]) == declared, "images#\(action)")
            }
            #expect(param(method("operatingsystems", "create"), ["operatingsystem", "major"])?["required"] == true)
            for resource in ["compute_resources", "operatingsystems", "architectures"] {
                for action in ["index", "show", "create", "update", "destroy"] {
                    #expect(method(resource, action) != nil, "\(resource)#\(action)")
                }
            }
        }
    }

    /// (full name, Apipie's expected type, required) of each parameter of the image actions, as
    /// Foreman's images controller declares them: parents and the image's ids are Strings, a
    /// path's own ids identifiers, `page` a number and `per_page` a pattern that allows `all`
    /// (Api::V2::BaseController's `search_and_pagination`); no `thin`.
    static let foremansImageParams: [String: [Declared]] = {
        let parents = ["compute_resource_id", "architecture_id", "operatingsystem_id"]
            .map { Declared($0, "string", false) }
        let paging = [Declared("search", "string", false), Declared("order", "string", false),
                      Declared("page", "numeric", false), Declared("per_page", "string", false)]
        func image(creating: Bool) -> [Declared] {
            [Declared("image", "hash", creating)]
                + ["name", "username", "uuid"].map { Declared("image[\($0)]", "string", creating) }
                + ["password", "compute_resource_id", "architecture_id", "operatingsystem_id"].map { Declared("image[\($0)]", "string", false) }
                + [Declared("image[user_data]", "boolean", false)]
        }
        let resource = Declared("compute_resource_id", "string", true)
        let id = Declared("id", "string", true)
        return [
            "index": parents + paging,
            "show": [id] + parents,
            "create": [resource] + image(creating: true),
            "update": [resource, id] + image(creating: false),
            "destroy": [resource, id],
        ]
    }()

    struct Declared: Equatable, CustomStringConvertible {
        var name: String, type: String, required: Bool
        init(_ name: String, _ type: String, _ required: Bool) { (self.name, self.type, self.required) = (name, type, required) }
        var description: String { "\(name):\(type)\(required ? "!" : "")" }
    }

    /// An apidoc method's parameters, nested ones after their hash, as `Declared`.
    static func flattened(_ params: JSONValue?) -> [Declared] {
        (params?.arrayValue ?? []).flatMap { p in
            [Declared(p["full_name"]?.stringValue ?? "?", p["expected_type"]?.stringValue ?? "?", p["required"] == true)]
                + flattened(p["params"])
        }
    }

    /// apypie validates what it sends against the apidoc: `per_page='all'` must pass, as on Foreman.
    @Test func apidocLetsPerPageAllThroughAsForemansPatternDoes() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let doc = try await client.send(.get, "/apidoc/v2.json")
            let methods = try #require(doc.at("docs.resources.images.methods")?.arrayValue)
            let index = try #require(methods.first { $0["name"] == "index" })
            let perPage = try #require(index["params"]?.arrayValue?.first { $0["name"] == "per_page" })
            #expect(perPage["expected_type"] == "string")
            #expect(perPage["validator"]?.stringValue?.contains("([1-9]\\d*|all)") == true)
        }
    }

    @Test func operatingSystemsAreFoundByTitleAndNameAndVersion() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let byTitle = try await client.send(.get, "/api/operatingsystems", query: [("search", #"title="Debian 12""#), ("per_page", "4294967296"), ("thin", "true")])
            #expect(byTitle.status == 200)
            #expect(byTitle["results"] == [["id": 1, "name": "Debian", "title": "Debian 12"]])
            let byVersion = try await client.send(.get, "/api/operatingsystems", query: [("search", #"name="CentOS",major="9""#)])
            #expect(byVersion.at("results.0.title") == "CentOS 9" && byVersion.at("results.0.family") == "Redhat")
            #expect(byVersion["subtotal"] == 1 && byVersion["total"] == 2)
            #expect(try await client.send(.get, "/api/operatingsystems/Debian 12")["id"] == 1)
            #expect(try await client.send(.get, "/api/compute_resources/libvirt")["provider"] == "Libvirt")
            let missing = try await client.send(.get, "/api/architectures/99")
            #expect(missing.status == 404 && missing["error"]?["message"] == "Resource architecture not found by id '99'")
        }
    }

    @Test func createUpdateDeleteAndAParentWithImagesIsRefused() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let created = try await client.send(.post, "/api/architectures", body: .json(["architecture": ["name": "ppc64le"]]))
            #expect(created.status == 201 && created["name"] == "ppc64le")
            guard case .int(let id)? = created["id"] else { Issue.record("no id"); return }
            let again = try await client.send(.post, "/api/architectures", body: .json(["architecture": ["name": "ppc64le"]]))
            #expect(again.status == 422 && again["error"]?["full_messages"] == ["Name has already been taken"])
            let renamed = try await client.send(.put, "/api/architectures/\(id)", body: .json(["architecture": ["name": "ppc64"]]))
            #expect(renamed["name"] == "ppc64")

            let os = try await client.send(.post, "/api/operatingsystems", body: .json(
                ["operatingsystem": ["name": "Ubuntu", "major": "24", "minor": "04", "family": "Debian", "release_name": "noble"]]))
            #expect(os.status == 201 && os["title"] == "Ubuntu 24.04" && os["release_name"] == "noble")
            let blank = try await client.send(.post, "/api/operatingsystems", body: .json(["operatingsystem": ["name": "Alpine"]]))
            #expect(blank.status == 422 && blank["error"]?["errors"]?["major"] == ["can't be blank"])

            let cr = try await client.send(.post, "/api/compute_resources", body: .json(
                ["compute_resource": ["name": "kvm2", "provider": "Libvirt", "url": "qemu+ssh://kvm2/system", "password": "s3cret"]]))
            #expect(cr.status == 201 && cr["password"] == nil && !cr.text.contains("s3cret"))
            guard case .int(let crId)? = cr["id"] else { Issue.record("no compute resource id"); return }

            let image = try await client.send(.post, "/api/compute_resources/\(crId)/images", body: .json(
                ["image": ["name": "noble", "username": "ubuntu", "uuid": "u-1", "architecture_id": .int(id), "operatingsystem_id": os["id"]!]]))
            #expect(image.status == 201 && image["architecture_name"] == "ppc64" && image["operatingsystem_name"] == "Ubuntu 24.04")

            for path in ["/api/architectures/\(id)", "/api/compute_resources/\(crId)"] {
                let refused = try await client.send(.delete, path)
                #expect(refused.status == 422, "\(path)")
                #expect(refused["error"]?["full_messages"] == ["Cannot delete record because dependent images exist"])
            }
            guard case .int(let imageId)? = image["id"] else { Issue.record("no image id"); return }
            #expect(try await client.send(.delete, "/api/compute_resources/\(crId)/images/\(imageId)").status == 200)
            #expect(try await client.send(.delete, "/api/architectures/\(id)").status == 200)
            #expect(try await client.send(.get, "/api/architectures/\(id)").status == 404)
        }
    }

    /// An image is found only under its own parent; under a parent that does not exist, the
    /// parent is what is not found, whether named by id or by name.
    @Test func anImageIsFoundOnlyUnderItsOwnComputeResource() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let made = try await client.send(.post, "/api/compute_resources/1/images", body: .json(
                ["image": ["name": "bookworm", "username": "debian", "uuid": "u-parent", "architecture_id": 1, "operatingsystem_id": 1]]))
            guard case .int(let imageId)? = made["id"] else { Issue.record("no image id: \(made)"); return }
            #expect(try await client.send(.get, "/api/compute_resources/1/images/\(imageId)")["compute_resource_id"] == 1)
            #expect(try await client.send(.get, "/api/compute_resources/libvirt/images/\(imageId)")["compute_resource_id"] == 1)
            let other = try await client.send(.post, "/api/compute_resources", body: .json(
                ["compute_resource": ["name": "other", "provider": "Libvirt", "url": "qemu:///other"]]))
            guard case .int(let otherId)? = other["id"] else { Issue.record("no compute resource id: \(other)"); return }
            let elsewhere = try await client.send(.get, "/api/compute_resources/\(otherId)/images/\(imageId)")
            #expect(elsewhere.status == 404 && elsewhere["error"]?["message"] == .string("Resource image not found by id '\(imageId)'"))
            for parent in ["99", "nosuch"] {
                let missing = try await client.send(.get, "/api/compute_resources/\(parent)/images/\(imageId)")
                #expect(missing.status == 404 && missing["error"]?["message"] == .string("Resource compute_resource not found by id '\(parent)'"),
                        "\(parent): \(missing)")
                #expect(try await client.send(.get, "/api/compute_resources/\(parent)/images").status == 404)
            }
        }
    }

    @Test func catalogueIndexesSearchOrderAndPage() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let ordered = try await client.send(.get, "/api/architectures", query: [("order", "name DESC"), ("per_page", "1"), ("page", "2")])
            #expect(ordered.at("results.0.name") == "aarch64" && ordered["per_page"] == 1 && ordered["total"] == 2)
            let either = try await client.send(.get, "/api/architectures", query: [("search", "name = x86_64 or name = aarch64"), ("per_page", "all")])
            #expect(either["subtotal"] == 2 && either["per_page"] == 2)
            let bad = try await client.send(.get, "/api/architectures", query: [("search", "colour = red")])
            #expect(bad.status == 400 && bad["error"]?["message"] == "Field 'colour' not recognized for searching!")
        }
    }
}

extension Reply {
    /// A value by dotted path (`results.0.name`).
    func at(_ path: String) -> JSONValue? { json.flatMap { lookup($0, path) } }
}
