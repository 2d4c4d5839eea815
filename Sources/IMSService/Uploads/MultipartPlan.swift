import Crypto
import Foundation

/// Which stored parts a CompleteMultipartUpload joins, and the multipart ETag.
enum MultipartPlan {
    static func choose(_ listed: [(number: Int, etag: String)], from stored: [UploadPartRecord],
                       prepared: Int64) throws(S3Error) -> [UploadPartRecord] {
        var chosen: [UploadPartRecord] = []
        for part in listed {
            guard part.number > (chosen.last?.partNumber ?? 0) else {
                throw S3Error(.invalidPartOrder, "The list of parts was not in ascending order. The parts list must be specified in order by part number.")
            }
            let etag = part.etag.trimmingCharacters(in: CharacterSet(charactersIn: "\" ")).lowercased()
            guard let row = stored.first(where: { $0.partNumber == part.number }), row.md5 == etag else {
                throw S3Error(.invalidPart, "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.")
            }
            chosen.append(row)
        }
        guard chosen.reduce(0, { $0 + $1.size }) <= prepared else {
            throw S3Error(.entityTooLarge, "Your proposed upload exceeds the prepared size.")
        }
        return chosen
    }

    /// MD5 of the parts' binary MD5s, then `-` and their count: S3's multipart ETag.
    static func etag(_ md5s: [String]) -> String {
        var joined: [UInt8] = []
        for md5 in md5s { joined += S3Authenticator.hexBytes(md5) ?? [] }
        return Secrets.hex(Insecure.MD5.hash(data: joined)) + "-\(md5s.count)"
    }
}
