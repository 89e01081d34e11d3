// swift-tools-version:5.4
// libFuzzer harnesses for onnxgrad's parsers; see docs/FUZZING.md and tools/fuzz.
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM links `main` to a `<module>_main` that these
// harnesses do not define (libFuzzer supplies `main`), and the link fails.
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
