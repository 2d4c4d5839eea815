import IMSModel

/// Where one canonical field appears in one dialect: the key it arrives under (`input`),
/// the key it is answered under (`output`) and how its value is written.
public struct FieldSlot: Sendable {
    public var input: String?
    public var output: String?
    public var codec: ValueCodec

    public init(input: String?, output: String?, codec: ValueCodec = .same) {
        self.input = input
        self.output = output
        self.codec = codec
    }

    /// Read and written under the same key.
    public static func io(_ key: String, _ codec: ValueCodec = .same) -> FieldSlot {
        FieldSlot(input: key, output: key, codec: codec)
    }

    /// Answered only.
    public static func out(_ key: String, _ codec: ValueCodec = .same) -> FieldSlot {
        FieldSlot(input: nil, output: key, codec: codec)
    }

    /// Arrives under one key, answered under another (CECSTACK `instruction` / `instructions`).
    public static func io(in input: String, out output: String, _ codec: ValueCodec = .same) -> FieldSlot {
        FieldSlot(input: input, output: output, codec: codec)
    }
}

/// The one table of how each dialect names and writes each canonical image field: the union of
/// the dialects' own slots (`Dialect.fields`). Nothing is kept here; it is read from them.
public enum FieldMap {
    /// Every canonical field with each dialect's slot for it, in the fields' order.
    public static func table(_ dialects: [any Dialect]) -> [(field: ImageField, slots: [DialectID: FieldSlot])] {
        ImageField.allCases.map { field in
            (field, Dictionary(dialects.compactMap { d in d.fields.slot(field).map { (d.id, $0) } }, uniquingKeysWith: { a, _ in a }))
        }
    }

    /// Keys that name two fields in one dialect (must be none), and dialects that declare one
    /// field twice.
    public static func clashes(_ dialects: [any Dialect]) -> [String] {
        dialects.flatMap { dialect in
            let fields = dialect.fields.slots.map(\.field)
            let twice = Set(fields.filter { field in fields.filter { $0 == field }.count > 1 })
            return dialect.fields.duplicateKeys + twice.map { "\(dialect.id): \($0) declared twice" }
        }
    }
}
