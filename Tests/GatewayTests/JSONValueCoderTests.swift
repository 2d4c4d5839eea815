import Foundation
@testable import IMSModel
import NIOCore
import Testing

/// `JSONValueEncoder`/`JSONValueDecoder` carry the canonical API and stored jobs; gateways of
/// earlier versions (and jobs they stored) used Foundation's coders, so each side must read
/// what the other wrote.
@Suite struct JSONValueCoderTests {
    static let now = Date(timeIntervalSinceReferenceDate: 785_000_000.125)

    static var image: Image {
        var image = Image(imageId: "img-0a1b2c3d", name: "centos \"8\"\n中文", now: now)
        image.id = 42
        image.computeResourceId = 1
        image.size = 1 << 40
        image.userData = true
        image.updatedAt = now.addingTimeInterval(0.5)
        return image
    }

    static let commands: [Command] = [
        .createImage([.name: "centos", .minDisk: 20, .userData: true, .description: nil]),
        .getImage(ImageSelector(ref: "img-0a1b2c3d", within: [.eq(.computeResourceId, 1)])),
        .listImages(ImageQuery(scope: .own, filters: [ImageCondition(.name, .in, ["a", "b"])], searchWord: "c",
                               sort: [SortKey(.createdAt, descending: true)], offset: 20, limit: 10, countsScope: true)),
        .listImages(ImageQuery()),
        .batchDeleteImages((0..<300).map { "img-\($0)" }),
        .captureImage(instance: "i-1", patch: [.name: "snap"]),
        .deleteInstances([1, 2, 3]),
        .listShares(ImageSelector(ref: "7"), offset: 0, limit: 50),
        .asJob(JobSpec(action: "DeleteImages", zone: "ac1", requestId: "r-1"), .deleteImage(ImageSelector(ref: "img-1"))),
        .updateApplication(3, ApplicationPatch(name: "n", applications: [])),
        .getJob("j-1"),
    ]

    static var results: [CommandResult] {
        [
            .image(ImageView(image: image, computeResourceName: "cr", operatingsystemName: nil)),
            .images(ImagePage(items: [ImageView(image: image)], total: 1, scopeTotal: 9)),
            .imagesDeleted(["img-1", "img-2"]),
            .job(Job(jobId: "j-1", action: "DeleteImages", status: .working, zone: "ac1", requestId: "r", resourceIds: ["img-1"],
                     owner: "t", createdAt: now, beganAt: now)),
            .done,
        ]
    }

    static let errors: [CanonicalError] = [
        .notFound(kind: "image", id: "img-9"), .rejected(.imageIsShared, "shared"), .invalidParameter(field: "name", message: "is required"),
    ]

    /// Both ways against Foundation, and through text.
    func agree<T: Codable & Equatable>(_ value: T) throws {
        let ours = try JSONValueEncoder().encode(value)
        let text = Array(ours.serialized.utf8)
        #expect(try JSONDecoder().decode(T.self, from: Data(text)) == value, "Foundation reads ours: \(T.self)")
        let theirs = try JSONEncoder().encode(value)
        #expect(try JSONValueDecoder().decode(T.self, from: Array(theirs)) == value, "we read Foundation's: \(T.self)")
        #expect(JSONValue.parse(Array(theirs)) == ours, "the same JSON: \(T.self)")
        #expect(try JSONValueDecoder().decode(T.self, from: text) == value)
        var written = ByteBuffer()
        try JSONValueEncoder().write(value, into: &written)
        #expect(try JSONDecoder().decode(T.self, from: Data(written.readableBytesView)) == value, "Foundation reads our text: \(T.self)")
        #expect(JSONValue.parse(written.readableBytesView) == ours)
    }

    @Test func commandsResultsAndErrorsMatchFoundation() throws {
        for command in Self.commands { try agree(command) }
        for result in Self.results { try agree(result) }
        for error in Self.errors { try agree(error) }
        try agree(Identity(user: "u", tenant: "t", isOperator: true))
        try agree(Self.now)
    }

    @Test func badInputIsADecodingErrorWithItsPath() throws {
        func failure<T: Decodable>(_ type: T.Type, _ text: String) -> DecodingError? {
            do {
                _ = try JSONValueDecoder().decode(type, from: Array(text.utf8))
                return nil
            } catch {
                return error as? DecodingError
            }
        }
        guard case .dataCorrupted? = failure(Identity.self, #"{"user": "#) else { Issue.record("not JSON"); return }
        guard case .keyNotFound(let key, _)? = failure(Identity.self, #"{"user": "u", "tenant": "t"}"#) else { Issue.record("missing key"); return }
        #expect(key.stringValue == "isOperator")
        guard case .typeMismatch(_, let context)? = failure(Command.self, #"{"getJob": {"_0": 7}}"#) else { Issue.record("wrong type"); return }
        #expect(context.codingPath.map(\.stringValue) == ["getJob", "_0"])
        guard case .valueNotFound? = failure(Identity.self, #"{"user": null, "tenant": "t", "isOperator": false}"#) else { Issue.record("null"); return }
        guard case .typeMismatch(_, let indexed)? = failure([Int8].self, "[1, 2, 300]") else { Issue.record("out of range"); return }
        #expect(indexed.codingPath.last?.intValue == 2)
        #expect(try JSONValueDecoder().decode([Int].self, from: Array("[1.0, -0]".utf8)) == [1, 0])
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(Double.nan) }
    }

    /// A stored list is written back as the text it was read as, and means the same list.
    @Test func storedStringListsKeepTheirText() throws {
        let text = #"["img-1","img-2","中"]"#
        let stored = try #require(StringList(json: text))
        #expect(stored.strings == ["img-1", "img-2", "中"])
        #expect(stored == StringList(["img-1", "img-2", "中"]))
        #expect(stored.json == .encoded(text))
        #expect(JSONValue.object(["ids": stored.json]).serialized == #"{"ids":["img-1","img-2","中"]}"#)
        // Escapes and spacing are parsed in full; what is not a list of strings is refused.
        #expect(StringList(json: #"[ "a\"b" , "c" ]"#)?.strings == ["a\"b", "c"])
        #expect(StringList(json: "[]")?.strings == [])
        for bad in ["", "[", #"["a" "b"]"#, #"[1]"#, #"{"a":"b"}"#, #"["a"]x"#] {
            #expect(StringList(json: bad) == nil, "\(bad)")
        }
        // On the wire it is an array of strings, whoever reads or writes it.
        let job = Job(jobId: "j", action: "a", status: .successful, zone: "z", requestId: "r", resourceIds: [], owner: "o", createdAt: Self.now)
        var fromStore = job
        fromStore.resources = stored
        var written = ByteBuffer()
        try JSONValueEncoder().write(fromStore, into: &written)
        #expect(try JSONDecoder().decode(Job.self, from: Data(written.readableBytesView)).resourceIds == stored.strings)
        #expect(try JSONValueDecoder().decode(Job.self, from: JSONValueEncoder().encode(fromStore)) == fromStore)
        #expect(try JSONValueDecoder().decode(Job.self, from: Array(JSONEncoder().encode(fromStore))) == fromStore)
    }
}
