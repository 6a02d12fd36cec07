// swift-tools-version: 6.2
//
// VideoAttribution — visual explanations for spatio-temporal networks, with a literal
// reference path and a fast path checked against each other.
//
// Layers (dependencies point down the list only; see CONTRIBUTING.md):
//   CLinearAlgebra   system library: CBLAS + the LAPACK routines used (liblapack-dev)
//   CMicroKernels    C micro-kernels (GEMM, im2col packing) with runtime CPU dispatch
//   CZlib            system library: zlib (zlib1g-dev), for PNG output
//   TensorCore       Tensor<Scalar>, shapes, seeded RNG, safetensors I/O
//   Kernels          every numerical op twice: Literal (generic, loops) and Fast (Float, SIMD)
//   Imaging          RGB8 canvas, colour maps, heat-map overlays, contact sheets, PNG output
//   SyntheticVideo   the built-in benchmark: procedural clips with exact ground truth
//   Networks         video classifiers (R3D, R(2+1)D, MC3, TSM, TSN, CNN-LSTM): tape backward, weights, training
//   Attribution      attribution methods (gradient, integrated gradients, Grad-CAM, LRP, EP, …) and post-processing
//   Evaluation       metrics of explanations (insertion/deletion, pointing games, reliability, sanity checks)
//   Study            the comparative study: plan, resumable results, shards, tables, summary, report
//   Benchmarking     throughput measurements of the machine (FMA peak, in-cache GEMM) for `vidattr bench`
//   _TestSupport     test helpers (literal/fast comparison, finite differences, fills); not API
//   VideoAttribution umbrella module re-exporting the public API
//   vidattr          the command-line tool
import PackageDescription

let package = Package(
  name: "VideoAttribution",
  products: [
    .library(name: "VideoAttribution", targets: ["VideoAttribution"]),
    .executable(name: "vidattr", targets: ["vidattr"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-numerics.git", from: "1.0.0"),
    .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.0"),
  ],
  targets: [
    // MARK: System and C layers
    .systemLibrary(
      name: "CLinearAlgebra",
      path: "Sources/CLinearAlgebra"
    ),
    .target(
      name: "CMicroKernels",
      path: "Sources/CMicroKernels"
    ),
    .systemLibrary(
      name: "CZlib",
      path: "Sources/CZlib",
      providers: [.apt(["zlib1g-dev"])]
    ),

    // MARK: Core
    .target(
      name: "TensorCore",
      dependencies: [.product(name: "Numerics", package: "swift-numerics")]
    ),
    .target(
      name: "Kernels",
      dependencies: [
        "TensorCore", "CMicroKernels",
        .product(name: "Numerics", package: "swift-numerics"),
      ]
    ),

    .target(
      name: "Imaging",
      dependencies: ["TensorCore", "CZlib"]
    ),
    .target(
      name: "SyntheticVideo",
      dependencies: ["TensorCore", "Imaging"]
    ),

    .target(
      name: "Networks",
      dependencies: ["TensorCore", "Kernels", .product(name: "Numerics", package: "swift-numerics")]
    ),

    .target(
      name: "Attribution",
      dependencies: [
        "TensorCore", "Kernels", "Networks", "CLinearAlgebra", .product(name: "Numerics", package: "swift-numerics"),
      ]
    ),

    // MARK: Benchmarking (used by `vidattr bench`; not part of the library product)
    .target(
      name: "Benchmarking",
      dependencies: ["Kernels", "CMicroKernels"]
    ),

    .target(
      name: "Evaluation",
      dependencies: [
        "TensorCore", "Kernels", "Networks", "Attribution", .product(name: "Numerics", package: "swift-numerics"),
      ]
    ),

    .target(
      name: "Study",
      dependencies: ["TensorCore", "Kernels", "Networks", "Attribution", "Evaluation", "SyntheticVideo", "Imaging"]
    ),

    // MARK: Public surface
    .target(
      name: "VideoAttribution",
      dependencies: [
        "Attribution", "Evaluation", "Study", "Networks", "TensorCore", "Kernels", "Imaging", "SyntheticVideo",
      ]
    ),
    .executableTarget(
      name: "vidattr",
      dependencies: [
        "VideoAttribution", "Benchmarking",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),

    // MARK: Tests (run with `swift test -c release`; see CONTRIBUTING.md)
    .target(
      name: "_TestSupport",
      dependencies: [
        "TensorCore", "Kernels",
        .product(name: "Numerics", package: "swift-numerics"),
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]
    ),
    .testTarget(
      name: "TensorCoreTests",
      dependencies: [
        "TensorCore", "_TestSupport",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]
    ),
    .testTarget(
      name: "NetworksTests",
      dependencies: [
        "Networks", "Kernels", "TensorCore", "_TestSupport",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]
    ),
    .testTarget(
      name: "AttributionTests",
      dependencies: [
        "Attribution", "Networks", "Kernels", "TensorCore", "_TestSupport",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]
    ),
    .testTarget(
      name: "EvaluationTests",
      dependencies: [
        "Evaluation", "Attribution", "Networks", "Kernels", "TensorCore", "SyntheticVideo", "_TestSupport",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]
    ),
    .testTarget(
      name: "StudyTests",
      dependencies: ["Study", "Evaluation", "Attribution", "Networks", "SyntheticVideo", "TensorCore", "_TestSupport"]
    ),
    .testTarget(
      name: "ProofTests",
      dependencies: ["_TestSupport"]
    ),
    .testTarget(
      name: "KernelsTests",
      dependencies: [
        "Kernels", "TensorCore", "_TestSupport",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]
    ),
    .testTarget(
      name: "ImagingTests",
      dependencies: [
        "Imaging", "TensorCore", "CZlib", "_TestSupport",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]
    ),
    .testTarget(
      name: "SyntheticVideoTests",
      dependencies: [
        "SyntheticVideo", "Imaging", "TensorCore", "Networks", "Kernels", "_TestSupport",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]
    ),
  ]
)
