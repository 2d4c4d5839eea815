import NIOCore

/// An upload's bytes on their way to a shadow's secondary while the primary stores them: each
/// chunk the primary reads is offered here too, never waited for; up to 8 MiB are held while
/// the secondary is behind, past that its copy is given up (its upload fails and the image is
/// marked as a missed write) rather than holding a file in memory or slowing the client.
struct MirroredUpload: Sendable {
    let imageId: String
    let token: String
    let chunks = MirroredUpload.channel()

    /// The bytes' way to a secondary, for every upload a shadow mirrors (S3's objects and
    /// parts too): never holding the primary, 8 MiB behind at most.
    static func channel() -> ChunkChannel { ChunkChannel(limit: 8 << 20, whenFull: .giveUp) }
}
