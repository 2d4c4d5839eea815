import Foundation
@testable import IMSModel

/// The workload `CrossStoreReplayTests` records and replays: the canonical commands every
/// dialect decodes to, in sequence, with the inputs where stores tend to differ (control
/// characters, NUL, long and unicode text, empty strings, uniqueness, shares, missing refs).
enum ReplayWorkload {
    static let admin = Identity.anonymousOperator
    /// The seeds' users (`ContractStores.users`): two of tenant acme, one of globex.
    static let zhang = Identity(user: "1", tenant: "acme")
    static let li = Identity(user: "2", tenant: "acme")
    static let wang = Identity(user: "3", tenant: "globex")

    static let nul = "\u{0}"
    /// Every C0 control but NUL, and DEL.
    static let controls = String((1..<32).map { Character(UnicodeScalar(UInt8($0))) }) + "\u{7F}"
    /// Characters whose count differs by measure: graphemes, scalars, UTF-16 units, bytes.
    static let tricky = "e\u{301}👨‍👩‍👧🚀\u{FEFF}\u{200B}Ω"

    static func run(_ r: inout Recorder) async throws {
        try await images(&r)
        try await filters(&r)
        try await sharesUploadsAndJobs(&r)
        try await catalogue(&r)
        try await applicationsAndInstances(&r)
    }

    // MARK: images

    static func images(_ r: inout Recorder) async throws {
        try await r.run(.createImage([.name: "centos-9", .computeResourceId: 1, .operatingsystemId: 2, .architectureId: 1,
                                      .uuid: "3d2b7c2a", .description: "CentOS 九 中文镜像", .minDisk: 20, .minRam: 2048]), as: zhang)
        try await r.run(.createImage([.name: "测试镜像-中文", .osType: "linux", .osVersion: "22.04", .platform: "Ubuntu",
                                      .diskFormat: "qcow2", .bits: "64", .visibility: "private"]), as: zhang)
        try await r.run(.createImage([.name: "globex-ubuntu", .visibility: "public", .minDisk: 10, .cpuArch: "x86_64"]), as: wang)
        try await r.run(.createImage([.name: "cirros", .status: "queued", .diskFormat: "raw"]), as: admin)
        try await r.run(.createImage([.name: "Centos-7", .computeResourceName: "libvirt", .operatingsystemId: 1]), as: li)
        try await r.run(.createImage([.name: "private-acme", .visibility: "private", .userData: true, .usage: "test"]), as: li)

        // Uniqueness: a name per compute resource and operating system, a uuid per compute resource.
        try await r.run(.createImage([.name: "centos-9", .computeResourceId: 1, .operatingsystemId: 2]), as: zhang)
        try await r.run(.createImage([.name: "centos-9b", .computeResourceId: 1, .uuid: "3d2b7c2a"]), as: zhang)
        try await r.run(.createImage([.name: "centos-9", .computeResourceId: 1, .operatingsystemId: 1]), as: zhang)
        try await r.run(.createImage([.name: "centos-9", .computeResourceId: 1]), as: zhang)
        try await r.run(.createImage([.name: "centos-9", .computeResourceId: 1]), as: wang)
        try await r.run(.createImage([.name: "centos-9"]), as: wang)
        // Missing parents.
        try await r.run(.createImage([.name: "orphan", .computeResourceId: 99]), as: zhang)
        try await r.run(.createImage([.name: "orphan", .operatingsystemId: 42]), as: zhang)
        try await r.run(.createImage([.name: "orphan", .computeResourceName: "no-such"]), as: zhang)
        try await r.run(.createImage([.name: "orphan", .architectureName: "x86_64"]), as: zhang)

        // Names and text: empty, blank, padded, long, unicode, control characters, NUL.
        for name in ["", " ", " padded", "padded ", String(repeating: "n", count: 128), String(repeating: "n", count: 129),
                     String(repeating: "镜", count: 128), String(repeating: "镜", count: 129), tricky, "tab\there", "line\nbreak",
                     "bell" + controls, "del\u{7F}", "nul" + nul + "inside", nul, "percent%_\\name", "'; DROP TABLE image; --"] {
            try await r.run(.createImage([.name: .string(name)]), as: zhang)
        }
        for field in [ImageField.description, .osType, .osVersion, .platform, .uuid, .username, .password, .region, .zone,
                      .departmentId, .resourceGroupId, .bootMode, .usage, .cpuArch, .imageType, .diskFormat, .owner, .provider] {
            try await r.run(.createImage([.name: .string("nul-\(field.rawValue)"), field: .string("a" + nul + "b")]), as: admin)
            try await r.run(.createImage([.name: .string("ctl-\(field.rawValue)"), field: .string("a" + controls + "b" + tricky)]),
                            as: admin)
        }
        try await r.run(.createImage([.name: "long-description", .description: .string(String(repeating: "d", count: 256))]), as: zhang)
        try await r.run(.createImage([.name: "too-long-description", .description: .string(String(repeating: "d", count: 257))]), as: zhang)
        try await r.run(.createImage([.name: "huge-text", .osType: .string(String(repeating: "长", count: 100_000))]), as: zhang)
        try await r.run(.createImage([.name: "negative", .minDisk: -1]), as: zhang)
        try await r.run(.createImage([.name: "big-numbers", .minDisk: .int(Int64.max), .minRam: .int(Int64(Int32.max) + 1)]), as: zhang)
        try await r.run(.createImage([.name: "empty-strings", .description: "", .osType: "", .uuid: "", .owner: ""]), as: admin)
        try await r.run(.createImage([.name: "other-owner", .owner: "globex"]), as: admin)
        try await r.run(.createImage([.name: "not-my-owner", .owner: "globex"]), as: zhang)

        // Reads: by row id, by ref, missing, foreign, NUL.
        for ref in ["1", "2", "3", "999", "img-nothere", "", nul, "img-" + nul, "-1", "0"] {
            try await r.run(.getImage(ImageSelector(ref: ref)), as: zhang)
        }
        try await r.run(.getImage(ImageSelector(ref: "2")), as: wang)
        try await r.run(.getImage(ImageSelector(ref: "3")), as: zhang)
        try await r.run(.getImage(ImageSelector(ref: "1", within: [.eq(.computeResourceId, 1)])), as: zhang)
        try await r.run(.getImage(ImageSelector(ref: "1", within: [.eq(.computeResourceId, 7)])), as: zhang)
        try await r.run(.getImage(ImageSelector(ref: "1", within: [.eq(.computeResourceName, "libvirt")])), as: zhang)
        try await r.run(.getImage(ImageSelector(ref: "2", within: [.eq(.computeResourceName, "libvirt")])), as: zhang)
        try await r.run(.getImage(ImageSelector(ref: "1", within: [.eq(.operatingsystemName, "CentOS 9")])), as: zhang)
        try await r.run(.getImage(ImageSelector(ref: "1", within: [.eq(.computeResourceName, .string(nul))])), as: zhang)
        try await r.run(.getImage(ImageSelector(ref: "1", within: [.eq(.computeResourceName, .string("libvirt" + nul))])), as: zhang)
        let first = try await r.run(.getImage(ImageSelector(ref: "1")), as: zhang)
        try await r.run(.getImage(ImageSelector(ref: first.imageId + nul + "x")), as: zhang)
        try await r.run(.batchDeleteImages([first.imageId + nul]), as: zhang)

        // Updates.
        try await r.run(.updateImage(ImageSelector(ref: "1"), [.description: "replayed 重放"]), as: zhang)
        try await r.run(.updateImage(ImageSelector(ref: "5"), [.name: "centos-9", .operatingsystemId: 2]), as: li)
        try await r.run(.updateImage(ImageSelector(ref: "5"), [.uuid: "3d2b7c2a"]), as: li)
        try await r.run(.updateImage(ImageSelector(ref: "5"), [.uuid: "5e5e"]), as: li)
        try await r.run(.updateImage(ImageSelector(ref: "1"), [.name: ""]), as: zhang)
        try await r.run(.updateImage(ImageSelector(ref: "1"), [.name: .string("x" + nul)]), as: zhang)
        try await r.run(.updateImage(ImageSelector(ref: "1"), [.description: .string("x" + nul)]), as: zhang)
        try await r.run(.updateImage(ImageSelector(ref: "1"), [.description: .string(controls + tricky)]), as: zhang)
        try await r.run(.updateImage(ImageSelector(ref: "2"), [.diskFormat: "raw"]), as: zhang)
        try await r.run(.updateImage(ImageSelector(ref: "2"), [.diskFormat: "qcow2", .minRam: 512]), as: zhang)
        try await r.run(.updateImage(ImageSelector(ref: "2"), [.computeResourceId: 99]), as: zhang)
        try await r.run(.updateImage(ImageSelector(ref: "2"), [.visibility: "public"]), as: wang)
        try await r.run(.updateImage(ImageSelector(ref: "3"), [.description: "not mine"]), as: zhang)
        try await r.run(.updateImage(ImageSelector(ref: "img-nothere"), [.description: "x"]), as: zhang)
        try await r.run(.updateImage(ImageSelector(ref: "6"), [.owner: "globex"]), as: admin)
        try await r.run(.updateImage(ImageSelector(ref: "6"), [.owner: "acme"]), as: admin)
        try await r.run(.updateImage(ImageSelector(ref: "6"), [:]), as: li)
    }

    // MARK: lists, filters, search

    static func filters(_ r: inout Recorder) async throws {
        func list(_ query: ImageQuery, as who: Identity = admin) async throws { try await r.run(.listImages(query), as: who) }
        try await list(ImageQuery(sort: [SortKey(.name)]))
        try await list(ImageQuery(sort: [SortKey(.name, descending: true)], offset: 3, limit: 5))
        try await list(ImageQuery(sort: [SortKey(.createdAt, descending: true)], limit: 4))
        try await list(ImageQuery(sort: [SortKey(.minDisk), SortKey(.name)]))
        try await list(ImageQuery(sort: [SortKey(.osType), SortKey(.id, descending: true)]))
        try await list(ImageQuery(sort: [SortKey(.computeResourceName), SortKey(.id)]))
        try await list(ImageQuery(offset: 1000, limit: 5))
        try await list(ImageQuery(limit: 0))
        for who in [zhang, li, wang] {
            for scope in [ImageScope.visible, .publicOnly, .own] { try await list(ImageQuery(scope: scope, sort: [SortKey(.id)]), as: who) }
        }
        let conditions: [ImageCondition] = [
            .eq(.name, "centos-9"), .eq(.name, "CENTOS-9"), .eq(.name, "测试镜像-中文"), .eq(.name, .string(nul)),
            .eq(.name, .string("nul" + nul + "inside")), .eq(.name, .string("cirros" + nul + "x")), .eq(.name, ""), .eq(.description, ""),
            ImageCondition(.name, .ne, ["centos-9"]), ImageCondition(.name, .ne, [.string(nul)]),
            ImageCondition(.name, .contains, ["entos"]), ImageCondition(.name, .contains, ["ENTOS"]),
            ImageCondition(.name, .contains, ["中文"]), ImageCondition(.name, .contains, ["%"]), ImageCondition(.name, .contains, ["_"]),
            ImageCondition(.name, .contains, ["\\"]), ImageCondition(.name, .contains, [.string(nul)]),
            ImageCondition(.name, .contains, [.string("\t")]), ImageCondition(.name, .contains, [""]),
            ImageCondition(.name, .notContains, ["centos"]), ImageCondition(.name, .notContains, [.string(nul)]),
            ImageCondition(.name, .in, ["cirros", "centos-9", .string(nul)]), ImageCondition(.name, .notIn, ["cirros", "centos-9"]),
            ImageCondition(.name, .in, []), ImageCondition(.name, .notIn, []),
            ImageCondition(.minDisk, .ge, [10]), ImageCondition(.minDisk, .lt, ["20"]), ImageCondition(.minDisk, .gt, ["abc"]),
            ImageCondition(.minRam, .le, [2048]), .eq(.minDisk, 20), .eq(.minDisk, "20"),
            .eq(.computeResourceId, 1), .eq(.computeResourceId, .null), ImageCondition(.computeResourceId, .ne, [1]),
            ImageCondition(.operatingsystemId, .notIn, [2]), ImageCondition(.operatingsystemId, .in, [1, 2]),
            .eq(.status, "queued"), .eq(.status, "active"), .eq(.visibility, "public"), .eq(.userData, true), .eq(.userData, "true"),
            .eq(.bits, "64"), .eq(.owner, "globex"), .eq(.uuid, "3d2b7c2a"),
            ImageCondition(.createdAt, .lt, [.string(CanonicalTime.format(ContractStores.epoch.addingTimeInterval(0.005)))]),
            ImageCondition(.createdAt, .ge, ["2025-11-24"]), ImageCondition(.updatedAt, .gt, ["not a time"]),
            .eq(.computeResourceName, "libvirt"), .eq(.operatingsystemName, "CentOS 9"),
            ImageCondition(.operatingsystemName, .contains, ["CentOS"]),
            ImageCondition(.architectureName, .ne, ["x86_64"]),
        ]
        for condition in conditions {
            try await list(ImageQuery(filters: [condition], sort: [SortKey(.id)]))
        }
        try await list(ImageQuery(filters: [.eq(.name, "centos-9")], sort: [SortKey(.id)]), as: wang)
        // Boolean searches (Foreman).
        try await list(ImageQuery(sort: [SortKey(.id)], match: .any([.condition(.eq(.name, "cirros")), .condition(.eq(.minDisk, 20))])))
        try await list(ImageQuery(sort: [SortKey(.id)], match: .not(.condition(ImageCondition(.name, .contains, ["-"])))))
        try await list(ImageQuery(sort: [SortKey(.id)], match: .all([])))
        try await list(ImageQuery(sort: [SortKey(.id)], match: .any([])))
        try await list(ImageQuery(sort: [SortKey(.id)], match: .not(.any([.condition(.eq(.computeResourceId, .null)),
                                                                          .condition(.eq(.name, .string(nul)))]))))
        // Parents: a collection and its own size.
        try await list(ImageQuery(base: [.eq(.computeResourceId, 1)], sort: [SortKey(.name)], countsScope: true))
        try await list(ImageQuery(base: [.eq(.computeResourceName, "libvirt")], filters: [.eq(.operatingsystemId, 2)],
                                  sort: [SortKey(.name)], limit: 1, countsScope: true))
        try await list(ImageQuery(base: [.eq(.computeResourceId, 42)], countsScope: true))
        try await list(ImageQuery(base: [.eq(.computeResourceName, "nope")]))
        try await list(ImageQuery(base: [.eq(.operatingsystemName, "CentOS 7")], countsScope: true))
        // Search words (51idc): an exact ref or a part of the name.
        for word in ["centos", "CENT", "中文", "%", "_", "\\", "", nul, "cirros" + nul + "x", "img-", "镜", tricky, " "] {
            try await list(ImageQuery(searchWord: word, sort: [SortKey(.id)]))
        }
        try await list(ImageQuery(searchWord: "centos", sort: [SortKey(.id)]), as: wang)
    }

    // MARK: shares, uploads, jobs, batches

    static func sharesUploadsAndJobs(_ r: inout Recorder) async throws {
        // Shares of acme's private image 2.
        let shared = try await r.run(.shareImage(ImageSelector(ref: "2"), userIds: ["2", "3"]), as: zhang)
        try await r.run(.shareImage(ImageSelector(ref: "2"), userIds: ["3"]), as: zhang)
        try await r.run(.shareImage(ImageSelector(ref: "2"), userIds: ["2", "2"]), as: zhang)
        try await r.run(.shareImage(ImageSelector(ref: "2"), userIds: ["99"]), as: zhang)
        try await r.run(.shareImage(ImageSelector(ref: "2"), userIds: ["x" + nul]), as: zhang)
        try await r.run(.shareImage(ImageSelector(ref: "2"), userIds: []), as: zhang)
        try await r.run(.shareImage(ImageSelector(ref: "2"), userIds: (1...51).map(String.init)), as: zhang)
        try await r.run(.shareImage(ImageSelector(ref: "3"), userIds: ["1"]), as: wang)
        try await r.run(.shareImage(ImageSelector(ref: "2"), userIds: ["1"]), as: wang)
        try await r.run(.listShares(ImageSelector(ref: "2"), offset: 0, limit: 10), as: zhang)
        try await r.run(.listShares(ImageSelector(ref: "2"), offset: 1, limit: 1), as: zhang)
        try await r.run(.listShares(ImageSelector(ref: "2"), offset: 0, limit: 10), as: wang)
        for who in [wang, li, admin] {
            try await r.run(.listReceivedShares(offset: 0, limit: 10, newestFirst: true), as: who)
            try await r.run(.listReceivedShares(offset: 0, limit: 10, newestFirst: false), as: who)
        }
        // What is shared cannot be deleted.
        try await r.run(.deleteImage(ImageSelector(ref: "2")), as: zhang)
        try await r.run(.batchDeleteImages(["1", "2"]), as: zhang)
        try await r.run(.asJob(JobSpec(action: "DeleteImages", zone: "ac1", requestId: ""), .batchDeleteImages(["2"])), as: zhang)
        try await r.run(.asJob(JobSpec(action: "DeleteImage", zone: "ac1", requestId: "r-1"), .deleteImage(ImageSelector(ref: "2"))),
                        as: zhang)
        try await r.run(.unshareImage(ImageSelector(ref: "2"), userIds: ["2"]), as: zhang)
        try await r.run(.unshareImage(ImageSelector(ref: "2"), userIds: ["2"]), as: zhang)
        try await r.run(.unshareImage(ImageSelector(ref: "2"), userIds: ["99", nul]), as: zhang)
        let shareIds = shared.shareIds
        try await r.run(.deleteShare(shareIds.last ?? "none"), as: li)
        try await r.run(.deleteShare("img-share-nothere"), as: wang)
        try await r.run(.deleteShare(nul), as: wang)
        try await r.run(.deleteShare((shareIds.last ?? "none") + nul), as: wang)
        try await r.run(.copyShare(shareIds.last ?? "none", [:]), as: wang)

        // Uploads: cirros (4) is queued.
        let ticket = try await r.run(.prepareUpload(ImageSelector(ref: "4"), size: 5), as: admin).ticket
        try await r.run(.prepareUpload(ImageSelector(ref: "4"), size: 0), as: admin)
        try await r.run(.prepareUpload(ImageSelector(ref: "1"), size: 5), as: zhang)
        try await r.run(.prepareUpload(ImageSelector(ref: "4"), size: 5), as: zhang)
        try await r.run(.finishUpload(ImageSelector(ref: "4"), uploadId: "", success: true), as: admin)
        try await r.play(.upload(imageId: ticket?.imageId ?? "none", token: "wrong", bytes: "hello"))
        try await r.play(.upload(imageId: ticket?.imageId ?? "none", token: ticket?.token ?? "", bytes: "hello"))
        try await r.run(.finishUpload(ImageSelector(ref: "4"), uploadId: "upload-someoneelse", success: true), as: admin)
        try await r.run(.finishUpload(ImageSelector(ref: "4"), uploadId: ticket?.uploadId ?? "", success: true), as: admin)
        try await r.run(.finishUpload(ImageSelector(ref: "4"), uploadId: ticket?.uploadId ?? "", success: true), as: admin)
        try await r.run(.prepareUpload(ImageSelector(ref: "4"), size: 5), as: admin)
        let second = try await r.run(.createImage([.name: "upload-fails", .status: "queued"]), as: zhang)
        let failing = try await r.run(.prepareUpload(ImageSelector(ref: second.imageId), size: 3), as: zhang).ticket
        try await r.play(.upload(imageId: second.imageId, token: failing?.token ?? "", bytes: "too long"))
        try await r.run(.finishUpload(ImageSelector(ref: second.imageId), uploadId: "client-tracking", success: false), as: zhang)
        try await r.run(.getImage(ImageSelector(ref: second.imageId)), as: zhang)

        // A copy of a shared active image, its bytes copied by a job.
        let cirrosShare = try await r.run(.shareImage(ImageSelector(ref: "4"), userIds: ["3"]), as: admin).shareIds
        try await r.run(.copyShare(cirrosShare.first ?? "none", [.name: "cirros 副本", .description: .string("copy" + nul)]), as: wang)
        let copy = try await r.run(.copyShare(cirrosShare.first ?? "none", [.name: "cirros 副本"]), as: wang)
        try await r.run(.copyShare(cirrosShare.first ?? "none", [:]), as: li)
        try await r.run(.listBuckets(ImageSelector(ref: "4")), as: admin)
        try await r.run(.exportImage(ImageSelector(ref: "4"), bucket: "nope"), as: admin)
        try await r.run(.exportImage(ImageSelector(ref: "1"), bucket: "backup"), as: zhang)
        try await r.run(.importImage([.name: "imported"], url: "file:///etc/passwd"), as: zhang)

        // Jobs: capture, batch delete, update, delete, reads; then the worker's turn.
        let capture = try await r.run(.asJob(JobSpec(action: "CaptureInstance", zone: "ac1", requestId: ""),
                                             .captureImage(instance: "i-IN234BH", patch: [.name: "TEST 捕获"])), as: zhang)
        try await r.run(.asJob(JobSpec(action: "CaptureInstance", zone: "ac1", requestId: ""),
                               .captureImage(instance: "i-2", patch: [.name: .string("cap" + nul)])), as: zhang)
        try await r.run(.asJob(JobSpec(action: "CaptureInstance", zone: "", requestId: "req-中"),
                               .captureImage(instance: "i-3", patch: [:])), as: li)
        try await r.run(.captureImage(instance: "i-4", patch: [.description: .string(controls)]), as: wang)
        let doomed = try await r.run(.createImage([.name: "doomed-1"]), as: zhang)
        let doomed2 = try await r.run(.createImage([.name: "doomed-2"]), as: zhang)
        try await r.run(.asJob(JobSpec(action: "DeleteImages", zone: "ac1", requestId: ""),
                               .batchDeleteImages([doomed.imageId, doomed2.rowId, doomed.imageId])), as: zhang)
        try await r.run(.asJob(JobSpec(action: "DeleteImages", zone: "ac1", requestId: ""), .batchDeleteImages(["img-nothere"])),
                        as: zhang)
        try await r.run(.asJob(JobSpec(action: "DeleteImages", zone: "ac1", requestId: ""), .batchDeleteImages(["3"])), as: zhang)
        try await r.run(.asJob(JobSpec(action: "ModifyImage", zone: "ac1", requestId: ""),
                               .updateImage(ImageSelector(ref: "1"), [.description: "by a job"])), as: zhang)
        try await r.run(.asJob(JobSpec(action: "ModifyImage", zone: "ac1", requestId: ""),
                               .updateImage(ImageSelector(ref: "5"), [.name: "centos-9", .operatingsystemId: 2])), as: li)
        try await r.run(.asJob(JobSpec(action: "ModifyImage", zone: "ac1", requestId: ""),
                               .updateImage(ImageSelector(ref: "1"), [.osType: .string(nul)])), as: zhang)
        try await r.run(.asJob(JobSpec(action: "DescribeImage", zone: "ac1", requestId: ""), .getImage(ImageSelector(ref: "1"))),
                        as: zhang)
        try await r.run(.asJob(JobSpec(action: "Nested", zone: "", requestId: ""), .asJob(JobSpec(action: "x", zone: "", requestId: ""),
                                                                                           .getImage(ImageSelector(ref: "1")))), as: zhang)
        try await r.run(.asJob(JobSpec(action: "CreateApplication", zone: "", requestId: ""),
                               .createApplication(ApplicationDraft(name: "a", displayName: "", description: "", picture: ""))), as: zhang)
        try await r.run(.getJob(capture.jobId), as: zhang)
        try await r.run(.getJob(capture.jobId), as: wang)
        try await r.run(.getJob("j-nothere"), as: zhang)
        try await r.run(.getJob(nul), as: zhang)
        try await r.run(.getJob(capture.jobId + nul), as: zhang)
        try await r.run(.listJobs(JobQuery()), as: zhang)
        try await r.run(.listJobs(JobQuery()), as: admin)
        try await r.run(.listJobs(JobQuery(statuses: [.pending], action: "DeleteImages", limit: 1)), as: zhang)
        try await r.run(.listJobs(JobQuery(jobIds: [capture.jobId, "j-nothere", nul])), as: zhang)
        try await r.run(.listJobs(JobQuery(action: nul)), as: zhang)
        try await r.play(.workJobs)
        try await r.play(.workJobs)
        try await r.run(.listJobs(JobQuery(limit: 100)), as: admin)
        try await r.run(.listJobs(JobQuery(statuses: [.failed, .successful], offset: 1, limit: 3)), as: admin)
        try await r.run(.getImage(ImageSelector(ref: copy.imageId)), as: wang)
        try await r.run(.getImage(ImageSelector(ref: capture.resultImageId)), as: zhang)
        try await r.run(.getImage(ImageSelector(ref: doomed.imageId)), as: zhang)

        // Batches, directly.
        let a = try await r.run(.createImage([.name: "batch-a"]), as: zhang)
        let b = try await r.run(.createImage([.name: "batch-b"]), as: zhang)
        try await r.run(.batchDeleteImages([a.imageId, "img-nothere"]), as: zhang)
        try await r.run(.batchDeleteImages([a.imageId, "3"]), as: zhang)
        try await r.run(.batchDeleteImages([a.imageId, nul]), as: zhang)
        try await r.run(.batchDeleteImages([]), as: zhang)
        try await r.run(.batchDeleteImages([a.imageId, b.rowId, a.rowId]), as: zhang)
        try await r.run(.batchDeleteImages([a.imageId]), as: zhang)
        try await r.run(.deleteImage(ImageSelector(ref: "6")), as: li)
        try await r.run(.deleteImage(ImageSelector(ref: "6")), as: li)
        try await r.run(.deleteImage(ImageSelector(ref: "3")), as: zhang)
        try await r.run(.deleteImage(ImageSelector(ref: nul)), as: zhang)
        try await r.run(.listImages(ImageQuery(sort: [SortKey(.id)])), as: admin)
        try await r.run(.listReceivedShares(offset: 0, limit: 50, newestFirst: true), as: admin)
    }
}

extension ReplayAnswer {
    /// The image a submitted job concerns (a capture's new image).
    var resultImageId: String {
        if case .result(.job(let job)) = self { job.resourceIds.first ?? "img-none" } else { "img-refused" }
    }
}
