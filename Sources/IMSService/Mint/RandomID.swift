/// Random lower-case identifiers (`img-` + 8 for images, as 51idc's clients expect).
public enum RandomID {
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    public static func make(length: Int) -> String {
        String((0..<length).map { _ in alphabet.randomElement()! })
    }

    /// 24 hex digits, the shape of htaiyun's stack/server/flavour references.
    public static func hex24() -> String {
        String((0..<24).map { _ in "0123456789abcdef".randomElement()! })
    }
}
