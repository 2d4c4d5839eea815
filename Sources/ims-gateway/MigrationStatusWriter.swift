import Foundation
import IMSService
import NIOConcurrencyHelpers

/// Keeps `migrate`'s status file (`MigrationStatus`) current for the console: after a batch at
/// most once a second (a batch may take milliseconds; the file need not), and at every change
/// of state. A status that cannot be written is not worth stopping a copy for.
final class MigrationStatusWriter: Sendable {
    let path: String
    private struct State {
        var status: MigrationStatus
        var written = Date.distantPast
    }

    private let state: NIOLockedValueBox<State>

    init(path: String, from: String, to: String, checkpoint: String) {
        self.path = path
        let resumed = try? MigrationCheckpoint.load(checkpoint, from: from, to: to)
        state = NIOLockedValueBox(State(status: MigrationStatus(from: from, to: to, resuming: resumed)))
        write(force: true) { _ in }
    }

    func record(_ progress: Migration.Progress) {
        write(force: progress.scanned >= progress.total) { $0.record(progress) }
    }

    func verifying() { write(force: true) { $0.state = .verifying } }

    func verified(_ checks: [Migration.Check]) { write(force: true) { $0.record(checks) } }

    func failed(_ error: any Error) {
        write(force: true) {
            $0.state = .failed
            $0.error = "\(error)"
        }
    }

    private func write(force: Bool, _ change: (inout MigrationStatus) -> Void) {
        let path = path
        state.withLockedValue { s in
            change(&s.status)
            let now = Date()
            guard force || now.timeIntervalSince(s.written) >= 1 else { return }
            s.status.updated = now
            s.written = now
            try? s.status.save(path)
        }
    }
}
