/// What a job does after it is answered. Deliberately not a `Command`: the canonical API decodes
/// only `Command`s, so work that must run inside a job (fetching an import's URL, copying bytes,
/// writing an export) cannot be asked for over the wire at all.
public enum JobWork: Sendable, Equatable {
    /// A mutation checked when it was submitted (51idc's jobs), run as it was asked.
    case command(Command)
    /// A capture's image becomes active.
    case finishCapture(imageId: String)
    case fetchImport(imageId: String, url: String)
    case copyImageFile(from: String, to: String)
    case writeExport(imageId: String, bucket: String)
}

/// Stored in the job's `command` column in the form it had when these were `Command` cases
/// (`{"fetchImport":{…}}`, `{"createImage":{…}}`), so jobs recorded before keep running.
extension JobWork: Codable {
    private enum Deferred: Codable {
        case finishCapture(imageId: String)
        case fetchImport(imageId: String, url: String)
        case copyImageFile(from: String, to: String)
        case writeExport(imageId: String, bucket: String)
    }

    private struct Name: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private static let deferredNames: Set<String> = ["finishCapture", "fetchImport", "copyImageFile", "writeExport"]

    public init(from decoder: any Decoder) throws {
        let names = try decoder.container(keyedBy: Name.self).allKeys.map(\.stringValue)
        guard names.count == 1, Self.deferredNames.contains(names[0]) else {
            self = .command(try Command(from: decoder))
            return
        }
        switch try Deferred(from: decoder) {
        case .finishCapture(let imageId): self = .finishCapture(imageId: imageId)
        case .fetchImport(let imageId, let url): self = .fetchImport(imageId: imageId, url: url)
        case .copyImageFile(let from, let to): self = .copyImageFile(from: from, to: to)
        case .writeExport(let imageId, let bucket): self = .writeExport(imageId: imageId, bucket: bucket)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .command(let command): try command.encode(to: encoder)
        case .finishCapture(let imageId): try Deferred.finishCapture(imageId: imageId).encode(to: encoder)
        case .fetchImport(let imageId, let url): try Deferred.fetchImport(imageId: imageId, url: url).encode(to: encoder)
        case .copyImageFile(let from, let to): try Deferred.copyImageFile(from: from, to: to).encode(to: encoder)
        case .writeExport(let imageId, let bucket): try Deferred.writeExport(imageId: imageId, bucket: bucket).encode(to: encoder)
        }
    }
}

extension JobWork {
    /// Work that streams an image's bytes (minutes to hours), as opposed to a store change.
    package var movesBytes: Bool {
        switch self {
        case .fetchImport, .copyImageFile, .writeExport: true
        case .command, .finishCapture: false
        }
    }
}
