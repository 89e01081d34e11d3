/// Which higher-order partial derivatives a jet carries, grouped by order.
///
/// A *partial* is a multiset of variables, written as sorted variable indices: `[0, 0, 1]` is
/// ∂³/∂v₀²∂v₁. A *stream* is a linear combination of partials of one order, `Σ c_S ∂^S`: most
/// streams are one partial, the Laplacian's second-order stream is `Σ_i ∂²/∂v_i²`. Every value
/// of a jet-transformed graph carries, per order k, the stack `[N_k, *shape]` of its streams of
/// that order.
///
/// The layout is downward closed: every proper sub-multiset of a stream's partials is itself a
/// stream (the chain rule for order k needs the lower orders). For a summed stream the
/// sub-multisets of each partial are needed, not the sum.
public struct JetLayout: Sendable, Equatable {
  /// `c · ∂^partial`.
  public struct Term: Sendable, Hashable {
    public var partial: [Int]
    public var coefficient: Double
  }

  /// One stream: the sum of its terms, all of one order.
  public struct Stream: Sendable, Hashable {
    public var terms: [Term]
    public var order: Int { terms.first?.partial.count ?? 0 }
  }

  /// The number of variables (seed directions of the first order).
  public let variables: Int
  /// `streams[k - 1]`: the streams of order k, in stack order.
  public private(set) var streams: [[Stream]]
  /// Where a single partial (coefficient 1) sits: `(order, index in its stack)`.
  private var position: [[Int]: Int] = [:]

  /// The highest order carried.
  public var order: Int { streams.count }

  /// The layout carrying exactly `partials` (each a list of variable indices, any order, non-empty)
  /// and every partial they need, ordered by order and then lexicographically.
  public init(variables: Int, partials: [[Int]]) throws {
    self.variables = variables
    self.streams = []
    var needed = Set<[Int]>()
    for p in partials {
      guard !p.isEmpty else { throw AutodiffError.notDifferentiable("a partial derivative needs at least one variable") }
      guard p.allSatisfy({ (0..<variables).contains($0) }) else {
        throw AutodiffError.notDifferentiable("partial \(p) names a variable outside 0..<\(variables)")
      }
      for sub in Self.nonEmptySubMultisets(p.sorted()) { needed.insert(sub) }
    }
    for p in needed.sorted(by: Self.precedes) { append(Stream(terms: [Term(partial: p, coefficient: 1)])) }
  }

  /// The layout of the Laplacian: every first partial and one second-order stream `Σ_i ∂²/∂v_i²`.
  public static func laplacian(variables: Int) -> JetLayout {
    var layout = JetLayout(variables: variables)
    for i in 0..<variables { layout.append(Stream(terms: [Term(partial: [i], coefficient: 1)])) }
    layout.append(Stream(terms: (0..<variables).map { Term(partial: [$0, $0], coefficient: 1) }))
    return layout
  }

  private init(variables: Int) {
    self.variables = variables
    self.streams = []
  }

  private mutating func append(_ s: Stream) {
    while streams.count < s.order { streams.append([]) }
    if s.terms.count == 1, s.terms[0].coefficient == 1 { position[s.terms[0].partial] = streams[s.order - 1].count }
    streams[s.order - 1].append(s)
  }

  /// The index, in the stack of its order, of the stream that is exactly `partial`.
  public func index(of partial: [Int]) -> Int? { position[partial.sorted()] }

  /// The index of the first stream of `order` that is a sum of several partials (the Laplacian's).
  public func summedStream(order: Int) -> Int? {
    guard order >= 1, order <= streams.count else { return nil }
    return streams[order - 1].firstIndex { $0.terms.count > 1 }
  }

  /// Lexicographic order on (length, indices).
  static func precedes(_ a: [Int], _ b: [Int]) -> Bool {
    a.count != b.count ? a.count < b.count : a.lexicographicallyPrecedes(b)
  }

  /// Every non-empty sub-multiset of a sorted multiset, itself included, each once.
  static func nonEmptySubMultisets(_ p: [Int]) -> Set<[Int]> {
    var counts: [(Int, Int)] = []
    for v in p {
      if let last = counts.last, last.0 == v { counts[counts.count - 1].1 += 1 } else { counts.append((v, 1)) }
    }
    var out: Set<[Int]> = [[]]
    for (v, c) in counts {
      out = Set(out.flatMap { s in (0...c).map { s + [Int](repeating: v, count: $0) } })
    }
    out.remove([])
    return out
  }

  /// The set partitions of `0..<n` with at least `minBlocks` blocks, each a list of blocks of
  /// positions (restricted growth strings, so each partition appears once).
  static func setPartitions(of n: Int, minBlocks: Int) -> [[[Int]]] {
    var result: [[[Int]]] = []
    var assignment = [Int](repeating: 0, count: n)
    func extend(_ i: Int, _ blocks: Int) {
      if i == n {
        guard blocks >= minBlocks else { return }
        var parts = [[Int]](repeating: [], count: blocks)
        for (pos, blk) in assignment.enumerated() { parts[blk].append(pos) }
        result.append(parts)
        return
      }
      for blk in 0...blocks {
        assignment[i] = blk
        extend(i + 1, max(blocks, blk + 1))
      }
    }
    if n > 0 { extend(0, 0) }
    return result
  }
}

/// One higher term of the chain rule for a stream of order k:
/// `coefficient · D^m f(x)[x_{B_1}, …, x_{B_m}]`, m ≥ 2, added to stream `stream`.
struct JetChainTerm: Hashable {
  var stream: Int
  /// `(order, index)` of each block's stream, sorted.
  var blocks: [JetBlock]
  var coefficient: Double
}

struct JetBlock: Hashable, Comparable {
  var order: Int
  var index: Int
  static func < (a: JetBlock, b: JetBlock) -> Bool { (a.order, a.index) < (b.order, b.index) }
}

extension JetLayout {
  /// The chain-rule terms with m ≥ 2 blocks for every stream of `order` (Faà di Bruno over set
  /// partitions of each partial's positions), merged where they coincide and grouped by the
  /// orders of their blocks: one group per block signature, in a fixed order.
  func chainTerms(order k: Int) throws -> [(signature: [Int], terms: [JetChainTerm])] {
    var merged: [JetChainTerm: Double] = [:]
    var firstSeen: [JetChainTerm] = []
    let partitions = Self.setPartitions(of: k, minBlocks: 2)
    for (s, stream) in streams[k - 1].enumerated() {
      for term in stream.terms {
        for partition in partitions {
          var blocks: [JetBlock] = []
          for positions in partition {
            let sub = positions.map { term.partial[$0] }.sorted()
            guard let i = index(of: sub) else {
              throw AutodiffError.notDifferentiable("internal: the jet layout lacks partial \(sub) needed by \(term.partial)")
            }
            blocks.append(JetBlock(order: sub.count, index: i))
          }
          let key = JetChainTerm(stream: s, blocks: blocks.sorted(), coefficient: 0)
          if merged[key] == nil { firstSeen.append(key) }
          merged[key, default: 0] += term.coefficient
        }
      }
    }
    var groups: [[Int]: [JetChainTerm]] = [:]
    var signatures: [[Int]] = []
    for key in firstSeen {
      var t = key
      t.coefficient = merged[key] ?? 0
      let signature = t.blocks.map(\.order)
      if groups[signature] == nil { signatures.append(signature) }
      groups[signature, default: []].append(t)
    }
    return signatures.map { ($0, groups[$0] ?? []) }
  }
}
