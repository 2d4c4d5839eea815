import ArgumentParser
import HummingbirdBcrypt
import IMSService

struct CredentialsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials", abstract: "Work with the credentials file.", subcommands: [Hash.self])

    /// Secrets go into the credentials file only as hashes; this makes one.
    struct Hash: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the hash of a secret for the credentials file: secret_sha256 for machine tokens "
                + "(htaiyun: pass \"<HT-ACCESS-TOKEN>:<IMR-SESSION-SECRET>\"), secret_bcrypt with --bcrypt for passwords (Foreman).")

        @Argument(help: "The secret.") var secret: String
        @Flag(help: "A salted, slow bcrypt hash (what passwords need; Foreman requires it).") var bcrypt = false
        @Option(help: "bcrypt's cost: each step doubles the work of checking the password.") var cost: UInt8 = 10

        func run() {
            print(bcrypt ? Bcrypt.hash(secret, cost: cost) : Secrets.sha256Hex(secret))
        }
    }
}
