#if canImport(Glibc)
import Glibc
#endif

/// The names in a folder, read through its descriptor with `readdir`: one `getdents` call
/// returns hundreds of entries, where each name looked up on its own is a syscall and a
/// directory search.
enum FolderNames {
    /// The folder's names (not `.` and `..`), or nil when it holds more than `atMost`: reading
    /// them all would cost more than the lookups it saves. `folder` stays open.
    static func read(_ folder: Int32, atMost limit: Int) -> Set<String>? {
        // `fdopendir` takes the descriptor over (`closedir` closes it): a duplicate keeps ours.
        let own = dup(folder)
        guard own >= 0 else { return nil }
        guard let stream = fdopendir(own) else {
            close(own)
            return nil
        }
        defer { closedir(stream) }
        var names = Set<String>()
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            names.insert(name)
            if names.count > limit { return nil }
        }
        return names
    }
}
