// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "onnxgrad",
  platforms: [.macOS(.v14)],
  products: [
    .library(name: "ONNXGrad", targets: ["ONNXGrad"]),
    .executable(name: "onnxgrad", targets: ["onnxgrad"]),
    // The parsers on their own, for the libFuzzer harnesses in Fuzz/ (not a supported API).
    .library(name: "ONNXGradParsers", targets: ["ONNXFormat", "ONNXImport", "MLPFormat", "NumPyIO"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
  ],
  targets: [
    // Layer 0: system libraries and the C code protoc-c generates from our own onnx.proto.
    .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
    .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
    .systemLibrary(name: "CDNNL", path: "Sources/CDNNL"),
    .target(
      name: "COnnxProto", path: "Sources/COnnxProto",
      linkerSettings: [.linkedLibrary("protobuf-c")]),
    // SLEEF's wide loops, each compiled for its ISA as a whole file (vector arguments in registers);
    // CVectorMath calls them after checking the CPU.
    .target(
      name: "CVectorMathAVX512", path: "Sources/CVectorMathAVX512",
      cSettings: [.unsafeFlags(["-O3", "-mavx512f", "-mavx512dq", "-mfma"])]),
    .target(name: "CVectorMathAVX2", path: "Sources/CVectorMathAVX2", cSettings: [.unsafeFlags(["-O3", "-mavx2", "-mfma"])]),
    .target(
      name: "CVectorMath", dependencies: ["CVectorMathAVX512", "CVectorMathAVX2"], path: "Sources/CVectorMath",
      linkerSettings: [.linkedLibrary("sleef")]),
    .target(
      name: "CXSMM", path: "Sources/CXSMM",
      linkerSettings: [.linkedLibrary("xsmm"), .linkedLibrary("xsmmnoblas"), .linkedLibrary("dl"), .linkedLibrary("pthread")]),
    // Removes temporary outputs when a run is ended by a signal (async-signal-safe, so in C).
    .target(name: "CFileCleanup", path: "Sources/CFileCleanup"),
    .target(
      name: "CEigenGEMM", path: "Sources/CEigenGEMM",
      cxxSettings: [.unsafeFlags(["-I/usr/include/eigen3", "-O3", "-mavx512f", "-mavx512dq", "-mfma"])]),
    // Layer 1
    .target(
      name: "TensorCore",
      dependencies: [
        "CBLAS", "CDNNL", "CVectorMath", "CEigenGEMM", "CXSMM", .product(name: "RealModule", package: "swift-numerics"),
      ]),
    // Layer 2
    .target(name: "GraphIR", dependencies: ["TensorCore"]),
    // Layer 3
    .target(
      name: "Ops",
      dependencies: ["GraphIR", "TensorCore", .product(name: "RealModule", package: "swift-numerics")]),
    // Layer 4
    .target(name: "Autodiff", dependencies: ["Ops", "GraphIR", "TensorCore"]),
    .target(name: "Executor", dependencies: ["GraphIR", "TensorCore"]),
    .target(name: "ONNXFormat", dependencies: ["COnnxProto", "TensorCore"]),
    .target(name: "ONNXImport", dependencies: ["ONNXFormat", "Ops", "GraphIR", "TensorCore"]),
    .target(name: "NumPyIO", dependencies: ["CZlib", "CFileCleanup", "TensorCore"]),
    .target(name: "MLPFormat", dependencies: ["ONNXFormat", "NumPyIO", "TensorCore"]),
    // Layer 5
    .target(
      name: "ONNXGrad",
      dependencies: ["Autodiff", "Executor", "ONNXImport", "ONNXFormat", "MLPFormat", "NumPyIO", "Ops", "GraphIR", "TensorCore"]),
    .executableTarget(
      name: "onnxgrad",
      dependencies: ["ONNXGrad", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    .testTarget(name: "NumPyIOTests", dependencies: ["NumPyIO", "TensorCore"], exclude: ["Fixtures"]),
    .testTarget(name: "ConformanceTests", dependencies: ["Autodiff", "Executor", "Ops", "GraphIR", "TensorCore"]),
    .testTarget(name: "ONNXFormatTests", dependencies: ["ONNXFormat", "TensorCore"], exclude: ["Fixtures"]),
    .testTarget(
      name: "ONNXGradTests",
      dependencies: [
        "ONNXGrad", "NumPyIO", "GraphIR", "Ops", "TensorCore", "Autodiff", "Executor", "ONNXImport", "ONNXFormat", "MLPFormat",
        "onnxgrad",
      ]),
  ],
  swiftLanguageModes: [.v6]
)
