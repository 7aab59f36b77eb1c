// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "Plenary",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "plenary", targets: ["plenary"]),
        .executable(name: "plenary-bench", targets: ["plenary-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: ["YAML"]),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // libpq, as the system provides it.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        // libpq in Swift: connections, typed rows, transactions, pipeline, COPY, LISTEN/NOTIFY, the pool.
        .target(
            name: "Postgres",
            dependencies: ["CLibPQ", .product(name: "Logging", package: "swift-log")]
        ),
        // The conference's shared vocabulary: bodies, dates, roles, field rules, clocks, domain errors; no I/O.
        .target(name: "PlenaryCore"),
        // Database = pool + the mapping of its failures; migrations; the audit trail.
        .target(
            name: "Storage",
            dependencies: [
                "Postgres", "PlenaryCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            plugins: ["SchemaEmbedder"]
        ),
        // The private PostgreSQL cluster Plenary runs when no database is configured, and the posix_spawn process
        // runner; used by the executable and the tests only, never by a service.
        .target(name: "EmbeddedPostgres", dependencies: [.product(name: "Logging", package: "swift-log")]),
        // Schema/*.sql → Swift source at build time, so the binary carries its migrations wherever it runs.
        .executableTarget(name: "embed-schema"),
        .plugin(name: "SchemaEmbedder", capability: .buildTool(), dependencies: ["embed-schema"]),
        // Config/plenary.yaml + PLENARY_* environment → typed, validated settings. Each group reads its own keys and
        // falls back to the defaults of the component it configures (pool, embedded cluster, server, change feed).
        .target(
            name: "PlenaryConfig",
            dependencies: [
                "PlenaryCore", "Postgres", "EmbeddedPostgres", "AdminProtocol", "AdminServer",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // Treaty bodies: the organs whose meetings Plenary manages.
        .target(name: "Bodies", dependencies: ["Postgres", "PlenaryCore", "Storage"]),
        // Sessions of a body, their agendas, the scheduling rules and the calendar.
        .target(name: "Sessions", dependencies: ["Bodies", "Postgres", "PlenaryCore", "Storage"]),
        // Working groups, their mandates, renames, dissolution and meetings.
        .target(name: "WorkingGroups", dependencies: ["Bodies", "Postgres", "PlenaryCore", "Storage"]),
        // Decisions and resolutions: drafts, adoption and numbering, frozen texts, lineage.
        .target(name: "Decisions", dependencies: ["Bodies", "Postgres", "PlenaryCore", "Storage", "Sessions"]),
        // The document registry; DocumentSymbol is its pure grammar of UN document symbols.
        .target(name: "Documents", dependencies: ["Bodies", "PlenaryCore", "Postgres", "Storage"]),
        // Instruments and parties: the Convention, its Protocols, entry into force and who is party on which day.
        .target(name: "Treaties", dependencies: ["Postgres", "PlenaryCore", "Storage", "Sessions"]),
        // Access tokens: creation, hashing, constant-time authentication.
        .target(
            name: "Access",
            dependencies: [
                "Postgres", "PlenaryCore", "Storage", .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // Pure command language: line grammar, typed parameters, replies, the catalog's types.
        .target(name: "AdminProtocol", dependencies: ["PlenaryCore"]),
        // The concrete catalog: every command bound to its service handler.
        .target(
            name: "PlenaryCommands",
            dependencies: [
                "Access", "AdminProtocol", "PlenaryCore", "Postgres", "Storage", "Bodies", "Sessions", "WorkingGroups",
                "Decisions", "Documents", "Treaties",
            ]
        ),
        // The network door (TCP, TLS, unix socket): framing, limits, ordered replies.
        .target(
            name: "AdminServer",
            dependencies: [
                "Access", "AdminProtocol", "PlenaryCommands", "PlenaryCore", "Postgres",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // A client of the admin protocol over TCP: the CLI's remote door, the benchmark's load generator.
        .target(
            name: "PlenaryClient",
            dependencies: [
                "AdminProtocol", "PlenaryCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Export and import, pure: the file's model, its deterministic writing, validation and the import plan.
        .target(
            name: "Transfer",
            dependencies: ["PlenaryCore", "Sessions", "WorkingGroups", "Decisions", "Documents", "Treaties"]
        ),
        // Export and import against the database: reading every table, COPY into staging, the demo data set.
        .target(
            name: "TransferStore",
            dependencies: ["Transfer", "PlenaryCore", "Postgres", "Storage", "Decisions", "Documents"],
            resources: [.embedInCode("Resources/ctoc-cop-demo.json")]
        ),
        // The public face: the record rendered as a static site. The renderer is pure (a site model → files); the
        // reader reads through the service modules' registries, never SQL of its own.
        .target(
            name: "Publishing",
            dependencies: [
                "PlenaryCore", "Storage", "Bodies", "Sessions", "WorkingGroups", "Decisions", "Documents", "Treaties",
                "AdminProtocol",
            ],
            resources: [.embedInCode("Resources/words.en.json"), .embedInCode("Resources/style.css")]
        ),
        .executableTarget(
            name: "plenary",
            dependencies: [
                "AdminProtocol", "AdminServer", "EmbeddedPostgres", "PlenaryClient", "PlenaryCommands", "PlenaryConfig",
                "PlenaryCore", "Postgres", "Publishing", "Storage", "Transfer", "TransferStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The load generator behind Benchmarks/run: plain blocking sockets, one thread per connection, HDR histograms.
        .executableTarget(
            name: "plenary-bench",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        // Test-only helpers: the throwaway cluster's databases, process runners.
        .target(
            name: "PlenaryTestSupport",
            dependencies: ["EmbeddedPostgres", "Postgres", "Storage", "PlenaryCore", "Bodies"],
            path: "Tests/PlenaryTestSupport"
        ),
        .testTarget(
            name: "PostgresTests",
            dependencies: [
                "EmbeddedPostgres", "Postgres", "Storage", "PlenaryTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "StorageTests",
            dependencies: [
                "Storage", "Postgres", "PlenaryCore", "PlenaryTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "EmbeddedPostgresTests",
            dependencies: ["EmbeddedPostgres", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "AdminProtocolTests",
            dependencies: [
                "AdminProtocol", "PlenaryCore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "SessionsTests",
            dependencies: [
                "Sessions", "WorkingGroups", "Bodies", "Storage", "Postgres", "PlenaryCore", "PlenaryTestSupport",
            ]
        ),
        .testTarget(
            name: "DecisionsTests",
            dependencies: [
                "Decisions", "Sessions", "WorkingGroups", "Bodies", "Storage", "Postgres", "PlenaryCore",
                "PlenaryTestSupport",
            ]
        ),
        .testTarget(
            name: "DocumentsTests",
            dependencies: [
                "Documents", "PlenaryCore", "Postgres", "Storage", "Sessions", "WorkingGroups", "Bodies",
                "PlenaryTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "TreatiesTests",
            dependencies: [
                "Treaties", "Sessions", "Bodies", "Storage", "Postgres", "PlenaryCore", "PlenaryTestSupport",
            ]
        ),
        .testTarget(
            name: "PlenaryConfigTests",
            dependencies: [
                "AdminProtocol", "AdminServer", "EmbeddedPostgres", "PlenaryConfig", "PlenaryCore", "Postgres",
            ]
        ),
        .testTarget(
            name: "AdminServerTests",
            dependencies: [
                "AdminServer", "AdminProtocol", "PlenaryCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // The site: the pure renderer unit by unit, and the demo's site end to end (validator, links, Chromium).
        .testTarget(
            name: "PublishingTests",
            dependencies: [
                "Publishing", "PlenaryCore", "Bodies", "Sessions", "Treaties", "WorkingGroups", "Decisions",
                "Documents", "AdminProtocol", "EmbeddedPostgres",
                "PlenaryTestSupport",
            ]
        ),
        .testTarget(
            name: "TransferTests",
            dependencies: ["Transfer", "PlenaryCore"]
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["EmbeddedPostgres", "PlenaryTestSupport", "Postgres"],
            // The protocol transcripts are read from the checkout by path, not bundled.
            exclude: ["Transcripts"]
        ),
        // The record kept right (issue 17): generated histories through the real catalog, exported and imported.
        .testTarget(
            name: "RecordTests",
            dependencies: [
                "PlenaryTestSupport", "Postgres", "Storage", "PlenaryCore", "AdminProtocol", "PlenaryCommands",
                "Transfer", "TransferStore",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        // Faults, races, hostile values and access, against the real server, database and binary (issue 9).
        .testTarget(
            name: "ReliabilityTests",
            dependencies: [
                "EmbeddedPostgres", "PlenaryTestSupport", "Postgres", "Storage", "PlenaryCore", "AdminProtocol",
                "PlenaryCommands",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
