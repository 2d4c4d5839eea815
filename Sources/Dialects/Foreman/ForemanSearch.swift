import GatewayCore

/// Foreman's scoped-search syntax, as far as image searches use it:
/// `name = centos`, `name ~ cent and username = root`, `user_data = true`, quoted values,
/// and a bare word (matched against the name).
enum ForemanSearch {
    static let fields: [String: ImageField] = [
        "id": .id, "name": .name, "username": .username, "uuid": .uuid, "user_data": .userData,
        "compute_resource": .computeResourceName, "architecture": .architectureName,
        "operatingsystem": .operatingsystemName,
        "compute_resource_id": .computeResourceId, "architecture_id": .architectureId,
        "operatingsystem_id": .operatingsystemId,
    ]

    enum Token: Equatable { case word(String), quoted(String), op(String) }

    static func parse(_ text: String) throws(CanonicalError) -> [ImageCondition] {
        var tokens = try tokenize(text)
        var conditions: [ImageCondition] = []
        while !tokens.isEmpty {
            if case .word(let w) = tokens[0], ["and", "&&"].contains(w.lowercased()) {
                tokens.removeFirst()
                continue
            }
            guard tokens.count >= 2, case .op(let op) = tokens[1] else {
                // A free-text word: Foreman matches it against the name.
                let word = value(of: tokens.removeFirst())
                conditions.append(ImageCondition(.name, .contains, [.string(word)]))
                continue
            }
            let fieldName = value(of: tokens[0])
            guard let field = fields[fieldName.lowercased()] else {
                throw .invalidParameter(field: "search", message: "Field '\(fieldName)' not recognized for searching!")
            }
            tokens.removeFirst(2)
            var words: [String] = []
            while let next = tokens.first {
                if case .word(let w) = next, ["and", "&&"].contains(w.lowercased()) { break }
                if case .op = next { throw .invalidParameter(field: "search", message: "Unexpected operator in '\(text)'") }
                words.append(value(of: tokens.removeFirst()))
            }
            guard !words.isEmpty else {
                throw .invalidParameter(field: "search", message: "Value missing for '\(fieldName) \(op)'")
            }
            conditions.append(try condition(field, op, words.joined(separator: " ")))
        }
        return conditions
    }

    private static func condition(_ field: ImageField, _ op: String, _ text: String) throws(CanonicalError) -> ImageCondition {
        let value: JSONValue
        switch field.kind {
        case .bool:
            guard let b = try? Parameters.bool(.string(text), name: "search") else {
                throw .invalidParameter(field: "search", message: "Value '\(text)' is not valid for '\(field.rawValue)'")
            }
            value = .bool(b)
        case .int, .optionalInt:
            guard let n = Int64(text) else {
                throw .invalidParameter(field: "search", message: "Value '\(text)' is not valid for '\(field.rawValue)'")
            }
            value = .int(n)
        default:
            value = .string(text)
        }
        switch op {
        case "=": return ImageCondition(field, .eq, [value])
        case "!=": return ImageCondition(field, .ne, [value])
        case "~": return ImageCondition(field, .contains, [value])
        case "!~": return ImageCondition(field, .notContains, [value])
        default: throw .invalidParameter(field: "search", message: "Unsupported operator '\(op)'")
        }
    }

    private static func value(of token: Token) -> String {
        switch token {
        case .word(let s), .quoted(let s), .op(let s): s
        }
    }

    private static let opChars: Set<Character> = ["=", "!", "~", "<", ">", "^"]

    private static func tokenize(_ text: String) throws(CanonicalError) -> [Token] {
        var tokens: [Token] = []
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c.isWhitespace {
                i = text.index(after: i)
            } else if c == "\"" || c == "'" {
                guard let end = text[text.index(after: i)...].firstIndex(of: c) else {
                    throw .invalidParameter(field: "search", message: "Unterminated quote in '\(text)'")
                }
                tokens.append(.quoted(String(text[text.index(after: i)..<end])))
                i = text.index(after: end)
            } else if opChars.contains(c) {
                var j = i
                while j < text.endIndex, opChars.contains(text[j]) { j = text.index(after: j) }
                tokens.append(.op(String(text[i..<j])))
                i = j
            } else {
                var j = i
                while j < text.endIndex, !text[j].isWhitespace, !opChars.contains(text[j]) { j = text.index(after: j) }
                tokens.append(.word(String(text[i..<j])))
                i = j
            }
        }
        return tokens
    }
}
