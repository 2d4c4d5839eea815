import ArgumentParser
import GatewayCore

struct CredentialsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials", abstract: "Work with the credentials file.", subcommands: [Hash.self])

    /// Secrets go into the credentials file only as hashes; this makes one.
    struct Hash: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the secret_sha256 of a secret (htaiyun: pass \"<HT-ACCESS-TOKEN>:<IMR-SESSION-SECRET>\").")

        @Argument(help: "The secret.") var secret: String

        func run() {
            print(Secrets.sha256Hex(secret))
        }
    }
}
