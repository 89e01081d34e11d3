// swift-tools-version:5.4
// libFuzzer harnesses for onnxgrad's parsers; see docs/FUZZING.md and tools/fuzz.
// Tools version 5.4 on purpose: with newer ones SwiftPM renames the executables' entry point and
// the `-sanitize=fuzzer` link no longer finds libFuzzer's `main`.
import PackageDescription

let parsers = Target.Dependency.product(name: "ONNXGradParsers", package: "onnxgrad")

let package = Package(
  name: "onnxgrad-fuzz",
  dependencies: [.package(name: "onnxgrad", path: "..")],
  targets: [
    .target(name: "FuzzSupport", dependencies: [parsers]),
    .executableTarget(name: "fuzz-onnx", dependencies: ["FuzzSupport", parsers]),
    .executableTarget(name: "fuzz-onnx-json", dependencies: ["FuzzSupport", parsers]),
    .executableTarget(name: "fuzz-mlp-json", dependencies: ["FuzzSupport", parsers]),
    .executableTarget(name: "fuzz-npy", dependencies: ["FuzzSupport", parsers]),
    .executableTarget(name: "fuzz-npz", dependencies: ["FuzzSupport", parsers]),
  ]
)
