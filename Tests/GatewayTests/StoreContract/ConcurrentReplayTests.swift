import Foundation
@testable import IMSModel
import Testing

/// Steps on different objects replayed concurrently, in an order of their own, still store the
/// records the sequential recording stored: each step carries its values (`Minted`), so what
/// it stores does not depend on which step came first — which a mint replayed in call order
/// (`Mint.seeded`) could not give.
@Suite struct ConcurrentReplayTests {
    static let lanes = 6

    @Test(arguments: StoreFactory.all) func lanesReplayedConcurrentlyStoreTheRecordedRecords(_ factory: StoreFactory) async throws {
        let (tape, laneOf) = try await Self.record()
        let lanes = (0..<Self.lanes).map { lane in tape.entries.indices.filter { laneOf[$0] == lane } }
        #expect(lanes.allSatisfy { $0.count > 8 })
        for round in 0..<2 {
            let (answers, records) = try await ContractStores.with(factory) { stores in
                let player = Player(Player.service(stores, mint: Player.otherMint))
                let answers = try await withThrowingTaskGroup(of: [(Int, ReplayAnswer)].self) { group in
                    for lane in lanes.shuffled() {
                        group.addTask {
                            var played: [(Int, ReplayAnswer)] = []
                            for index in lane {
                                played.append((index, try await player.play(tape.entries[index].step, minted: tape.entries[index].minted).answer))
                            }
                            return played
                        }
                    }
                    return try await group.reduce(into: [Int: ReplayAnswer]()) { all, lane in for (i, a) in lane { all[i] = a } }
                }
                return (answers, try await StoredRecords.read(stores))
            }
            for (index, entry) in tape.entries.enumerated() where answers[index] != entry.answer {
                Issue.record("round \(round), step \(index) differs on \(factory): \(entry.step)")
            }
            let differences = try CrossStoreReplayTests.differences(try #require(tape.records), records)
            for difference in differences.prefix(20) { Issue.record("round \(round): stored records differ on \(factory): \(difference)") }
        }
    }

    /// Each lane's steps in turn on SQLite: the tape, and the lane of each entry.
    static func record() async throws -> (Tape, [Int]) {
        try await ContractStores.with(.sqlite) { stores in
            var recorder = Recorder(player: Player(stores))
            var laneOf: [Int] = []
            for lane in 0..<lanes {
                try await Self.lane(lane, &recorder)
                laneOf += Array(repeating: lane, count: recorder.tape.entries.count - laneOf.count)
            }
            recorder.tape.records = try await StoredRecords.read(stores)
            #expect(recorder.tape.entries.allSatisfy { !$0.answer.isRefused }, "every lane step succeeds")
            return (recorder.tape, laneOf)
        }
    }

    /// Steps that touch only the lane's own objects: an image (updated, shared, uploaded to, a
    /// job), an application with an instance and a member, a catalogue entry.
    static func lane(_ n: Int, _ r: inout Recorder) async throws {
        let (who, userId, other) = n % 2 == 0 ? (ReplayWorkload.zhang, Int64(1), "3") : (ReplayWorkload.wang, Int64(3), "1")
        let image = try await r.run(.createImage([.name: .string("lane-\(n)"), .status: "queued", .visibility: "private"]), as: who)
        let ref = ImageSelector(ref: image.imageId)
        try await r.run(.updateImage(ref, [.description: .string("lane \(n) 中文")]), as: who)
        try await r.run(.shareImage(ref, userIds: [other]), as: who)
        let ticket = try #require(try await r.run(.prepareUpload(ref, size: 5), as: who).ticket)
        try await r.play(.upload(imageId: ticket.imageId, token: ticket.token, bytes: "lane\(n)"))
        try await r.run(.asJob(JobSpec(action: "ModifyImage", zone: "ac1", requestId: ""), .updateImage(ref, [.osType: "linux"])), as: who)
        let app = try await r.run(.createApplication(ApplicationDraft(name: "app-\(n)", displayName: "应用 \(n)", description: "",
                                                                    picture: "")), as: who)
        let instance = try await r.run(.createInstance(InstanceDraft(name: "inst-\(n)", displayName: "", description: nil, userId: userId,
                                                                     applicationId: app.applicationId, flavorConfig: .lowest)), as: who)
        try await r.run(.addMembers(instance: instance.instanceId, users: [userId]), as: who)
        try await r.run(.createCatalogEntry(.architecture, CatalogPatch(fields: [.name: "arch-\(n)"])), as: ReplayWorkload.admin)
        try await r.run(.createCatalogEntry(.operatingsystem, CatalogPatch(fields: [.name: "OS", .major: "\(n)"])),
                        as: ReplayWorkload.admin)
    }
}
