import Foundation
import GatewayCore
import Testing
@testable import Dialects

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

    @Test func duplicateRoutesAreRejected() {
        #expect(throws: RouteError.self) {
            try RouteTable([
                Route(dialect: .foreman, method: .get, template: "/a/{x}", operation: .imageGet),
                Route(dialect: .idc51, method: .get, template: "/a/{y}", operation: .imageList),
            ])
        }
    }

    @Test func theShippedRouteFilesLoad() throws {
        let config = try GatewayConfig.load(path: TestGateway.repoRoot.appendingPathComponent("Config/ims-gateway.yaml").path)
        let table = try config.routeTable()
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
        let idc = FieldMap.encode(v, for: .idc51), cec = FieldMap.encode(v, for: .cecstack), fm = FieldMap.encode(v, for: .foreman)
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
        let idc = try FieldMap.decode(["processor_type": "32bit", "image_name": "x"], from: .idc51)
        let cec = try FieldMap.decode(["instruction": "32-bits", "name": "x"], from: .cecstack)
        #expect(idc[.bits] == "32" && cec[.bits] == "32")
        #expect(throws: CanonicalError.invalidParameter(field: "bits", message: "must be one of 32-bits, 64-bits")) {
            try FieldMap.decode(["instruction": "16-bits"], from: .cecstack)
        }
        // Form fields are text: numbers and booleans are read from it.
        let fm = try FieldMap.decode(["architecture_id": "3", "user_data": "true"], from: .foreman)
        #expect(fm[.architectureId] == 3 && fm[.userData] == true)
    }
}

@Suite struct ForemanSearchTests {
    @Test func parsesConditions() throws {
        let c = try ForemanSearch.parse(#"name ~ "cent os" and username = root AND user_data = false"#)
        #expect(c == [ImageCondition(.name, .contains, ["cent os"]), .eq(.username, "root"), .eq(.userData, false)])
        #expect(try ForemanSearch.parse("name = CentOS 9") == [.eq(.name, "CentOS 9")])
        #expect(try ForemanSearch.parse("centos") == [ImageCondition(.name, .contains, ["centos"])])
    }

    @Test func rejectsUnknownFieldsAndDanglingOperators() {
        #expect(throws: CanonicalError.self) { try ForemanSearch.parse("colour = red") }
        #expect(throws: CanonicalError.self) { try ForemanSearch.parse("name =") }
        #expect(throws: CanonicalError.self) { try ForemanSearch.parse("id = abc") }
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
