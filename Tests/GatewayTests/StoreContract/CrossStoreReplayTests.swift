import Foundation
@testable import IMSModel
@testable import IMSService
import NIOCore
import Testing

/// A workload recorded on the SQLite store (each step, its answer and the values it minted: a
/// tape) and replayed from the tape on fresh stores, each step handed its recorded `Minted`:
/// every answer, refusals included, and every stored record must be the same (DESIGN §6),
/// replayed on SQLite, on PostgreSQL, and through a remote front and the gateway behind it.
/// The replaying service's own mint is seeded otherwise, so a value not taken from the tape
/// shows as a difference.
@Suite struct CrossStoreReplayTests {
    static let hasPostgres = ProcessInfo.processInfo.environment["IMS_PG_URL"] != nil

    @Test(.enabled(if: hasPostgres, "needs IMS_PG_URL (scripts/postgres fresh NAME trust prints one)"))
    func aTapeRecordedOnSQLiteReplaysOnPostgresWithEqualAnswersAndRecords() async throws {
        let postgres = try #require(StoreFactory.postgres.first)
        let tape = try await Tape.record(on: .sqlite)
        try await Self.compare(tape, replayedOn: postgres)
    }

    /// The tape is deterministic on its own store: two recordings agree, and the tape survives
    /// its own encoding. Without this a PostgreSQL difference could be the workload's noise.
    @Test func aTapeRecordedOnSQLiteReplaysOnSQLiteWithEqualAnswersAndRecords() async throws {
        let tape = try await Tape.record(on: .sqlite)
        #expect(tape.entries.count > 250)
        try await Self.compare(tape, replayedOn: .sqlite)
        // A NUL is refused naming the field that holds it (it was "name" whatever the field on
        // PostgreSQL, and stored cut at the NUL on SQLite).
        var refusals = 0
        for entry in tape.entries {
            guard case .run(.createImage(let patch), _) = entry.step,
                  let field = patch.first(where: { $0.value.stringValue?.holdsNUL == true })?.key else { continue }
            #expect(entry.answer == .refused(.invalidParameter(field: field.rawValue, message: "must not contain a NUL character")))
            refusals += 1
        }
        #expect(refusals > 18)
    }

    /// Through a remote pair (`CanonicalPair`): each command goes with its `Minted` to a front
    /// gateway, which relays both over the canonical wire to the gateway behind it; that one
    /// stores those values and answers them back through the front. (Uploads' bytes and job
    /// work are no commands; they run on the far side, handed their values as well.)
    @Test func aTapeRecordedOnSQLiteReplaysThroughARemotePairWithEqualAnswersAndRecords() async throws {
        let tape = try await Tape.record(on: .sqlite)
        try await Self.compare(tape, replayedOn: .sqlite, remote: true)
    }

    static func compare(_ recorded: Tape, replayedOn factory: StoreFactory, remote: Bool = false) async throws {
        // Through its encoding, as a tape kept in a file (or sent to a peer) would be; the replay's
        // answers too, so both are compared as the canonical wire carries them (a job's pending
        // work, which stays in the store, is not part of an answer).
        let tape = try Self.wire(recorded)
        #expect(tape.entries.map(\.step) == recorded.entries.map(\.step))
        #expect(tape.entries.map(\.minted) == recorded.entries.map(\.minted))
        let replay = try await tape.replay(on: factory, remote: remote)
        let replayed = try replay.played.map { try Self.wire($0.answer) }
        #expect(replayed.count == tape.entries.count)
        let differing = zip(tape.entries, replayed).filter { $0.0.answer != $0.1 }.count
        let lane = remote ? "\(factory) behind a remote front" : "\(factory)"
        // For the CI log: what was compared and what it found.
        print("replay: \(tape.entries.count) steps recorded on SQLite, replayed on \(lane): \(differing) differences")
        for (index, (entry, answer)) in zip(tape.entries, replayed).enumerated() where entry.answer != answer {
            Issue.record("""
                step \(index) differs on \(lane): \(entry.step)
                  \(try Self.differences(entry.answer, answer).prefix(6).joined(separator: "\n  "))
                """)
        }
        // Each step used exactly the values it was handed (a refused step answers none).
        for (index, (entry, played)) in zip(tape.entries, replay.played).enumerated() where entry.minted != played.minted {
            Issue.record("step \(index) used other values on \(lane): \(entry.step)\n  \(entry.minted)\n  \(played.minted)")
        }
        try Self.compare(records: tape.records, replay.records, on: lane)
    }

    /// Every record equal, or each difference recorded.
    static func compare(records recorded: StoredRecords?, _ replayed: StoredRecords, on lane: String) throws {
        let recorded = try #require(recorded)
        // Not an empty comparison: the workload leaves records of every kind.
        #expect(recorded.images.count > 40 && recorded.jobs.count > 4 && !recorded.shares.isEmpty && recorded.applications.count > 2
                && recorded.instances.count > 2 && !recorded.members.isEmpty && recorded.files.contains { $0 != nil })
        print("records: \(recorded.images.count) images, \(recorded.files.compactMap { $0 }.count) files, \(recorded.shares.count) shares, \(recorded.jobs.count) jobs, \(recorded.applications.count) applications, \(recorded.instances.count) instances, \(recorded.members.joined().count) members, \(recorded.catalogue.count) catalogue")
        let differences = try Self.differences(recorded, replayed)
        print("replay: stored records on \(lane): \(differences.count) differences")
        for difference in differences.prefix(20) { Issue.record("stored records differ on \(lane): \(difference)") }
    }

    /// Where two answers differ, as `path: recorded ≠ replayed` of their encodings.
    static func differences<T: Encodable>(_ a: T, _ b: T) throws -> [String] {
        func tree(_ value: T) throws -> Any {
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(value), options: .fragmentsAllowed)
        }
        func clip(_ value: Any?) -> String {
            let text = value.map { "\($0)" } ?? "(none)"
            return text.count > 160 ? String(text.prefix(160)) + "…" : text
        }
        var out: [String] = []
        func walk(_ x: Any?, _ y: Any?, _ path: String) {
            if let x = x as? [String: Any], let y = y as? [String: Any] {
                for key in Set(x.keys).union(y.keys).sorted() { walk(x[key], y[key], path + "." + key) }
            } else if let x = x as? [Any], let y = y as? [Any], x.count == y.count {
                for (i, (p, q)) in zip(x, y).enumerated() { walk(p, q, path + "[\(i)]") }
            } else if (x as? NSObject) != (y as? NSObject) || (x == nil) != (y == nil) {
                out.append("\(path): \(clip(x)) ≠ \(clip(y))")
            }
        }
        walk(try tree(a), try tree(b), "")
        return out
    }

    static func wire<T: Codable>(_ value: T) throws -> T {
        try JSONDecoder().decode(T.self, from: JSONEncoder().encode(value))
    }
}

/// One step of a workload: a command as someone, bytes for a prepared upload, or a turn of the
/// job worker (claim every pending job, run each in order).
enum ReplayStep: Codable, Equatable, CustomStringConvertible {
    case run(Command, as: Identity)
    case upload(imageId: String, token: String, bytes: String)
    case workJobs

    var description: String {
        switch self {
        case .run(let command, let identity): "\(command) as \(identity.user)@\(identity.tenant)"
        case .upload(let imageId, _, let bytes): "upload \(bytes.utf8.count) bytes to \(imageId)"
        case .workJobs: "work the pending jobs"
        }
    }
}

/// What a step answered.
enum ReplayAnswer: Codable, Equatable {
    case result(CommandResult)
    case refused(CanonicalError)
    case uploaded(UploadTicket)
    /// Each job the worker's turn claimed, in claim order, with its failure if it failed.
    case worked([WorkedJob])

    struct WorkedJob: Codable, Equatable {
        var jobId: String
        var action: String
        var failure: String?
    }
}

struct Tape: Codable, Equatable {
    struct Entry: Codable, Equatable {
        var step: ReplayStep
        var answer: ReplayAnswer
        /// The values the step used: what a replay hands it.
        var minted: Minted
    }

    var entries: [Entry] = []
    /// What the recording's store held at the end.
    var records: StoredRecords?

    static let options = BundledOptions(catalog: ContractStores.catalog, users: ContractStores.users,
                                        flavors: ["LOWEST": "flavor-small"],
                                        buckets: [Bucket(name: "backup", azId: "az1", cellId: "cell1")])

    /// Runs `ReplayWorkload` on fresh stores of `factory`, recording each step, its answer and values.
    static func record(on factory: StoreFactory) async throws -> Tape {
        try await ContractStores.with(factory) { stores in
            var recorder = Recorder(player: Player(stores))
            try await ReplayWorkload.run(&recorder)
            recorder.tape.records = try await StoredRecords.read(stores)
            return recorder.tape
        }
    }

    /// The tape's steps run in order on fresh stores of `factory` (through a remote front when
    /// `remote`), each handed its values, by a service whose own mint is in another state.
    func replay(on factory: StoreFactory, remote: Bool = false) async throws -> (played: [Played], records: StoredRecords) {
        try await ContractStores.with(factory) { stores in
            let service = Player.service(stores, mint: Player.otherMint)
            let play: @Sendable (Player) async throws -> [Played] = { player in
                var played: [Played] = []
                for entry in entries { played.append(try await player.play(entry.step, minted: entry.minted)) }
                return played
            }
            let played = remote ? try await CanonicalPair.run(service) { front in try await play(Player(service, front: front)) }
                                : try await play(Player(service))
            return (played, try await StoredRecords.read(stores))
        }
    }
}

/// What a step answered and the values it used.
struct Played: Equatable, Sendable {
    var answer: ReplayAnswer
    var minted: Minted
}

/// Plays steps on one service: commands through `backend` (the service, or a remote front
/// before it), uploads and job work on the service itself, each step handed its values.
struct Player: Sendable {
    let service: GatewayService
    let backend: any Backend
    static let worker = "replay-worker"
    static var recordingMint: Mint { .seeded(22, start: ContractStores.epoch) }
    /// A mint in another state than the recording's: a value a replay takes from it shows.
    static var otherMint: Mint { .seeded(7, start: ContractStores.epoch.addingTimeInterval(86_400)) }

    init(_ service: GatewayService, front: (any Backend)? = nil) {
        self.service = service
        backend = front ?? service
    }

    init(_ stores: Stores, mint: Mint = Player.recordingMint) {
        self.init(Self.service(stores, mint: mint))
    }

    static func service(_ stores: Stores, mint: Mint) -> GatewayService {
        GatewayService(stores: stores, options: Tape.options, mint: mint)
    }

    /// The step's answer and the values it used, taking those of `minted` (none: minted fresh).
    func play(_ step: ReplayStep, minted: Minted? = nil) async throws -> Played {
        switch step {
        case .run(let command, let identity):
            do {
                let executed = try await backend.execute(command, as: identity, minted: minted)
                return Played(answer: .result(executed.result), minted: executed.minted)
            } catch {
                return Played(answer: .refused(error), minted: Minted())
            }
        case .upload(let imageId, let token, let bytes):
            return try await minting(minted) {
                let body = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
                    continuation.yield(ByteBuffer(string: bytes))
                    continuation.finish()
                }
                do throws(CanonicalError) {
                    return .uploaded(try await service.upload(imageId: imageId, token: token, body: body))
                } catch {
                    return .refused(error)
                }
            }
        case .workJobs:
            return try await minting(minted) { .worked(try await workJobs()) }
        }
    }

    /// Work that is no command, run with the values it is handed like one.
    private func minting(_ minted: Minted?, _ body: () async throws -> ReplayAnswer) async throws -> Played {
        let minting = Minting(minted)
        let answer = try await Minting.$current.withValue(minting) { try await body() }
        return Played(answer: answer, minted: minting.minted)
    }

    /// What `JobWorker` does with a batch, in order and at minted times, so it repeats exactly.
    func workJobs() async throws -> [ReplayAnswer.WorkedJob] {
        let jobs = service.stores.jobs
        let now = service.mint.now()
        var worked: [ReplayAnswer.WorkedJob] = []
        for job in try await jobs.claim(worker: Self.worker, limit: 100, now: now, until: now + 3600) {
            var outcome = ReplayAnswer.WorkedJob(jobId: job.jobId, action: job.action)
            defer { worked.append(outcome) }
            guard let work = job.command else { continue }
            guard try await jobs.start(job.jobId, worker: Self.worker, at: service.mint.now()) else {
                outcome.failure = "not started"
                continue
            }
            do {
                try await service.perform(work, of: job, worker: Self.worker)
            } catch {
                let info = JobWorker.clientSafe(error, job: job)
                outcome.failure = info
                let at = service.mint.now()
                _ = try await jobs.finish(job.jobId, worker: Self.worker, .failed, info: info, at: at,
                                          image: GatewayService.failed(work, reason: info, at: at))
            }
        }
        return worked
    }
}

/// Records a workload while it runs: each step's answer is what the next steps build on
/// (minted refs, share ids, upload tokens), so the tape holds concrete steps.
struct Recorder {
    let player: Player
    var tape = Tape()

    @discardableResult
    mutating func play(_ step: ReplayStep) async throws -> ReplayAnswer {
        let played = try await player.play(step)
        tape.entries.append(Tape.Entry(step: step, answer: played.answer, minted: played.minted))
        return played.answer
    }

    @discardableResult
    mutating func run(_ command: Command, as identity: Identity) async throws -> ReplayAnswer {
        try await play(.run(command, as: identity))
    }
}

extension ReplayAnswer {
    var image: ImageView? { if case .result(.image(let view)) = self { view } else { nil } }
    /// The image's `img-…` reference (one no image has when the step failed).
    var imageId: String { image?.image.imageId ?? "img-refused" }
    var rowId: String { image?.image.id.map(String.init) ?? "0" }
    var shareIds: [String] { if case .result(.shares(let page)) = self { page.items.map(\.share.shareId) } else { [] } }
    var ticket: UploadTicket? { if case .result(.uploadTicket(let ticket)) = self { ticket } else { nil } }
    var jobId: String { if case .result(.job(let job)) = self { job.jobId } else { "j-refused" } }
    var applicationId: Int64 { if case .result(.application(let app)) = self { app.id ?? 0 } else { 0 } }
    var instanceId: Int64 { if case .result(.instance(let view)) = self { view.instance.id ?? 0 } else { 0 } }
    var isRefused: Bool { if case .refused = self { true } else { false } }
}
