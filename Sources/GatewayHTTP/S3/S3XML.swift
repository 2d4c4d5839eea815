/// The little XML S3 speaks: flat result documents out, `CompleteMultipartUpload` in.
public enum S3XML {
    static let namespace = "http://s3.amazonaws.com/doc/2006-03-01/"

    /// `<?xml …?><root xmlns=…><name>value</name>…</root>`; values are escaped, elements given
    /// as raw XML (`element(…)`) are not.
    public static func document(_ root: String, _ children: [(String, String)], raw: [String] = [], namespace: Bool = true,
                                declaration: Bool = true) -> String {
        let open = namespace ? "<\(root) xmlns=\"\(Self.namespace)\">" : "<\(root)>"
        return (declaration ? Self.declaration : "") + open + children.map(element).joined() + raw.joined() + "</\(root)>"
    }

    static let declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

    public static func element(_ pair: (String, String)) -> String {
        "<\(pair.0)>\(escape(pair.1))</\(pair.0)>"
    }

    public static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }

    static func unescape(_ text: Substring) -> String {
        text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&#34;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }

    /// The parts of a `CompleteMultipartUpload` body: each `<Part>`'s number and ETag, in order.
    public static func completedParts(_ body: String) throws(S3Error) -> [(number: Int, etag: String)] {
        guard body.contains("<CompleteMultipartUpload") else {
            throw S3Error(.malformedXML, "The XML you provided was not well-formed or did not validate against our published schema.")
        }
        var parts: [(Int, String)] = []
        var rest = Substring(body)
        while let start = rest.range(of: "<Part>") {
            guard let end = rest.range(of: "</Part>", range: start.upperBound..<rest.endIndex) else { break }
            let part = rest[start.upperBound..<end.lowerBound]
            guard let number = value("PartNumber", in: part).flatMap({ Int($0) }), let etag = value("ETag", in: part) else {
                throw S3Error(.malformedXML, "Each Part needs a PartNumber and an ETag.")
            }
            parts.append((number, unescape(etag)))
            rest = rest[end.upperBound...]
        }
        guard !parts.isEmpty else { throw S3Error(.malformedXML, "You must specify at least one part.") }
        return parts
    }

    static func value(_ name: String, in text: Substring) -> Substring? {
        guard let open = text.range(of: "<\(name)>"),
              let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex) else { return nil }
        return text[open.upperBound..<close.lowerBound]
    }
}
