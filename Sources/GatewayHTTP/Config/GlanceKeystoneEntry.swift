import Foundation
import IMSStoreGlance

/// `keystone:` of a glance entry: Glance behind Keystone, called with tokens of application
/// credentials instead of the trusted headers.
///
/// ```yaml
/// glance:
///   kind: glance
///   url: http://glance.internal:9292
///   index: pg
///   project: 0c7e…            # the gateway's own project: its credential must carry admin there
///   projects: {acme: 5f3c…}
///   keystone:
///     url: http://keystone.internal:5000
///     application_credentials:
///       0c7e…: {id: 21a9…, secret_env: IMS_KEYSTONE_GATEWAY_SECRET}
///       5f3c…: {id: 9be0…, secret_env: IMS_KEYSTONE_ACME_SECRET}    # only to accept shares for acme
/// ```
/// An application credential is scoped to the one project it was made in, so there is one per
/// Glance project the gateway acts as, keyed by that project (docs/GLANCE.md).
public struct GlanceKeystoneEntry: Codable, Sendable {
    public var url: String
    public var applicationCredentials: [String: Credential]

    public struct Credential: Codable, Sendable {
        /// The credential's id (not a secret), or a variable holding it.
        public var id: String?
        public var idEnv: String?
        /// The secret, from the environment or a file: never in the config.
        public var secretEnv: String?
        public var secretFile: String?

        enum CodingKeys: String, CodingKey {
            case id, idEnv = "id_env", secretEnv = "secret_env", secretFile = "secret_file"
        }
    }

    enum CodingKeys: String, CodingKey {
        case url, applicationCredentials = "application_credentials"
    }

    /// The credentials by project, their ids and secrets read; a missing one stops the start,
    /// naming the variable or file, never a secret.
    func credentials(relativeTo folder: String, place: String,
                     environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [String: ApplicationCredential] {
        guard !applicationCredentials.isEmpty else { throw GatewayStartError("\(place): application_credentials is empty") }
        return try applicationCredentials.reduce(into: [:]) { made, entry in
            let (project, credential) = entry
            let here = "\(place).application_credentials.\(project)"
            guard let id = credential.id ?? credential.idEnv.flatMap({ environment[$0] }), !id.isEmpty else {
                throw GatewayStartError("\(here): needs id (or id_env naming a variable that is set)")
            }
            guard let source = try SecretSource.named(env: credential.secretEnv, file: credential.secretFile, place: here) else {
                throw GatewayStartError("\(here): needs secret_env or secret_file")
            }
            made[project] = ApplicationCredential(
                id: id, secret: try source.read(environment: environment, relativeTo: folder, place: here))
        }
    }
}
