import GatewayHTTP
import IMSModel
import IMSService

/// Image fields as a dialect accepts them, for its parameter declarations: the keys and value
/// forms come from the dialect's `FieldSlots` (the table its decoder reads), the lengths and bounds from the
/// checks every backend applies (`ImageRules`), so a declaration cannot name a key or a value
/// the decoder would not take.
enum ImageInputs {
    /// The schema of one image field as `dialect` writes it; `allowed` narrows it to the
    /// dialect's own list of values.
    static func schema(_ field: ImageField, in slots: FieldSlots, allowed: Set<String>? = nil, required: Bool = false) -> InputSchema {
        if let allowed { return .oneOf(allowed.sorted()) }
        // Names are never blank and have no outer space (`ImageRules`).
        if field == .name { return .string(minLength: 1, maxLength: field.maxLength, pattern: #"^\S(.*\S)?$"#) }
        if let values = slots.slot(field)?.codec.wireValues { return .oneOf(values) }
        switch field.kind {
        case .int: return .integer(minimum: ImageRules.nonNegative.contains(field) ? 0 : nil)
        case .optionalInt: return .integer()
        case .bool: return .boolean
        case .oneOf(let values): return .oneOf(values)
        case .string, .date: return .string(minLength: required ? 1 : nil, maxLength: field.maxLength)
        }
    }

    /// Every writable field `dialect` reads (or those of `only`), under its input keys; text
    /// fields in `required` must not be empty.
    static func properties(_ slots: FieldSlots, only: [ImageField]? = nil, required: [ImageField] = [],
                           allowed: [ImageField: Set<String>] = [:],
                           overriding: [ImageField: InputSchema] = [:]) -> [(name: String, schema: InputSchema)] {
        slots.slots.compactMap { field, slot in
            guard field.isWritable, only?.contains(field) ?? true, let key = slot.input else { return nil }
            return (key, overriding[field] ?? schema(field, in: slots, allowed: allowed[field], required: required.contains(field)))
        }
    }

    /// The input keys of `fields` in `dialect`, for a declaration's `required`.
    static func keys(_ fields: [ImageField], in slots: FieldSlots) -> [String] {
        fields.compactMap { slots.slot($0)?.input }
    }
}
