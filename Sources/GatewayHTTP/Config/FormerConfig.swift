import Foundation
import Yams

/// The config's former forms, found and rewritten: the single `backend:` section (now an entry
/// of `backends:` picked by `use:`), the kind `bundled` (now `sqlite`), `dataPath` (now `path`)
/// and every key once written in camelCase (now snake_case, as in the rest of the file).
///
/// A former key is refused, not read: read silently, an operator would never learn the file's
/// one form; ignored, a timeout or a host list would quietly fall back to its default. The
/// refusal names each line and what to write; `config upgrade` writes the whole file so.
public enum FormerConfig {
    /// One former form: where it is and what to write instead.
    public struct Finding: Sendable, CustomStringConvertible {
        public var line: Int
        public var column: Int
        /// What stands there now (`listen.idleTimeoutSeconds`).
        public var old: String
        /// What to write (`idle_timeout_seconds`).
        public var new: String
        /// The text at line:column that `upgrade` replaces with `new`; nil for the `backend:`
        /// section, which it moves instead.
        var word: String?
        public var description: String { "line \(line): \(old) is no longer read; write \(new)" }
    }

    /// The sections that belong to the config itself. Data below them keeps its own spelling:
    /// a user's `avatarUrl` or a bucket's `azId` are the dialects' field names.
    static let ownSections: Set<String> = ["listen", "auth", "canonical_api", "imports", "export", "backend"]

    /// Every former form in a config's text, in file order.
    public static func findings(in text: String) -> [Finding] {
        guard let root = try? Yams.compose(yaml: text), let top = root.mapping else { return [] }
        var found: [Finding] = []
        func renames(in mapping: Node.Mapping, under path: String, backendEntry: Bool) {
            for (key, value) in mapping {
                // (`canonical_api.tokensSha256` has its own refusal: its meaning changed, not its spelling.)
                guard let name = key.string, let mark = key.mark, name != "tokensSha256" else { continue }
                var new = snakeCase(name)
                if backendEntry, name == "dataPath" { new = "path" }
                if new != name {
                    found.append(Finding(line: mark.line, column: mark.column, old: path + name, new: new, word: name))
                }
                if backendEntry, name == "kind", value.string == "bundled", let at = value.mark {
                    found.append(Finding(line: at.line, column: at.column, old: path + "kind: bundled", new: "sqlite", word: "bundled"))
                }
            }
        }
        renames(in: top, under: "", backendEntry: false)
        for (key, value) in top {
            guard let name = key.string, let section = value.mapping else { continue }
            if ownSections.contains(name) { renames(in: section, under: name + ".", backendEntry: name == "backend") }
            if name == "backends" {
                for (entryName, entry) in section {
                    if let mapping = entry.mapping { renames(in: mapping, under: "backends.\(entryName.string ?? "").", backendEntry: true) }
                }
            }
            if name == "backend", let mark = key.mark {
                let entry = entryName(for: section, taken: top["backends"]?.mapping)
                let use = top["use"] == nil ? "; use: \(entry)" : ""
                found.append(Finding(line: mark.line, column: mark.column, old: "backend:",
                                     new: "backends: {\(entry): {…}}\(use) (one form for one thing: every backend is an entry of backends:)",
                                     word: nil))
            }
        }
        return found.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
    }

    /// Refuses a config written in a former form, naming each line and what to write.
    static func refuse(_ text: String, path: String) throws {
        let found = findings(in: text)
        guard !found.isEmpty else { return }
        let lines = found.map { "\(path):\($0.line): \($0.old) is no longer read; write \($0.new)" }
        throw GatewayStartError((lines + ["(`ims-gateway config upgrade \(path)` prints the whole file in the current form)"])
            .joined(separator: "\n"))
    }

    /// The config's text in the current form, its comments and layout kept: keys renamed where
    /// they stand, the `backend:` section moved under `backends:` and picked by `use:`.
    public static func upgrade(_ text: String) -> String {
        var lines = text.components(separatedBy: "\n")
        // Renames first, from the last on each line, so earlier columns stay where they were.
        for finding in findings(in: text).reversed() {
            let index = finding.line - 1
            guard let oldWord = finding.word, lines.indices.contains(index) else { continue }
            var scalars = Array(lines[index].unicodeScalars)
            let start = finding.column - 1
            guard start >= 0, start + oldWord.unicodeScalars.count <= scalars.count,
                  String(String.UnicodeScalarView(scalars[start..<start + oldWord.unicodeScalars.count])) == oldWord else { continue }
            scalars.replaceSubrange(start..<start + oldWord.unicodeScalars.count, with: finding.new.unicodeScalars)
            lines[index] = String(String.UnicodeScalarView(scalars))
        }
        guard let root = try? Yams.compose(yaml: lines.joined(separator: "\n")), let top = root.mapping,
              let section = top["backend"]?.mapping, let at = top.keys.first(where: { $0.string == "backend" })?.mark else {
            return lines.joined(separator: "\n")
        }
        let first = at.line - 1
        let end = blockEnd(lines, after: first)
        let name = entryName(for: section, taken: top["backends"]?.mapping)
        var block = Array(lines[first..<end])
        block[0] = "  \(name):" + block[0].dropFirst("backend:".count)
        for i in block.indices.dropFirst() where !block[i].isEmpty { block[i] = "  " + block[i] }
        lines.removeSubrange(first..<end)
        if let backends = top.keys.first(where: { $0.string == "backends" })?.mark {
            var insertAt = backends.line - 1
            if insertAt > first { insertAt -= end - first }
            lines.insert(contentsOf: block, at: insertAt + 1)
        } else {
            lines.insert(contentsOf: ["backends:"] + block, at: first)
        }
        if top["use"] == nil, let start = lines.firstIndex(where: { $0.hasPrefix("backends:") }) {
            lines.insert("use: \(name)", at: blockEnd(lines, after: start))
        }
        return lines.joined(separator: "\n")
    }

    /// Where the section whose key is on line `first` ends: its indented lines, and blank lines
    /// between them; a comment or key at the margin starts what comes next.
    static func blockEnd(_ lines: [String], after first: Int) -> Int {
        var end = first + 1
        while end < lines.count {
            if let c = lines[end].first {
                guard c.isWhitespace else { break }
                end += 1
                continue
            }
            // A blank line: part of the section only if the section goes on after it.
            guard let next = lines[end...].firstIndex(where: { !$0.isEmpty }), lines[next].first?.isWhitespace == true else { break }
            end = next
        }
        return end
    }

    /// The name the former `backend:` section gets under `backends:`: after its kind, unless taken.
    static func entryName(for section: Node.Mapping, taken: Node.Mapping?) -> String {
        let kind = section["kind"]?.string ?? "sqlite"
        var name = kind == "remote" ? "remote" : kind == "postgres" ? "postgres" : "local"
        while taken?[name] != nil { name += "_1" }
        return name
    }

    /// `idleTimeoutSeconds` → `idle_timeout_seconds`.
    static func snakeCase(_ name: String) -> String {
        var out = ""
        for character in name {
            if character.isUppercase {
                if !out.isEmpty { out.append("_") }
                out.append(contentsOf: character.lowercased())
            } else {
                out.append(character)
            }
        }
        return out
    }
}
