import IMSModel

/// A uniqueness rule of the service in the form a store enforces: no two images whose
/// `required` fields are all set (not nil, not "") have equal values of `fields` (text exact,
/// nil equals nil). The service says which keys hold (`ImageUniqueness`); a store checks them
/// on the row as its write leaves it, in the write's own transaction, and refuses with
/// `CanonicalError.taken(refusal.rawValue)`.
public struct ImageUniqueKey: Sendable, Hashable {
    /// The field a refusal names.
    public var refusal: ImageField
    public var fields: [ImageField]
    public var required: [ImageField]

    public init(_ refusal: ImageField, fields: [ImageField], required: [ImageField]) {
        self.refusal = refusal
        self.fields = fields
        self.required = required
    }

    /// The values of `fields` in `image`, in order; nil when the key does not apply to it.
    public func values(of image: Image) -> [JSONValue]? {
        let view = ImageView(image: image)
        for field in required {
            switch view.value(field) {
            case .null, .string(""): return nil
            default: continue
            }
        }
        return fields.map(view.value)
    }
}
