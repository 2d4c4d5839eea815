@testable import Dialects
import Foundation
@testable import GatewayHTTP
@testable import IMSModel
@testable import IMSService
import Testing

@Suite struct RouteTableTests {
    @Test func literalSegmentsWinAndParametersAreDecoded() throws {
        let table = try RouteTable([
            Route(dialect: .cecstack, method: .post, template: "/i/private-images/{imageId}", operation: .imageUpdate),
            Route(dialect: .cecstack, method: .post, template: "/i/private-images/import", operation: .imageCreate),
        ])
        #expect(table.match(.post, "/i/private-images/import")?.route.operation == .imageCreate)
        let m = try #require(table.match(.post, "/i/private-images/img%20x"))
        #expect(m.parameters["imageId"] == "img x")
        #expect(table.match(.get, "/i/private-images/import") == nil)
        #expect(table.match(.post, "/i/private-images") == nil)
    }

    /// The first-segment look that lets the gateway's own endpoints pass the dialects by.
    @Test func aTableClaimsOnlyPathsItsRoutesCouldServe() throws {
        let table = try RouteTable([
            Route(dialect: .foreman, method: .get, template: "/api/compute_resources/{id}/images", operation: .imageList),
            Route(dialect: .foreman, method: .get, template: "/", operation: .document),
            Route(dialect: .cecstack, method: .get, template: "/api/image/v1/images/{id}", operation: .imageGet, mount: "/api/image/v1"),
        ])
        for path in ["/api/anything", "api/x", "//api", "/", ""] { #expect(table.claims(path), "\(path)") }
        for path in ["/healthz", "/metrics", "/uploads/img-1", "/apix", "/ap"] { #expect(!table.claims(path), "\(path)") }
        // A route that starts with a parameter may be anything.
        let open = try RouteTable([Route(dialect: .foreman, method: .get, template: "/{bucket}/x", operation: .imageList)])
        #expect(open.claims("/healthz"))
        // What the table claims covers every path it matches or owns.
        let config = try GatewayConfig.load(path: TestGateway.repoRoot.appendingPathComponent("Config/ims-gateway.yaml").path)
        let shipped = try config.routeTable(dialects: DialectRegistry(Dialects.all))
        for route in shipped.routes { #expect(shipped.claims(route.template), "\(route.template)") }
        #expect(!shipped.claims("/healthz") && !shipped.claims("/metrics") && !shipped.claims("/readyz"))
    }

    @Test func duplicateRoutesAreRejected() {
        #expect(throws: RouteError.self) {
            try RouteTable([
                Route(dialect: .foreman, method: .get, template: "/a/{x}", operation: .imageGet),
                Route(dialect: .idc51, method: .get, template: "/a/{y}", operation: .imageList),
            ])
        }
    }

    /// Routes at one path chosen by a parameter (`?action=…`): each value its own route, one
    /// without a selector as the fallback, the same value twice a conflict.
    @Test func routesChosenByAParameter() throws {
        let pick = { (action: String, operation: GatewayHTTP.Operation) in
            Route(dialect: "x", method: .get, template: "/iaas/", operation: operation, defaults: ["action": action], selector: "action")
        }
        let plain = Route(dialect: .idc51, method: .get, template: "/iaas", operation: .document)
        let table = try RouteTable([plain, pick("DescribeImages", .imageList), pick("DescribeJobs", .jobList)])
        #expect(table.selects(.get, "/iaas/") && !table.selects(.post, "/iaas/"))
        let params = ["action": "DescribeJobs"]
        #expect(table.match(.get, "/iaas/", parameter: { params[$0] })?.route.operation == .jobList)
        #expect(table.match(.get, "/iaas/", parameter: { _ in "DescribeImages" })?.route.operation == .imageList)
        #expect(table.match(.get, "/iaas/", parameter: { _ in "Nope" })?.route.dialect == .idc51)
        #expect(table.match(.get, "/iaas/")?.route.dialect == .idc51)
        #expect(table.methods(at: "/iaas/") == [.get])
        #expect(throws: RouteError.self) { try RouteTable([pick("DescribeImages", .imageList), pick("DescribeImages", .imageGet)]) }
        let alone = try RouteTable([pick("DescribeImages", .imageList)])
        #expect(alone.match(.get, "/iaas/") == nil && alone.owner(of: "/iaas/") == "x")
    }

    @Test func theShippedRouteFilesLoad() throws {
        let config = try GatewayConfig.load(path: TestGateway.repoRoot.appendingPathComponent("Config/ims-gateway.yaml").path)
        let table = try config.routeTable(dialects: DialectRegistry(Dialects.all))
        #expect(table.match(.get, "/api/v2/architectures/1/images/4")?.route.dialect == .foreman)
        #expect(table.match(.delete, "/v2/zone/ac1/images/img-a,img-b")?.parameters["ids"] == "img-a,img-b")
        #expect(table.match(.get, "/api/image/v1/images")?.parameters["scope"] == "public")
    }
}

@Suite struct FieldMapTests {
    func view() -> ImageView {
        var image = Image(imageId: "img-abcd1234", name: "centos", now: Date(timeIntervalSince1970: 1_568_212_453.5))
        image.bits = .bits64
        image.platform = "CentOS"
        image.size = (20 << 30) + 1
        return ImageView(image: image, computeResourceName: "libvirt")
    }

    @Test func oneFactUnderEachDialectsName() {
        let v = view()
        let idc = Idc51Dialect.slots.encode(v), cec = CecstackDialect.slots.encode(v), fm = ForemanDialect.slots.encode(v)
        #expect(idc["image_name"] == "centos" && cec["name"] == "centos" && fm["name"] == "centos")
        #expect(idc["processor_type"] == "64bit")
        #expect(cec["instructions"] == "64-bits")
        #expect(idc["os_family"] == "centos")
        #expect(cec["platform"] == "CentOS")
        #expect(idc["size"] == 21)
        #expect(fm["created_at"] == "2019-09-11 14:34:13 UTC")
        #expect(idc["create_time"] == "2019-09-11T14:34:13Z")
        #expect(cec["createdAt"] == "2019-09-11T14:34:13.500Z")
        #expect(fm["compute_resource_name"] == "libvirt")
        #expect(fm["password"] == nil && fm["default_passwd"] == nil)
    }

    @Test func decodingTranslatesValuesBack() throws {
        let idc = try Idc51Dialect.slots.decode(["processor_type": "32bit", "image_name": "x"])
        let cec = try CecstackDialect.slots.decode(["instruction": "32-bits", "name": "x"])
        #expect(idc[.bits] == "32" && cec[.bits] == "32")
        #expect(throws: CanonicalError.invalidParameter(field: "bits", message: "must be one of 32-bits, 64-bits")) {
            try CecstackDialect.slots.decode(["instruction": "16-bits"])
        }
        // Form fields are text: numbers and booleans are read from it.
        let fm = try ForemanDialect.slots.decode(["architecture_id": "3", "user_data": "true"])
        #expect(fm[.architectureId] == 3 && fm[.userData] == true)
    }

    /// The one mapping table is the union of the dialects' own slots: no key names two fields
    /// in a dialect, and no dialect declares a field twice.
    @Test func theTableIsTheUnionAndNoKeyIsSpelledTwice() {
        #expect(FieldMap.clashes(Dialects.all) == [])
        let name = FieldMap.table(Dialects.all).first { $0.field == .name }?.slots
        #expect(name?[.idc51]?.input == "image_name" && name?[.foreman]?.input == "name" && name?[.htaiyun] == nil)
        let twice = FieldSlots("x", [(.name, .io(in: "n", out: "name")), (.description, .io(in: "d", out: "n"))])
        #expect(twice.duplicateKeys.isEmpty)
        #expect(FieldSlots("x", [(.name, .io("n")), (.description, .io("n"))]).duplicateKeys.count == 2)
    }
}

/// The serializer's fast paths write what the byte-by-byte path wrote.
@Suite struct JSONWriterTests {
    @Test func keysInCodePointOrderAndStringsEscaped() {
        let value: JSONValue = ["b": 1, "B": 2, "a_b": "plain", "é": "ü", "ab": "say \"hi\"\n\\ \u{01}", "a": [nil, true, .double(1.5)]]
        #expect(value.serialized == #"{"B":2,"a":[null,true,1.5],"a_b":"plain","ab":"say \"hi\"\n\\ \u0001","b":1,"é":"ü"}"#)
        #expect(JSONValue.parse(Array(value.serialized.utf8)) == value)
    }
}

/// The parser reads what Foundation's decoding of `JSONValue` read, and refuses what it refused.
@Suite struct JSONParserTests {
    static func foundation(_ text: String) -> JSONValue? {
        try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    @Test func agreesWithFoundationOnTheSeedsAndTheEdges() throws {
        var texts: [String] = [
            "null", "true", "false", "0", "-0", "12", "-12", "1.5", "1.0", "-2.50", "1e2", "1E-2", "2.5e+3",
            "9223372036854775807", "-9223372036854775808", "9223372036854775808", "123456789012345678901234567890",
            "1e400", "\"\"", "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", "\"\\u00e9\\u4e2d\\ud83d\\ude00\"", "\"é中😀\"",
            "[]", "{}", " [ 1 , [ ] , { } ] ", "{\"a\":1,\"a\":2}", "{\"k\": [null, {\"x\": \"y\"}]}",
            // refused
            "", " ", "nul", "tru", "01", "1.", ".5", "-", "+1", "1e", "[1,]", "[1 2]", "{\"a\"}", "{\"a\":}", "{a:1}",
            "{\"a\":1,}", "[", "{", "[1,2", "{\"a\":1", "[[]", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud83d\"", "\"\\udc00\"", "\"tab\there\"",
            "1 2", "[] x", "NaN", "Infinity",
        ]
        texts.append(String(repeating: "[", count: 600) + String(repeating: "]", count: 600))
        for dialect in ["foreman", "cecstack", "idc51", "htaiyun"] {
            let url = TestGateway.repoRoot.appendingPathComponent("Tests/GatewayTests/Fixtures/\(dialect).json")
            let fixture = try String(contentsOf: url, encoding: .utf8)
            texts.append(fixture)
            // Every request and answer body inside it, as text.
            if case .object(let top)? = JSONValue.parse(Array(fixture.utf8)) {
                for value in top.values { texts.append(value.serialized) }
            }
        }
        for text in texts {
            let ours = JSONValue.parse(Array(text.utf8))
            if text.hasPrefix(String(repeating: "[", count: 600)) {
                #expect(ours == nil, "nesting beyond the limit is refused")
            } else {
                #expect(ours == Self.foundation(text), "\(text.prefix(80).debugDescription)")
            }
        }
        // Invalid UTF-8 inside a string is refused, as Foundation refuses it.
        #expect(JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) == nil)
        #expect((try? JSONDecoder().decode(JSONValue.self, from: Data([0x22, 0xC3, 0x28, 0x22]))) == nil)
    }
}

/// The shadow's record of dropped writes: the newest `limit` objects, a key inserted again
/// counting from its latest insert, and removed ones gone.
@Suite struct MissedWritesTests {
    @Test func theNewestKeysAreKeptAndTheOldestForgotten() {
        var missed = MissedWrites(limit: 3)
        missed.insert(["image:1"]); missed.insert(["image:2"]); missed.insert(["image:3"])
        missed.insert(["image:1"])  // again: now the newest
        missed.insert(["image:4"])
        #expect(missed.count == 3)
        #expect(!missed.containsAny(of: ["image:2"]))
        #expect(missed.containsAny(of: ["image:1"]) && missed.containsAny(of: ["image:3"]) && missed.containsAny(of: ["image:4"]))
        missed.remove(["image:3"])
        #expect(!missed.containsAny(of: ["image:3"]))
        #expect(missed.count == 2)
    }

    @Test func manyInsertsKeepExactlyTheLimit() {
        var missed = MissedWrites(limit: 1000)
        for n in 0..<50_000 { missed.insert(["image:\(n)"]) }
        #expect(missed.count == 1000)
        #expect(missed.containsAny(of: ["image:49999"]) && missed.containsAny(of: ["image:49000"]))
        #expect(!missed.containsAny(of: ["image:48999"]))
    }
}
