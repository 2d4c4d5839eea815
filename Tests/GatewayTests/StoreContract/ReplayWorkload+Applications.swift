import Foundation
@testable import IMSModel

/// The workload's htaiyun application and instance steps (`ReplayWorkload.run`).
extension ReplayWorkload {
    static func applicationsAndInstances(_ r: inout Recorder) async throws {
        func app(_ name: String, _ display: String = "", description: String = "", picture: String = "", apps: [String] = [],
                 as who: Identity = zhang) async throws -> ReplayAnswer {
            try await r.run(.createApplication(ApplicationDraft(name: name, displayName: display, description: description,
                                                                picture: picture, applications: apps)), as: who)
        }
        let junit = try await app("ls-junit", "test", description: "demo", picture: "p.jpg", apps: ["mysql", "redis"])
        let chinese = try await app("办公软件", "办公", description: "中文描述" + tricky, apps: ["WPS", "钉钉"])
        _ = try await app("ls-junit", "again")
        _ = try await app("ls-junit", "other tenant", as: wang)
        _ = try await app("")
        _ = try await app("   ")
        _ = try await app(String(repeating: "a", count: 128))
        _ = try await app(String(repeating: "应", count: 129))
        _ = try await app("nul" + nul)
        _ = try await app("nul-display", "d" + nul)
        _ = try await app("nul-description", description: "d" + nul)
        _ = try await app("nul-picture", picture: nul)
        _ = try await app("nul-apps", apps: ["ok", "a" + nul])
        _ = try await app("ctl" + controls, "ctl" + controls, apps: [controls, ""])
        _ = try await app("percent%", "under_score")
        try await r.run(.getApplication(junit.applicationId), as: zhang)
        try await r.run(.getApplication(junit.applicationId), as: wang)
        try await r.run(.getApplication(999), as: zhang)
        try await r.run(.updateApplication(junit.applicationId, ApplicationPatch(displayName: "更新", applications: [])), as: li)
        try await r.run(.updateApplication(junit.applicationId, ApplicationPatch(name: "办公软件")), as: li)
        try await r.run(.updateApplication(junit.applicationId, ApplicationPatch(name: "")), as: li)
        try await r.run(.updateApplication(junit.applicationId, ApplicationPatch(description: "x" + nul)), as: li)
        try await r.run(.updateApplication(junit.applicationId, ApplicationPatch()), as: li)
        try await r.run(.updateApplication(junit.applicationId, ApplicationPatch(picture: "q.png")), as: wang)
        for window in [ListWindow(), ListWindow(keywords: "ls"), ListWindow(keywords: "LS"), ListWindow(keywords: "办公"),
                       ListWindow(keywords: "%"), ListWindow(keywords: "_"), ListWindow(keywords: nul), ListWindow(keywords: ""),
                       ListWindow(status: "ACTIVED"), ListWindow(status: "DELETED"), ListWindow(status: nul),
                       ListWindow(order: .name, ascending: true), ListWindow(order: .name), ListWindow(order: .updated, limit: 2),
                       ListWindow(order: .created, ascending: true, offset: 1, limit: 2), ListWindow(offset: 100)] {
            try await r.run(.listApplications(window), as: zhang)
        }
        try await r.run(.listApplications(ListWindow(order: .name, ascending: true, limit: 100)), as: admin)

        // Instances of the applications.
        func instance(_ name: String, _ display: String = "", description: String? = nil, user: Int64 = 1, app: Int64,
                      flavor: FlavorConfig = .lowest, as who: Identity = zhang) async throws -> ReplayAnswer {
            try await r.run(.createInstance(InstanceDraft(name: name, displayName: display, description: description, userId: user,
                                                          applicationId: app, flavorConfig: flavor)), as: who)
        }
        let web1 = try await instance("web-1", "web", app: junit.applicationId)
        let web2 = try await instance("web-2", "网站", description: "第二", user: 2, app: junit.applicationId, flavor: .highest)
        let web3 = try await instance("web-3", app: chinese.applicationId, flavor: .recommended)
        _ = try await instance("web-1", app: junit.applicationId)
        _ = try await instance("no-user", user: 99, app: junit.applicationId)
        _ = try await instance("no-app", app: 999)
        _ = try await instance("foreign-app", app: junit.applicationId, as: wang)
        _ = try await instance("", app: junit.applicationId)
        _ = try await instance(String(repeating: "i", count: 201), app: junit.applicationId)
        _ = try await instance("nul" + nul, app: junit.applicationId)
        _ = try await instance("nul-display", "x" + nul, app: junit.applicationId)
        _ = try await instance("nul-description", description: nul, app: junit.applicationId)
        _ = try await instance("ctl" + controls + tricky, "ctl" + controls, description: "", app: junit.applicationId)
        try await r.run(.getInstance(web1.instanceId), as: zhang)
        try await r.run(.getInstance(web1.instanceId), as: wang)
        try await r.run(.getInstance(999), as: zhang)
        try await r.run(.updateInstance(web1.instanceId, InstancePatch(name: "web-1b", displayName: "网", description: "d")), as: zhang)
        try await r.run(.updateInstance(web1.instanceId, InstancePatch(name: "web-2")), as: zhang)
        try await r.run(.updateInstance(web1.instanceId, InstancePatch(name: "")), as: zhang)
        try await r.run(.updateInstance(web1.instanceId, InstancePatch(description: "x" + nul)), as: zhang)
        try await r.run(.updateInstance(web1.instanceId, InstancePatch(displayName: "x" + nul)), as: zhang)
        try await r.run(.addMembers(instance: web1.instanceId, users: [2, 3]), as: zhang)
        try await r.run(.addMembers(instance: web1.instanceId, users: [2]), as: zhang)
        try await r.run(.addMembers(instance: web1.instanceId, users: [3, 99]), as: zhang)
        try await r.run(.addMembers(instance: web1.instanceId, users: []), as: zhang)
        try await r.run(.addMembers(instance: web1.instanceId, users: [1]), as: wang)
        try await r.run(.listMembers(instance: web1.instanceId, ListWindow()), as: zhang)
        try await r.run(.listMembers(instance: web1.instanceId, ListWindow(keywords: "li", order: .name, ascending: true)), as: zhang)
        try await r.run(.listMembers(instance: web1.instanceId, ListWindow(keywords: nul)), as: zhang)
        try await r.run(.removeMembers(instance: web1.instanceId, users: [3]), as: zhang)
        try await r.run(.removeMembers(instance: web1.instanceId, users: [3]), as: zhang)
        try await r.run(.removeMembers(instance: web1.instanceId, users: [2, 99]), as: zhang)
        try await r.run(.listMembers(instance: web1.instanceId, ListWindow(offset: 0, limit: 1)), as: zhang)
        for query in [InstanceQuery(window: ListWindow()), InstanceQuery(userId: 2, window: ListWindow()),
                      InstanceQuery(applicationId: chinese.applicationId, window: ListWindow()),
                      InstanceQuery(window: ListWindow(keywords: "WEB")), InstanceQuery(window: ListWindow(keywords: "网")),
                      InstanceQuery(window: ListWindow(keywords: nul)), InstanceQuery(window: ListWindow(order: .name, ascending: true)),
                      InstanceQuery(window: ListWindow(status: "DELETED"))] {
            try await r.run(.listInstances(query), as: zhang)
        }
        try await r.run(.listInstances(InstanceQuery(window: ListWindow())), as: wang)
        try await r.run(.deleteInstances([web2.instanceId, 999]), as: zhang)
        try await r.run(.deleteInstances([web2.instanceId, web3.instanceId]), as: zhang)
        try await r.run(.deleteInstances([web2.instanceId]), as: zhang)
        try await r.run(.deleteInstances([]), as: zhang)
        try await r.run(.deleteApplication(chinese.applicationId), as: zhang)
        try await r.run(.deleteApplication(chinese.applicationId), as: zhang)
        _ = try await instance("after-delete", app: chinese.applicationId)
        try await r.run(.updateApplication(chinese.applicationId, ApplicationPatch(name: "revived")), as: zhang)
        try await r.run(.getApplication(chinese.applicationId), as: zhang)
        try await r.run(.listInstances(InstanceQuery(window: ListWindow(status: "DELETED", order: .updated, limit: 100))), as: admin)
        try await r.run(.listApplications(ListWindow(status: "DELETED")), as: zhang)
    }
}
