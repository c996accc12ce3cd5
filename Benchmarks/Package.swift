// swift-tools-version:6.2
// The benchmarks are a package of their own, so that neither `swift build` nor `swift test` of
// Kefu builds them. They depend on the Kefu package beside them by path.
import PackageDescription

let package = Package(
    name: "kefu-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "kefu", path: ".."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "kefu-bench",
            dependencies: [
                .product(name: "KefuPostgres", package: "kefu"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "kefu-bench",
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]
        )
    ]
)
