import Foundation
import IMSService
import PostgresNIO

extension PGStore: UploadRecords {
    static let fileColumns = "imageId, uploadId, token, expectedSize, size, md5, complete, updatedAt, etag"

    public func file(_ imageId: String) async throws -> ImageFile? {
        guard PGSQL.storable(imageId) else { return nil }
        var sql = PGSQL()
        sql.append("SELECT \(Self.fileColumns) FROM imageFile WHERE imageId = \(sql.bind(imageId))")
        return try await db.read { try await $0.row(sql, logger: logger) { c in
            try ImageFile(imageId: c.next(), uploadId: c.next(), token: c.next(), expectedSize: c.next(), size: c.next(),
                          md5: c.next(), complete: c.next(), updatedAt: c.next(), etag: c.next())
        } }
    }

    public func prepare(_ file: ImageFile, key: UploadKey, change: ImageStateChange) async throws {
        try await db.write { connection in
            try await upsertFile(file, connection)
            try await revoke(file.imageId, connection)
            var insert = PGSQL()
            insert.append("""
                INSERT INTO uploadKey (accessKey, imageId, dateKeys, tokenSha256, expiresAt) VALUES (\(insert.bind(key.accessKey)),
                    \(insert.bind(key.imageId)), \(insert.bind(key.storedDateKeys)), \(insert.bind(key.tokenSha256)),
                    \(insert.bind(PGSQL.time(key.expiresAt))))
                """)
            try await connection.run(insert, logger: logger)
            _ = try await applyChange(file.imageId, change, connection)
            var upload = PGSQL()
            upload.append("UPDATE image SET uploadId = \(upload.bind(file.uploadId)) WHERE imageId = \(upload.bind(file.imageId))")
            try await connection.run(upload, logger: logger)
        }
    }

    public func recordBytes(_ imageId: String, _ measured: MeasuredBytes, etag: String, at: Date) async throws {
        try await db.write { connection in try await record(imageId, measured, etag: etag, at: at, connection) }
    }

    public func finishUpload(_ imageId: String, _ change: ImageStateChange) async throws {
        guard PGSQL.storable(imageId) else { return }
        try await db.write { connection in
            _ = try await applyChange(imageId, change, connection)
            var clear = PGSQL()
            clear.append("UPDATE imageFile SET token = '' WHERE imageId = \(clear.bind(imageId))")
            try await connection.run(clear, logger: logger)
            try await revoke(imageId, connection)
        }
    }

    public func completeFile(_ imageId: String, _ measured: MeasuredBytes, at: Date) async throws {
        let file = ImageFile(imageId: imageId, uploadId: "", token: "", expectedSize: measured.size, size: measured.size,
                             md5: measured.md5, complete: true, updatedAt: at)
        try await db.write { connection in try await upsertFile(file, connection) }
    }

    public func key(_ accessKey: String) async throws -> UploadKey? {
        guard PGSQL.storable(accessKey) else { return nil }
        var sql = PGSQL()
        sql.append("SELECT accessKey, imageId, dateKeys, tokenSha256, expiresAt FROM uploadKey WHERE accessKey = \(sql.bind(accessKey))")
        return try await db.read { try await $0.row(sql, logger: logger) { c in
            UploadKey(accessKey: try c.next(), imageId: try c.next(), dateKeys: UploadKey.dateKeys(stored: try c.next()),
                      tokenSha256: try c.next(), expiresAt: try c.next())
        } }
    }

    public func multipartIds(of imageId: String) async throws -> [String] {
        var sql = PGSQL()
        sql.append("SELECT uploadId FROM multipartUpload WHERE imageId = \(sql.bind(imageId))")
        return try await db.read { try await $0.rows(sql, logger: logger) { try $0.next(String.self) } }
    }

    public func openMultipart(_ upload: MultipartUpload) async throws {
        var sql = PGSQL()
        sql.append("""
            INSERT INTO multipartUpload (uploadId, imageId, completed, createdAt) VALUES (\(sql.bind(upload.uploadId)),
                \(sql.bind(upload.imageId)), \(sql.bind(upload.completed)), \(sql.bind(PGSQL.time(upload.createdAt))))
            """)
        try await db.write { try await $0.run(sql, logger: logger) }
    }

    public func openUpload(_ imageId: String, _ uploadId: String) async throws -> MultipartUpload? {
        guard PGSQL.storable(uploadId) else { return nil }
        var sql = PGSQL()
        sql.append("""
            SELECT uploadId, imageId, completed, createdAt FROM multipartUpload
            WHERE uploadId = \(sql.bind(uploadId)) AND imageId = \(sql.bind(imageId)) AND NOT completed
            """)
        return try await db.read { try await $0.row(sql, logger: logger) { c in
            try MultipartUpload(uploadId: c.next(), imageId: c.next(), completed: c.next(), createdAt: c.next())
        } }
    }

    public func reservePart(_ imageId: String, _ uploadId: String, number: Int, length: Int64?, prepared: Int64, at: Date) async throws
        -> PartReservation
    {
        try await db.write { connection in
            guard try await isOpen(imageId, uploadId, connection) else { return .noSuchUpload }
            var others = PGSQL()
            others.append("SELECT coalesce(sum(size), 0)::bigint FROM uploadPart WHERE uploadId = \(others.bind(uploadId)) "
                + "AND partNumber <> \(others.bind(Int64(number)))")
            let room = prepared - (try await connection.row(others, logger: logger) { try $0.next(Int64.self) } ?? 0)
            let size = length ?? max(room, 0)
            if let length, length > room { return .tooLarge }
            try await upsertPart(UploadPartRecord(uploadId: uploadId, partNumber: number, size: size, md5: "", updatedAt: at), connection)
            return .reserved(size)
        }
    }

    public func recordPart(_ imageId: String, _ part: UploadPartRecord) async throws -> Bool {
        try await db.write { connection in
            guard try await isOpen(imageId, part.uploadId, connection) else { return false }
            try await upsertPart(part, connection)
            return true
        }
    }

    public func dropReservation(_ uploadId: String, number: Int) async throws {
        var sql = PGSQL()
        sql.append("DELETE FROM uploadPart WHERE uploadId = \(sql.bind(uploadId)) AND partNumber = \(sql.bind(Int64(number))) AND md5 = ''")
        try await db.write { try await $0.run(sql, logger: logger) }
    }

    public func parts(_ uploadId: String) async throws -> [UploadPartRecord] {
        try await db.read { connection in try await parts(uploadId, connection) }
    }

    public func claimCompletion(_ imageId: String, _ uploadId: String) async throws -> [UploadPartRecord]? {
        try await db.write { connection in
            var sql = PGSQL()
            sql.append("""
                UPDATE multipartUpload SET completed = TRUE WHERE uploadId = \(sql.bind(uploadId)) AND imageId = \(sql.bind(imageId))
                AND NOT completed RETURNING 1
                """)
            guard try await connection.run(sql, logger: logger) > 0 else { return nil }
            return try await parts(uploadId, connection)
        }
    }

    public func reopen(_ uploadId: String) async throws {
        var sql = PGSQL()
        sql.append("UPDATE multipartUpload SET completed = FALSE WHERE uploadId = \(sql.bind(uploadId))")
        try await db.write { try await $0.run(sql, logger: logger) }
    }

    public func endMultipart(_ imageId: String, _ uploadId: String, _ measured: MeasuredBytes, etag: String, at: Date) async throws {
        try await db.write { connection in
            var sql = PGSQL()
            sql.append("DELETE FROM uploadPart WHERE uploadId = \(sql.bind(uploadId))")
            try await connection.run(sql, logger: logger)
            try await record(imageId, measured, etag: etag, at: at, connection)
        }
    }

    public func abortMultipart(_ imageId: String, _ uploadId: String) async throws -> Bool {
        var sql = PGSQL()
        sql.append("""
            DELETE FROM multipartUpload WHERE uploadId = \(sql.bind(uploadId)) AND imageId = \(sql.bind(imageId)) AND NOT completed RETURNING 1
            """)
        return try await db.write { try await $0.run(sql, logger: logger) } > 0
    }

    // MARK: - Within a transaction

    private func isOpen(_ imageId: String, _ uploadId: String, _ connection: PostgresConnection) async throws -> Bool {
        var sql = PGSQL()
        sql.append("SELECT 1 FROM multipartUpload WHERE uploadId = \(sql.bind(uploadId)) AND imageId = \(sql.bind(imageId)) AND NOT completed")
        return try await connection.exists(sql, logger: logger)
    }

    private func parts(_ uploadId: String, _ connection: PostgresConnection) async throws -> [UploadPartRecord] {
        var sql = PGSQL()
        sql.append("SELECT uploadId, partNumber, size, md5, updatedAt FROM uploadPart WHERE uploadId = \(sql.bind(uploadId)) ORDER BY partNumber")
        return try await connection.rows(sql, logger: logger) { c in
            UploadPartRecord(uploadId: try c.next(), partNumber: Int(try c.next(Int64.self)), size: try c.next(), md5: try c.next(),
                             updatedAt: try c.next())
        }
    }

    private func upsertPart(_ part: UploadPartRecord, _ connection: PostgresConnection) async throws {
        var sql = PGSQL()
        sql.append("""
            INSERT INTO uploadPart (uploadId, partNumber, size, md5, updatedAt) VALUES (\(sql.bind(part.uploadId)),
                \(sql.bind(Int64(part.partNumber))), \(sql.bind(part.size)), \(sql.bind(part.md5)), \(sql.bind(PGSQL.time(part.updatedAt))))
            ON CONFLICT (uploadId, partNumber) DO UPDATE SET size = excluded.size, md5 = excluded.md5, updatedAt = excluded.updatedAt
            """)
        try await connection.run(sql, logger: logger)
    }

    private func upsertFile(_ f: ImageFile, _ connection: PostgresConnection) async throws {
        var sql = PGSQL()
        sql.append("""
            INSERT INTO imageFile (\(Self.fileColumns)) VALUES (\(sql.bind(f.imageId)), \(sql.bind(f.uploadId)), \(sql.bind(f.token)),
                \(sql.bind(f.expectedSize)), \(sql.bind(f.size)), \(sql.bind(f.md5)), \(sql.bind(f.complete)),
                \(sql.bind(PGSQL.time(f.updatedAt))), \(sql.bind(f.etag)))
            ON CONFLICT (imageId) DO UPDATE SET uploadId = excluded.uploadId, token = excluded.token, expectedSize = excluded.expectedSize,
                size = excluded.size, md5 = excluded.md5, complete = excluded.complete, updatedAt = excluded.updatedAt, etag = excluded.etag
            """)
        try await connection.run(sql, logger: logger)
    }

    private func record(_ imageId: String, _ m: MeasuredBytes, etag: String, at: Date, _ connection: PostgresConnection) async throws {
        var sql = PGSQL()
        sql.append("""
            UPDATE imageFile SET size = \(sql.bind(m.size)), md5 = \(sql.bind(m.md5)), etag = \(sql.bind(etag)), complete = TRUE,
                updatedAt = \(sql.bind(PGSQL.time(at))) WHERE imageId = \(sql.bind(imageId))
            """)
        try await connection.run(sql, logger: logger)
    }

    /// The image's upload keys and multipart uploads (their parts go with them).
    private func revoke(_ imageId: String, _ connection: PostgresConnection) async throws {
        for table in ["uploadKey", "multipartUpload"] {
            var sql = PGSQL()
            sql.append("DELETE FROM \(table) WHERE imageId = \(sql.bind(imageId))")
            try await connection.run(sql, logger: logger)
        }
    }

    /// Every column of `image` over its row (by imageId), as `update` writes, without its checks.
}
