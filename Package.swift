// swift-tools-version: 6.2
// Herald — a consent-first mailer. The targets follow the module table in README.md:
// leaves (CCurl, COpenSSL, Store, Storage, Mail, Tokens, Rendering, SMTP) know nothing of the application,
// `Herald` composes them, and `HeraldHTTP` and the `herald` command are thin faces over it. `Store` declares
// the store's operations as protocols with the plain values they speak in; `Storage` (SQLite) implements them,
// and so does `PostgresStorage` (PostgreSQL, through the system libpq). Herald uses the store only through
// `Store`, and imports the two backends only to open the one the configuration names.
import PackageDescription

let package = Package(
    name: "Herald",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "herald", targets: ["HeraldCLI"]),
        .library(name: "Herald", targets: ["Herald"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-configuration", exact: "1.4.0", traits: [.defaults, "YAML"]),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
    ],
    targets: [
        // The system libcurl (Debian: libcurl4-openssl-dev) plus typed wrappers for its variadic C calls.
        .target(
            name: "CCurl",
            linkerSettings: [.linkedLibrary("curl")]
        ),
        .target(
            name: "COpenSSL",
            linkerSettings: [.linkedLibrary("crypto")]
        ),
        // The system libpq (Debian: libpq-dev), for the PostgreSQL backend.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // The system cmark-gfm (Debian: libcmark-gfm-dev and libcmark-gfm-extensions-dev), for campaigns written in Markdown.
        .systemLibrary(name: "CCmarkGFM", pkgConfig: "libcmark-gfm", providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]),
        .target(name: "Store"),
        .target(name: "PostgresStorage", dependencies: ["Store", "CLibPQ"]),
        .target(
            name: "Storage",
            dependencies: ["Store", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift")]
        ),
        .target(
            name: "Mail",
            dependencies: ["COpenSSL", .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto")]
        ),
        .target(
            name: "Tokens",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "Rendering",
            dependencies: ["CCmarkGFM", .product(name: "Mustache", package: "swift-mustache")]
        ),
        .target(
            name: "SMTP",
            dependencies: ["CCurl"]
        ),
        .target(
            name: "Herald",
            dependencies: [
                "Store", "Storage", "PostgresStorage", "Mail", "Tokens", "Rendering", "SMTP",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "HeraldHTTP",
            dependencies: [
                "Herald", "Store", "Rendering",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "HeraldCLI",
            dependencies: [
                "Herald", "HeraldHTTP", "Store",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Benchmark driver for bench/sign (compose + DKIM-sign in a loop) and Herald's composer; not part of the product.
        .executableTarget(
            name: "HeraldBench",
            dependencies: ["Mail", "Herald", "Store", "Rendering", .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "_CryptoExtras", package: "swift-crypto")]
        ),
        .testTarget(name: "StorageTests", dependencies: ["Store", "Storage", "TestDatabases", .product(name: "GRDB", package: "GRDB.swift")]),
        // The test run's own PostgreSQL cluster and the list of backends that store tests run against.
        .target(name: "TestDatabases", dependencies: ["Store", "Storage", "PostgresStorage"], path: "Tests/TestDatabases"),
        .testTarget(name: "PostgresStorageTests", dependencies: ["Store", "PostgresStorage", "TestDatabases"]),
        .testTarget(name: "MailTests", dependencies: ["Mail", .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto")]),
        .testTarget(name: "TokensTests", dependencies: ["Tokens"]),
        .testTarget(name: "RenderingTests", dependencies: ["Rendering"]),
        .testTarget(name: "SMTPTests", dependencies: ["SMTP"]),
        .testTarget(name: "HeraldHTTPTests", dependencies: ["HeraldHTTP", "Herald"]),
        .testTarget(name: "HeraldTests", dependencies: ["Herald", "Store", "Storage", "Mail", "Tokens", "TestDatabases", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["Herald", "Store", "Storage", "Tokens", "TestDatabases"],
        ),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer targets (Fuzz/, run by scripts/fuzz): declared only when HERALD_FUZZ is set, so the ordinary
// build and tests never compile them.
if Context.environment["HERALD_FUZZ"] != nil {
    package.targets.append(.executableTarget(
        name: "HeraldFuzz",
        dependencies: ["Herald", "HeraldHTTP", "Mail", "Tokens", "Rendering", "SMTP", "Store",
                       .product(name: "Mustache", package: "swift-mustache")],
        path: "Fuzz/HeraldFuzz"
    ))
}
