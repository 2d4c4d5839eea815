import Foundation
import IMSModel
import Logging
import NIOCore
import ServiceLifecycle

/// The canonical IMS above the stores, whichever they are: the rules (tenancy, uniqueness,
/// all-or-nothing batches, shares, job submission) live here once, and every id and time is
/// minted here before a store is called. Stores only store (see `Stores`). `open` only so that
/// `BundledBackend`, in the SQLite store's target, can be one (Swift has no `package open`).
open class GatewayService: Backend, @unchecked Sendable {
    let stores: Stores
    let options: BundledOptions
    let mint: Mint
    let worker: JobWorker
    /// The stores' own background work (SQLite: checkpoints, name index upkeep).
    let storeServices: [any Service]
    let readiness: @Sendable () async -> String?

    static let logger = Logger(label: "ims-gateway.store")

    /// `jobLease`: how long a claimed job is this gateway's before another may take it over
    /// (several gateways on one database; it is renewed while the job runs).
    public init(stores: Stores, options: BundledOptions, mint: Mint = Mint(), storeServices: [any Service] = [],
                jobLease: Duration = .seconds(30), readiness: @escaping @Sendable () async -> String? = { nil }) {
        self.stores = stores
        self.options = options
        self.mint = mint
        self.storeServices = storeServices
        self.readiness = readiness
        worker = JobWorker(delay: .milliseconds(options.jobDelayMs), lease: jobLease)
        worker.service = self
    }

    /// The stores' services first: a service group stops services in reverse order, so the
    /// worker finishes (and gives up its leases) while the store can still be reached.
    public var services: [any Service] { storeServices + [worker] }

    public func unreadiness() async -> String? {
        if let reason = await readiness() { return reason }
        return await stores.bytes.unreadiness()
    }

    /// A full disk refuses the bytes, not the request's right to send them: the client may try
    /// again once room is made (503, in each dialect's shape).
    static let noSpace = CanonicalError.unavailable("no space left for the image's bytes; try again later")

    /// The service holds its upload objects (`GatewayService+Objects.swift`).
    public var capabilities: BackendCapabilities {
        BackendCapabilities(uploadObjects: self, records: (stores, storeServices))
    }

    nonisolated(nonsending) public func execute(_ command: Command, as identity: Identity) async throws(CanonicalError) -> CommandResult {
        // No closure around the call (`canonical { … }`): each awaited closure is one more
        // executor hop per request (see `GatewayFront`).
        let result: CommandResult
        try command.checkStorableText()
        do { result = try await run(command, as: identity, now: mint.now()) } catch { throw Self.canonical(error) }
        if command.leavesBackgroundWork { worker.wake() }
        switch command {
        case .deleteImage, .batchDeleteImages: await removeFiles(after: command, result)
        default: break
        }
        return result
    }

    /// Runs the command with the values it is handed (`Minted`), minting what it is not, and
    /// answers every value it used: what another backend needs to store the same records.
    nonisolated(nonsending) public func execute(_ command: Command, as identity: Identity, minted: Minted?)
        async throws(CanonicalError) -> Executed
    {
        let minting = Minting(minted)
        do {
            let result = try await Minting.$current.withValue(minting) { try await execute(command, as: identity) }
            return Executed(result, minted: minting.minted)
        } catch {
            throw Self.canonical(error)
        }
    }

    /// Deleted images' bytes go once the deletion is committed.
    func removeFiles(after command: Command, _ result: CommandResult) async {
        switch (command, result) {
        case (.deleteImage, .image(let view)): await stores.bytes.remove([view.image.imageId])
        case (.batchDeleteImages, .imagesDeleted(let imageIds)): await stores.bytes.remove(imageIds)
        default: return
        }
    }

    /// Store failures as canonical errors; a command's own canonical errors pass through.
    func canonical<T>(_ body: () async throws -> T) async throws(CanonicalError) -> T {
        do { return try await body() } catch { throw Self.canonical(error) }
    }

    static func canonical(_ error: any Error) -> CanonicalError {
        (error as? CanonicalError) ?? .internal("store: \(error)")
    }
}
