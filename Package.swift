// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ims-gateway",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "ims-gateway", targets: ["ims-gateway"]),
        .executable(name: "bench-hello", targets: ["bench-hello"]),
        .executable(name: "bench-store", targets: ["bench-store"]),
        .executable(name: "bench-postgres", targets: ["bench-postgres"]),
    ],
    // OTLP: traces exported with swift-otel (OTLP/HTTP). Off by default: swift-otel and what it
    // brings (swift-protobuf among them) took 7 minutes of a first build here; the default
    // build only makes spans for whatever tracer a host bootstraps.
    traits: [.trait(name: "OTLP", description: "Export traces over OTLP/HTTP (swift-otel)")],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Spans and context propagation; already built as Hummingbird's dependency.
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // The layers, each a target so the compiler keeps the arrows pointing one way (DESIGN §8):
        // model ← service ← (the file store) ← one target per store ← HTTP ← dialects ← the executable.
        // Commands, results, errors, entities, JSON values and the canonical wire forms.
        .target(
            name: "IMSModel",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The rules, mint, jobs, the store protocols, the backend protocol and its capabilities.
        .target(
            name: "IMSService",
            dependencies: [
                "IMSModel",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                // A shadow counts what it compares through swift-metrics (the gateway picks the backend).
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                // A command's deadline is a timer on the server's own event loops (`DeadlineBackend`).
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Image bytes in a directory, and imports fetched into it: the file store both SQL
        // stores keep bytes in.
        .target(
            name: "IMSFiles",
            dependencies: [
                "IMSModel",
                "IMSService",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // One target per store; none of them sees HTTP.
        .target(
            name: "IMSStoreSQLite",
            dependencies: [
                "IMSModel",
                "IMSService",
                "IMSFiles",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, which GRDB publishes for reading a statement's columns directly.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "IMSStorePostgres",
            dependencies: [
                "IMSModel",
                "IMSService",
                "IMSFiles",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // Its pool's errors, to tell a tripped circuit breaker from a cancelled wait (`PGDatabase`).
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Images and their bytes in OpenStack Glance (its image API v2, an HTTP client), the rest
        // in the SQL backend it is handed as its index (through the `records` capability).
        .target(
            name: "IMSStoreGlance",
            dependencies: [
                "IMSModel",
                "IMSService",
                "IMSFiles",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                // The scheduled sync counts its rounds (`GlanceSyncSchedule`).
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Another gateway's canonical API as a backend (an HTTP client, not a server).
        .target(
            name: "IMSRemote",
            dependencies: [
                "IMSModel",
                "IMSService",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The server: pipeline, routing, the dialect interface, auth, S3, the canonical API,
        // operations, the config and the backend graph built from it (it sees every store).
        .target(
            name: "GatewayHTTP",
            dependencies: [
                "IMSModel",
                "IMSService",
                "IMSStoreSQLite",
                "IMSStorePostgres",
                "IMSStoreGlance",
                "IMSRemote",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                // The operator console is rendered on the server from templates (no script, no assets).
                .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        .target(
            name: "Dialects",
            dependencies: ["IMSModel", "IMSService", "GatewayHTTP"]
        ),
        .executableTarget(
            name: "ims-gateway",
            dependencies: [
                "IMSService",
                "IMSStoreGlance",
                "GatewayHTTP",
                "Dialects",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "OTel", package: "swift-otel", condition: .when(traits: ["OTLP"])),
            ]
        ),
        // Baselines for bench/run (not shipped): the framework's hello-world and raw GRDB inserts.
        .executableTarget(
            name: "bench-hello",
            dependencies: ["GatewayHTTP", .product(name: "Hummingbird", package: "hummingbird")]
        ),
        .executableTarget(
            name: "bench-store",
            dependencies: ["IMSModel", "IMSService", "IMSStoreSQLite", "GatewayHTTP", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]
        ),
        // The postgres lane's baseline: raw postgres-nio reads and inserts on the gateway's schema.
        .executableTarget(
            name: "bench-postgres",
            dependencies: ["IMSModel", "IMSStorePostgres", .product(name: "PostgresNIO", package: "postgres-nio")]
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "IMSModel",
                "IMSService",
                "IMSFiles",
                "IMSStoreSQLite",
                "IMSStorePostgres",
                "IMSStoreGlance",
                "IMSRemote",
                "GatewayHTTP",
                "Dialects",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            resources: [.copy("Fixtures")]
        ),
    ]
)
