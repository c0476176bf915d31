// swift-tools-version:6.1
// An example of using GAN Zoo as a library: load a zoo model by name and sample it.
// `make test` builds it (and runs it), so the library stays usable from another package.
import PackageDescription

let package = Package(
    name: "SampleZoo",
    dependencies: [
        // In your own package: .package(url: "<this repository's URL>", branch: "main").
        // `name:` keeps the package called gan-zoo whatever the folder it was cloned into.
        .package(name: "gan-zoo", path: "../.."),
    ],
    targets: [
        .executableTarget(name: "SampleZoo", dependencies: [.product(name: "GANZoo", package: "gan-zoo")]),
    ]
)
