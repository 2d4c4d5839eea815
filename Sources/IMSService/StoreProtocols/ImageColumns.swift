import Foundation
import IMSModel

extension ImageField {
    /// The stored fields, in column order: the one list every store's image table, selects,
    /// writes and `Image(row:)` follow (the catalogue names are joined, not stored).
    package static let stored = Array(allCases.prefix { $0 != .computeResourceName })
}

/// A stored image row, read column by column in `ImageField.stored` order. Each store's row
/// cursor offers these typed reads, so one reader (`Image(row:)`) serves every store.
package protocol ImageColumns {
    mutating func text() throws -> String
    mutating func integer() throws -> Int64
    mutating func optionalInteger() throws -> Int64?
    mutating func boolean() throws -> Bool
    mutating func date() throws -> Date
}

extension ImageColumns {
    /// One of a field's named values (`ImageField.Kind.oneOf`).
    mutating func named<T: RawRepresentable>() throws -> T where T.RawValue == String {
        guard let value = T(rawValue: try text()) else { throw CanonicalError.internal("stored row has a malformed value") }
        return value
    }
}

extension Image {
    /// Reads the columns of `ImageField.stored`, in order.
    package init(row c: inout some ImageColumns) throws {
        self.init(imageId: "", name: "", now: Date(timeIntervalSince1970: 0))
        id = try c.optionalInteger()
        imageId = try c.text()
        name = try c.text()
        description = try c.text()
        status = try c.named()
        transitionStatus = try c.text()
        imageType = try c.text()
        diskFormat = try c.text()
        minDisk = try c.integer()
        minRam = try c.integer()
        cpuArch = try c.text()
        bits = try c.named()
        osType = try c.text()
        osVersion = try c.text()
        platform = try c.text()
        visibility = try c.named()
        bootMode = try c.text()
        usage = try c.text()
        owner = try c.text()
        departmentId = try c.text()
        resourceGroupId = try c.text()
        region = try c.text()
        size = try c.integer()
        checksum = try c.text()
        username = try c.text()
        password = try c.text()
        uuid = try c.text()
        userData = try c.boolean()
        computeResourceId = try c.optionalInteger()
        operatingsystemId = try c.optionalInteger()
        architectureId = try c.optionalInteger()
        provider = try c.text()
        zone = try c.text()
        sourceType = try c.text()
        uploadId = try c.text()
        errMessage = try c.text()
        createdAt = try c.date()
        updatedAt = try c.date()
        statusTime = try c.date()
    }
}
