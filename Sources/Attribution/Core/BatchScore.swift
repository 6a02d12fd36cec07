import Kernels
import Networks
import TensorCore

/// A scalar score evaluated on a batch of points, with its gradient: what the path-integral
/// (`PathIntegral`) and noise-averaging (`NoiseAverage`) cores need of a model.
///
/// A batch holds m points (m × the point shape, e.g. m×3×T×H×W); `owners[i]` is the clip that
/// point i was made from, so a network score can pick that clip's target class. Keeping the
/// cores behind this interface lets the tests run them on closed-form functions (the IG paper's
/// toy networks, linear and exponential scores) exactly as on a network.
public struct BatchScore<Scalar: Sendable> {
  public typealias Points = Tensor<Scalar>
  /// The score of each point (forward only).
  public var value: (_ points: Points, _ owners: [Int]) throws -> [Double]
  /// The score of each point and its gradient with respect to the point (same shape as `points`).
  public var valueAndGradient: (_ points: Points, _ owners: [Int]) throws -> (values: [Double], gradient: Points)

  public init(
    value: @escaping (Points, [Int]) throws -> [Double],
    valueAndGradient: @escaping (Points, [Int]) throws -> (values: [Double], gradient: Points)
  ) {
    self.value = value
    self.valueAndGradient = valueAndGradient
  }

  /// A score whose values come from the same closure as its gradients.
  public init(valueAndGradient: @escaping (Points, [Int]) throws -> (values: [Double], gradient: Points)) {
    self.init(value: { try valueAndGradient($0, $1).values }, valueAndGradient: valueAndGradient)
  }
}

extension BatchScore {
  /// The explained score of a network for clip targets `targets` (point i explains class
  /// `targets[owners[i]]`), with one forward pass for values and one forward + backward pass
  /// (`ScoreGradient`) for gradients.
  public static func network<B: KernelBackend>(
    _ network: Network<B>, targets: [Int], score: ExplainedScore, rule: BackwardRule = .gradient
  ) -> BatchScore<B.Scalar> where B.Scalar == Scalar {
    BatchScore(
      value: { points, owners in
        ScoreGradient.scores(network: network, input: points, targets: owners.map { targets[$0] }, score: score)
      },
      valueAndGradient: { points, owners in
        let g = ScoreGradient(
          network: network, input: points, targets: owners.map { targets[$0] }, score: score, rule: rule)
        return (g.scores, g.gradient)
      })
  }
}

/// Runs a score on a list of work items, at most `batch` points per call, in order.
enum ItemBatches {
  /// For items i = 0..<count, builds `point(i)` (a tensor with leading extent 1), evaluates the
  /// score's gradient on consecutive groups of at most `batch` points, and hands each point's
  /// gradient (leading extent 1) to `consume` in item order. Item `i` belongs to clip
  /// `owner(i)`. Only `batch` points and their gradients are alive at a time.
  static func gradients<S>(
    count: Int, batch: Int, owner: (Int) -> Int, point: (Int) -> Tensor<S>, score: BatchScore<S>,
    consume: (Int, Tensor<S>) throws -> Void
  ) throws {
    precondition(batch >= 1, "batch must be ≥ 1, got \(batch)")
    var start = 0
    while start < count {
      let items = start..<min(count, start + batch)
      let points = Tensor.concatenate(items.map(point))
      let (_, gradient) = try score.valueAndGradient(points, items.map(owner))
      for (j, i) in items.enumerated() { try consume(i, gradient.clips(j..<(j + 1))) }
      start = items.upperBound
    }
  }

  /// The score of clips `x` (N × point shape), at most `batch` per call; clip n is owner n.
  static func values<S>(_ x: Tensor<S>, batch: Int, score: BatchScore<S>) throws -> [Double] {
    var out: [Double] = []
    var start = 0
    let n = x.shape[0]
    while start < n {
      let r = start..<min(n, start + batch)
      out += try score.value(x.clips(r), Array(r))
      start = r.upperBound
    }
    return out
  }
}
