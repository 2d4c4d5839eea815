import Crypto
import Foundation
import IMSModel
import IMSService
import Logging
import NIOCore

/// The answers of mutations sent with an `Idempotency-Key`, kept for a window so that sending
/// the mutation again returns its answer instead of running it again. A front gateway forwards
/// the key with every mutating command, so a create the client was told timed out can be
/// repeated safely: it either returns the image that was made, or makes it now.
///
/// A key belongs to the identity that sent it (another tenant's identical key is another record)
/// and to one request: the same key with a different command is refused. A repeat that arrives
/// while the first run is still going waits for it. Failures that say nothing about the store
/// (`internal`, `unavailable`) are not kept, so a repeat runs the command again. Records live in
/// this process's memory, at most `capacity` of them (the oldest go first when it is full), and,
/// when the backend has a store (`records`), in the store too: a repeat that reaches another
/// gateway of the deployment, or this one after a restart, is answered from there, and one that
/// arrives while another gateway runs the command waits for its answer.
actor IdempotencyLedger {
    typealias Answer = Result<Executed, CanonicalError>

    private struct Scope: Hashable {
        var user: String
        var tenant: String
        var isOperator: Bool
        var key: String
    }

    private enum State {
        case running(Task<Answer, Never>)
        case done(Answer, expires: ContinuousClock.Instant)
    }

    private struct Entry {
        var command: Command
        var run: UInt64
        var state: State
    }

    let window: Duration
    let capacity: Int
    let records: (any IdempotencyRecords)?
    /// This process's name on the runs it claims in the store.
    let owner = UUID().uuidString
    /// How long a claimed run may go before a repeat elsewhere takes it over (its gateway died).
    static let lease: TimeInterval = 30
    private var nextSweep = Date.distantPast
    static let logger = Logger(label: "ims-gateway.idempotency")
    private var entries: [Scope: Entry] = [:]
    /// Finished runs in the order they finished, so in the order they expire: the oldest are
    /// forgotten first, when their window ends or when the ledger is full.
    private var finished: [(scope: Scope, run: UInt64)] = []
    private var oldest = 0
    private var runs: UInt64 = 0

    init(window: Duration = .seconds(3600), capacity: Int = 50_000, records: (any IdempotencyRecords)? = nil) {
        self.window = window
        self.capacity = capacity
        self.records = records
    }

    var count: Int { entries.count }

    /// `execute`'s answer, or the recorded answer of the same command under the same key.
    func run(key: String, identity: Identity, command: Command,
             _ execute: @escaping @Sendable () async -> Answer) async -> Answer {
        forget(expiredBy: .now)
        let scope = Scope(user: identity.user, tenant: identity.tenant, isOperator: identity.isOperator, key: key)
        if let entry = entries[scope] {
            guard entry.command.sameRequest(as: command) else { return .failure(Self.otherRequest) }
            switch entry.state {
            case .running(let task): return await task.value
            case .done(let answer, _): return answer
            }
        }
        // The run is not the caller's child: a caller that gives up does not stop it, so its
        // answer is recorded for the repeat that follows.
        let task: Task<Answer, Never>
        if let records {
            let (owner, keep, sweep) = (owner, window, sweepDue())
            let shared = Self.sharedScope(scope)
            task = Task { await Self.run(shared, command, in: records, owner: owner, keep: keep, sweep: sweep, execute) }
        } else {
            task = Task { await execute() }
        }
        forget(expiredBy: .now, toHold: 1)
        guard entries.count < capacity else { return await task.value }
        runs += 1
        let run = runs
        entries[scope] = Entry(command: command, run: run, state: .running(task))
        let answer = await task.value
        guard entries[scope]?.run == run else { return answer }
        if case .failure(let error) = answer, error.saysNothingAboutTheStore {
            entries[scope] = nil
        } else {
            entries[scope]?.state = .done(answer, expires: .now + window)
            finished.append((scope, run))
        }
        return answer
    }

    /// Once a minute, the run that reaches the store also deletes its expired records.
    private func sweepDue() -> Bool {
        let now = Date()
        guard now >= nextSweep else { return false }
        nextSweep = now + 60
        return true
    }

    /// The scope as the store files it: one text for the identity and the key.
    private static func sharedScope(_ scope: Scope) -> String {
        let text = "\(scope.isOperator ? "operator" : "user")\u{0}\(scope.user)\u{0}\(scope.tenant)\u{0}\(scope.key)"
        return Secrets.sha256Hex(text)
    }

    /// The command's answer through the store's record: run here once claimed, else the
    /// recorded answer, else (another gateway runs it) waited for.
    private static func run(_ scope: String, _ command: Command, in records: any IdempotencyRecords, owner: String,
                            keep: Duration, sweep: Bool, _ execute: @escaping @Sendable () async -> Answer) async -> Answer {
        let request = command.requestDigest
        do {
            if sweep { try await records.forgetIdempotency(before: Date()) }
            while true {
                let now = Date()
                switch try await records.claim(scope, request: request, owner: owner, lease: now + lease, now: now) {
                case .claimed:
                    let answer = await execute()
                    if case .failure(let error) = answer, error.saysNothingAboutTheStore {
                        try await records.release(scope, owner: owner)
                    } else {
                        try await records.finish(scope, owner: owner, answer: Self.text(of: answer),
                                                 expires: Date() + TimeInterval(keep.components.seconds))
                    }
                    return answer
                case .done(let recorded, let text):
                    guard recorded == request else { return .failure(Self.otherRequest) }
                    return Self.answer(from: text)
                case .running(let recorded):
                    guard recorded == request else { return .failure(Self.otherRequest) }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
        } catch {
            logger.error("idempotency record unavailable", metadata: ["error": .string("\(error)")])
            return .failure(.unavailable("the gateway cannot check this request's idempotency key now; try again shortly"))
        }
    }

    static let otherRequest = CanonicalError.conflict(field: "Idempotency-Key", message: "was already used for a different request")

    /// An answer as the canonical API's wire writes it.
    private static func text(of answer: Answer) -> String {
        let wire = switch answer {
        case .success(let executed): CanonicalWire.Answer(result: executed.result, minted: executed.minted)
        case .failure(let error): CanonicalWire.Answer(error: error)
        }
        return String(buffer: CanonicalWire.body(wire))
    }

    private static func answer(from text: String) -> Answer {
        guard let wire = try? JSONValueDecoder().decode(CanonicalWire.Answer.self, from: Array(text.utf8)) else {
            return .failure(.internal("an idempotency record could not be read"))
        }
        if let result = wire.result, let minted = wire.minted { return .success(Executed(result, minted: minted)) }
        return .failure(wire.error ?? .internal("an idempotency record could not be read"))
    }

    /// Forgets finished runs whose window ended, and more of the oldest until `room` more fit.
    private func forget(expiredBy now: ContinuousClock.Instant, toHold room: Int = 0) {
        while oldest < finished.count {
            let (scope, run) = finished[oldest]
            if let entry = entries[scope], entry.run == run, case .done(_, let expires) = entry.state {
                guard expires <= now || entries.count + room > capacity else { break }
                entries[scope] = nil
            }
            oldest += 1
        }
        if oldest > 1024, oldest * 2 > finished.count {
            finished.removeFirst(oldest)
            oldest = 0
        }
    }
}

extension CanonicalError {
    /// A failure of the machinery, not an answer of the store: running again may succeed.
    var saysNothingAboutTheStore: Bool {
        switch self {
        case .internal, .unavailable: true
        default: false
        }
    }
}

extension Command {
    /// The command as a request: a 51idc job's spec carries the request id, which a repeat of
    /// the same request has anew.
    var requestForm: Command {
        guard case .asJob(var spec, let inner) = self else { return self }
        spec.requestId = ""
        return .asJob(spec, inner)
    }

    /// Whether two commands are the same request sent twice.
    func sameRequest(as other: Command) -> Bool { requestForm == other.requestForm }

    /// The request form's digest, the same in every process (keys sorted), for a record
    /// another gateway compares against.
    var requestDigest: String {
        var text = ByteBuffer()
        ((try? JSONValueEncoder().encode(requestForm)) ?? .null).write(into: &text)
        return Secrets.hex(SHA256.hash(data: text.readableBytesView))
    }
}
