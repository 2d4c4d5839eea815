import Foundation
import IMSModel

/// How far a migration has got, per kind of record: written after every batch (to a temporary
/// file, then renamed, so a kill -9 leaves the old or the new checkpoint, never half of one).
/// A rerun starts each kind where this says; the records of a batch that was copied but not
/// yet checkpointed are found in the target and skipped, so nothing is copied twice.
public struct MigrationCheckpoint: Codable, Sendable, Equatable {
    public struct Place: Codable, Sendable, Equatable {
        /// Records of this kind read from the source so far (the offset in the kind's order).
        public var scanned: Int = 0
        public var copied: Int = 0
        public var skipped: Int = 0
        public var bytes: Int64 = 0
        public var finished = false

        public init() {}
    }

    public var from: String
    public var to: String
    public var kinds: [String: Place] = [:]

    public init(from: String, to: String) {
        self.from = from
        self.to = to
    }

    /// The checkpoint at `path`, or a new one when there is none (a checkpoint of another pair
    /// of backends is refused: it would skip what this pair has not copied).
    public static func load(_ path: String, from: String, to: String) throws -> MigrationCheckpoint {
        guard let data = FileManager.default.contents(atPath: path) else { return MigrationCheckpoint(from: from, to: to) }
        let loaded = try JSONDecoder().decode(MigrationCheckpoint.self, from: data)
        guard loaded.from == from, loaded.to == to else {
            throw MigrationError("\(path) is the checkpoint of a migration from \(loaded.from) to \(loaded.to); remove it or name another")
        }
        return loaded
    }

    public func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let temporary = path + ".new"
        let data = try encoder.encode(self)
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw MigrationError("cannot write the checkpoint \(temporary)")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
        try handle.synchronize()
        try handle.close()
        if rename(temporary, path) != 0 { throw MigrationError("cannot rename the checkpoint into \(path): errno \(errno)") }
    }
}

/// Why a migration cannot go on, in words for the operator who ran it.
public struct MigrationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
