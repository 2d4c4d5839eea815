import Foundation
import IMSModel

/// The S3 endpoint's steps under a shadow (`ShadowObjects`): queued like commands, run on the
/// secondary's objects with the primary's values, both answers and both stored objects compared.
extension ShadowBackend {
    /// Queues a step for the secondary, or drops it (the image marked) when the queue is full.
    /// `held`: the image is pending already (`hold`), from before the primary ran the step.
    @discardableResult
    func enqueue(_ step: MirroredObjectStep, operation: String, held: Bool = false) -> Bool {
        let mirror = ShadowMirror(command: .getImage(ImageSelector(ref: step.imageId)), identity: .anonymousOperator,
                                  primary: .success(.done), minted: nil, dialect: RequestIDs.route?.dialect ?? "s3",
                                  operation: operation, requestId: RequestIDs.current ?? "", queuedAt: .now, objectStep: step)
        let key: Set<String> = ["image:" + step.imageId]
        return enqueue(mirror, touching: key, held: held ? key : [])
    }

    func compareObjectStep(_ mirror: ShadowMirror, _ step: MirroredObjectStep) async {
        let key = "image:" + step.imageId
        var found: [(ShadowFinding.Kind, FieldDifference)] = []
        var secondaryFailed = false
        // Handed the primary's values once it has them (a step with bytes: after the last one).
        let minting = Minting(later: { step.primaryMinted })
        let objects = secondary.capabilities.uploadObjects
        let theirs: MirroredObjectStep.Answer
        do {
            guard let objects else { throw UploadObjectError.internalError }
            theirs = .success(try await Minting.$current.withValue(minting) { try await step.run(objects) })
        } catch {
            step.chunks?.cancel()
            theirs = .failure(error as? UploadObjectError ?? .internalError)
        }
        if step.chunks?.gaveUp == true { markMissed([key]) }
        release([key])
        let ours = step.primaryAnswer ?? .failure(.internalError)
        switch (ours, theirs) {
        case (.success(let a), .success(let b)):
            found += differ.differences(a, b, at: "object").map { (.differs, $0) }
        // A step whose bytes failed at the primary fails at the secondary by that failure's
        // end of its bytes, whichever refusal the secondary then names.
        case (.failure(let x), .failure(let y)) where x.name != y.name && step.chunks == nil:
            found.append((.outcome, FieldDifference(path: "object.outcome", primary: x.name, secondary: y.name)))
        case (.success, .failure(let y)):
            secondaryFailed = true
            found.append((.outcome, FieldDifference(path: "object.outcome", primary: "ok", secondary: y.name)))
        case (.failure(let x), .success):
            found.append((.outcome, FieldDifference(path: "object.outcome", primary: x.name, secondary: "ok")))
        default:
            break
        }
        // The effect: both sides' stored object, once no later step on it waits in the queue.
        if case .success = ours, !secondaryFailed, !heldSince([key]),
           let objects, let first = primary.capabilities.uploadObjects {
            async let there = Self.stored(step.imageId, in: objects)
            let here = await Self.stored(step.imageId, in: first)
            let stored = differ.differences(here, await there, at: "stored.object")
            if !heldSince([key]) { found += stored.map { (.differs, $0) } }
        }
        await note(mirror, found: found, secondaryFailed: secondaryFailed, touched: [key])
    }

    /// An object as a side holds it, or which refusal it answers (an object not complete yet).
    private static func stored(_ imageId: String, in objects: any UploadObjects) async -> JSONValue {
        do throws(UploadObjectError) {
            return try await objects.object(imageId).json
        } catch {
            return .object(["outcome": .string(error.name)])
        }
    }
}
