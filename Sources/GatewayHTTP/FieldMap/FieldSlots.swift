import IMSModel

/// One dialect's slots: which of its keys carries which canonical image field, and how the value
/// is written. Each dialect owns its own (a compiled one in its folder, a data one in its file);
/// `FieldMap` is their union.
public struct FieldSlots: Sendable {
    public let dialect: DialectID
    /// In the order the dialect declares them.
    public let slots: [(field: ImageField, slot: FieldSlot)]
    private let byField: [ImageField: FieldSlot]
    /// The answered slots, so encoding an answer walks one short array.
    private let answers: [Answer]

    /// One answered slot. A class: walking the list as tuples copied each codec (its three
    /// closures and more) per field per answer, ~80 of a CECSTACK GET's ~1,460 retains.
    private final class Answer: Sendable {
        let field: ImageField
        let key: String
        let codec: ValueCodec

        init(_ field: ImageField, _ key: String, _ codec: ValueCodec) {
            self.field = field
            self.key = key
            self.codec = codec
        }
    }

    public init(_ dialect: DialectID, _ slots: [(ImageField, FieldSlot)]) {
        self.dialect = dialect
        self.slots = slots.map { (field: $0.0, slot: $0.1) }
        byField = Dictionary(slots, uniquingKeysWith: { first, _ in first })
        answers = slots.compactMap { field, slot in slot.output.map { Answer(field, $0, slot.codec) } }
    }

    public func slot(_ field: ImageField) -> FieldSlot? { byField[field] }

    /// The dialect's key for a canonical field (as answered, else as accepted).
    public func key(_ field: ImageField) -> String? {
        byField[field].flatMap { $0.output ?? $0.input }
    }

    /// The dialect's key for a canonical field's name, for error messages (itself if none).
    public func key(named field: String) -> String {
        ImageField(rawValue: field).flatMap(key) ?? field
    }

    /// Every field the dialect answers, under its own keys and in its own value forms.
    public func encode(_ view: ImageView) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        out.reserveCapacity(answers.count)
        for answer in answers {
            if let style = answer.codec.timeStyle, let date = view.date(answer.field) {
                // Rendered from the Date itself: formatting to canonical text and parsing it back
                // cost two date conversions per time field on every answer.
                out[answer.key] = style.render(date)
            } else {
                out[answer.key] = answer.codec.encode(view.value(answer.field))
            }
        }
        return out
    }

    /// Reads every writable field the dialect accepts from `object` into a canonical patch.
    /// Keys the dialect does not know are ignored, as the legacy servers did.
    public func decode(_ object: [String: JSONValue]) throws(CanonicalError) -> ImagePatch {
        var patch: ImagePatch = [:]
        for (field, slot) in slots where field.isWritable {
            guard let key = slot.input, let raw = object[key] else { continue }
            patch[field] = try Self.decodeValue(raw, field: field, slot: slot)
        }
        return patch
    }

    /// One value from the wire to canonical form, or the field's error.
    public func decodeValue(_ raw: JSONValue, field: ImageField) throws(CanonicalError) -> JSONValue {
        guard let slot = byField[field] else { return raw }
        return try Self.decodeValue(raw, field: field, slot: slot)
    }

    /// The canonical values a wire value selects when filtering on `field`.
    public func matches(_ raw: JSONValue, field: ImageField) throws(CanonicalError) -> [JSONValue] {
        guard let slot = byField[field] else { return [raw] }
        do {
            return try slot.codec.matches(raw, as: field.kind)
        } catch {
            guard case .wrongType(let phrase) = error else { throw .internal("unreachable") }
            throw .invalidParameter(field: field.rawValue, message: phrase)
        }
    }

    private static func decodeValue(_ raw: JSONValue, field: ImageField, slot: FieldSlot) throws(CanonicalError) -> JSONValue {
        do {
            return try slot.codec.decode(raw, as: field.kind)
        } catch {
            guard case .wrongType(let phrase) = error else { throw .internal("unreachable") }
            throw .invalidParameter(field: field.rawValue, message: phrase)
        }
    }

    /// Keys two fields share in one direction (`input`, `output`): each must name one field.
    public var duplicateKeys: [String] {
        var seen: [String: ImageField] = [:], clashes: [String] = []
        for direction in [\FieldSlot.input, \FieldSlot.output] {
            seen = [:]
            for (field, slot) in slots {
                guard let key = slot[keyPath: direction] else { continue }
                if let other = seen[key], other != field { clashes.append("\(dialect): '\(key)' for \(other) and \(field)") }
                seen[key] = field
            }
        }
        return clashes
    }
}
