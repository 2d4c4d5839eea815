import Dialects
import Foundation
@testable import GatewayHTTP
@testable import IMSModel
import NIOCore
import Testing

/// The dialect engine as pure functions over `Config/dialects/qingcloud.yaml`: requests decoded
/// and answers encoded without a server, in the terms of QingCloud's API.
@Suite struct QingcloudDialectTests {
    static let file = TestGateway.repoRoot.appendingPathComponent("Config/dialects/qingcloud.yaml").path
    let dialect: DataDialect
    init() throws { dialect = try DialectFile.load(path: Self.file, compiled: DialectRegistry(Dialects.all)) }

    func request(_ action: String, _ query: [(String, String)]) throws -> DialectRequest {
        let route = try #require(dialect.routes.first { $0.defaults["action"] == action && $0.method == .get })
        return DialectRequest(route: route, parameters: route.defaults, query: [("action", action)] + query, requestId: "r-1")
    }

    @Test func describeImagesReadsNumberedListsAndFilters() throws {
        let command = try dialect.decode(request("DescribeImages", [
            ("images.2", "img-bbbbbbbb"), ("images.1", "img-aaaaaaaa"), ("status.1", "available"), ("status.2", "pending"),
            ("processor_type", "64bit"), ("os_family", "centos"), ("search_word", "web"), ("offset", "5"), ("limit", "7"),
            ("verbose", "1"), ("zone", "pek3"), ("access_key_id", "ignored"),
        ])).command
        #expect(command == .listImages(ImageQuery(scope: .visible, filters: [
            ImageCondition(.imageId, .in, ["img-aaaaaaaa", "img-bbbbbbbb"]),
            ImageCondition(.status, .in, ["active", "queued", "saving"]),
            .eq(.bits, "64"), .eq(.platform, "centos"),
        ], searchWord: "web", sort: [SortKey(.createdAt, descending: true)], offset: 5, limit: 7)))
        // The CLI sends every filter as a list.
        let cli = try dialect.decode(request("DescribeImages", [("processor_type.1", "64bit"), ("processor_type.2", "32bit")])).command
        #expect(cli == .listImages(ImageQuery(filters: [ImageCondition(.bits, .in, ["64", "32"])],
                                              sort: [SortKey(.createdAt, descending: true)], offset: 0, limit: 20)))
    }

    @Test func badParametersAreRefusedInQingcloudsWords() throws {
        for (query, key) in [([("limit", "101")], "limit"), ([("processor_type", "16bit")], "processor_type"),
                             ([("status.1", "nonsense")], "status"), ([("images.x", "img-a")], "images.x"), ([("verbose", "yes")], "verbose")] {
            let req = try request("DescribeImages", query)
            #expect(throws: CanonicalError.self) { try dialect.decode(req) }
            do { _ = try dialect.decode(req) } catch {
                let answer = dialect.encode(error, for: req)
                #expect(answer.status == .ok && answer.body?["ret_code"] == 1400, "\(query)")
                #expect(answer.body?["message"]?.stringValue?.contains("[\(key)]") == true, "\(answer.body?.serialized ?? "")")
            }
        }
        let missing = try request("CaptureInstance", [("image_name", "x")])
        #expect(throws: CanonicalError.invalidParameter(field: "instance", message: "is required")) { try dialect.decode(missing) }
    }

    @Test func mutationsAreJobsWithTheirArguments() throws {
        let spec = { (action: String) in JobSpec(action: action, zone: "pek3", requestId: "r-1") }
        #expect(try dialect.decode(request("CaptureInstance", [("instance", "i-1"), ("image_name", "golden"), ("zone", "pek3")])).command
            == .asJob(spec("CaptureInstance"), .captureImage(instance: "i-1", patch: [.name: "golden", .zone: "pek3", .computeResourceId: 1])))
        #expect(try dialect.decode(request("DeleteImages", [("images.1", "img-a"), ("images.2", "img-b"), ("zone", "pek3")])).command
            == .asJob(spec("DeleteImages"), .batchDeleteImages(["img-a", "img-b"])))
        #expect(try dialect.decode(request("ModifyImageAttributes", [("image", "img-a"), ("description", "d"), ("zone", "pek3")])).command
            == .asJob(spec("ModifyImageAttributes"), .updateImage(ImageSelector(ref: "img-a"), [.description: "d"])))
        #expect(try dialect.decode(request("DescribeJobs", [("jobs.1", "j-1"), ("status.1", "working"), ("limit", "3")])).command
            == .listJobs(JobQuery(jobIds: ["j-1"], statuses: [.working], offset: 0, limit: 3)))
    }

    @Test func answersPlaceCanonicalFactsUnderQingcloudsKeys() throws {
        var image = Image(imageId: "img-abcd1234", name: "centos", now: Date(timeIntervalSince1970: 1_568_212_453))
        image.bits = .bits64
        image.status = .saving
        image.size = (20 << 30) + 1
        let page = try dialect.encode(.images(ImagePage(items: [ImageView(image: image)], total: 9)),
                                      for: dialect.decode(request("DescribeImages", [])).echo)
        let body = try #require(page.body)
        #expect(body["action"] == "DescribeImagesResponse" && body["ret_code"] == 0 && body["total_count"] == 9)
        let item = try #require(body["image_set"]?.arrayValue?.first)
        #expect(item["image_id"] == "img-abcd1234" && item["image_name"] == "centos" && item["processor_type"] == "64bit")
        #expect(item["status"] == "pending" && item["size"] == 21 && item["create_time"] == "2019-09-11T14:34:13Z")
        #expect(item["name"] == nil && item["imageId"] == nil)

        let job = Job(jobId: "j-abc", action: "CaptureInstance", status: .pending, zone: "pek3", requestId: "r-1",
                      resourceIds: ["img-abcd1234"], owner: "t", createdAt: Date(timeIntervalSince1970: 1_568_212_453))
        let captured = try dialect.encode(.job(job), for: dialect.decode(request("CaptureInstance", [("instance", "i-1")])).echo)
        #expect(captured.body == ["action": "CaptureInstanceResponse", "image_id": "img-abcd1234", "job_id": "j-abc", "ret_code": 0])
        let jobs = try dialect.encode(.jobs(JobPage(items: [job], total: 1)), for: dialect.decode(request("DescribeJobs", [])).echo)
        #expect(jobs.body?["job_set"]?.arrayValue?.first?["job_action"] == "CaptureInstance")
        #expect(jobs.body?["job_set"]?.arrayValue?.first?["status"] == "pending" && jobs.body?["total_count"] == 1)
    }

    /// Each action answers its own result (a job for the job actions) and any other is the
    /// internal error, never an answer with null facts.
    @Test func eachActionAnswersItsOwnResultAndNothingElse() throws {
        let answers = ["DescribeImages": "images", "CaptureInstance": "job", "DeleteImages": "job", "ModifyImageAttributes": "job",
                       "DescribeJobs": "jobs"]
        for (action, kind) in answers {
            let given = ["CaptureInstance": [("instance", "i-1")], "DeleteImages": [("images.1", "img-a")],
                         "ModifyImageAttributes": [("image", "img-a")]][action] ?? []
            let echo = try dialect.decode(request(action, given)).echo
            #expect(echo.action == action)
            for result in Samples.all {
                do {
                    _ = try dialect.encode(result, for: echo)
                    #expect(result.kind == kind, "\(action) answers \(result.kind)")
                } catch {
                    guard case .internal = error, result.kind != kind else {
                        Issue.record("\(action) refuses \(result.kind): \(error)")
                        continue
                    }
                    #expect(dialect.encode(error, for: try request(action, [])).body?["ret_code"] == 5000)
                }
            }
        }
        // An echo naming no action of the file is not answered either.
        #expect(throws: CanonicalError.self) {
            try dialect.encode(.images(ImagePage(items: [], total: 0)), for: Echo(operation: .imageList, requestId: "r-1"))
        }
    }

    @Test func errorsAreHTTP200WithARetCode() throws {
        let req = try request("ModifyImageAttributes", [])
        let cases: [(CanonicalError, Int64)] = [(.notFound(kind: "image", id: "img-zzzzzzzz"), 2100), (.unauthorized("AKID"), 1200),
                                                (.invalidParameter(field: "name", message: "can't be blank"), 1400), (.internal("x"), 5000)]
        for (error, code) in cases {
            let answer = dialect.encode(error, for: req)
            #expect(answer.status == .ok && answer.body?["ret_code"] == .int(code), "\(error)")
        }
        #expect(dialect.encode(CanonicalError.notFound(kind: "image", id: "img-zzzzzzzz"), for: req).body?["message"]
            == "ResourceNotFound, resource [img-zzzzzzzz] not found")
        // A canonical field is named by the dialect's key.
        #expect(dialect.encode(CanonicalError.invalidParameter(field: "name", message: "can't be blank"), for: req).body?["message"]
            == "ParameterError, parameter [image_name] can't be blank")
    }

    /// Values are written as 51idc writes them: the file refers to the shared table.
    @Test func valueFormsComeFromTheSharedTable() {
        #expect(dialect.fields.slot(.bits)?.codec.wireValues == ["32bit", "64bit"])
        #expect(FieldMap.clashes(Dialects.all + [dialect]) == [])
    }

    @Test func aBrokenFileIsRefusedAtItsLine() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ims-dialect-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let text = try String(contentsOfFile: Self.file, encoding: .utf8)
        let cases = [
            ("  name: image_name", "  nmae: image_name", "unknown canonical field 'nmae'"),
            ("auth: qingcloud-hmac-sha256-v1", "auth: hmac-md5", "unknown auth scheme 'hmac-md5'"),
            ("answer: {action: DescribeImagesResponse, image_set: $images", "answer: {action: DescribeImagesResponse, image_set: $imgs",
             "unknown name '$imgs'"),
        ]
        for (good, bad, message) in cases {
            let lines = text.components(separatedBy: "\n")
            let line = try #require(lines.firstIndex { $0.contains(good) }) + 1
            let file = folder.appendingPathComponent("broken.yaml").path
            try text.replacingOccurrences(of: good, with: bad).write(toFile: file, atomically: true, encoding: .utf8)
            #expect {
                try DialectFile.load(path: file, compiled: DialectRegistry(Dialects.all))
            } throws: { error in
                guard let error = error as? DialectFileError else { return false }
                return error.message.contains(message) && error.line == line && error.file == file
            }
        }
    }
}
