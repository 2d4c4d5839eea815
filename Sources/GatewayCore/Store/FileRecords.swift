import Foundation
import GRDB

/// The database side of image bytes: upload tickets, measured results and the status rules
/// around them (queued → saving → active, or killed).
enum FileRecords {
    static func prepare(_ selector: ImageSelector, size: Int64, as identity: Identity, now: Date, in db: Database) throws -> UploadTicket {
        let view = try ImageStore.findWritable(selector, as: identity, in: db)
        guard [.queued, .killed].contains(view.image.status) else {
            throw CanonicalError.rejected(.uploadNotAllowed, "image \(view.image.imageId) is \(view.image.status.rawValue)")
        }
        guard size > 0 else { throw CanonicalError.invalidParameter(field: "size", message: "must be greater than 0") }
        let token = RandomID.make(length: 32)
        // Only the token's hash is kept; the S3 key pair's secret is not kept at all (`UploadKey`).
        let file = ImageFile(imageId: view.image.imageId, uploadId: "upload-" + RandomID.make(length: 16),
                             token: Secrets.sha256Hex(token), expectedSize: size, size: 0, md5: "", complete: false,
                             updatedAt: now)
        try file.upsert(db)
        let (key, secret) = UploadKey.mint(imageId: file.imageId, token: token, now: now)
        try UploadObjectRecords.replaceKey(key, in: db)
        var image = view.image
        image.uploadId = file.uploadId
        image.status = .queued
        image.errMessage = ""
        image.updatedAt = now
        try image.update(db)
        return UploadTicket(imageId: file.imageId, uploadId: file.uploadId, token: token, size: size,
                            accessKey: key.accessKey, secretKey: secret)
    }

    /// Checks the ticket and marks the image as receiving bytes.
    static func beginUpload(_ imageId: String, token: String, now: Date, in db: Database) throws -> UploadTicket {
        guard let file = try ImageFile.fetchOne(db, key: imageId), !token.isEmpty, !file.token.isEmpty,
              file.token == Secrets.sha256Hex(token)
        else { throw CanonicalError.forbidden("no upload was prepared for \(imageId) with that token") }
        return try beginUpload(imageId, now: now, in: db)
    }

    /// Marks the image as receiving bytes, its credential already checked (token or S3 key).
    static func beginUpload(_ imageId: String, now: Date, in db: Database) throws -> UploadTicket {
        guard let file = try ImageFile.fetchOne(db, key: imageId), var image = try ImageStore.image(imageId: imageId, in: db)
        else { throw CanonicalError.forbidden("no upload was prepared for \(imageId)") }
        guard image.status == .queued || image.status == .saving else {
            throw CanonicalError.rejected(.uploadNotAllowed, "image \(imageId) is \(image.status.rawValue)")
        }
        image.status = .saving
        image.updatedAt = now
        try image.update(db)
        return UploadTicket(imageId: imageId, uploadId: file.uploadId, token: "", size: file.expectedSize)
    }

    /// Records what arrived; `etag` is S3's for the object (the MD5, or a multipart upload's).
    static func endUpload(_ imageId: String, _ measured: FileStore.Measured, etag: String = "", now: Date, in db: Database) throws {
        guard var file = try ImageFile.fetchOne(db, key: imageId) else { return }
        file.size = measured.size
        file.md5 = measured.md5
        file.etag = etag
        file.complete = true
        file.updatedAt = now
        try file.update(db)
    }

    static func failUpload(_ imageId: String, now: Date, in db: Database) throws {
        try setStatus(imageId, .queued, message: "", now: now, in: db)
    }

    /// upload-done: success needs the bytes to be there and of the prepared size.
    static func finish(_ selector: ImageSelector, uploadId: String, success: Bool, as identity: Identity, now: Date,
                       in db: Database) throws -> ImageView {
        var image = try ImageStore.findWritable(selector, as: identity, in: db).image
        guard var file = try ImageFile.fetchOne(db, key: image.imageId),
              try names(uploadId, file, multipartIds: UploadObjectRecords.multipartIds(image.imageId, in: db))
        else {
            throw CanonicalError.invalidParameter(field: "uploadId", message: "does not match a prepared upload")
        }
        guard [.queued, .saving].contains(image.status) else {
            throw CanonicalError.rejected(.wrongStatus, "image \(image.imageId) is \(image.status.rawValue)")
        }
        if success {
            guard file.complete else { throw CanonicalError.rejected(.uploadFailed, "no bytes were uploaded") }
            guard file.size == file.expectedSize else {
                throw CanonicalError.rejected(.sizeMismatch, "uploaded \(file.size) bytes, prepared \(file.expectedSize)")
            }
            image.status = .active
            image.size = file.size
            image.checksum = file.md5
            image.errMessage = ""
        } else {
            image.status = .killed
            image.errMessage = "the client reported the upload failed"
        }
        image.updatedAt = now
        image.statusTime = now
        try image.update(db)
        file.token = ""
        try file.update(db)
        try UploadObjectRecords.revoke(image.imageId, in: db)
        return try ImageStore.view(rowID: image.id!, in: db)
    }

    /// Whether upload-done's `uploadId` names the image's current upload: absent, the prepare's
    /// id, or one of its multipart uploads' ids. Any other id the gateway mints (`upload-…`,
    /// `mpu-…`) is another upload's, a stale or crossed one, and is refused. An id of another
    /// shape (the seed's example sends `"test"`) cannot name any upload here: clients that send
    /// a tracking id of their own are accepted, and the size check decides.
    static func names(_ uploadId: String, _ file: ImageFile, multipartIds: [String]) -> Bool {
        if uploadId.isEmpty || uploadId == file.uploadId || multipartIds.contains(uploadId) { return true }
        return !uploadId.hasPrefix("upload-") && !uploadId.hasPrefix("mpu-")
    }

    static func downloadable(_ selector: ImageSelector, as identity: Identity, in db: Database) throws -> Image {
        let image = try ImageStore.find(selector, as: identity, in: db).image
        guard image.status == .active, let file = try ImageFile.fetchOne(db, key: image.imageId), file.complete else {
            throw CanonicalError.rejected(.downloadNotAllowed, "image \(image.imageId) has no stored bytes")
        }
        return image
    }

    static func exportable(_ selector: ImageSelector, as identity: Identity, in db: Database) throws -> ImageView {
        let view = try ImageStore.findWritable(selector, as: identity, in: db)
        _ = try downloadable(selector, as: identity, in: db)
        return view
    }

    /// A new image whose bytes an import job will fetch; it is `saving` until then.
    static func newImport(_ patch: ImagePatch, url: String, as identity: Identity, now: Date, in db: Database) throws -> ImageView {
        var patch = patch
        patch[.status] = .string(ImageStatus.saving.rawValue)
        patch[.sourceType] = "import"
        return try ImageStore.create(patch, as: identity, now: now, in: db)
    }

    /// Records what a background fetch or copy measured: active with size and checksum.
    static func completeFile(_ imageId: String, _ measured: FileStore.Measured, now: Date, in db: Database) throws {
        try ImageFile(imageId: imageId, uploadId: "", token: "", expectedSize: measured.size, size: measured.size,
                      md5: measured.md5, complete: true, updatedAt: now).upsert(db)
        guard var image = try ImageStore.image(imageId: imageId, in: db) else { return }
        image.size = measured.size
        image.checksum = measured.md5
        image.status = .active
        image.errMessage = ""
        image.updatedAt = now
        image.statusTime = now
        try image.update(db)
    }

    static func setStatus(_ imageId: String, _ status: ImageStatus, message: String, now: Date, in db: Database) throws {
        guard var image = try ImageStore.image(imageId: imageId, in: db) else { return }
        image.status = status
        image.errMessage = message
        image.updatedAt = now
        image.statusTime = now
        try image.update(db)
    }
}
