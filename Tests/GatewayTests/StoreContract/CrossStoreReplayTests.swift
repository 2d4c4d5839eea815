import Foundation
@testable import GatewayCore
import NIOCore
import Testing

/// A workload recorded on the SQLite store (each step and its answer: a tape) and replayed from
/// the tape onto PostgreSQL, with the same seeds and a mint in the same state: every answer,
/// refusals included, must be the same (DESIGN §6). `ReplayTests` replays on a store of the
/// same kind; this is what shows where the two SQL stores answer differently.
@Suite struct CrossStoreReplayTests {
    static let hasPostgres = ProcessInfo.processInfo.environment["IMS_PG_URL"] != nil

    @Test(.enabled(if: hasPostgres, "needs IMS_PG_URL (scripts/postgres fresh NAME trust prints one)"))
    func aTapeRecordedOnSQLiteReplaysOnPostgresWithEqualAnswers() async throws {
        let postgres = try #require(StoreFactory.postgres.first)
        let tape = try await Tape.record(on: .sqlite)
        try await Self.compare(tape, replayedOn: postgres)
    }

    /// The tape is deterministic on its own store: two recordings agree, and the tape survives
    /// its own encoding. Without this a PostgreSQL difference could be the workload's noise.
    @Test func aTapeRecordedOnSQLiteReplaysOnSQLiteWithEqualAnswers() async throws {
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

    static func compare(_ recorded: Tape, replayedOn factory: StoreFactory) async throws {
        // Through its encoding, as a tape kept in a file (or sent to a peer) would be; the replay's
        // answers too, so both are compared as the canonical wire carries them (a job's pending
        // work, which stays in the store, is not part of an answer).
        let tape = try Self.wire(recorded)
        #expect(tape.entries.map(\.step) == recorded.entries.map(\.step))
        let replayed = try await tape.replay(on: factory).map(Self.wire)
        #expect(replayed.count == tape.entries.count)
        let differing = zip(tape.entries, replayed).filter { $0.0.answer != $0.1 }.count
        // For the CI log: what was compared and what it found.
        print("replay: \(tape.entries.count) steps recorded on SQLite, replayed on \(factory): \(differing) differences")
        for (index, (entry, answer)) in zip(tape.entries, replayed).enumerated() where entry.answer != answer {
            Issue.record("""
                step \(index) differs on \(factory): \(entry.step)
                  \(try Self.differences(entry.answer, answer).prefix(6).joined(separator: "\n  "))
                """)
        }
    }

    /// Where two answers differ, as `path: recorded ≠ replayed` of their encodings.
    static func differences(_ a: ReplayAnswer, _ b: ReplayAnswer) throws -> [String] {
        func tree(_ value: ReplayAnswer) throws -> Any {
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
    }

    var entries: [Entry] = []

    static let options = BundledOptions(catalog: ContractStores.catalog, users: ContractStores.users,
                                        flavors: ["LOWEST": "flavor-small"],
                                        buckets: [Bucket(name: "backup", azId: "az1", cellId: "cell1")])

    /// Runs `ReplayWorkload` on fresh stores of `factory`, recording each step and answer.
    static func record(on factory: StoreFactory) async throws -> Tape {
        try await ContractStores.with(factory) { stores in
            var recorder = Recorder(player: Player(stores))
            try await ReplayWorkload.run(&recorder)
            return recorder.tape
        }
    }

    /// The tape's steps run on fresh stores of `factory`: their answers, in order.
    func replay(on factory: StoreFactory) async throws -> [ReplayAnswer] {
        try await ContractStores.with(factory) { stores in
            let player = Player(stores)
            var answers: [ReplayAnswer] = []
            for entry in entries { answers.append(try await player.play(entry.step)) }
            return answers
        }
    }
}

/// Plays steps on one service, its mint seeded so ids and times repeat on every store.
struct Player {
    let service: GatewayService
    static let worker = "replay-worker"

    init(_ stores: Stores) {
        service = GatewayService(stores: stores, options: Tape.options, mint: .seeded(22, start: ContractStores.epoch))
    }

    func play(_ step: ReplayStep) async throws -> ReplayAnswer {
        switch step {
        case .run(let command, let identity):
            do { return .result(try await service.execute(command, as: identity)) } catch { return .refused(error) }
        case .upload(let imageId, let token, let bytes):
            let body = AsyncThrowingStream<ByteBuffer, any Error> { continuation in
                continuation.yield(ByteBuffer(string: bytes))
                continuation.finish()
            }
            do { return .uploaded(try await service.upload(imageId: imageId, token: token, body: body)) } catch { return .refused(error) }
        case .workJobs:
            return .worked(try await workJobs())
        }
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
        let answer = try await player.play(step)
        tape.entries.append(Tape.Entry(step: step, answer: answer))
        return answer
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
