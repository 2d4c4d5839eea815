import IMSModel

/// htaiyun's application rules, stated once. An `ACTIVED` application's name is taken among
/// the `ACTIVED` ones (a deleted one frees its name); a deleted application stays deleted: only
/// an `ACTIVED` row is found for a change, and the store writes it only while it still is.
enum ApplicationRules {
    /// The status an application is changed (or deleted) from.
    static let changeable = ApplicationStatus.actived

    /// The applications whose name `application` may not share.
    static func nameHeldBy(_ application: ImageApplication) -> Set<ApplicationStatus> {
        application.status == .actived ? [.actived] : []
    }
}
