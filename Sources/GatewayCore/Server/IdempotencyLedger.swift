/// The answers of mutations sent with an `Idempotency-Key`, kept for a window so that sending
/// the mutation again returns its answer instead of running it again. A front gateway forwards
/// the key with every mutating command, so a create the client was told timed out can be
/// repeated safely: it either returns the image that was made, or makes it now.
///
/// A key belongs to the identity that sent it (another tenant's identical key is another record)
/// and to one request: the same key with a different command is refused. A repeat that arrives
/// while the first run is still going waits for it. Failures that say nothing about the store
/// (`internal`, `unavailable`) are not kept, so a repeat runs the command again. Records live in
/// this process's memory: a restart of the backend forgets them.
actor IdempotencyLedger {
    typealias Answer = Result<CommandResult, CanonicalError>

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
    private var runs: UInt64 = 0
    private var nextSweep = ContinuousClock.now

    init(window: Duration = .seconds(3600), capacity: Int = 100_000) {
        self.window = window
        self.capacity = capacity
    }

    var count: Int { entries.count }

    /// `execute`'s answer, or the recorded answer of the same command under the same key.
    func run(key: String, identity: Identity, command: Command,
             _ execute: @escaping @Sendable () async -> Answer) async -> Answer {
        let now = ContinuousClock.now
        sweep(now)
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
        }
        return answer
    }

    /// Forgets expired answers, at most once a second (a pass over every record).
    private func sweep(_ now: ContinuousClock.Instant) {
        guard now >= nextSweep else { return }
        nextSweep = now + .seconds(1)
        entries = entries.filter { _, entry in
            if case .done(_, let expires) = entry.state { return expires > now }
            return true
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
