import Foundation
import IMSModel

/// htaiyun's name rule, shared by applications and instances.
extension ListWindow {
    static func validateName(_ name: String, max: Int) throws {
        if name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw CanonicalError.invalidParameter(field: "name", message: "can't be blank")
        }
        if name.count > max {
            throw CanonicalError.invalidParameter(field: "name", message: "is too long (maximum is \(max) characters)")
        }
    }
}
