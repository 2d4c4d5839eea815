import Foundation

/// What every console page shows around its own part: the links between pages and when the
/// page was made (it is the gateway's state at that moment, not a live view).
struct ConsolePage: Sendable {
    struct Link: Sendable {
        var href: String
        var label: String
        var current: Bool
    }

    static let pages: [(path: String, label: String)] = [
        ("/console", "Backends & routes"), ("/console/traffic", "Traffic"), ("/console/shadow", "Shadow"), ("/console/migration", "Migration"),
    ]

    var title: String
    var nav: [Link]
    var generated: String

    init(_ path: String) {
        title = Self.pages.first { $0.path == path }?.label ?? "Console"
        nav = Self.pages.map { Link(href: $0.path, label: $0.label, current: $0.path == path) }
        generated = "as of " + ConsolePage.time(Date())
    }

    static func time(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
