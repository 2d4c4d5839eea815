import Foundation
import GRDB
import IMSService

/// The database side of the S3 object endpoint: upload keys, multipart uploads and their parts.
enum UploadObjectRecords {
    struct KeyRow: Codable, FetchableRecord, PersistableRecord {
        static let databaseTableName = "uploadKey"
        var accessKey: String
        var imageId: String
        var dateKeys: String
        var tokenSha256: String
        var expiresAt: Date
    }

    typealias MultipartRow = MultipartUpload
    typealias PartRow = UploadPartRecord

    /// Replaces the image's key pair with a new one (a new prepare ends the old upload's keys
    /// and its open multipart uploads).
    static func replaceKey(_ key: UploadKey, in db: Database) throws {
        try revoke(key.imageId, in: db)
        try KeyRow(accessKey: key.accessKey, imageId: key.imageId, dateKeys: key.storedDateKeys, tokenSha256: key.tokenSha256,
                   expiresAt: key.expiresAt).insert(db)
    }

    /// upload-done or a new prepare: the key pair stops working and open multipart uploads go.
    static func revoke(_ imageId: String, in db: Database) throws {
        try db.execute(sql: "DELETE FROM uploadKey WHERE imageId = ?", arguments: [imageId])
        try db.execute(sql: "DELETE FROM multipartUpload WHERE imageId = ?", arguments: [imageId])
    }

    static func key(_ accessKey: String, in db: Database) throws -> UploadKey? {
        try KeyRow.fetchOne(db, key: accessKey).map {
            UploadKey(accessKey: $0.accessKey, imageId: $0.imageId, dateKeys: UploadKey.dateKeys(stored: $0.dateKeys),
                      tokenSha256: $0.tokenSha256, expiresAt: $0.expiresAt)
        }
    }

    /// The multipart upload ids the image's current prepare opened (completed ones included).
    static func multipartIds(_ imageId: String, in db: Database) throws -> [String] {
        try String.fetchAll(db, sql: "SELECT uploadId FROM multipartUpload WHERE imageId = ?", arguments: [imageId])
    }

    /// The upload if it is the image's and not completed.
    static func openUpload(_ imageId: String, _ uploadId: String, in db: Database) throws -> MultipartRow? {
        guard let row = try MultipartRow.fetchOne(db, key: uploadId), row.imageId == imageId, !row.completed else { return nil }
        return row
    }

    static func parts(_ uploadId: String, in db: Database) throws -> [PartRow] {
        try PartRow.filter(Column("uploadId") == uploadId).order(Column("partNumber")).fetchAll(db)
    }

    /// Bytes the upload's other parts already hold: what is left of the prepared size for one part.
    static func sizeOfOtherParts(_ uploadId: String, except number: Int, in db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(size), 0) FROM uploadPart WHERE uploadId = ? AND partNumber <> ?",
                           arguments: [uploadId, number]) ?? 0
    }
}

extension MultipartUpload: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "multipartUpload"
}

extension UploadPartRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "uploadPart"
}
