import Dialects
import Foundation
@testable import IMSModel
import Testing

/// CECSTACK as pure functions: each seed example of `cecstack.json` decoded and answered with no
/// server, in the seed's terms.
@Suite struct CecstackDialectTests {
    static let at = Date(timeIntervalSince1970: 1_684_878_374)

    /// The seed's `img-kvvfk28fcjc0mt`: "test", active, qcow2, 32-bits cclinux, public.
    static func image(_ imageId: String = "img-kvvfk28fcjc0mt", name: String = "test", status: ImageStatus = .active,
                      visibility: Visibility = .public) -> ImageView {
        var image = Image(imageId: imageId, name: name, now: at)
        image.id = 12
        image.imageType = "os_image"
        image.size = 27_205_947
        image.status = status
        image.diskFormat = "qcow2"
        image.checksum = "29a9d18dc5e0aa0f14707cffda13fa92"
        (image.minDisk, image.minRam) = (5, 512)
        (image.cpuArch, image.bits, image.osType, image.platform, image.osVersion) = ("x86", .bits32, "linux", "cclinux", "v2")
        (image.usage, image.region, image.visibility, image.bootMode) = ("ecs", "ecs49", visibility, "UEFI")
        image.owner = "7074927169066926081"
        return ImageView(image: image)
    }

    static func share(_ shareId: String, image: ImageView?) -> ShareView {
        ShareView(share: ImageShare(id: 1, shareId: shareId, imageId: "img-2fpe4gppddvq8c", userId: "7085524801413873664",
                                    createdAt: at, updatedAt: at), userName: "lptest", image: image)
    }

    static let selector = ImageSelector(ref: "img-kvvfk28fcjc0mt")
    static let shared = ImageSelector(ref: "img-2fpe4gppddvq8c")
    static let newest = [SortKey(.createdAt, descending: true)]
    static let ok = ["requestId", "code", "message"]
    static let okNull = ok + ["data"]
    static let imageFacts = ["imageId", "imageType", "name", "size", "status", "diskFormat", "checksum", "minDisk", "minRam", "cpuArch",
                             "osType", "platform", "progress", "usage", "instructions", "uploadId", "region", "visibility", "bootMode"]
    static let pageFacts = ok + ["data.current", "data.total"]

    static let table = DialectSeedTable(dialect: CecstackDialect(), name: "cecstack", cases: [
        "list-public-images": .init(outcome: .answers(
            .listImages(ImageQuery(scope: .publicOnly, sort: newest, offset: 0, limit: 1)),
            .images(ImagePage(items: [image()], total: 8))),
            equal: pageFacts + ["data.size"] + imageFacts.map { "data.list.0." + $0 } + ["data.list.0.osVersion"]),
        "get-image": .init(outcome: .answers(.getImage(selector), .image(image())), equal: ok + imageFacts.map { "data." + $0 }),
        "update-private-image": .init(outcome: .answers(
            .updateImage(ImageSelector(ref: "img-a62z9rb9k8tcwy"), [
                .bootMode: "UEFI", .cpuArch: "arm", .diskFormat: "qcow2", .bits: "64", .minDisk: 20, .minRam: 1024, .name: "test",
                .osType: "linux", .osVersion: "kylin-v10-sp3", .platform: "kylin",
            ]), .image(image())), equal: okNull),
        "create-private-image": .init(outcome: .answers(
            .createImage([
                .diskFormat: "qcow2", .minDisk: 10, .minRam: 512, .name: "centos8.2", .imageType: "os_image", .bits: "64",
                .cpuArch: "x86", .osType: "linux", .platform: "CentOS", .visibility: "private", .usage: "ecs",
                .departmentId: "7074631167051202560", .resourceGroupId: "", .owner: "7074631167042813952",
                .status: "queued", .region: "region0", .bootMode: "BIOS",
            ]),
            .image({
                var view = image("img-ja541mkm4kxt67", name: "centos8.2", status: .queued, visibility: .private)
                (view.image.bits, view.image.platform, view.image.minDisk, view.image.osVersion) = (.bits64, "CentOS", 10, "")
                view.image.owner = "7074631167042813952"
                view.image.departmentId = "7074631167051202560"
                return view
            }())),
            equal: ok + ["owner", "instructions", "name", "status", "minDisk", "platform", "progress", "visibility", "usage",
                         "departmentId", "cpuArch", "osVersion", "minRam", "osType", "diskFormat", "imageType"].map { "data." + $0 }),
        "upload-prepare": .init(outcome: .answers(
            .prepareUpload(selector, size: 104_234),
            .uploadTicket({
                var ticket = UploadTicket(imageId: "img-kvvfk28fcjc0mt", uploadId: "u-1", token: "t-1", size: 104_234)
                (ticket.accessKey, ticket.secretKey) = ("E8iGSz1FLwTsaIw9MAEh", "R3rvxgFc1x9WkynfO4B8bYw6I78uYKtGgvdFanMk")
                return ticket
            }())),
            // Where the bytes go is the gateway's own (`domain`, `bucket`, `file`); the key pair is the upload's.
            equal: ok + ["data.accessKey", "data.secretKey"]),
        "upload-done": .init(outcome: .answers(.finishUpload(selector, uploadId: "test", success: true), .image(image())),
                             equal: ok),
        "list-private-images": .init(outcome: .answers(
            .listImages(ImageQuery(scope: .own, filters: [ImageCondition(.name, .contains, ["1"]), ImageCondition(.imageId, .eq, ["1"])],
                                   sort: newest, offset: 0, limit: 10)),
            .images(ImagePage(items: [image()], total: 8))),
            // The seed answers `size` 1 to a request for 10: the size echoed is the one asked for.
            equal: pageFacts + imageFacts.map { "data.list.0." + $0 } + ["data.list.0.owner"]),
        "download-file": .init(outcome: .streams(.downloadImage(selector))),
        "delete-private-image": .init(outcome: .answers(.deleteImage(selector), .image(image())), equal: ok),
        "share": .init(outcome: .answers(.shareImage(shared, userIds: ["7085524801413873664"]),
                                         .shares(SharePage(items: [share("img-share-mabwezvcbsap5apvpho", image: nil)], total: 1))),
                       equal: okNull),
        "list-shares": .init(outcome: .answers(.listShares(shared, offset: 0, limit: 10),
                                               .shares(SharePage(items: [share("img-share-mabwezvcbsap5apvpho", image: nil)], total: 1))),
                             equal: pageFacts + ["data.size"] + ["shareId", "imageId", "userId", "image", "userName"].map { "data.list.0." + $0 }),
        "unshare": .init(outcome: .answers(.unshareImage(shared, userIds: ["7085524801413873664"]), .shares(SharePage(items: [], total: 0))),
                         equal: okNull),
        "list-shared-images": .init(outcome: .answers(
            .listReceivedShares(offset: 0, limit: 10, newestFirst: true),
            .shares(SharePage(items: [share("img-share-60syal9krz8c0lnf6n5c", image: image(visibility: .private))], total: 1))),
            equal: pageFacts + ["data.size"] + ["shareId", "imageId", "userId", "userName", "image.status", "image.name", "image.diskFormat"]
                .map { "data.list.0." + $0 }),
        "delete-shared-image": .init(outcome: .answers(.deleteShare("img-share-60sya19krz8c0lnf6n5c"), .shares(SharePage(items: [], total: 0))),
                                     equal: okNull),
        "import-image": .init(outcome: .answers(
            .importImage([
                .departmentId: "1813606081461485577", .resourceGroupId: "", .name: "导入镜像", .minDisk: 10, .minRam: 1024, .cpuArch: "x86",
                .diskFormat: "qcow2", .osType: "linux", .usage: "ecs", .platform: "CCLinux", .bits: "32",
                .owner: "1813606081461485576", .region: "region0", .visibility: "private", .osVersion: "v2",
                .imageType: "whole_image", .bootMode: "BIOS",
            ], url: "https://10.253.6.101/CeaKE/zhangyuhe/kylinv10sp3-20240228-k8s.qcow2"),
            .image({
                var view = image("img-gy4vuyga35szng", name: "导入镜像", status: .saving, visibility: .private)
                (view.image.imageType, view.image.owner, view.image.minDisk, view.image.minRam) = ("whole_image", "1813606081461485576", 1, 1024)
                return view
            }())),
            equal: ok + ["imageType", "status", "diskFormat", "owner", "minDisk", "minRam"].map { "data." + $0 }),
        "oss-bucket-list": .init(outcome: .answers(.listBuckets(selector), .buckets([Bucket(name: "hello1", azId: "AZ0", cellId: "ecs49"),
                                                                                   Bucket(name: "hello2", azId: "AZ0", cellId: "ecs49")])),
                                 equal: ok + ["data"]),
        "export-image": .init(outcome: .answers(.exportImage(ImageSelector(ref: "img-wr17xc4linx9po"),
                                                             bucket: "iaas-image-8e10bee109d043b8b97141c5c3c8da93"), .image(image())),
                              equal: okNull),
        "copy-shared-image": .init(outcome: .answers(
            .copyShare("img-share-ebgqhlf7j4061fjx2bku", [
                .owner: "1845802001481407751", .departmentId: "1845802001481407752", .resourceGroupId: "1855053812545355776",
                .name: "名称", .description: "描述",
            ]),
            .image({
                var view = image("img-1w0x82kpybroot", name: "名称", status: .saving, visibility: .private)
                view.image.description = "描述"
                return view
            }())),
            equal: ok + ["status", "visibility", "imageType", "diskFormat", "uploadId", "shared", "capacityPercentage", "volumeImages",
                         "errMessage", "tenantName", "departmentName", "resourceGroupName"].map { "data." + $0 }),
    ])

    @Test func everySeedExampleDecodesAndAnswersAsTheSeedShows() throws {
        try Self.table.check()
    }

    @Test func theEncoderAnswersEachOperationItsOwnResultAndNothingElse() {
        // `image.download` is streamed by the pipeline: no result of it is encoded.
        expectTotalEncoder(CecstackDialect(), answers: [
            .imageList: "images", .imageGet: "image", .imageCreate: "image", .imageUpdate: "image", .imageDelete: "image",
            .imagePrepareUpload: "uploadTicket", .imageFinishUpload: "image", .imageShare: "shares", .imageUnshare: "shares",
            .imageListShares: "shares", .shareListReceived: "shares", .shareDelete: "shares", .shareCopy: "image",
            .imageImport: "image", .storageListBuckets: "buckets", .imageExport: "image",
        ])
    }

    /// The page an answer echoes is what the decoder read: the size asked for, else the items'.
    @Test func aPageEchoesTheSizeAndPageAskedFor() throws {
        let dialect = CecstackDialect()
        var seed = try #require(try SeedCase.load("cecstack")["list-shares"])
        seed.query = [("current", "3")]
        let decoded = try dialect.decode(try DialectSeedTable.request(seed))
        #expect(decoded.command == .listShares(Self.shared, offset: 20, limit: 10))
        let answer = try dialect.encode(.shares(SharePage(items: [Self.share("img-share-x", image: nil)], total: 21)), for: decoded.echo)
        #expect(answer.body?["data"]?["size"] == 1 && answer.body?["data"]?["current"] == 3)
    }
}
