import Foundation
import IMSModel

/// What the worker does with each mirror: run it on the secondary, compare both answers (and,
/// after a write, both stored states) in the canonical model, record and count what differs.
extension ShadowBackend {
    /// Runs one mirror on the secondary and records what differs.
    func compare(_ mirror: ShadowMirror) async {
        counters.lag(ContinuousClock.now - mirror.queuedAt)
        // Counted off the queue once the secondary has run it: an empty queue means the
        // secondary holds every mirrored write.
        defer { counters.depth(waiting.subtract(1, ordering: .relaxed).newValue) }
        if let ours = mirror.downloaded, case .downloadImage(let selector) = mirror.command {
            return await compareDownload(mirror, selector: selector, ours: ours)
        }
        if let step = mirror.objectStep { return await compareObjectStep(mirror, step) }
        var mirror = mirror
        let secondaryAnswer: Result<CommandResult, CanonicalError>
        do throws(CanonicalError) {
            if let bytes = mirror.bytes {
                // Handed the primary's values once it has them (after the last byte).
                let answers = self.answers
                let minting = Minting(later: { answers.withLockedValue { $0[ObjectIdentifier(bytes.chunks)]?.minted } })
                do {
                    secondaryAnswer = .success(.uploadTicket(try await Minting.$current.withValue(minting) {
                        try await secondary.upload(imageId: bytes.imageId, token: bytes.token, body: bytes.chunks)
                    }))
                } catch {
                    secondaryAnswer = .failure(error as? CanonicalError ?? .internal("\(error)"))
                }
            } else {
                secondaryAnswer = .success(mirror.isWrite
                    ? try await secondary.execute(mirror.command, as: mirror.identity, minted: mirror.minted).result
                    : try await secondary.execute(mirror.command, as: mirror.identity))
            }
        } catch {
            secondaryAnswer = .failure(error)
        }
        if let bytes = mirror.bytes {
            // The primary's answer came while the secondary read the same bytes (or the bytes
            // ended when it failed): both sides are done with this upload now.
            mirror.primary = answers.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(bytes.chunks)) }?.answer
                ?? .failure(.internal("the primary's upload did not answer"))
            if bytes.chunks.gaveUp { markMissed(["image:" + bytes.imageId]) }
        }
        var keys: Set<String> = []
        if mirror.bytes != nil {
            keys = ["image:" + mirror.bytes!.imageId]
            release(keys)
        } else if mirror.isWrite {
            keys = mirror.command.touchedObjects(answer: try? mirror.primary.get())
            release(keys)
        }
        var found = differences(mirror.primary, secondaryAnswer, at: "")
        var secondaryFailed = false
        if case .success = mirror.primary, case .failure = secondaryAnswer { secondaryFailed = true }
        // The effect, not only the reply: both sides' stored state of what the write changed,
        // once no later write to it waits in the queue.
        if mirror.isWrite, !secondaryFailed, case .success(let result) = mirror.primary,
           let read = mirror.bytes != nil ? mirror.command : mirror.command.readBack(after: result),
           !heldSince(keys) {
            let identity = mirror.identity
            async let theirs = Self.run(read, on: secondary, as: identity)
            let ours = await Self.run(read, on: primary, as: identity)
            let stored = differences(ours, await theirs, at: "stored")
            // A write to it held meanwhile (a client's next request) may have run on the primary
            // between the check and the reads: then the two states are of different histories.
            if !heldSince(keys) { found += stored }
        }
        // A write's objects are `keys` already; a read's are counted nowhere else.
        let touched = mirror.isWrite ? keys : mirror.command.touchedObjects(answer: try? mirror.primary.get())
        await note(mirror, found: found, secondaryFailed: secondaryFailed, touched: touched)
    }

    /// The secondary's bytes of the image the client downloaded, hashed as they stream, against
    /// the digest of what the client got.
    private func compareDownload(_ mirror: ShadowMirror, selector: ImageSelector, ours: BytesDigest) async {
        var found: [(ShadowFinding.Kind, FieldDifference)] = []
        var failed = false
        do throws(CanonicalError) {
            let download = try await secondary.download(selector, as: mirror.identity)
            var theirs = BytesDigest()
            do {
                try await download.write { theirs.add($0) }
            } catch {
                throw error as? CanonicalError ?? .unavailable("the secondary's bytes did not arrive")
            }
            if theirs != ours { found.append((.differs, FieldDifference(path: "download.bytes", primary: ours.text, secondary: theirs.text))) }
        } catch {
            failed = true
            found.append((.outcome, FieldDifference(path: "download.outcome", primary: "ok", secondary: error.kind)))
        }
        await note(mirror, found: found, secondaryFailed: failed, touched: mirror.command.touchedObjects(answer: nil))
    }

    /// Whether a write to any of `keys` waits in the queue, or is running on the primary.
    func heldSince(_ keys: Set<String>) -> Bool {
        pendingWrites.withLockedValue { pending in keys.contains { pending[$0] != nil } }
    }

    /// Records what a comparison found and counts it.
    func note(_ mirror: ShadowMirror, found: [(ShadowFinding.Kind, FieldDifference)], secondaryFailed: Bool,
              touched: Set<String>) async {
        let missedWrite = missed.withLockedValue { $0.containsAny(of: touched) }
        let now = Date()
        // Findings before counts: a reader that sees a command counted sees what it found.
        if !found.isEmpty {
            await log.record(found.map { kind, difference in
                ShadowFinding(at: now, dialect: mirror.dialect, operation: mirror.operation, requestId: mirror.requestId,
                              kind: missedWrite ? .missedWrite : kind, difference: difference)
            })
        }
        if secondaryFailed {
            counters.secondaryError(operation: mirror.operation)
            tally(.secondaryError, mirror.operation)
        }
        if !found.isEmpty, !missedWrite {
            counters.mismatched(operation: mirror.operation)
            tally(.mismatched, mirror.operation)
        }
        counters.compared(operation: mirror.operation)
        tally(.compared, mirror.operation)
    }

    private static func run(_ command: Command, on backend: any Backend, as identity: Identity) async -> Result<CommandResult, CanonicalError> {
        do throws(CanonicalError) { return .success(try await backend.execute(command, as: identity)) } catch { return .failure(error) }
    }

    /// Both answers in the canonical model, field by field; an outcome (success or which error)
    /// that differs is one difference at `outcome`.
    private func differences(_ a: Result<CommandResult, CanonicalError>, _ b: Result<CommandResult, CanonicalError>,
                             at root: String) -> [(ShadowFinding.Kind, FieldDifference)] {
        let encoder = JSONValueEncoder()
        let prefix = root.isEmpty ? "" : root + "."
        switch (a, b) {
        case (.success(let x), .success(let y)):
            guard x != y, let u = try? encoder.encode(x), let v = try? encoder.encode(y) else { return [] }
            return differ.differences(u, v, at: root).map { (.differs, $0) }
        case (.failure(let x), .failure(let y)):
            return x.kind == y.kind ? [] : [(.outcome, FieldDifference(path: prefix + "outcome", primary: x.kind, secondary: y.kind))]
        case (.success(let x), .failure(let y)):
            return [(.outcome, FieldDifference(path: prefix + "outcome", primary: "ok " + x.kind, secondary: y.kind))]
        case (.failure(let x), .success(let y)):
            return [(.outcome, FieldDifference(path: prefix + "outcome", primary: x.kind, secondary: "ok " + y.kind))]
        }
    }
}
