import AsyncHTTPClient
import Crypto
import Foundation
@testable import IMSModel
@testable import IMSService
@testable import IMSStoreGlance
import NIOCore
import Testing

/// The Glance client against a live Glance (`scripts/glance start`; `IMS_GLANCE_URL` its URL),
/// and openstacksdk reading what it made straight from Glance.
@Suite(.enabled(if: GlanceLive.url != nil, "needs IMS_GLANCE_URL (scripts/glance url)"))
struct GlanceClientTests {
    static let caller = GlanceCaller(userId: "ims-test", projectId: "p-acme", roles: ["admin", "member", "reader"])

    @Test func anImageIsMadeFilledReadListedPatchedSharedAndDeleted() async throws {
        try await GlanceLive.with { glance in
            var image = Image(imageId: "img-" + RandomID.make(length: 8), name: "client-" + RandomID.make(length: 6),
                              now: Date(timeIntervalSince1970: 1_764_000_000))
            image.owner = "p-acme"
            image.platform = "CentOS"
            image.password = "never-in-glance"
            image.status = .queued
            let id = GlanceFields.glanceId(image.imageId)
            let made = try await glance.create(GlanceFields.document(image).createBody.merging(["id": .string(id)]) { a, _ in a }, as: Self.caller)
            #expect(made.id == id)
            #expect(made.status == "queued")
            #expect(made.json["os_distro"] == "centos")
            #expect(!made.json.values.contains(.string("never-in-glance")))
            // The same id again: refused.
            await #expect(throws: GlanceError.self) {
                try await glance.create(["id": .string(id), "name": "again", "disk_format": "raw", "container_format": "bare"], as: Self.caller)
            }

            // Bytes, streamed in chunks; Glance measures them as we do.
            let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let chunks = stride(from: 0, to: bytes.count, by: 65_536).map { ByteBuffer(bytes: bytes[$0..<min($0 + 65_536, bytes.count)]) }
            try await glance.upload(id, body: GlanceLive.Chunks(chunks), as: Self.caller)
            let filled = try #require(try await glance.image(id, as: Self.caller))
            #expect(filled.status == "active")
            #expect(filled.size == Int64(bytes.count))
            #expect(filled.checksum == Insecure.MD5.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
            #expect(filled.hashValue == SHA512.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
            var back: [UInt8] = []
            try await glance.download(id, as: Self.caller) { back += Array(buffer: $0) }
            #expect(back == bytes)
            var part: [UInt8] = []
            try await glance.download(id, range: 10...19, as: Self.caller) { part += Array(buffer: $0) }
            #expect(part == Array(bytes[10...19]))

            // A property filter finds it; pages go by marker.
            let found = try await glance.list(filters: ["ims_image_id": image.imageId], as: Self.caller)
            #expect(found.images.map(\.id) == [id])
            let first = try await glance.list(limit: 1, as: Self.caller)
            #expect(first.images.count == 1)
            if let marker = first.nextMarker {
                let second = try await glance.list(limit: 1, marker: marker, as: Self.caller)
                #expect(second.images.first?.id != first.images.first?.id)
            }

            // A patch made by the table; read back, the image is the image (size and checksum Glance's).
            var renamed = image
            renamed.name += "-renamed"
            renamed.zone = "ac1"
            renamed.status = .active
            renamed.size = Int64(bytes.count)
            renamed.checksum = filled.checksum ?? ""
            let patched = try await glance.patch(id, GlanceFields.patch(from: filled.json, to: GlanceFields.document(renamed)), as: Self.caller)
            var expected = renamed
            expected.password = ""
            #expect(GlanceFields.image(patched.json) == expected)

            // Members: added by the owner, accepted on the member's behalf.
            let member = GlanceCaller(userId: "ims-test", projectId: "p-globex", roles: ["member", "reader"])
            #expect(try await glance.image(id, as: member) == nil)
            try await glance.addMember(id, project: "p-globex", as: Self.caller)
            try await glance.setMemberStatus(id, project: "p-globex", "accepted", as: member)
            #expect(try await glance.members(id, as: Self.caller).map(\.project) == ["p-globex"])
            #expect(try await glance.image(id, as: member)?.id == id)
            #expect(try await glance.removeMember(id, project: "p-globex", as: Self.caller))

            #expect(try await glance.delete(id, as: Self.caller))
            #expect(try await glance.image(id, as: Self.caller) == nil)
            #expect(try await glance.delete(id, as: Self.caller) == false)
        }
    }

    @Test func openstacksdkReadsWhatTheTableWroteStraightFromGlance() async throws {
        try await GlanceLive.with { glance in
            var image = Image(imageId: "img-" + RandomID.make(length: 8), name: "sdk-" + RandomID.make(length: 6),
                              now: Date(timeIntervalSince1970: 1_764_000_000))
            image.owner = "p-acme"
            image.platform = "Ubuntu"
            image.osVersion = "24.04"
            image.username = "ubuntu"
            image.bootMode = "UEFI"
            image.zone = "ac1"
            image.password = "never-in-glance"
            let id = GlanceFields.glanceId(image.imageId)
            _ = try await glance.create(GlanceFields.document(image).createBody.merging(["id": .string(id)]) { a, _ in a }, as: Self.caller)
            let bytes = Array("the bytes of an image, read by openstacksdk\n".utf8)
            try await glance.upload(id, body: GlanceLive.Chunks([ByteBuffer(bytes: bytes)]), as: Self.caller)

            let sdk = try GlanceLive.openstacksdk(["p-acme", "show", id])
            #expect(sdk["name"] == .string(image.name))
            #expect(sdk["size"] == .int(Int64(bytes.count)))
            #expect(sdk["downloaded_size"] == .int(Int64(bytes.count)))
            let sha512 = SHA512.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
            #expect(sdk["hash_value"] == .string(sha512))
            #expect(sdk["downloaded_sha512"] == .string(sha512))
            #expect(sdk["os_distro"] == "ubuntu")
            #expect(sdk["os_version"] == "24.04")
            #expect(sdk["architecture"] == "x86_64")
            let properties = try #require(sdk["properties"]?.objectValue)
            #expect(properties["ims_image_id"] == .string(image.imageId))
            #expect(properties["ims_zone"] == "ac1")
            #expect(properties["ims_platform"] == "Ubuntu")
            #expect(sdk["os_admin_user"] == "ubuntu")  // an attribute of openstacksdk's Image, not a property
            #expect(properties["hw_firmware_type"] == "uefi")
            #expect(!properties.values.contains(.string("never-in-glance")))
            #expect(try await glance.delete(id, as: Self.caller))
        }
    }
}

/// A live Glance for tests: `IMS_GLANCE_URL`, the HTTP client, openstacksdk's script.
enum GlanceLive {
    static let url = ProcessInfo.processInfo.environment["IMS_GLANCE_URL"]

    static func with<T>(_ body: (GlanceClient) async throws -> T) async throws -> T {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let result = try await body(GlanceClient(url: url!, http: http))
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    /// Runs Tests/clients/glance_sdk.py with the venv scripts/glance made; answers its JSON.
    static func openstacksdk(_ arguments: [String]) throws -> [String: JSONValue] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = root.appendingPathComponent(".build-venv/glance/bin/python")
        process.arguments = [root.appendingPathComponent("Tests/clients/glance_sdk.py").path, url!] + arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, let json = JSONValue.parse(Array(data))?.objectValue else {
            throw GlanceError(status: Int(process.terminationStatus), message: "glance_sdk.py: " + String(decoding: data, as: UTF8.self))
        }
        return json
    }

    /// Buffers as an async sequence (an upload's body).
    struct Chunks: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let chunks: [ByteBuffer]
        init(_ chunks: [ByteBuffer]) { self.chunks = chunks }
        struct AsyncIterator: AsyncIteratorProtocol {
            var rest: ArraySlice<ByteBuffer>
            mutating func next() async throws -> ByteBuffer? { rest.popFirst() }
        }
        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rest: chunks[...]) }
    }
}
