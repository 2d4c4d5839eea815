import Foundation
@testable import IMSService
import Testing

/// `UploadRecords`' contract: a prepare replaces the last one's keys and multipart uploads, part
/// reservations never pass the prepared size, a completion is claimed once; against every store.
@Suite struct UploadRecordsContractTests {
    typealias S = ContractStores

    static func file(_ imageId: String, uploadId: String, size: Int64) -> ImageFile {
        ImageFile(imageId: imageId, uploadId: uploadId, token: Secrets.sha256Hex("token-\(uploadId)"), expectedSize: size, size: 0,
                  md5: "", complete: false, updatedAt: S.epoch)
    }

    @Test(arguments: StoreFactory.all) func aPrepareReplacesTheLastOnesKeysAndUploads(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            let image = try await stores.images.insert(S.image("cirros"), job: nil, unique: ImageUniqueness.keys).image
            let queued = ImageStateChange(status: .queued, errMessage: "", at: S.epoch, touchesStatusTime: false)
            let (firstKey, _) = UploadKey.mint(imageId: image.imageId, token: "token-upload-first", now: S.epoch)
            try await stores.uploads.prepare(Self.file(image.imageId, uploadId: "upload-first", size: 100), key: firstKey, change: queued)
            #expect(try await stores.uploads.key(firstKey.accessKey) == firstKey)
            #expect(try await stores.images.image(.ref(image.imageId), reach: .all, within: [])?.image.uploadId == "upload-first")
            try await stores.uploads.openMultipart(MultipartUpload(uploadId: "mpu-one", imageId: image.imageId, completed: false, createdAt: S.epoch))
            #expect(try await stores.uploads.multipartIds(of: image.imageId) == ["mpu-one"])

            let (secondKey, _) = UploadKey.mint(imageId: image.imageId, token: "token-upload-second", now: S.epoch)
            try await stores.uploads.prepare(Self.file(image.imageId, uploadId: "upload-second", size: 100), key: secondKey, change: queued)
            #expect(try await stores.uploads.key(firstKey.accessKey) == nil)
            #expect(try await stores.uploads.key(secondKey.accessKey) != nil)
            #expect(try await stores.uploads.multipartIds(of: image.imageId).isEmpty)
            #expect(try await stores.uploads.file(image.imageId)?.uploadId == "upload-second")

            try await stores.uploads.recordBytes(image.imageId, MeasuredBytes(size: 100, md5: "0123"), etag: "", at: S.epoch + 1)
            let file = try #require(try await stores.uploads.file(image.imageId))
            #expect(file.complete && file.size == 100 && file.md5 == "0123" && file.token == Secrets.sha256Hex("token-upload-second"))
            try await stores.uploads.finishUpload(image.imageId, ImageStateChange(status: .active, errMessage: "", size: 100,
                                                                                 checksum: "0123", at: S.epoch + 2))
            #expect(try await stores.uploads.file(image.imageId)?.token == "")
            #expect(try await stores.uploads.key(secondKey.accessKey) == nil)
            let done = try #require(try await stores.images.image(.ref(image.imageId), reach: .all, within: [])?.image)
            #expect(done.status == .active && done.size == 100 && done.checksum == "0123" && done.uploadId == "upload-second")
        }
    }

    @Test(arguments: StoreFactory.all) func partsReserveTheRoomLeftAndACompletionIsClaimedOnce(_ factory: StoreFactory) async throws {
        try await S.with(factory) { stores in
            let imageId = try await stores.images.insert(S.image("big"), job: nil, unique: ImageUniqueness.keys).image.imageId
            let uploads = stores.uploads
            let (key, _) = UploadKey.mint(imageId: imageId, token: "t", now: S.epoch)
            try await uploads.prepare(Self.file(imageId, uploadId: "upload-big", size: 100), key: key,
                                      change: ImageStateChange(status: .queued, at: S.epoch, touchesStatusTime: false))
            try await uploads.openMultipart(MultipartUpload(uploadId: "mpu-big", imageId: imageId, completed: false, createdAt: S.epoch))
            #expect(try await uploads.reservePart(imageId, "mpu-other", number: 1, length: 10, prepared: 100, at: S.epoch) == .noSuchUpload)
            #expect(try await uploads.reservePart(imageId, "mpu-big", number: 1, length: 60, prepared: 100, at: S.epoch) == .reserved(60))
            #expect(try await uploads.reservePart(imageId, "mpu-big", number: 2, length: 50, prepared: 100, at: S.epoch) == .tooLarge)
            #expect(try await uploads.reservePart(imageId, "mpu-big", number: 2, length: nil, prepared: 100, at: S.epoch) == .reserved(40))
            #expect(try await uploads.recordPart(imageId, UploadPartRecord(uploadId: "mpu-big", partNumber: 1, size: 60, md5: "aa", updatedAt: S.epoch)))
            try await uploads.dropReservation("mpu-big", number: 2)
            #expect(try await uploads.parts("mpu-big").map(\.partNumber) == [1])
            // Claimed once: a retry finds it completed; reopened, it can be claimed again.
            #expect(try await uploads.claimCompletion(imageId, "mpu-big")?.map(\.md5) == ["aa"])
            #expect(try await uploads.claimCompletion(imageId, "mpu-big") == nil)
            #expect(try await uploads.openUpload(imageId, "mpu-big") == nil)
            try await uploads.reopen("mpu-big")
            #expect(try await uploads.claimCompletion(imageId, "mpu-big") != nil)
            try await uploads.endMultipart(imageId, "mpu-big", MeasuredBytes(size: 60, md5: "bb"), etag: "cc-1", at: S.epoch + 1)
            #expect(try await uploads.parts("mpu-big").isEmpty)
            #expect(try await uploads.file(imageId)?.etag == "cc-1")
            #expect(try await uploads.abortMultipart(imageId, "mpu-big") == false)
            try await uploads.openMultipart(MultipartUpload(uploadId: "mpu-gone", imageId: imageId, completed: false, createdAt: S.epoch))
            #expect(try await uploads.abortMultipart(imageId, "mpu-gone"))
            #expect(try await uploads.multipartIds(of: imageId) == ["mpu-big"])
        }
    }
}
