import Foundation
@testable import GatewayCore
import Testing

/// Ids and times are minted above the stores: the same commands with a mint in the same state
/// give the same answers on two stores (what shadow mode and migration stand on).
@Suite struct ReplayTests {
    typealias S = ContractStores

    @Test(arguments: StoreFactory.all) func commandsReplayedOnASecondStoreAnswerTheSame(_ factory: StoreFactory) async throws {
        let options = BundledOptions(catalog: S.catalog, users: S.users, flavors: ["LOWEST": "flavor-small"])
        let commands: [Command] = [
            .createImage([.name: "centos-9", .computeResourceId: 1, .operatingsystemId: 2, .uuid: "3d2b7c2a"]),
            .createImage([.name: "cirros", .status: "queued"]),
            .asJob(JobSpec(action: "CaptureInstance", zone: "ac1", requestId: ""), .captureImage(instance: "i-IN234BH", patch: [.name: "TEST"])),
            .shareImage(ImageSelector(ref: "2"), userIds: ["2", "3"]),
            .prepareUpload(ImageSelector(ref: "2"), size: 10),
            .createApplication(ApplicationDraft(name: "ls-junit", displayName: "test", description: "demo", picture: "p.jpg")),
            .createInstance(InstanceDraft(name: "web-1", displayName: "web", description: nil, userId: 1, applicationId: 1,
                                          flavorConfig: .lowest)),
            .createInstance(InstanceDraft(name: "web-2", displayName: "web", description: nil, userId: 2, applicationId: 1,
                                          flavorConfig: .highest)),
            .updateImage(ImageSelector(ref: "1"), [.description: "replayed"]),
            .listImages(ImageQuery(sort: [SortKey(.name)])),
        ]
        var answers: [[CommandResult]] = []
        for _ in 0..<2 {
            answers.append(try await S.with(factory) { stores in
                let service = GatewayService(stores: stores, options: options, mint: .seeded(15, start: S.epoch))
                var results: [CommandResult] = []
                for command in commands { results.append(try await service.execute(command, as: .anonymousOperator)) }
                return results
            })
        }
        for (command, (first, second)) in zip(commands, zip(answers[0], answers[1])) {
            #expect(first == second, "\(command)")
        }
        // Not a constant mint: the two images got different references.
        guard case .images(let page) = answers[0].last else { Issue.record("no list"); return }
        #expect(Set(page.items.map(\.image.imageId)).count == 3)
    }
}
