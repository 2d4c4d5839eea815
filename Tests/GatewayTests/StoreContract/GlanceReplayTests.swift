import Foundation
@testable import IMSModel
@testable import IMSService
import Testing

/// The recorded workload (`CrossStoreReplayTests`) replayed on the Glance stores: images and
/// their bytes in Glance, the rest in PostgreSQL. Every answer and every stored record must be
/// the one SQLite gave, uploads and job work (copies, imports, exports) included.
@Suite struct GlanceReplayTests {
    @Test(.enabled(if: !StoreFactory.glance.isEmpty, "needs IMS_GLANCE_URL and IMS_PG_URL"))
    func aTapeRecordedOnSQLiteReplaysOnGlanceWithEqualAnswersAndRecords() async throws {
        let glance = try #require(StoreFactory.glance.first)
        let tape = try await Tape.record(on: .sqlite)
        try await CrossStoreReplayTests.compare(tape, replayedOn: glance)
    }
}
