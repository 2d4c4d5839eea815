import Foundation
import GatewayCore
import Testing

/// The store's fast paths keep the store's meaning: concurrent writes committed together still
/// succeed or fail one by one, and an image read back by column position equals what was written.
@Suite struct StoreFastPathTests {
    @Test func concurrentCreatesCommitTogetherAndFailAlone() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let store = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        // 40 creates at once; every fourth reuses a name under the same compute resource.
        let outcomes = await withTaskGroup(of: (Int, Result<CommandResult, CanonicalError>).self) { group in
            for i in 0..<40 {
                group.addTask {
                    let name = i % 4 == 3 ? "dup" : "image-\(i)"
                    do throws(CanonicalError) {
                        let made = try await store.execute(.createImage([.name: .string(name), .computeResourceId: 1]), as: .anonymousOperator)
                        return (i, .success(made))
                    } catch { return (i, .failure(error)) }
                }
            }
            var all: [Int: Result<CommandResult, CanonicalError>] = [:]
            for await (i, outcome) in group { all[i] = outcome }
            return all
        }
        let failures = outcomes.values.compactMap { if case .failure(let e) = $0 { e } else { nil } }
        // Ten writers asked for "dup": one got it, nine were refused with Foreman's uniqueness conflict.
        #expect(failures.count == 9)
        #expect(failures.allSatisfy { $0.kind == "conflict" })
        guard case .images(let page) = try await store.execute(.listImages(ImageQuery()), as: .anonymousOperator) else {
            Issue.record("not a page"); return
        }
        #expect(page.total == 31)
        // Every acknowledged create is there, as a fresh store on the same file sees it.
        let reopened = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        for case .success(.image(let view)) in outcomes.values {
            let again = try await reopened.execute(.getImage(ImageSelector(ref: view.image.imageId)), as: .anonymousOperator)
            #expect(again == .image(view))
        }
    }

    @Test func anImageReadsBackFieldForField() async throws {
        let gateway = try TestGateway()
        defer { gateway.remove() }
        let store = try BundledBackend(path: gateway.dataPath, options: gateway.config.bundledOptions)
        // A distinct value in every writable column, so a column read from the wrong position shows.
        var patch: ImagePatch = [.computeResourceId: 1, .operatingsystemId: 2, .architectureId: 2, .userData: true,
                                 .minDisk: 20, .minRam: 2048, .visibility: "public", .bits: "32"]
        for field in ImageField.allCases where field.isWritable && patch[field] == nil {
            if case .string = field.kind { patch[field] = .string("v-\(field.rawValue)") }
        }
        guard case .image(let made) = try await store.execute(.createImage(patch), as: .anonymousOperator) else {
            Issue.record("not an image"); return
        }
        guard case .image(let read) = try await store.execute(.getImage(ImageSelector(ref: String(made.image.id!))), as: .anonymousOperator) else {
            Issue.record("not an image"); return
        }
        #expect(read == made)
        for (field, value) in patch {
            #expect(read.value(field) == value, "\(field)")
        }
        #expect(read.value(.computeResourceName) == "libvirt")
        #expect(read.value(.operatingsystemName) == "CentOS 9")
        #expect(read.value(.architectureName) == "aarch64")
    }
}
