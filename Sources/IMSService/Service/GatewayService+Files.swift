import Foundation
import IMSModel
import NIOCore

/// Image bytes: the upload protocol (prepare → bytes → done), downloads, imports and exports.
extension GatewayService {
    func prepareUpload(_ selector: ImageSelector, size: Int64, as identity: Identity, now: Date) async throws -> UploadTicket {
        let image = try await findWritable(selector, as: identity).image
        guard [.queued, .killed].contains(image.status) else {
            throw CanonicalError.rejected(.uploadNotAllowed, "image \(image.imageId) is \(image.status.rawValue)")
        }
        guard size > 0 else { throw CanonicalError.invalidParameter(field: "size", message: "must be greater than 0") }
        let token = mint.uploadToken()
        // Only the token's hash is kept; the S3 key pair's secret is not kept at all (`UploadKey`).
        let file = ImageFile(imageId: image.imageId, uploadId: mint.uploadId(), token: Secrets.sha256Hex(token), expectedSize: size,
                             size: 0, md5: "", complete: false, updatedAt: now)
        let (key, secret) = mint.uploadKey(imageId: file.imageId, token: token, now: now)
        try await stores.uploads.prepare(file, key: key, change: ImageStateChange(status: .queued, errMessage: "", at: now,
                                                                                 touchesStatusTime: false))
        return UploadTicket(imageId: file.imageId, uploadId: file.uploadId, token: token, size: size,
                            accessKey: key.accessKey, secretKey: secret)
    }

    /// upload-done: success needs the bytes to be there and of the prepared size.
    func finishUpload(_ selector: ImageSelector, uploadId: String, success: Bool, as identity: Identity, now: Date) async throws
        -> ImageView
    {
        let image = try await findWritable(selector, as: identity).image
        guard let file = try await stores.uploads.file(image.imageId),
              Self.names(uploadId, file, multipartIds: try await stores.uploads.multipartIds(of: image.imageId))
        else {
            throw CanonicalError.invalidParameter(field: "uploadId", message: "does not match a prepared upload")
        }
        guard [.queued, .saving].contains(image.status) else {
            throw CanonicalError.rejected(.wrongStatus, "image \(image.imageId) is \(image.status.rawValue)")
        }
        let change: ImageStateChange
        if success {
            guard file.complete else { throw CanonicalError.rejected(.uploadFailed, "no bytes were uploaded") }
            guard file.size == file.expectedSize else {
                throw CanonicalError.rejected(.sizeMismatch, "uploaded \(file.size) bytes, prepared \(file.expectedSize)")
            }
            change = ImageStateChange(status: .active, errMessage: "", size: file.size, checksum: file.md5, at: now)
        } else {
            change = ImageStateChange(status: .killed, errMessage: "the client reported the upload failed", at: now)
        }
        try await stores.uploads.finishUpload(image.imageId, change)
        return try await stored(image.imageId)
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

    /// An image as stored, whoever owns it (the service's own reads after a change).
    func stored(_ imageId: String) async throws -> ImageView {
        guard let view = try await stores.images.image(.ref(imageId), reach: .all, within: []) else {
            throw CanonicalError.notFound(kind: "image", id: imageId)
        }
        return view
    }

    func downloadable(_ selector: ImageSelector, as identity: Identity) async throws -> Image {
        let image = try await find(selector, as: identity).image
        guard image.status == .active, let file = try await stores.uploads.file(image.imageId), file.complete else {
            throw CanonicalError.rejected(.downloadNotAllowed, "image \(image.imageId) has no stored bytes")
        }
        return image
    }

    /// A new image whose bytes an import job will fetch; it is `saving` until then. Refused
    /// before anything is stored if the policy forbids the URL; the job checks again, redirects included.
    func importImage(_ patch: ImagePatch, url: String, as identity: Identity, now: Date) async throws -> ImageView {
        if case .failure(let refusal) = options.importPolicy.check(url) { throw refusal }
        var patch = patch
        patch[.status] = .string(ImageStatus.saving.rawValue)
        patch[.sourceType] = "import"
        return try await createImage(patch, as: identity, now: now) { imageId in
            self.job("ImportImage", [imageId], .fetchImport(imageId: imageId, url: url), as: identity, now: now)
        }
    }

    func exportImage(_ selector: ImageSelector, bucket: String, as identity: Identity, now: Date) async throws -> ImageView {
        let view = try await findWritable(selector, as: identity)
        _ = try await downloadable(selector, as: identity)
        guard options.buckets.contains(where: { $0.name == bucket }) else {
            throw CanonicalError.invalidParameter(field: "bucket", message: "is not a known bucket")
        }
        let imageId = view.image.imageId
        try await enqueue(job("ExportImage", [imageId], .writeExport(imageId: imageId, bucket: bucket), as: identity, now: now))
        return view
    }

    public func upload(imageId: String, token: String, body: some AsyncSequence<ByteBuffer, any Error> & Sendable)
        async throws(CanonicalError) -> UploadTicket
    {
        let ticket = try await canonical {
            guard let file = try await stores.uploads.file(imageId), !token.isEmpty, !file.token.isEmpty,
                  file.token == Secrets.sha256Hex(token)
            else { throw CanonicalError.forbidden("no upload was prepared for \(imageId) with that token") }
            return try await beginUpload(imageId)
        }
        let measured: MeasuredBytes
        do {
            measured = try await stores.bytes.store(body, as: imageId, limit: ticket.size)
        } catch let error as FileTooLarge {
            await failUpload(imageId)
            throw .rejected(.sizeMismatch, "the upload is larger than the prepared \(error.limit) bytes")
        } catch is NoSpaceLeft {
            await failUpload(imageId)
            throw Self.noSpace
        } catch {
            await failUpload(imageId)
            Self.logger.warning("upload broke off", metadata: ["image_id": .string(imageId), "error": .string("\(error)")])
            throw .rejected(.uploadFailed, "the upload broke off before all its bytes arrived")
        }
        try await canonical { try await stores.uploads.recordBytes(imageId, measured, etag: "", at: mint.now()) }
        return ticket
    }

    /// Marks the image as receiving bytes, its credential already checked (token or S3 key).
    func beginUpload(_ imageId: String) async throws -> UploadTicket {
        guard let file = try await stores.uploads.file(imageId),
              let image = try await stores.images.image(.ref(imageId), reach: .all, within: [])?.image
        else { throw CanonicalError.forbidden("no upload was prepared for \(imageId)") }
        guard image.status == .queued || image.status == .saving else {
            throw CanonicalError.rejected(.uploadNotAllowed, "image \(imageId) is \(image.status.rawValue)")
        }
        _ = try await stores.images.change(imageId, ImageStateChange(status: .saving, at: mint.now(), touchesStatusTime: false))
        return UploadTicket(imageId: imageId, uploadId: file.uploadId, token: "", size: file.expectedSize)
    }

    /// A broken upload: the image waits for another.
    func failUpload(_ imageId: String) async {
        _ = try? await stores.images.change(imageId, ImageStateChange(status: .queued, errMessage: "", at: mint.now()))
    }

    public func download(_ selector: ImageSelector, as identity: Identity) async throws(CanonicalError) -> ImageDownload {
        let image = try await canonical { try await downloadable(selector, as: identity) }
        let bytes = stores.bytes
        let imageId = image.imageId
        return ImageDownload(size: image.size, checksum: image.checksum) { emit in
            try await bytes.read(imageId, range: nil, emit)
        }
    }
}
