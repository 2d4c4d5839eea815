import Foundation
import IMSModel
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import Synchronization

/// Two backends run as one (DESIGN §7): every command runs on the primary, whose answer the
/// client gets at once; writes (and a sample of reads) are queued and run again, in the
/// primary's order, on the secondary with the primary's minted values, then both answers and
/// both stored states are compared in the canonical model and what differs is recorded.
///
/// Unlike a mirror that throws the copy's answer away, this compares it; unlike one that runs
/// the copy inline, it never adds the secondary's time to a request: the queue is bounded, and
/// when it is full the mirror is dropped and counted, and what it touched is marked, so a later
/// difference there reads "missed write" instead of blaming the new backend.
public final class ShadowBackend: Backend {
    public struct Options: Sendable {
        /// Mirrored commands waiting for the secondary, at most.
        public var queueSize: Int = 10_000
        /// The fraction of reads compared (writes always are).
        public var sampleReads: Double = 1
        public var rules: DiffRules = .shipped
        /// The name in `backends:`, for the log and the metrics.
        public var name: String = "shadow"

        public init() {}
    }

    public let primary: any Backend
    public let secondary: any Backend
    let options: Options
    /// The low-priority copy's own work (closing its connections), run with the worker's.
    private let copyServices: [any Service]
    let differ: CanonicalDiff
    let log: any ShadowLog
    let counters: ShadowCounters
    private let queue: AsyncStream<ShadowMirror>
    private let intake: AsyncStream<ShadowMirror>.Continuation
    /// Mirrors queued and not yet run (the queue's depth, for the lag gauge).
    let waiting = Atomic<Int>(0)
    /// Writes queued and not yet run, by object: a read-back is compared only after an
    /// object's last queued write, when both sides hold the same history of it.
    let pendingWrites = NIOLockedValueBox<[String: Int]>([:])
    /// The primary's answers to uploads, for the worker comparing their mirrors (taken once).
    let answers = NIOLockedValueBox<[ObjectIdentifier: (answer: Result<CommandResult, CanonicalError>, minted: Minted)]>([:])
    /// Objects a dropped write touched (bounded: the oldest marks are forgotten first).
    let missed = NIOLockedValueBox<MissedWrites>(MissedWrites())

    public init(primary: any Backend, secondary: any Backend, log: any ShadowLog, options: Options = Options(),
                metrics: (any MetricsFactory)? = nil) {
        self.primary = primary
        // Its own connections on the low-priority loop, when it has any (`lowPriorityCopy`).
        let copy = secondary.lowPriorityCopy()
        self.secondary = copy ?? secondary
        copyServices = copy?.services ?? []
        self.options = options
        self.log = log
        differ = CanonicalDiff(rules: options.rules)
        counters = ShadowCounters(backend: options.name, factory: metrics)
        (queue, intake) = AsyncStream.makeStream(of: ShadowMirror.self, bufferingPolicy: .bufferingOldest(max(1, options.queueSize)))
    }

    /// The primary's and the secondary's background work run as their own graph entries; this
    /// adds the worker that runs the queue, and the secondary's low-priority copy's.
    public var services: [any Service] { [Worker(shadow: self)] + copyServices }

    /// Clients are served by the primary: the shadow is ready when it is. A secondary that is
    /// down costs comparisons (counted as its errors), never requests.
    public func unreadiness() async -> String? { await primary.unreadiness() }

    /// The request's id and route name the findings a comparison records.
    public var forwardsRequestContext: Bool { true }

    /// The primary's, its records included (a migration reads the primary). Upload objects
    /// both sides hold in this process are mirrored (`ShadowObjects`); else they are the primary's.
    public var capabilities: BackendCapabilities {
        var capabilities = primary.capabilities
        if let first = capabilities.uploadObjects, secondary.capabilities.uploadObjects != nil {
            capabilities.uploadObjects = ShadowObjects(shadow: self, primary: first)
        }
        return capabilities
    }

    public func execute(_ command: Command, as identity: Identity) async throws(CanonicalError) -> CommandResult {
        if command.isReadOnly {
            guard sampled() else { return try await primary.execute(command, as: identity) }
            do {
                let result = try await primary.execute(command, as: identity)
                offer(command, identity, .success(result), minted: nil)
                return result
            } catch {
                offer(command, identity, .failure(error), minted: nil)
                throw error
            }
        }
        return try await execute(command, as: identity, minted: nil).result
    }

    /// A write the primary refused changed nothing there, so nothing is mirrored: run on the
    /// secondary it could only make the two differ.
    public func execute(_ command: Command, as identity: Identity, minted: Minted?) async throws(CanonicalError) -> Executed {
        guard !command.isReadOnly else {
            let executed = try await primary.execute(command, as: identity, minted: minted)
            if sampled() { offer(command, identity, .success(executed.result), minted: executed.minted) }
            return executed
        }
        // What the write names is pending from before the primary runs it: a comparison reading
        // those objects back meanwhile would see the primary ahead of the secondary.
        let named = command.touchedObjects(answer: nil)
        hold(named)
        do {
            let executed = try await primary.execute(command, as: identity, minted: minted)
            if command.reachesOutside {
                release(named)
                handOutcome(of: command, executed.result)
            } else {
                offer(command, identity, .success(executed.result), minted: executed.minted, held: named)
            }
            return executed
        } catch {
            release(named)
            throw error
        }
    }

    /// An import or export runs on the primary only (one fetch of the URL, one file in the
    /// bucket). Its objects read as missed writes until its job has ended there; then the
    /// image it made or changed is copied to the secondary as it stands (record and bytes), when
    /// both backends hold their stores here. At most `outcomesFollowed` are followed at once.
    private func handOutcome(of command: Command, _ result: CommandResult) {
        let keys = command.touchedObjects(answer: result)
        markMissed(keys)
        let refs = keys.filter { $0.hasPrefix("image:img-") }.map { String($0.dropFirst("image:".count)) }
        guard let from = primary.capabilities.records?.stores, let to = secondary.capabilities.records?.stores, !refs.isEmpty else { return }
        guard following.add(1, ordering: .relaxed).newValue <= Self.outcomesFollowed else {
            following.subtract(1, ordering: .relaxed)
            return
        }
        let missed = self.missed
        Task {
            defer { following.subtract(1, ordering: .relaxed) }
            let copier = Migration(copyingFrom: from, to: to)
            for ref in refs {
                // Until the job has left `saving` (an import fetching) or at most an hour.
                for _ in 0..<3600 {
                    guard let view = try? await from.images.image(.ref(ref), reach: .all, within: []) else { break }
                    if view.image.status != .saving {
                        if (try? await copier.copy(StoresSource(from).record(of: view.image))) != nil {
                            missed.withLockedValue { $0.remove(["image:" + ref, "image:\(view.image.id ?? 0)"]) }
                        }
                        break
                    }
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }

    static let outcomesFollowed = 64
    private let following = Atomic<Int>(0)

    func hold(_ keys: Set<String>) {
        pendingWrites.withLockedValue { for key in keys { $0[key, default: 0] += 1 } }
    }

    func release(_ keys: Set<String>) {
        pendingWrites.withLockedValue { for key in keys { $0[key, default: 1] -= 1; if $0[key] == 0 { $0[key] = nil } } }
    }

    /// The bytes are stored by the primary as they arrive and streamed to the secondary beside
    /// it (`MirroredUpload`): read once, held only while the secondary is a little behind.
    public func upload(imageId: String, token: String, body: some AsyncSequence<ByteBuffer, any Error> & Sendable)
        async throws(CanonicalError) -> UploadTicket
    {
        let bytes = MirroredUpload(imageId: imageId, token: token)
        let mirror = ShadowMirror(command: .getImage(ImageSelector(ref: imageId)), identity: .anonymousOperator,
                                  primary: .failure(.internal("not answered yet")), minted: nil,
                                  dialect: RequestIDs.route?.dialect ?? "upload", operation: "image.upload",
                                  requestId: RequestIDs.current ?? "", queuedAt: .now, bytes: bytes)
        let queued = enqueue(mirror, touching: ["image:" + imageId])
        if !queued { bytes.chunks.finish(CanonicalError.unavailable("dropped")) }
        // The primary's upload notes the values it mints (the time its bytes were recorded), for
        // the secondary's to store the same.
        let minting = Minting(nil)
        do {
            let ticket = try await Minting.$current.withValue(minting) {
                try await primary.upload(imageId: imageId, token: token, body: body.map { chunk in
                    bytes.chunks.offer(chunk)
                    return chunk
                })
            }
            // The answer is left for the worker before the bytes end: the secondary's upload
            // ends with them, and the worker then looks for it.
            if queued { answers.withLockedValue { $0[ObjectIdentifier(bytes.chunks)] = (.success(.uploadTicket(ticket)), minting.minted) } }
            bytes.chunks.finish()
            return ticket
        } catch {
            // The upload's own errors are canonical (typed throws); binding the task-local only
            // widens the type.
            let error = error as? CanonicalError ?? .internal("\(error)")
            if queued { answers.withLockedValue { $0[ObjectIdentifier(bytes.chunks)] = (.failure(error), minting.minted) } }
            bytes.chunks.finish(error)
            throw error
        }
    }

    /// The client's bytes are the primary's. A sampled download is hashed as it streams (MD5,
    /// the digest the stores keep) and, once it has ended, the secondary's bytes are read and
    /// hashed off the request's path and the two compared.
    public func download(_ selector: ImageSelector, as identity: Identity) async throws(CanonicalError) -> ImageDownload {
        var download = try await primary.download(selector, as: identity)
        guard sampled() else { return download }
        let write = download.write
        let route = RequestIDs.route, requestId = RequestIDs.current ?? ""
        download.write = { [weak self] emit in
            var digest = BytesDigest()
            try await write { chunk in
                digest.add(chunk)
                try await emit(chunk)
            }
            guard let self else { return }
            var mirror = ShadowMirror(command: .downloadImage(selector), identity: identity, primary: .success(.done), minted: nil,
                                      dialect: route?.dialect ?? "canonical", operation: route?.operation ?? "downloadImage",
                                      requestId: requestId, queuedAt: .now)
            mirror.downloaded = digest
            self.enqueue(mirror, touching: [])
        }
        return download
    }

    private func sampled() -> Bool {
        options.sampleReads >= 1 || (options.sampleReads > 0 && Double.random(in: 0..<1) < options.sampleReads)
    }

    /// Queues a mirror, or drops it when the queue is full. Never waits.
    /// `held`: the keys a write already holds as pending (`hold`).
    private func offer(_ command: Command, _ identity: Identity, _ answer: Result<CommandResult, CanonicalError>, minted: Minted?,
                       held: Set<String> = []) {
        let route = RequestIDs.route
        let operation = route?.operation ?? command.canonicalName
        // A mirror offered to a queue that is surely full (every slot taken and one in the
        // worker's hands) is dropped as it stands: at saturation every request is offered, and
        // building its mirror only to drop it showed in the primary's tail. A write's objects
        // are marked as missed all the same.
        if waiting.load(ordering: .relaxed) > options.queueSize {
            if !command.isReadOnly {
                release(held)
                markMissed(command.touchedObjects(answer: try? answer.get()).union(held))
            }
            counters.dropped(operation: operation)
            tally(.dropped, operation)
            return
        }
        let mirror = ShadowMirror(command: command, identity: identity, primary: answer, minted: minted,
                                  dialect: route?.dialect ?? "canonical", operation: operation,
                                  requestId: RequestIDs.current ?? "", queuedAt: .now)
        enqueue(mirror, touching: mirror.isWrite ? command.touchedObjects(answer: try? answer.get()) : [], held: held)
    }

    /// Answers whether the mirror was queued; a write that was not is marked as missed. Its
    /// keys stay pending until the worker has run it.
    @discardableResult
    func enqueue(_ mirror: ShadowMirror, touching keys: Set<String>, held: Set<String> = []) -> Bool {
        if mirror.isWrite { hold(keys.subtracting(held)) }
        switch intake.yield(mirror) {
        case .enqueued:
            counters.depth(waiting.add(1, ordering: .relaxed).newValue)
            return true
        case .dropped, .terminated:
            if mirror.isWrite {
                release(keys.union(held))
                markMissed(keys.union(held))
            }
            counters.dropped(operation: mirror.operation)
            tally(.dropped, mirror.operation)
            return false
        @unknown default:
            return false
        }
    }

    func markMissed(_ keys: Set<String>) {
        guard !keys.isEmpty else { return }
        missed.withLockedValue { $0.insert(keys) }
    }

    /// Counts since they were last written down: a drop is counted where it happens, on the
    /// request's path, so it costs an increment, not a write (the worker writes them).
    private let tallies = NIOLockedValueBox<[ShadowCount: Int]>([:])

    func tally(_ outcome: ShadowOutcome, _ operation: String) {
        tallies.withLockedValue { $0[ShadowCount(outcome, operation: operation), default: 0] += 1 }
    }

    /// Writes the counts down.
    func flushCounts() async {
        let counts = tallies.withLockedValue { taken in
            defer { taken = [:] }
            return taken
        }
        await log.add(counts, at: Date())
    }

    /// Mirrors queued or running on the secondary.
    var queued: Int { waiting.load(ordering: .relaxed) }

    /// Runs the queue until shutdown; what is queued then is still compared (the stream ends
    /// after its last element).
    struct Worker: Service {
        let shadow: ShadowBackend

        /// On the low-priority thread (`LowPriorityExecutor`): the comparisons take the time
        /// the requests leave.
        func run() async throws {
            await withTaskExecutorPreference(LowPriorityExecutor.shared) {
                await withGracefulShutdownHandler {
                    // Counts are written when the queue is empty, else once a second.
                    var written = ContinuousClock.now
                    for await mirror in shadow.queue {
                        await shadow.compare(mirror)
                        if shadow.queued == 0 || ContinuousClock.now - written > .seconds(1) {
                            await shadow.flushCounts()
                            written = .now
                        }
                    }
                    await shadow.flushCounts()
                } onGracefulShutdown: {
                    shadow.intake.finish()
                }
            }
        }
    }
}
