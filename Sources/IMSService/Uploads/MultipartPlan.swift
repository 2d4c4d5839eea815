import Crypto
import Foundation

/// Which stored parts a CompleteMultipartUpload joins, and the multipart ETag.
enum MultipartPlan {
    static func choose(_ listed: [(number: Int, etag: String)], from stored: [UploadPartRecord],
                       prepared: Int64) throws(UploadObjectError) -> [UploadPartRecord] {
        var chosen: [UploadPartRecord] = []
        for part in listed {
            guard part.number > (chosen.last?.partNumber ?? 0) else {
                throw .partsOutOfOrder
            }
            let etag = part.etag.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")).lowercased()
            guard let row = stored.first(where: { $0.partNumber == part.number }), row.md5 == etag else {
                throw .unknownPart
            }
            chosen.append(row)
        }
        guard chosen.reduce(0, { $0 + $1.size }) <= prepared else {
            throw .tooLarge
        }
        return chosen
    }

    /// MD5 of the parts' binary MD5s, then `-` and their count: S3's multipart ETag.
    static func etag(_ md5s: [String]) -> String {
        var joined: [UInt8] = []
        for md5 in md5s { joined += Secrets.bytes(hex: md5) ?? [] }
        return Secrets.hex(Insecure.MD5.hash(data: joined)) + "-\(md5s.count)"
    }
}
