// swift-tools-version:6.0
import PackageDescription

// One module per layer of the system; each depends only on the layers below it.
//   Kernels ─► Inputs ─► Model ─► Training / Inference ─► Evaluation ─► CLI
//   Datasets builds the bundled data from Inputs' codecs.
let package = Package(
    name: "moe-mm",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "moe-mm", targets: ["CLI"]),
        .library(name: "MoEMM", targets: ["Kernels", "Inputs", "Model", "Training", "Inference", "Evaluation", "Datasets"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CSndfile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),

        .target(name: "Kernels", dependencies: ["CBLAS"]),
        .target(name: "Inputs", dependencies: ["Kernels", "CPNG", "CSndfile"]),
        .target(name: "Model", dependencies: ["Kernels", "Inputs"]),
        .target(name: "Training", dependencies: ["Model", "Yams"]),
        .target(name: "Inference", dependencies: ["Model"]),
        .target(name: "Evaluation", dependencies: ["Inference"]),
        .target(name: "Datasets", dependencies: ["Inputs"]),
        .executableTarget(
            name: "CLI",
            dependencies: [
                "Kernels", "Inputs", "Model", "Training", "Inference", "Evaluation", "Datasets",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .target(name: "TestSupport", dependencies: ["Kernels", "Model"], path: "Tests/TestSupport"),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "TestSupport"]),
        .testTarget(name: "InputsTests", dependencies: ["Inputs", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TestSupport"]),
        .testTarget(name: "ModelTests", dependencies: ["Model", "TestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "TestSupport"]),
        .testTarget(name: "InferenceTests", dependencies: ["Inference", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
