/// How the Glance client says who it is: the headers a trusted front sets (Glance without
/// Keystone, on loopback or a private network), or a Keystone token of the caller's project.
public enum GlanceAuth: Sendable {
    case trustedHeaders
    case keystone(KeystoneTokens)
}
