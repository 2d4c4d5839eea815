import Dialects
import Foundation
@testable import IMSModel
import Testing

/// 51idc as pure functions: each seed example of `idc51.json` decoded and answered with no
/// server, in the seed's terms.
@Suite struct Idc51DialectTests {
    static let at = Date(timeIntervalSince1970: 1_466_670_205)  // 2016-06-23T08:23:25Z
    static let requestId = DialectSeedTable.requestId

    static func job(_ action: String) -> JobSpec { JobSpec(action: action, zone: "ac1", requestId: requestId) }

    static func submitted(_ action: String, _ resources: [String]) -> CommandResult {
        .job(Job(jobId: "j-1", action: action, status: .pending, zone: "ac1", requestId: requestId, resourceIds: resources,
                 owner: "t", createdAt: at))
    }

    /// The seed's list entry: img-abcd1234, "TEST", 64bit centos, 20 GB.
    static var image: ImageView {
        var image = Image(imageId: "img-abcd1234", name: "TEST", now: at)
        image.description = "note"
        image.bits = .bits64
        image.platform = "centos"
        image.osType = "linux"
        image.provider = "self"
        image.visibility = .private
        image.size = 20 << 30
        image.username = "root"
        image.owner = "usr-1"
        return ImageView(image: image)
    }

    static let jobAnswer = ["action", "ret_code"]

    static let table = DialectSeedTable(dialect: Idc51Dialect(), name: "idc51", cases: [
        "capture-image": .init(outcome: .answers(.asJob(job("CaptureInstance"), .captureImage(instance: "i-IN234BH",
                                                                                              patch: [.name: "TEST", .zone: "ac1"])),
                                                 submitted("CaptureInstance", ["img-abcd1234"])), equal: jobAnswer),
        "delete-images": .init(outcome: .answers(.asJob(job("DeleteImages"), .batchDeleteImages(["img-9SSE88S", "img-992IIII"])),
                                                 submitted("DeleteImages", ["img-9SSE88S", "img-992IIII"])), equal: jobAnswer),
        "modify-image": .init(outcome: .answers(.asJob(job("ModifyImageAttributes"),
                                                       .updateImage(ImageSelector(ref: "img-IDNC88D"), [.name: "TEST", .description: "note"])),
                                                submitted("ModifyImageAttributes", ["img-IDNC88D"])), equal: jobAnswer),
        "list-images": .init(outcome: .answers(.listImages(ImageQuery(scope: .visible, sort: [SortKey(.createdAt, descending: true)],
                                                                      offset: 0, limit: 10)),
                                               .images(ImagePage(items: [image], total: 1))),
                             equal: ["total_count", "ret_code"] + ["image_id", "image_name", "description", "create_time", "status",
                                                                    "status_time", "transition_status", "processor_type", "os_family",
                                                                    "platform", "provider", "visibility", "size", "default_user",
                                                                    "default_passwd", "recommended_type", "owner"].map { "images.0." + $0 }),
        "get-job": .init(outcome: .answers(.getJob("<job_id>"), .job(Job(
            jobId: "j-1", action: "CaptureInstance", status: .successful, zone: "ac1", requestId: requestId, resourceIds: ["img-abcd1234"],
            owner: "t", createdAt: at, beganAt: at, finishedAt: at.addingTimeInterval(2)))),
                         equal: ["id_prefix", "action", "status", "create_time", "begin_time", "finished_time", "info", "extra", "zone",
                                 "resource_ids"]),
    ])

    @Test func everySeedExampleDecodesAndAnswersAsTheSeedShows() throws {
        try Self.table.check()
    }

    @Test func theEncoderAnswersEachOperationItsOwnResultAndNothingElse() {
        // Every mutation is a job.
        expectTotalEncoder(Idc51Dialect(), answers: [
            .imageList: "images", .imageCapture: "job", .imageUpdate: "job", .imageBatchDelete: "job", .jobGet: "job",
        ])
    }
}
