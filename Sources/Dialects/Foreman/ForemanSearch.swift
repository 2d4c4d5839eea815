import IMSModel

/// Foreman's scoped-search language: `name = centos and (architecture = 1 or not user_data = true)`,
/// `,` and `&` for AND, `|` for OR, `!`/`not` for NOT, `^ (a, b)` / `!^` for (not) in a list,
/// `null? field` / `set? field`, quoted or bare values, and bare words matched as free text.
/// Parsed into a tree of terms; each resource resolves the terms' fields (`ForemanSearchFields`).
enum ForemanSearch {
    /// One comparison as written: `field op values`, or free text (`field` nil).
    struct Term: Sendable, Codable, Equatable {
        var field: String?
        /// `=`, `!=`, `~`, `!~`, `^`, `!^`, `<`, `<=`, `>`, `>=`, `null?`, `set?`, or `~` for free text.
        var op: String
        var values: [String]
    }

    enum Token: Equatable {
        case word(String), quoted(String), op(String), open, close, comma
    }

    static func fail(_ message: String) -> CanonicalError {
        .invalidParameter(field: "search", message: message)
    }

    static func parse(_ text: String) throws(CanonicalError) -> Match<Term> {
        var parser = Parser(tokens: try tokenize(text), text: text)
        let tree = try parser.orExpression()
        if parser.position < parser.tokens.count {
            throw fail("Unexpected token '\(parser.describe(parser.tokens[parser.position]))' in '\(text)'")
        }
        return tree
    }

    static let comparisons: Set<String> = ["=", "!=", "<>", "~", "!~", "^", "!^", "<", "<=", ">", ">="]

    /// Deepest nesting of parentheses and negations accepted. The parser, and the store's
    /// rendering of the tree, recurse once per level: a 1 MiB `((((…` would overflow the stack
    /// and stop the process; no real search nests more than a few levels.
    static let maxDepth = 32

    struct Parser {
        var tokens: [Token]
        var text: String
        var position = 0
        var depth = 0

        mutating func deeper() throws(CanonicalError) {
            depth += 1
            guard depth <= ForemanSearch.maxDepth else {
                throw ForemanSearch.fail("The search nests more than \(ForemanSearch.maxDepth) levels of parentheses or negations")
            }
        }

        var next: Token? { position < tokens.count ? tokens[position] : nil }

        func describe(_ token: Token) -> String {
            switch token {
            case .word(let s), .quoted(let s), .op(let s): s
            case .open: "("
            case .close: ")"
            case .comma: ","
            }
        }

        func isKeyword(_ token: Token?, _ words: Set<String>) -> Bool {
            switch token {
            case .word(let w)?: words.contains(w.lowercased())
            case .op(let o)?: words.contains(o)
            default: false
            }
        }

        mutating func orExpression() throws(CanonicalError) -> Match<Term> {
            var parts = [try andExpression()]
            while isKeyword(next, ["or", "|", "||"]) {
                position += 1
                parts.append(try andExpression())
            }
            return parts.count == 1 ? parts[0] : .any(parts)
        }

        mutating func andExpression() throws(CanonicalError) -> Match<Term> {
            var parts = [try unary()]
            while let token = next, token != .close, !isKeyword(token, ["or", "|", "||"]) {
                if token == .comma || isKeyword(token, ["and", "&", "&&"]) {
                    position += 1
                }
                parts.append(try unary())
            }
            return parts.count == 1 ? parts[0] : .all(parts)
        }

        mutating func unary() throws(CanonicalError) -> Match<Term> {
            guard let token = next else { throw ForemanSearch.fail("Unexpected end of search '\(text)'") }
            if isKeyword(token, ["not", "!"]) {
                position += 1
                try deeper()
                defer { depth -= 1 }
                return .not(try unary())
            }
            if token == .open {
                position += 1
                try deeper()
                defer { depth -= 1 }
                let inner = try orExpression()
                guard next == .close else { throw ForemanSearch.fail("Unbalanced parentheses in '\(text)'") }
                position += 1
                return inner
            }
            if isKeyword(token, ["null?", "set?"]), case .word(let w) = token {
                position += 1
                guard case .word(let field)? = next else { throw ForemanSearch.fail("Field missing after '\(w)'") }
                position += 1
                return .condition(Term(field: field, op: w.lowercased(), values: []))
            }
            guard case .word(let word) = token else {
                if case .quoted(let phrase) = token {
                    position += 1
                    return .condition(Term(field: nil, op: "~", values: [phrase]))
                }
                throw ForemanSearch.fail("Unexpected token '\(describe(token))' in '\(text)'")
            }
            position += 1
            guard let op = comparison() else {
                return .condition(Term(field: nil, op: "~", values: [word]))
            }
            if op == "^" || op == "!^" {
                return .condition(Term(field: word, op: op, values: try list()))
            }
            return .condition(Term(field: word, op: op == "<>" ? "!=" : op, values: [try value(after: word, op)]))
        }

        /// The comparison operator after a field, if any (`in` and `not in` spell `^` and `!^`).
        mutating func comparison() -> String? {
            if case .op(let o)? = next, ForemanSearch.comparisons.contains(o) {
                position += 1
                return o
            }
            if isKeyword(next, ["in"]) {
                position += 1
                return "^"
            }
            if isKeyword(next, ["not"]), position + 1 < tokens.count, isKeyword(tokens[position + 1], ["in"]) {
                position += 2
                return "!^"
            }
            return nil
        }

        mutating func value(after field: String, _ op: String) throws(CanonicalError) -> String {
            switch next {
            case .word(let v)?, .quoted(let v)?:
                position += 1
                return v
            default:
                throw ForemanSearch.fail("Value missing for '\(field) \(op)'")
            }
        }

        /// `(a, b, "c d")`.
        mutating func list() throws(CanonicalError) -> [String] {
            guard next == .open else { throw ForemanSearch.fail("A list in parentheses must follow '^' in '\(text)'") }
            position += 1
            var values: [String] = []
            while true {
                switch next {
                case .word(let v)?, .quoted(let v)?:
                    position += 1
                    values.append(v)
                default:
                    throw ForemanSearch.fail("Unbalanced parentheses in '\(text)'")
                }
                if next == .comma { position += 1; continue }
                if next == .close { position += 1; return values }
                throw ForemanSearch.fail("Unbalanced parentheses in '\(text)'")
            }
        }
    }

    private static let opChars: Set<Character> = ["=", "!", "~", "<", ">", "^", "&", "|"]
    private static let stops: Set<Character> = ["(", ")", ",", "\"", "'"]

    static func tokenize(_ text: String) throws(CanonicalError) -> [Token] {
        var tokens: [Token] = []
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if c.isWhitespace {
                i = text.index(after: i)
            } else if c == "(" || c == ")" || c == "," {
                tokens.append(c == "(" ? .open : c == ")" ? .close : .comma)
                i = text.index(after: i)
            } else if c == "\"" || c == "'" {
                guard let end = text[text.index(after: i)...].firstIndex(of: c) else {
                    throw fail("Unterminated quote in '\(text)'")
                }
                tokens.append(.quoted(String(text[text.index(after: i)..<end])))
                i = text.index(after: end)
            } else if opChars.contains(c) {
                var j = text.index(after: i)
                // `!` and `&`/`|` stand alone before a word or parenthesis: `!name = x`, `a & b`.
                while j < text.endIndex, opChars.contains(text[j]), !(c == "!" && text[j] == "!") { j = text.index(after: j) }
                tokens.append(.op(String(text[i..<j])))
                i = j
            } else {
                var j = i
                while j < text.endIndex, !text[j].isWhitespace, !opChars.contains(text[j]), !stops.contains(text[j]) {
                    j = text.index(after: j)
                }
                tokens.append(.word(String(text[i..<j])))
                i = j
            }
        }
        return tokens
    }
}
