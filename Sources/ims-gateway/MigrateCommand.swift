import ArgumentParser
import Foundation
import GatewayHTTP
import IMSModel
import IMSService
import Logging
import ServiceLifecycle

/// `ims-gateway migrate --from A --to B`: every record of one backend copied into another,
/// ids preserved, resumable, verified at the end. `A` may be a `remote` legacy gateway, read
/// through its canonical API's export with a token that gateway marks `export`.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy every record (catalogue, images with their bytes, applications, instances, shares, finished jobs) from one backend to another, ids preserved.",
        discussion: """
            Killed at any point, the same command resumes from its checkpoint and copies nothing twice. At the end it \
            compares both sides record by record and exits non-zero if anything differs. Run it while a shadow \
            (old primary, new secondary) mirrors the clients' writes: a newer mirrored state is never overwritten. \
            --from may name a remote gateway: its records are read through its canonical API's export, which needs \
            a token that gateway lists with export: true.
            """)

    @Option(name: .long, help: "Deployment config (default: Config/ims-gateway.yaml).") var config: String?
    @Option(name: .long, help: "The backend to copy from (a name under backends:).") var from: String
    @Option(name: .long, help: "The backend to copy into.") var to: String
    @Option(name: .long, help: "The checkpoint file (default: data/migrate-FROM-TO.checkpoint beside the config).") var checkpoint: String?
    @Flag(name: .long, help: "Read both sides and count what would be copied; write nothing.") var dryRun = false
    @Flag(name: .long, help: "Progress and the result as JSON lines (the default when stdout is not a terminal).") var json = false

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        guard from != to else { throw ValidationError("--from and --to name one backend") }
        let path = try config ?? ConfigOptions.defaultConfigPath()
        let loaded = try GatewayConfig.load(path: path)
        var opened: [String: any Backend] = [:]
        try BackendFactory.open([from, to], config: loaded, into: &opened)
        let kinds = [from, to].map { "\($0): \(loaded.backends[$0]?.kind.rawValue ?? "?")" }.joined(separator: ", ")
        guard let origin = opened[from], let source = origin.capabilities.migrationSource else {
            throw ValidationError("migrate copies from a backend whose stores this gateway holds or from a remote gateway's export; \(kinds)")
        }
        guard let target = opened[to]?.capabilities.records else {
            throw ValidationError("migrate copies into a backend whose stores this gateway holds (sqlite, postgres, glance, or a shadow of them); \(kinds)")
        }
        let checkpointPath = checkpoint.map(loaded.resolve) ?? loaded.migrationCheckpoint(from: from, to: to)
        let lines = json || isatty(STDOUT_FILENO) == 0
        let progress = MigrateProgress(jsonLines: lines)
        // For the console; a dry run writes nothing, this file included.
        let status = dryRun ? nil : MigrationStatusWriter(path: MigrationStatus.path(beside: checkpointPath), from: from, to: to,
                                                                     checkpoint: checkpointPath)
        var migration = Migration(source: source, target: target.stores, checkpoint: checkpointPath, dryRun: dryRun)
        migration.progress = { progress.show($0); status?.record($0) }

        // The stores' own work (a PostgreSQL client's connections) runs while they are used; a
        // remote source's is closing its HTTP client at the end.
        let sourceServices = origin.capabilities.records?.services ?? origin.services
        let group = ServiceGroup(configuration: .init(services: (sourceServices + target.services).map { .init(service: $0) },
                                                      logger: Logger(label: "ims-gateway.migrate")))
        async let running: Void = group.run()
        let outcome: Result<([Migration.Check], MigrationCheckpoint), any Error>
        do {
            let done = try await migration.run(from: from, to: to)
            progress.finish()
            status?.verifying()
            let checks = dryRun ? [] : try await migration.verify()
            status?.verified(checks)
            outcome = .success((checks, done))
        } catch {
            status?.failed(error)
            outcome = .failure(error)
        }
        await group.triggerGracefulShutdown()
        try await running
        let (checks, done) = try outcome.get()
        progress.summary(done, checks: checks, dryRun: dryRun)
        if checks.contains(where: { !$0.holds }) { throw ExitCode(3) }
    }
}
