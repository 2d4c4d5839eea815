/// The one rule on the text a command asks to store: no NUL character. PostgreSQL's text cannot
/// hold one and SQLite's bindings cut the text at it, so a NUL would be refused by one store and
/// silently truncated by the other (the SQLite→PostgreSQL replay found both). Refused here, before
/// any store is called, with the field that holds it; reads that carry one simply match nothing.
extension Command {
    public func checkStorableText() throws(CanonicalError) {
        switch self {
        case .createImage(let patch), .updateImage(_, let patch), .copyShare(_, let patch):
            try Self.check(patch)
        case .captureImage(let instance, let patch):
            try Self.check(instance, "instance")
            try Self.check(patch)
        case .importImage(let patch, let url):
            try Self.check(patch)
            try Self.check(url, "url")
        case .createApplication(let d):
            try Self.check(["name": d.name, "displayName": d.displayName, "description": d.description, "picture": d.picture])
            for app in d.applications { try Self.check(app, "applications") }
        case .updateApplication(_, let p):
            try Self.check(["name": p.name, "displayName": p.displayName, "description": p.description, "picture": p.picture])
            for app in p.applications ?? [] { try Self.check(app, "applications") }
        case .createInstance(let d):
            try Self.check(["name": d.name, "displayName": d.displayName, "description": d.description])
        case .updateInstance(_, let p):
            try Self.check(["name": p.name, "displayName": p.displayName, "description": p.description])
        case .createCatalogEntry(_, let p), .updateCatalogEntry(_, let p):
            for (field, value) in p.fields { try Self.check(value, field.rawValue) }
            for (key, value) in p.extra { try Self.check(value, key) }
        case .asJob(let spec, let inner):
            try Self.check(["action": spec.action, "zone": spec.zone, "requestId": spec.requestId])
            try inner.checkStorableText()
        default:
            // Reads, deletes, shares (user ids are numbers), uploads: nothing they carry is stored as text.
            break
        }
    }

    static func check(_ patch: ImagePatch) throws(CanonicalError) {
        for (field, value) in patch { try check(value, field.rawValue) }
    }

    static func check(_ value: JSONValue, _ field: String) throws(CanonicalError) {
        switch value {
        case .string(let s): try check(s, field)
        case .array(let items): for item in items { try check(item, field) }
        case .object(let members):
            for (key, member) in members {
                try check(key, field)
                try check(member, field)
            }
        default: break
        }
    }

    /// Each (value, field) whose value is given.
    static func check(_ fields: KeyValuePairs<String, String?>) throws(CanonicalError) {
        for (field, value) in fields { if let value { try check(value, field) } }
    }

    static func check(_ text: String, _ field: String) throws(CanonicalError) {
        if text.holdsNUL { throw .invalidParameter(field: field, message: "must not contain a NUL character") }
    }
}

extension String {
    /// Whether the text has a NUL character: no store keeps one (`Command.checkStorableText`), so
    /// a lookup or filter value holding one can equal no stored text. The stores must not bind it
    /// as it is: PostgreSQL refuses it, and SQLite (through GRDB) cuts the text at the NUL, which
    /// made `img-…\0` find, and batch-delete, `img-…`.
    package var holdsNUL: Bool { utf8.contains(0) }
}
