import Foundation
import IMSModel

extension GatewayService {
    /// Runs one command at `now` (minted once, so every record it writes has the same time).
    nonisolated(nonsending) func run(_ command: Command, as identity: Identity, now: Date) async throws -> CommandResult {
        switch command {
        case .createImage(let patch):
            return .image(try await createImage(patch, as: identity, now: now))
        case .getImage(let selector), .downloadImage(let selector):
            return .image(try await find(selector, as: identity))
        case .listImages(let query):
            return .images(try await listImages(query, as: identity))
        case .updateImage(let selector, let patch):
            return .image(try await updateImage(selector, patch, as: identity, now: now))
        case .deleteImage(let selector):
            return .image(try await deleteImage(selector, as: identity))
        case .batchDeleteImages(let refs):
            return .imagesDeleted(try await batchDelete(refs, as: identity))
        case .captureImage(let instance, let patch):
            return .image(try await capture(instance: instance, patch, as: identity, now: now, job: nil))

        case .createApplication(let draft):
            return .application(try await createApplication(draft, as: identity, now: now))
        case .getApplication(let id):
            return .application(try await application(id, as: identity))
        case .listApplications(let window):
            return .applications(try await stores.applications.applications(window, owner: identity.isOperator ? nil : identity.tenant))
        case .updateApplication(let id, let patch):
            return .application(try await updateApplication(id, patch, as: identity, now: now))
        case .deleteApplication(let id):
            return .application(try await deleteApplication(id, as: identity, now: now))

        case .createInstance(let draft):
            return .instance(try await createInstance(draft, as: identity, now: now))
        case .getInstance(let id):
            return .instance(try await instance(id, as: identity))
        case .listInstances(let query):
            return .instances(try await stores.instances.instances(query, owner: identity.isOperator ? nil : identity.tenant))
        case .updateInstance(let id, let patch):
            return .instance(try await updateInstance(id, patch, as: identity, now: now))
        case .deleteInstances(let ids):
            return .instances(try await deleteInstances(ids, as: identity, now: now))
        case .addMembers(let instance, let users):
            return .users(try await addMembers(instance, users, as: identity, now: now))
        case .removeMembers(let instance, let users):
            return .users(try await removeMembers(instance, users, as: identity))
        case .listMembers(let instance, let window):
            return .users(try await stores.instances.members(try await self.instance(instance, as: identity).instance.id!, window))

        case .prepareUpload(let selector, let size):
            return .uploadTicket(try await prepareUpload(selector, size: size, as: identity, now: now))
        case .finishUpload(let selector, let uploadId, let success):
            return .image(try await finishUpload(selector, uploadId: uploadId, success: success, as: identity, now: now))
        case .shareImage(let selector, let users):
            return .shares(try await share(selector, users, as: identity, now: now))
        case .unshareImage(let selector, let users):
            return .shares(try await unshare(selector, users, as: identity))
        case .listShares(let selector, let offset, let limit):
            let image = try await findWritable(selector, as: identity).image
            return .shares(try await stores.shares.shares(of: image.imageId, offset: offset, limit: limit))
        case .listReceivedShares(let offset, let limit, let newestFirst):
            return .shares(try await stores.shares.received(by: identity.isOperator ? nil : identity.user, offset: offset, limit: limit,
                                                            newestFirst: newestFirst))
        case .deleteShare(let shareId):
            return .shares(try await deleteShare(shareId, as: identity))
        case .copyShare(let shareId, let patch):
            return .image(try await copyShare(shareId, patch, as: identity, now: now))
        case .importImage(let patch, let url):
            return .image(try await importImage(patch, url: url, as: identity, now: now))
        case .listBuckets(let selector):
            _ = try await find(selector, as: identity)
            return .buckets(options.buckets)
        case .exportImage(let selector, let bucket):
            return .image(try await exportImage(selector, bucket: bucket, as: identity, now: now))

        case .listCatalog(let query):
            return .catalogEntries(try await stores.catalogue.entries(query))
        case .getCatalogEntry(let selector):
            return .catalogEntry(try await catalogEntry(selector))
        case .createCatalogEntry(let kind, let patch):
            return .catalogEntry(try await createCatalogEntry(kind, patch, as: identity, now: now))
        case .updateCatalogEntry(let selector, let patch):
            return .catalogEntry(try await updateCatalogEntry(selector, patch, as: identity, now: now))
        case .deleteCatalogEntry(let selector):
            return .catalogEntry(try await deleteCatalogEntry(selector, as: identity))

        case .getJob(let jobId):
            guard let job = try await stores.jobs.job(jobId), identity.isOperator || job.owner == identity.tenant else {
                throw CanonicalError.notFound(kind: "job", id: jobId)
            }
            return .job(job)
        case .listJobs(let query):
            return .jobs(try await stores.jobs.jobs(query, owner: identity.isOperator ? nil : identity.tenant))
        case .asJob(let spec, let inner):
            return .job(try await submit(spec, inner, as: identity, now: now))
        }
    }
}
