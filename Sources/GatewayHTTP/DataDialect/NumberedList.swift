import IMSModel

/// The action APIs' way of sending a list in a query or form: `images.1=a&images.2=b`. Shared by the
/// dialects of that family (51idc's route reads it too).
public enum NumberedList {
    /// The values of `name.1`, `name.2`, … in the order of their numbers (gaps allowed).
    /// A suffix that is not a positive number is the caller's error, named by its parameter.
    public static func values(_ name: String, in params: [String: JSONValue]) throws(CanonicalError) -> [String] {
        let prefix = name + "."
        var numbered: [(Int, String)] = []
        for (key, value) in params where key.hasPrefix(prefix) {
            guard let n = Int(key.dropFirst(prefix.count)), n > 0 else {
                throw .invalidParameter(field: key, message: "must be numbered from 1 (\(name).1, \(name).2, …)")
            }
            switch value {
            case .string(let s): numbered.append((n, s))
            case .int(let i): numbered.append((n, String(i)))
            default: throw .invalidParameter(field: key, message: "must be text")
            }
        }
        return numbered.sorted { $0.0 < $1.0 }.map(\.1)
    }
}
