import Foundation
@testable import IMSModel
import Testing

/// Job work is stored with its job in the form it had as `Command` cases, and never travels on
/// the canonical wire.
@Suite struct JobWorkTests {
    @Test func storedJobWorkReadsAsBeforeAndRoundTrips() throws {
        let stored = #"{"fetchImport":{"imageId":"img-aaaaaaaa","url":"http://example.com/a.img"}}"#
        #expect(try JSONValueDecoder().decode(JobWork.self, from: stored.utf8)
            == .fetchImport(imageId: "img-aaaaaaaa", url: "http://example.com/a.img"))
        let deferred = Command.batchDeleteImages(["img-1", "img-2"])
        #expect(try JSONValueEncoder().encode(JobWork.command(deferred)) == JSONValueEncoder().encode(deferred))
        let all: [JobWork] = [.command(deferred), .finishCapture(imageId: "img-1"), .fetchImport(imageId: "img-1", url: "u"),
                              .copyImageFile(from: "img-1", to: "img-2"), .writeExport(imageId: "img-1", bucket: "b")]
        for work in all {
            let text = try JSONValueEncoder().encode(work).serialized
            #expect(try JSONValueDecoder().decode(JobWork.self, from: text.utf8) == work, "\(text)")
        }
    }

    @Test func aJobOnTheWireCarriesNoWork() throws {
        let job = Job(jobId: "j-1", action: "ImportImage", status: .pending, zone: "", requestId: "r", resourceIds: ["img-1"],
                      owner: "t", createdAt: Date(), command: .fetchImport(imageId: "img-1", url: "http://127.0.0.1/secret"))
        let wire = try JSONValueEncoder().encode(CommandResult.job(job)).serialized
        #expect(!wire.contains("fetchImport") && !wire.contains("secret"), "\(wire)")
    }
}
