import IMSModel

extension Migration {
    /// One record a migration copies, with what is copied beside it: an image's complete bytes
    /// as its store records them (size, MD5, time), an instance's members. Codable, as the
    /// canonical API's export sends it (`{"image": {…}, "file": {…}}`).
    public enum Record: Sendable, Equatable {
        case user(User)
        case entry(CatalogEntry)
        /// `file`: the image's bytes when they are complete, else nil.
        case image(Image, file: ImageFile?)
        case application(ImageApplication)
        case instance(ApplicationInstance, members: [Int64])
        case share(ImageShare)
        case job(Job)
    }
}

extension Migration.Record: Codable {
    private enum Keys: String, CodingKey { case user, entry, image, file, application, instance, members, share, job }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        switch self {
        case .user(let user): try c.encode(user, forKey: .user)
        case .entry(let entry): try c.encode(entry, forKey: .entry)
        case .image(let image, let file):
            try c.encode(image, forKey: .image)
            try c.encodeIfPresent(file, forKey: .file)
        case .application(let application): try c.encode(application, forKey: .application)
        case .instance(let instance, let members):
            try c.encode(instance, forKey: .instance)
            try c.encode(members, forKey: .members)
        case .share(let share): try c.encode(share, forKey: .share)
        case .job(let job): try c.encode(job, forKey: .job)
        }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        if let user = try c.decodeIfPresent(User.self, forKey: .user) {
            self = .user(user)
        } else if let entry = try c.decodeIfPresent(CatalogEntry.self, forKey: .entry) {
            self = .entry(entry)
        } else if let image = try c.decodeIfPresent(Image.self, forKey: .image) {
            self = .image(image, file: try c.decodeIfPresent(ImageFile.self, forKey: .file))
        } else if let application = try c.decodeIfPresent(ImageApplication.self, forKey: .application) {
            self = .application(application)
        } else if let instance = try c.decodeIfPresent(ApplicationInstance.self, forKey: .instance) {
            self = .instance(instance, members: try c.decode([Int64].self, forKey: .members))
        } else if let share = try c.decodeIfPresent(ImageShare.self, forKey: .share) {
            self = .share(share)
        } else if let job = try c.decodeIfPresent(Job.self, forKey: .job) {
            self = .job(job)
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a migration record"))
        }
    }
}

/// One page of a kind's records as the canonical API's export answers it
/// (`GET /ims/v1/export/{kind}`): the kind's total beside the page, so a count is a page of none.
public struct ExportPage: Codable, Sendable, Equatable {
    public var kind: Migration.Kind
    public var total: Int
    public var records: [Migration.Record]

    public init(kind: Migration.Kind, total: Int, records: [Migration.Record]) {
        self.kind = kind
        self.total = total
        self.records = records
    }
}

/// Which of the images named the backend still holds, in their order, as the export answers
/// it (`GET /ims/v1/export/held?refs=…`).
public struct ExportHeld: Codable, Sendable, Equatable {
    public var held: [Bool]

    public init(held: [Bool]) { self.held = held }
}
