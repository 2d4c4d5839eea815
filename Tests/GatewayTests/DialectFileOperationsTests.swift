import Dialects
import Foundation
@testable import GatewayHTTP
@testable import IMSModel
import Testing

/// A dialect file in operation: `config check` reports its problems at their lines, SIGHUP
/// (`LiveConfig.reload`) reloads it, and its OpenAPI document is generated from it.
@Suite struct DialectFileOperationsTests {
    @Test func configCheckNamesTheDialectFileAndLine() throws {
        let dir = try OperationsTests.configCopy()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("dialects/qingcloud.yaml")
        let text = try String(contentsOf: file, encoding: .utf8)
        let lines = text.components(separatedBy: "\n")
        let authLine = try #require(lines.firstIndex { $0.hasPrefix("auth: ") }) + 1
        try text.replacingOccurrences(of: "auth: qingcloud-hmac-sha256-v1", with: "auth: rot13")
            .write(to: file, atomically: true, encoding: .utf8)
        var problems = ConfigCheck.run(path: dir.appendingPathComponent("ims-gateway.yaml").path, compiled: Dialects.all).map(\.description)
        #expect(problems == ["\(file.path):\(authLine): unknown auth scheme 'rot13' (known: none, qingcloud-hmac-sha256-v1)"])

        let fieldLine = try #require(lines.firstIndex { $0.hasPrefix("  name: image_name") }) + 1
        try text.replacingOccurrences(of: "  name: image_name", with: "  title: image_name").write(to: file, atomically: true, encoding: .utf8)
        problems = ConfigCheck.run(path: dir.appendingPathComponent("ims-gateway.yaml").path, compiled: Dialects.all).map(\.description)
        #expect(problems.count == 1 && problems.first?.hasPrefix("\(file.path):\(fieldLine): unknown canonical field 'title'") == true, "\(problems)")

        // A route file may serve the dialect's path without a selector (requests naming no known
        // action reach it): no conflict. A missing dialect file is named at its line.
        try text.write(to: file, atomically: true, encoding: .utf8)
        try "dialect: idc51\nroutes:\n  - {method: GET, path: /iaas, operation: image.list}\n"
            .write(to: dir.appendingPathComponent("routes/extra.yaml"), atomically: true, encoding: .utf8)
        var main = try String(contentsOf: dir.appendingPathComponent("ims-gateway.yaml"), encoding: .utf8)
        main = main.replacingOccurrences(of: "  - routes/cecstack.yaml\n", with: "  - routes/cecstack.yaml\n  - routes/extra.yaml\n")
        main = main.replacingOccurrences(of: "  - dialects/qingcloud.yaml\n", with: "  - dialects/qingcloud.yaml\n  - dialects/missing.yaml\n")
        try main.write(to: dir.appendingPathComponent("ims-gateway.yaml"), atomically: true, encoding: .utf8)
        problems = ConfigCheck.run(path: dir.appendingPathComponent("ims-gateway.yaml").path, compiled: Dialects.all).map(\.description)
        #expect(problems.contains { $0.contains("ims-gateway.yaml:") && $0.contains("dialects/missing.yaml does not exist") }, "\(problems)")
        #expect(problems.count == 1, "\(problems)")
    }

    @Test func reloadPicksUpAnEditedDialectFileAndKeepsTheOldOneWhenBroken() async throws {
        let dir = try OperationsTests.configCopy()
        defer { try? FileManager.default.removeItem(at: dir) }
        var gateway = try TestGateway()
        defer { gateway.remove() }
        let path = dir.appendingPathComponent("ims-gateway.yaml").path
        var config = try GatewayConfig.load(path: path)
        config.backendInUse.path = gateway.dataPath
        config.auth.credentials = nil
        let parts = GatewayParts(dialects: Dialects.all)
        let live = try makeLiveConfig(config, parts: parts, configPath: path)
        let file = dir.appendingPathComponent("dialects/qingcloud.yaml").path
        let original = try String(contentsOfFile: file, encoding: .utf8)
        // Without credentials, every request acts as the operator: the file alone decides.
        let main = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "  credentials: credentials.yaml\n", with: "")
        try main.write(toFile: path, atomically: true, encoding: .utf8)
        let app = try buildApplication(config, parts: parts, logger: TestGateway.quietLogger, live: live)
        try await app.test(.router) { raw in
            let client = GatewayClient(client: raw)
            let before = try await client.send(.get, "/iaas/", query: [("action", "DescribeImages")], auth: .none)
            #expect(before["action"] == "DescribeImagesResponse" && before["image_set"] != nil)

            try original.replacingOccurrences(of: "image_set: $images", with: "images: $images").write(toFile: file, atomically: true, encoding: .utf8)
            try live.reload()
            let after = try await client.send(.get, "/iaas/", query: [("action", "DescribeImages")], auth: .none)
            #expect(after["images"] != nil && after["image_set"] == nil)

            try original.replacingOccurrences(of: "operation: image.list", with: "operation: image.teleport").write(toFile: file, atomically: true, encoding: .utf8)
            #expect(throws: DialectFileError.self) { try live.reload() }
            #expect(try await client.send(.get, "/iaas/", query: [("action", "DescribeImages")], auth: .none)["images"] != nil)
        }
    }

    @Test func theOpenAPIDocumentIsGeneratedFromTheFile() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        try await gateway.run { client in
            let doc = try await client.send(.get, "/openapi/qingcloud.json")
            #expect(doc.status == 200 && doc["openapi"] == "3.1.0")
            let get = try #require(doc["paths"]?["/iaas/"]?["get"])
            let names = get["parameters"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(["action", "images.1", "status.1", "search_word", "instance", "image_name", "jobs.1", "signature"].allSatisfy(names.contains), "\(names)")
            let action = get["parameters"]?.arrayValue?.first { $0["name"] == "action" }
            #expect(action?["schema"]?["enum"] == ["CaptureInstance", "DeleteImages", "DescribeImages", "DescribeJobs", "ModifyImageAttributes"])
            #expect(doc["paths"]?["/iaas/"]?["post"]?["requestBody"]?["content"]?["application/x-www-form-urlencoded"] != nil)
            #expect(doc["components"]?["securitySchemes"]?["access_key_id"]?["in"] == "query")
            // Every action's answer, and the error, share HTTP 200: each shape is one of its forms.
            let forms = get["responses"]?["200"]?["content"]?["application/json"]?["schema"]?["oneOf"]?.arrayValue ?? []
            for key in ["image_set", "job_set", "image_id", "message"] {
                #expect(forms.contains { $0["properties"]?[key] != nil }, "no answer with \(key)")
            }
        }
    }

    /// `explain` runs the same pipeline: the action's route, its file and line, the command.
    @Test func explainShowsAnActionsRouteAndCommand() async throws {
        var gateway = try TestGateway()
        defer { gateway.remove() }
        gateway.config.auth.credentials = nil
        let outcome = try await Explainer(config: gateway.config, dialects: Dialects.all)
            .explain(method: "GET", path: "/iaas/?action=DeleteImages&images.1=img-a&images.2=img-b&zone=pek3")
        #expect(outcome.operation == .imageBatchDelete)
        #expect(outcome.text.contains("route:     qingcloud GET /iaas/") && outcome.text.contains("qingcloud.yaml:"))
        #expect(outcome.command == .asJob(JobSpec(action: "DeleteImages", zone: "pek3", requestId: "explain"),
                                          .batchDeleteImages(["img-a", "img-b"])))
        let unknown = try await Explainer(config: gateway.config, dialects: Dialects.all).explain(method: "GET", path: "/iaas/?action=Nope")
        #expect(unknown.operation == nil && unknown.text.hasPrefix("no route matches"))
    }
}
