import Foundation
import IMSModel

/// Validation every backend applies to image input, whichever dialect it came from.
public enum ImageRules {
    /// Counts that cannot be negative.
    public static let nonNegative: [ImageField] = [.minDisk, .minRam]

    /// Checks lengths and required facts of a patch; `creating` adds the required-field checks.
    public static func validate(_ patch: ImagePatch, creating: Bool) throws(CanonicalError) {
        if creating, (patch[.name]?.stringValue ?? "").isEmpty {
            throw .invalidParameter(field: ImageField.name.rawValue, message: "can't be blank")
        }
        for (field, value) in patch {
            guard case .string(let s) = value else { continue }
            if field == .name {
                if s.isEmpty { throw .invalidParameter(field: field.rawValue, message: "can't be blank") }
                if s != s.trimmingCharacters(in: .whitespaces) {
                    throw .invalidParameter(field: field.rawValue, message: "must not start or end with a space")
                }
            }
            if let max = field.maxLength, s.count > max {
                throw .invalidParameter(field: field.rawValue, message: "is too long (maximum is \(max) characters)")
            }
        }
        for field in nonNegative {
            if case .int(let n) = patch[field], n < 0 {
                throw .invalidParameter(field: field.rawValue, message: "must be greater than or equal to 0")
            }
        }
    }
}
