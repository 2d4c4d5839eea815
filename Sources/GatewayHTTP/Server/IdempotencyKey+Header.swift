import HTTPTypes

extension HTTPField.Name {
    public static let idempotencyKey = Self("Idempotency-Key")!
}
