import Foundation
import IMSModel

/// The `img-` refs a migration inserted, one per line, appended as it goes (a line costs no
/// rewrite of the checkpoint). A line cut short by a kill is simply not a ref.
struct CopiedImages: Sendable {
    let path: String

    func note(_ ref: String) throws {
        let line = Data((ref + "\n").utf8)
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
    }

    func all() throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return Array(Set(String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init).filter { $0.hasPrefix("img-") })).sorted()
    }
}
