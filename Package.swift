// swift-tools-version:6.1
// GAN Zoo: generative adversarial networks (Goodfellow et al. 2014) as a plugin-based model zoo.
//
// Plugins/ holds GAN plugins (ordinary library targets), not SwiftPM package plugins.
// Adding a plugin: one folder under Plugins/, one `plugin(...)` line below, one registry entry
// in Sources/GANZoo/Registry.swift (see README, "Adding a plugin").
import PackageDescription

/// A GAN plugin: a library under Plugins/<folder> that imports GANCore only.
func plugin(_ module: String, folder: String) -> Target {
    .target(name: module, dependencies: ["GANCore"], path: "Plugins/\(folder)")
}

let pluginTargets: [Target] = [
    plugin("MLPPlugin", folder: "MLP"),
    plugin("MLPBatchNormPlugin", folder: "MLPBatchNorm"),
    plugin("MaxoutDropoutPlugin", folder: "MaxoutDropout"),
    plugin("SaturatingLossPlugin", folder: "SaturatingLoss"),
    plugin("NonSaturatingLossPlugin", folder: "NonSaturatingLoss"),
    plugin("LeastSquaresLossPlugin", folder: "LeastSquaresLoss"),
    plugin("HingeLossPlugin", folder: "HingeLoss"),
    plugin("DCGANPlugin", folder: "DCGAN"),
]

let package = Package(
    name: "gan-zoo",
    products: [
        .executable(name: "gan", targets: ["gan"]),
        .library(name: "GANZoo", targets: ["GANZoo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]),
        .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"]), .brew(["hdf5"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .target(name: "CGEMM", path: "Sources/CGEMM",
                linkerSettings: [.linkedLibrary("openblas"), .linkedLibrary("pthread")]),
        .target(name: "GANTensor", dependencies: [
            .target(name: "CBLAS", condition: .when(platforms: [.linux])),
            .target(name: "CGEMM", condition: .when(platforms: [.linux])),
        ]),
        .target(name: "GANLayers", dependencies: ["GANTensor"]),
        .target(name: "GANCore", dependencies: ["GANLayers"]),
        .target(name: "GANData", dependencies: ["GANTensor", "CZlib"]),
        .target(name: "GANStorage", dependencies: ["GANLayers", "CHDF5", "CZlib"]),
        .target(name: "GANEvaluation", dependencies: ["GANLayers", "GANData", "GANStorage"]),
        .target(name: "GANImages", dependencies: ["CZlib"]),
        .target(name: "GANLogging", dependencies: [
            "GANData", "GANImages", "GANStorage", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ], exclude: ["Protos"]),
        // ONNX, safetensors and Keras 3 weights files from a network's layers; Protos/ holds the
        // trimmed onnx.proto that ONNX/onnx.pb.swift was generated from (the build needs no protoc).
        .target(name: "GANExport", dependencies: [
            "GANLayers", "GANStorage", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ], exclude: ["Protos"]),
        .target(name: "GANZoo", dependencies: [
            "GANCore", "GANData", "GANStorage", "GANImages", "GANEvaluation", "GANLogging",
            .product(name: "Yams", package: "Yams"),
        ] + pluginTargets.map { .target(name: $0.name) }),
        .executableTarget(name: "gan", dependencies: [
            "GANZoo", "GANEvaluation", "GANLogging", "GANExport",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], plugins: ["GitCommitPlugin"]),
        // Writes the git commit `gan --version` names (a SwiftPM build tool plugin, not a GAN plugin).
        .plugin(name: "GitCommitPlugin", capability: .buildTool(), path: "BuildTools/GitCommitPlugin"),
        .target(name: "AllocationCounter", path: "Tests/AllocationCounter"),
        .testTarget(name: "GANTests", dependencies: ["GANZoo", "GANEvaluation", "GANLogging", "GANExport", "AllocationCounter"]),
    ] + pluginTargets
)
