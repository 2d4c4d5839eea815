import IMSModel

/// The answers of mutations sent with an `Idempotency-Key`, kept for a window so that sending
/// the mutation again returns its answer instead of running it again. A front gateway forwards
/// the key with every mutating command, so a create the client was told timed out can be
/// repeated safely: it either returns the image that was made, or makes it now.
///
/// A key belongs to the identity that sent it (another tenant's identical key is another record)
/// and to one request: the same key with a different command is refused. A repeat that arrives
/// while the first run is still going waits for it. Failures that say nothing about the store
/// (`internal`, `unavailable`) are not kept, so a repeat runs the command again. Records live in
/// this process's memory, at most `capacity` of them (the oldest go first when it is full): a
/// restart of the backend forgets them.
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
    private var entries: [Scope: Entry] = [:]
    /// Finished runs in the order they finished, so in the order they expire: the oldest are
    /// forgotten first, when their window ends or when the ledger is full.
    private var finished: [(scope: Scope, run: UInt64)] = []
    private var oldest = 0
    private var runs: UInt64 = 0

    init(window: Duration = .seconds(3600), capacity: Int = 50_000) {
        self.window = window
        self.capacity = capacity
    }

    var count: Int { entries.count }

    /// `execute`'s answer, or the recorded answer of the same command under the same key.
    func run(key: String, identity: Identity, command: Command,
             _ execute: @escaping @Sendable () async -> Answer) async -> Answer {
        forget(expiredBy: .now)
        let scope = Scope(user: identity.user, tenant: identity.tenant, isOperator: identity.isOperator, key: key)
        if let entry = entries[scope] {
            guard entry.command.sameRequest(as: command) else {
                return .failure(.conflict(field: "Idempotency-Key", message: "was already used for a different request"))
            }
            switch entry.state {
            case .running(let task): return await task.value
            case .done(let answer, _): return answer
            }
        }
        // The run is not the caller's child: a caller that gives up does not stop it, so its
        // answer is recorded for the repeat that follows.
        let task = Task { await execute() }
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
    /// Whether two commands are the same request sent twice: a 51idc job's spec carries the
    /// request id, which a repeat has anew.
    func sameRequest(as other: Command) -> Bool {
        if case .asJob(var mine, let inner) = self, case .asJob(var theirs, let otherInner) = other {
            mine.requestId = ""
            theirs.requestId = ""
            return mine == theirs && inner == otherInner
        }
        return self == other
    }
}
