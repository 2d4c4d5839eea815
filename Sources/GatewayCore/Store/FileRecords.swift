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
        let file = ImageFile(imageId: view.image.imageId, uploadId: "upload-" + RandomID.make(length: 16),
                             token: RandomID.make(length: 32), expectedSize: size, size: 0, md5: "", complete: false,
                             updatedAt: now)
        try file.upsert(db)
        var image = view.image
        image.uploadId = file.uploadId
        image.status = .queued
        image.errMessage = ""
        image.updatedAt = now
        try image.update(db)
        return UploadTicket(imageId: file.imageId, uploadId: file.uploadId, token: file.token, size: size)
    }

    /// Checks the ticket and marks the image as receiving bytes.
    static func beginUpload(_ imageId: String, token: String, now: Date, in db: Database) throws -> UploadTicket {
        guard let file = try ImageFile.fetchOne(db, key: imageId), !token.isEmpty, file.token == token,
              var image = try ImageStore.image(imageId: imageId, in: db)
        else { throw CanonicalError.forbidden("no upload was prepared for \(imageId) with that token") }
        guard image.status == .queued || image.status == .saving else {
            throw CanonicalError.rejected(.uploadNotAllowed, "image \(imageId) is \(image.status.rawValue)")
        }
        image.status = .saving
        image.updatedAt = now
        try image.update(db)
        return UploadTicket(imageId: imageId, uploadId: file.uploadId, token: token, size: file.expectedSize)
    }

    static func endUpload(_ imageId: String, _ measured: FileStore.Measured, now: Date, in db: Database) throws {
        guard var file = try ImageFile.fetchOne(db, key: imageId) else { return }
        file.size = measured.size
        file.md5 = measured.md5
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
        guard var file = try ImageFile.fetchOne(db, key: image.imageId), file.uploadId == uploadId || uploadId.isEmpty else {
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
        return try ImageStore.view(rowID: image.id!, in: db)
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
