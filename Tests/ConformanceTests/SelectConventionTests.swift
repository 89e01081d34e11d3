import Autodiff
import GraphIR
import Ops
import TensorCore
import Testing

/// Derivatives of the selection ops at their ties and kinks, where finite differences cannot
/// judge them, against the values PyTorch's autograd gives there; and the lowerings' opset forms.
@Suite struct SelectConventions {
  func vector(_ xs: [Double], dtype: DType = .float64) -> Tensor {
    Tensor(uncheckedShape: [xs.count], storage: .float64(xs)).converted(to: dtype)
  }

  /// `y = f(inputs)`, the gradient of `Σ y` with respect to every input (reverse mode), and the
  /// forward-mode derivative along all-ones tangents of the inputs flagged in `forward`.
  func derivatives(
    _ inputs: [Tensor], forward: [Bool]? = nil, _ f: (inout GraphBuilder, [Value]) throws -> Value
  ) throws -> (y: [Double], grads: [[Double]], jvp: [Double]) {
    var b = GraphBuilder()
    let xs = inputs.enumerated().map { b.addInput(name: "x\($0)", type: TensorType($1.dtype, shape: $1.shape)) }
    let y = try f(&b, xs)
    b.addOutput(y, name: "y")
    let g = b.graph
    let primal = try run(g, inputs)[0]
    let ones = Tensor.filled(1, shape: primal.shape, dtype: primal.dtype)
    let reverse = try VJP.transform(g, of: [y], wrt: xs)
    let rr = try run(reverse.graph, inputs + [ones])
    let grads = reverse.derivatives.enumerated().map { i, d in
      materialize(d, in: reverse, results: rr, shape: inputs[i].shape).doubles
    }
    let along = forward ?? inputs.map { _ in true }
    let wrt = xs.indices.filter { along[$0] }
    let fwd = try JVP.transform(g, of: [y], wrt: wrt.map { xs[$0] })
    let seeds = wrt.map { Tensor.filled(1, shape: inputs[$0].shape, dtype: inputs[$0].dtype) }
    let fr = try run(fwd.graph, inputs + seeds)
    return (primal.doubles, grads, materialize(fwd.derivatives[0], in: fwd, results: fr, shape: primal.shape).doubles)
  }

  @Test func maximumAndMinimumSplitTiesEvenly() throws {
    let (a, c) = (vector([1, 2, 3]), vector([1, 5, 0]))
    let max = try derivatives([a, c]) { b, x in try b.maximum(x[0], x[1]) }
    #expect(max.y == [1, 5, 3])
    #expect(max.grads == [[0.5, 0, 1], [0.5, 1, 0]])
    #expect(max.jvp == [1, 1, 1])
    let min = try derivatives([a, c], forward: [true, false]) { b, x in try b.minimum(x[0], x[1]) }
    #expect(min.y == [1, 2, 0])
    #expect(min.grads == [[0.5, 1, 0], [0.5, 0, 1]])
    #expect(min.jvp == [0.5, 1, 0])
  }

  @Test func maximumPropagatesNaNAndPassesBothGradientsThereAsPyTorch() throws {
    let r = try derivatives([vector([.nan, 1]), vector([1, .nan])]) { b, x in try b.maximum(x[0], x[1]) }
    #expect(r.y.allSatisfy { $0.isNaN })
    #expect(r.grads == [[1, 1], [1, 1]])
  }

  /// Expected values from PyTorch 2.15: `torch.clamp(x, -0.5, 0.7)` (and `min=`/`max=` alone)
  /// gives `x` no gradient at a bound.
  @Test func clipGivesNoGradientAtItsBoundsAsClamp() throws {
    let x = vector([-1, -0.5, 0, 0.7, 1])
    let r = try derivatives([x, vector([-0.5]), vector([0.7])]) { b, v in
      try b.apply1(Clip(hasMin: true, hasMax: true), v)
    }
    #expect(r.y == [-0.5, -0.5, 0, 0.7, 0.7])
    #expect(r.grads == [[0, 0, 1, 0, 0], [1], [1]])
    #expect(r.jvp == [1, 0, 1, 0, 1])
    let inverted = try derivatives([x, vector([1]), vector([0])]) { b, v in
      try b.apply1(Clip(hasMin: true, hasMax: true), v)
    }
    #expect(inverted.y == [0, 0, 0, 0, 0])
    #expect(inverted.grads == [[0, 0, 0, 0, 0], [0], [5]])
    let lower = try derivatives([x, vector([-0.5])]) { b, v in try b.apply1(Clip(hasMin: true, hasMax: false), v) }
    #expect(lower.grads == [[0, 0, 1, 1, 1], [1]])
    let upper = try derivatives([x, vector([0.7])]) { b, v in try b.apply1(Clip(hasMin: false, hasMax: true), v) }
    #expect(upper.grads == [[1, 1, 1, 0, 0], [1]])
  }

  @Test func preluTakesTheSlopeSideAtZero() throws {
    let r = try derivatives([vector([-1, 0, 2]), vector([0.25])]) { b, v in try b.apply1(PRelu(), v) }
    #expect(r.y == [-0.25, 0, 2])
    #expect(r.grads == [[0.25, 0.25, 1], [-1]])
    #expect(r.jvp == [-0.75, 0.25, 1])
  }

  @Test func hardSigmoidHasNoDerivativeAtItsKinks() throws {
    let alpha = Double(Float(1.0 / 6))
    for dtype in [DType.float64, .float32] {
      let r = try derivatives([vector([-4, -3, -2.9, 0, 2.9, 3, 4], dtype: dtype)]) { b, v in
        try b.apply1(HardSigmoid(alpha: alpha, beta: 0.5), v)
      }
      let a = dtype == .float32 ? Double(Float(alpha)) : alpha
      #expect(r.grads == [[0, 0, a, a, a, 0, 0]], "\(dtype)")
    }
  }

  /// Expected gradients from PyTorch 2.15's `F.hardswish` on the same points.
  @Test func hardSwishFollowsPyTorchAtItsKinks() throws {
    let r = try derivatives([vector([-4, -3, 0, 1.5, 3, 4])]) { b, v in try b.apply1(HardSwish(), v) }
    #expect(r.y == [-0.0, 0, 0, 1.5 * 4.5 / 6, 3, 4])
    #expect(r.grads == [[0, 0, 0.5, 1, 1, 1]])
  }

  /// `Where(x > 0, log(x), 0)`: the NaN of `log` where x < 0 never reaches the gradient.
  @Test func whereSelectsSoTheBranchNotTakenGivesAnExactZero() throws {
    let r = try derivatives([vector([-1, 2, -3])]) { b, v in
      let x = v[0]
      let zero = try b.scalar(0, like: x)
      return try b.where(b.greater(x, zero), b.apply1(Log(), [x]), zero)
    }
    #expect(r.y[1] == naturalLogOf2)
    #expect(r.grads[0].map { $0 == 0 ? 0 : $0 } == [0, 0.5, 0])
    #expect(r.jvp.map { $0 == 0 ? 0 : $0 } == [0, 0.5, 0])
  }

  @Test func ternaryLayoutMatchesNaiveBroadcasting() throws {
    let shapes: [[[Int]]] = [
      [[2, 1, 4], [3, 1], [3, 4]], [[4], [2, 3, 4], []], [[5, 1, 1], [1, 2, 3], [5, 2, 1]], [[1], [1], [1]],
      [[2, 3], [2, 3], [2, 3]], [[3, 1, 2, 1], [1, 4, 1, 5], [2, 1]],
    ]
    for s in shapes {
      let out = try Broadcasting.shape(Broadcasting.shape(s[0], s[1]), s[2])
      let counts = s.map { $0.reduce(1, *) }
      let a = (0..<counts[0]).map { $0 % 3 != 1 }
      let x = (0..<counts[1]).map { Double($0) }
      let z = (0..<counts[2]).map { -Double($0) - 1 }
      var y = [Double](repeating: .nan, count: out.reduce(1, *))
      let layout = Kernels.TernaryLayout(shapes: s, outShape: out)
      a.withUnsafeBufferPointer { pa in
        x.withUnsafeBufferPointer { px in
          z.withUnsafeBufferPointer { pz in
            y.withUnsafeMutableBufferPointer { py in
              Kernels.ternary(pa.baseAddress!, px.baseAddress!, pz.baseAddress!, py.baseAddress!, layout) {
                $0 ? $1 : $2
              }
            }
          }
        }
      }
      let strides = s.map { Broadcasting.strides(of: $0, in: out) }
      var want: [Double] = []
      for i in 0..<out.reduce(1, *) {
        var rest = i
        var index = [Int](repeating: 0, count: out.count)
        for axis in out.indices.reversed() {
          index[axis] = rest % out[axis]
          rest /= out[axis]
        }
        let o = strides.map { st in zip(index, st).reduce(0) { $0 + $1.0 * $1.1 } }
        want.append(a[o[0]] ? x[o[1]] : z[o[2]])
      }
      #expect(y == want, "shapes \(s)")
    }
  }

  @Test func sizeArithmeticFoldsWhileTheGraphIsBuilt() throws {
    var b = GraphBuilder()
    let shape = try b.constant(Tensor(uncheckedShape: [3], storage: .int64([-1, 3, 0])))
    let minusOne = try b.constant(Tensor(uncheckedShape: [], storage: .int64([-1])))
    let ones = try b.constant(Tensor(uncheckedShape: [3], storage: .int64([1, 1, 1])))
    let unknown = try b.equal(shape, minusOne)
    #expect(b.type(of: unknown).knownInts == [1, 0, 0])
    let sizes = try b.where(unknown, ones, shape)
    #expect(b.type(of: sizes).knownInts == [1, 3, 0])
    let atLeastOne = try b.maximum(sizes, ones)
    #expect(b.type(of: atLeastOne).knownInts == [1, 3, 1])
    let known = try b.not(unknown)
    #expect(b.type(of: known).knownInts == [0, 1, 1])
    let narrow = try b.apply1(
      Cast(to: .integer(bits: 32, signed: true)),
      [b.constant(Tensor(uncheckedShape: [2], storage: .int64([Int64.max, 5])))])
    #expect(b.type(of: narrow).knownInts == [-1, 5])
    let clipped = try b.apply1(
      Clip(hasMin: true, hasMax: true), [shape, minusOne, b.constant(Tensor(uncheckedShape: [], storage: .int64([2])))])
    #expect(b.type(of: clipped).knownInts == [-1, 2, 0])
    let symbolic = b.addInput(name: "s", type: TensorType(.int64, [.known(2)], value: [.symbol("batch"), .known(-1)]))
    let picked = try b.where(
      b.equal(symbolic, minusOne), b.constant(Tensor(uncheckedShape: [2], storage: .int64([7, 7]))), symbolic)
    #expect(b.type(of: picked).value == [.symbol(""), .known(7)])
  }

  @Test func castLowersEveryOpsetForm() throws {
    func lower(_ op: String, opset: Int, _ attributes: [String: Attribute], inputs: [TensorType]) throws -> GraphBuilder
    {
      var b = GraphBuilder()
      let vs = inputs.enumerated().map { b.addInput(name: "x\($0)", type: $1) }
      let node = ImportedNode(
        name: "n", opType: op, domain: "", opset: opset, inputs: vs, outputCount: 1, attributes: attributes)
      b.addOutput(try Cast.lower(node, &b)[0])
      return b
    }
    let f32 = TensorType(.float32, shape: [2])
    let named = try lower("Cast", opset: 1, ["to": .string("DOUBLE")], inputs: [f32])
    #expect(named.graph.nodes.last?.op.description == "Cast(to: f64)")
    let numbered = try lower("Cast", opset: 13, ["to": .int(2)], inputs: [TensorType(.int64, shape: [2])])
    #expect(numbered.graph.nodes.last?.op.description == "Cast(to: u8)")
    let same = try lower("Cast", opset: 19, ["to": .int(10)], inputs: [f32])
    #expect(same.graph.nodes.last?.op is Identity)
    let like = try lower("CastLike", opset: 15, [:], inputs: [f32, TensorType(.int64, shape: [1])])
    #expect(like.graph.nodes.last?.op.description == "Cast(to: i64)")
    for (to, name) in [(8, "STRING"), (14, "COMPLEX64"), (17, "data type 17")] {
      let error = #expect(throws: GraphError.self) { try lower("Cast", opset: 21, ["to": .int(to)], inputs: [f32]) }
      #expect("\(error.map { "\($0)" } ?? "")".contains("casting to \(name) is not supported"))
    }
    #expect((Cast(to: .float32).retargeted(to: .float64) as? Cast)?.target == .float64)
    #expect(
      (Cast(to: .integer(bits: 32, signed: true)).retargeted(to: .float64) as? Cast)?.target
        == .integer(bits: 32, signed: true))
  }

  @Test func opset1BroadcastPlacesBAtTheAxis() throws {
    var b = GraphBuilder()
    let a = b.addInput(name: "a", type: TensorType(.float64, shape: [2, 3, 2]))
    let c = b.addInput(name: "c", type: TensorType(.float64, shape: [3]))
    let node = ImportedNode(
      name: "n", opType: "Greater", domain: "", opset: 1, inputs: [a, c], outputCount: 1,
      attributes: ["broadcast": .int(1), "axis": .int(1)])
    let y = try Greater.lower(node, &b)[0]
    b.addOutput(y)
    #expect(b.type(of: y).shape == [2, 3, 2])
    let av = Tensor(uncheckedShape: [2, 3, 2], storage: .float64((0..<12).map { Double($0 % 6) }))
    let cv = vector([0.5, 2.5, 4.5])
    let out = try run(b.graph, [av, cv])[0].doubles
    let want = (0..<12).map { i -> Double in Double(i % 6) > [0.5, 2.5, 4.5][(i / 2) % 3] ? 1 : 0 }
    #expect(out == want)
  }

  @Test func clipLowersAttributeAndInputForms() throws {
    func lower(opset: Int, _ attributes: [String: Attribute], bounds: [Bool]) throws -> Node? {
      var b = GraphBuilder()
      let x = b.addInput(name: "x", type: TensorType(.float32, shape: [3]))
      let inputs: [Value?] = [x] + (try bounds.map { $0 ? try b.scalar(1, like: x) : nil })
      let node = ImportedNode(
        name: "n", opType: "Clip", domain: "", opset: opset, inputs: inputs, outputCount: 1, attributes: attributes)
      b.addOutput(try Clip.lower(node, &b)[0])
      return b.graph.nodes.last
    }
    #expect(try lower(opset: 6, ["min": .float(-1)], bounds: [])?.op.description == "Clip(min)")
    #expect(try lower(opset: 6, [:], bounds: [])?.op is Identity)
    #expect(try lower(opset: 11, [:], bounds: [false, true])?.op.description == "Clip(max)")
    #expect(try lower(opset: 13, [:], bounds: [true, true])?.op.description == "Clip(min, max)")
    #expect(try lower(opset: 13, [:], bounds: [true])?.op.description == "Clip(min)")
  }

  @Test func maxAndMinLowerVariadicInputsToAChain() throws {
    var b = GraphBuilder()
    let xs = (0..<3).map { b.addInput(name: "x\($0)", type: TensorType(.float64, shape: [2])) }
    let node = ImportedNode(
      name: "m", opType: "Max", domain: "", opset: 13, inputs: xs, outputCount: 1, attributes: [:])
    let y = try Max.lower(node, &b)[0]
    b.addOutput(y)
    #expect(b.graph.nodes.map(\.op.description) == ["Max", "Max"])
    #expect(try run(b.graph, [vector([1, 5]), vector([4, 2]), vector([3, 3])])[0].doubles == [4, 5])
  }
}

private let naturalLogOf2 = 0.6931471805599453
