// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "kefu",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "kefu", targets: ["kefu"]),
        .library(name: "KefuPostgres", targets: ["KefuPostgres"]),
        .library(name: "KefuCore", targets: ["KefuCore"]),
        .library(name: "KefuRuntime", targets: ["KefuRuntime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(
            name: "KefuPostgres",
            dependencies: [
                "CLibPQ",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KefuCore",
            dependencies: [
                "KefuPostgres",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KefuMail",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KefuRuntime",
            dependencies: [
                "KefuCore", "KefuPostgres", "KefuMail",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KefuAPI",
            dependencies: [
                "KefuCore", "KefuRuntime",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KefuWorker",
            dependencies: [
                "KefuCore", "KefuPostgres",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KefuCLI",
            dependencies: [
                "KefuCore", "KefuRuntime", "KefuAPI", "KefuWorker", "KefuPostgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "kefu",
            dependencies: ["KefuCLI"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "KefuTestSupport",
            dependencies: [
                "KefuPostgres", "KefuCore", "KefuRuntime", "KefuAPI", "KefuCLI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/KefuTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KefuPostgresTests",
            dependencies: ["KefuPostgres", "KefuTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KefuCoreTests",
            dependencies: ["KefuCore", "KefuTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KefuSchemaTests",
            dependencies: ["KefuPostgres", "KefuCore", "KefuTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KefuAPITests",
            dependencies: [
                "KefuAPI", "KefuCore", "KefuRuntime", "KefuTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KefuWorkerTests",
            dependencies: [
                "KefuWorker", "KefuCore", "KefuRuntime", "KefuTestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KefuMailTests",
            dependencies: [
                "KefuMail", "KefuCore", "KefuTestSupport",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "KefuCLITests",
            dependencies: ["KefuCLI", "KefuCore", "KefuRuntime", "KefuTestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)
