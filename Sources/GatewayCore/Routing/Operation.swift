/// The canonical operations a route may bind to. A route file names them as `image.list` etc.
public enum Operation: String, Sendable, Codable, CaseIterable {
    case imageCreate = "image.create"
    case imageGet = "image.get"
    case imageList = "image.list"
    case imageUpdate = "image.update"
    case imageDelete = "image.delete"
    case imageBatchDelete = "image.batchDelete"
    case imageCapture = "image.capture"
    case applicationCreate = "application.create"
    case applicationGet = "application.get"
    case applicationList = "application.list"
    case applicationUpdate = "application.update"
    case applicationDelete = "application.delete"
    case jobGet = "job.get"
}
