import Foundation

/// Text in a form Glance 33.0.0 takes. It refuses any character outside the Basic Multilingual
/// Plane (4 bytes in UTF-8, an emoji) in every text, core or property (400 "can't contain 4 byte
/// unicode characters"), which the canonical model and the dialects accept. A property value
/// holding one is written as an RFC 2047 encoded word (`=?utf-8?b?…?=`, as mail headers carry
/// such text) and read back exactly; a core value shows those characters as U+FFFD, its exact
/// value kept in its `ims_*` property.
enum GlanceText {
    static let prefix = "=?utf-8?b?"
    static let suffix = "?="

    static func hasWide(_ text: String) -> Bool { text.unicodeScalars.contains { $0.value > 0xFFFF } }

    /// A property value Glance takes; a value that already reads like an encoded word is
    /// encoded too, so reading it back cannot mistake it.
    static func storable(_ text: String) -> String {
        guard hasWide(text) || text.hasPrefix(prefix) else { return text }
        return prefix + Data(text.utf8).base64EncodedString() + suffix
    }

    /// A property value as written by `storable`, decoded.
    static func read(_ stored: String) -> String {
        guard stored.hasPrefix(prefix), stored.hasSuffix(suffix), stored.count >= prefix.count + suffix.count,
              let data = Data(base64Encoded: String(stored.dropFirst(prefix.count).dropLast(suffix.count))),
              let text = String(data: data, encoding: .utf8) else { return stored }
        return text
    }

    /// A core value Glance takes: each character outside the BMP as U+FFFD.
    static func shown(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value > 0xFFFF ? "\u{FFFD}" : $0 }))
    }
}
