import Dialects
import Foundation
@testable import IMSModel
import Testing

/// htaiyun as pure functions: each seed example of `htaiyun.json` decoded and answered with no
/// server, in the seed's terms.
@Suite struct HtaiyunDialectTests {
    static func ms(_ n: Double) -> Date { Date(timeIntervalSince1970: n / 1000) }

    /// `unique` 4, "ls-junit" of the seed's get/create answer.
    static var application: ImageApplication {
        var app = ImageApplication(name: "ls-junit", displayName: "测试", description: "junit测试-可删除",
                                   picture: "6465465786546789874.jpg", owner: "t", now: ms(1_494_472_126_109))
        app.id = 4
        return app
    }

    /// `unique` 3, "appinsliylins", of application 2 ("appliylapp"), owned by user 1.
    static var instance: InstanceView {
        var domain = ImageApplication(name: "appliylapp", displayName: "appliylapp", description: "", picture: "", owner: "t",
                                      now: ms(1_479_883_908_575))
        domain.id = 2
        let owner = User(id: 1, username: "18011873436", mobile: "18011873436", email: "18011873436",
                         avatarUrl: "null/avatar/preset/default-user.jpg", now: ms(1_479_456_060_780))
        return InstanceView(instance: ApplicationInstance(
            id: 3, name: "appinsliylins", displayName: "appinsliylins", description: nil, userId: 1, applicationId: 2,
            flavorConfig: .lowest, status: .actived, owner: "t", stackRef: "5835412b239d68d11c08c33f", stackName: "stackliyl",
            stackId: "7f784229-1457-4d4f-bd1f-fb03d375feb3", serverRef: "5825cb51b26cb225016ba248", serverName: "serverliyl",
            serverId: "967942b2-4983-48b5-8a25-4d88c2015d1b", flavorRef: "582d4984239d9a99eba405c9",
            flavorId: "a7bbece1-3ebd-4713-b848-941655da5c1d", createdAt: ms(1_479_885_261_773), updatedAt: ms(1_479_885_261_773)),
            application: domain, owner: owner)
    }

    static var member: User {
        User(id: 8, username: "liyl", name: "liyl", mobile: "18921214565", optionalFlavorIds: "1,2,3", now: ms(1_478_515_351_896))
    }

    static let page = ListWindow(status: nil, offset: 0, limit: 20)
    static let ok = ["status", "message"]
    static let applicationFacts = ok + ["result.unique", "result.status", "result.created", "result.updated", "result.name",
                                        "result.displayName", "result.description", "result.picture", "result.links", "links"]
    static let instanceFacts = ok + ["result.unique", "result.status", "result.name", "result.displayName", "result.description",
                                     "result.applicationDomain.unique", "result.applicationDomain.name",
                                     "result.userStack.name", "result.userStack.stackId", "result.userStack.userServer.serverId",
                                     "result.userStack.userServer.flavor.flavorId", "result.owner.unique",
                                     "result.owner.username", "result.owner.mobile", "result.owner.type", "result.owner.avatarUrl"]
    /// The seed's pages say `total` 2 (and 7) with one entity and `hasNext` false: as the conformance suite does, the
    /// page is one of one and `total` is not compared.
    static let pageFacts = ok + ["result.hasPrevious", "result.hasNext", "result.links"]

    static let table = DialectSeedTable(dialect: HtaiyunDialect(), name: "htaiyun", cases: [
        "create-image-application": .init(outcome: .answers(
            .createApplication(ApplicationDraft(name: "ls-junit", displayName: "测试", description: "junit测试-可删除",
                                                picture: "6465465786546789874.jpg")),
            .application(application)), equal: applicationFacts),
        "get-image-application": .init(outcome: .answers(.getApplication(4), .application(application)), equal: applicationFacts),
        "delete-image-application": .init(outcome: .answers(.deleteApplication(4), .application(application)), equal: ok),
        "list-image-applications": .init(outcome: .answers(
            .listApplications(ListWindow(status: "ACTIVED", offset: 0, limit: 20)),
            .applications(ApplicationPage(items: [{
                var app = ImageApplication(name: "测试", displayName: "测试", description: "暂无", picture: "",
                                           applications: ["openstack", "guacamole"], owner: "t", now: ms(1_492_848_858_513))
                app.id = 1
                return app
            }()], total: 1))),
            // As the conformance case reads it: the seed's entity has a Mongo id string as `unique`, get and create numbers.
            equal: pageFacts + ["result.entities.0.imageName", "result.entities.0.applications",
                         "result.entities.0.description"],
            seed: { replacing($0, at: ["result", "entities", "0", "unique"], with: 4) }),
        "update-image-application": .init(outcome: .answers(.updateApplication(4, ApplicationPatch(displayName: "测试")),
                                                            .application(application)), equal: applicationFacts),
        "create-application-instance": .init(outcome: .answers(
            .createInstance(InstanceDraft(name: "appinsliylins", displayName: "appinsliylins", description: nil, userId: 1,
                                          applicationId: 2, flavorConfig: .lowest)),
            .instance(instance)), equal: instanceFacts),
        "update-application-instance": .init(outcome: .answers(
            .updateInstance(3, InstancePatch(name: "appinsliylins", displayName: "x")), .instance(instance)), equal: ok),
        "delete-application-instance": .init(outcome: .answers(.deleteInstances([3]), .instances(InstancePage(items: [instance], total: 1))),
                                             equal: ok),
        "batch-delete-application-instances": .init(outcome: .answers(.deleteInstances([3, 4]),
                                                                      .instances(InstancePage(items: [instance], total: 2))), equal: ok),
        "add-instance-user": .init(outcome: .answers(.addMembers(instance: 3, users: [8]), .users(UserPage(items: [member], total: 1))),
                                   equal: ok),
        "delete-instance-user": .init(outcome: .answers(.removeMembers(instance: 3, users: [8]), .users(UserPage(items: [], total: 0))),
                                      equal: ok),
        "batch-add-instance-users": .init(outcome: .answers(.addMembers(instance: 3, users: [8, 9]),
                                                            .users(UserPage(items: [member], total: 2))), equal: ok),
        "batch-delete-instance-users": .init(outcome: .answers(.removeMembers(instance: 3, users: [8, 9]),
                                                               .users(UserPage(items: [], total: 0))), equal: ok),
        "list-instance-users": .init(outcome: .answers(.listMembers(instance: 3, ListWindow(offset: 0, limit: 20)),
                                                       .users(UserPage(items: [member], total: 1))),
                                     equal: pageFacts + ["result.entities.0.unique", "result.entities.0.status",
                                                         "result.entities.0.optionalflavorids", "result.entities.0.name",
                                                         "result.entities.0.mobile", "result.entities.0.created"]),
        "get-application-instance": .init(outcome: .answers(.getInstance(3), .instance(instance)), equal: instanceFacts),
        "list-application-instances": .init(outcome: .answers(.listInstances(InstanceQuery(window: ListWindow(offset: 0, limit: 20))),
                                                              .instances(InstancePage(items: [instance], total: 1))),
                                            equal: pageFacts + ["result.entities.0.unique", "result.entities.0.name",
                                                                "result.entities.0.applicationDomain.name",
                                                                "result.entities.0.owner.username"]),
        "error-name-used": .init(outcome: .fails(
            .createInstance(InstanceDraft(name: "appinsliylins", displayName: "d", description: nil, userId: 1, applicationId: 2,
                                          flavorConfig: .lowest)),
            .conflict(field: "name", message: "is already used")), equal: ok),
    ])

    @Test func everySeedExampleDecodesAndAnswersAsTheSeedShows() throws {
        try Self.table.check()
    }

    @Test func theEncoderAnswersEachOperationItsOwnResultAndNothingElse() {
        expectTotalEncoder(HtaiyunDialect(), answers: [
            .applicationCreate: "application", .applicationGet: "application", .applicationUpdate: "application",
            .applicationDelete: "application", .applicationList: "applications",
            .instanceCreate: "instance", .instanceGet: "instance", .instanceUpdate: "instance", .instanceList: "instances",
            .instanceDelete: "instances", .instanceBatchDelete: "instances", .instanceAddMember: "users",
            .instanceRemoveMember: "users", .instanceAddMembers: "users", .instanceRemoveMembers: "users",
            .instanceListMembers: "users",
        ])
    }
}
