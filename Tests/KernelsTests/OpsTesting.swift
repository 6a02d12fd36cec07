import Kernels
import PropertyBased
import TensorCore
import Testing
import _TestSupport

/// Helpers for the normalisation / activation / pooling / dense / softmax / elementwise suites.
enum OpsTesting {
  /// `pinnedPropertyCheck` (from `_TestSupport`) that also passes the case number to `body`,
  /// so expectations can name a failing case.
  static func propertyCheck<Value, ShrinkSequence>(
    seed: (UInt64, UInt64, UInt64, UInt64), count: Int, input: Generator<Value, ShrinkSequence>,
    _ body: (Int, Value) throws -> Void
  ) rethrows {
    var k = 0
    try pinnedPropertyCheck(count: count, seed: seed, input: input) { value in
      try body(k, value)
      k += 1
    }
  }

  /// Float inputs converted exactly to Double, for the literal reference.
  static func double(_ x: Tensor<Float>) -> Tensor<Double> { x.asDouble }

  /// Bit-for-bit equality, NaN equal to NaN (for kernels that only select or round once).
  static func identical(_ a: Tensor<Float>, _ b: Tensor<Float>) -> Bool {
    a.shape == b.shape
      && zip(a.scalars, b.scalars).allSatisfy { x, y in x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN) }
  }

  /// The Double reference rounded once to Float equals the Fast result (kernels with one
  /// rounding per element, or none).
  static func roundsTo(_ fast: Tensor<Float>, _ reference: Tensor<Double>) -> Bool {
    identical(fast, Tensor<Float>(converting: reference))
  }

  /// γ_n of Float times each element of `magnitude`.
  static func gammaBound(_ magnitude: Tensor<Double>, _ n: Int) -> Tensor<Double> {
    let g = Tolerance.gamma(n)
    return magnitude.map { g * $0 }
  }

  /// A tensor whose elements are a shuffled arithmetic progression with step `gap` centred on
  /// zero: every element distinct and at least `gap` from every other (for max-pool
  /// finite differences: a ±2h·|v| perturbation never changes which element is the maximum).
  static func wellSeparated(_ shape: [Int], gap: Double = 0.05, seed: UInt64) -> Tensor<Double> {
    var rng = SeededRNG(seed: seed)
    let n = Shape.elementCount(shape)
    let p = rng.permutation(n)
    return Tensor(shape: shape) { i in gap * (Double(p[i]) - Double(n) / 2) }
  }
}

/// An input shape and a pooling geometry.
struct PoolCase: CustomStringConvertible, Sendable {
  var shape: [Int]
  var geometry: Pool3DGeometry
  var description: String { "input \(Shape.describe(shape)) \(geometry)" }

  init(_ shape: [Int], kernel: Size3, stride: Size3? = nil, padding: Size3 = .cube(0)) {
    self.shape = shape
    self.geometry = Pool3DGeometry(kernel: kernel, stride: stride, padding: padding)
  }

  /// Stride < kernel (overlap), = kernel, > kernel (gaps); padding 0 to k/2; odd T, H, W; output
  /// widths from 1 to 31 so that the fast path's 8-lane interior blocks, their border columns and
  /// tails are all exercised (stride 1 loads contiguously, stride > 1 gathers); one input above
  /// the 64 K parallel threshold.
  static let all: [PoolCase] = [
    PoolCase([1, 1, 1, 1, 1], kernel: .cube(1)),
    PoolCase([2, 3, 7, 9, 17], kernel: .cube(3), stride: .cube(1), padding: .cube(1)),
    PoolCase([1, 2, 5, 8, 31], kernel: .cube(2)),
    PoolCase([1, 2, 9, 15, 31], kernel: .cube(3), stride: .cube(2), padding: .cube(1)),
    PoolCase([2, 1, 7, 7, 16], kernel: Size3(1, 3, 3), stride: Size3(1, 2, 2), padding: Size3(0, 1, 1)),
    PoolCase([1, 3, 8, 9, 17], kernel: Size3(2, 3, 2), stride: Size3(3, 4, 3), padding: Size3(1, 1, 1)),
    PoolCase([1, 2, 15, 16, 31], kernel: Size3(3, 1, 4), stride: .cube(1), padding: Size3(1, 0, 2)),
    PoolCase([1, 2, 7, 9, 31], kernel: .cube(4), stride: Size3(2, 1, 3), padding: .cube(2)),
    PoolCase([1, 1, 3, 5, 40], kernel: Size3(1, 1, 2), stride: Size3(1, 1, 1), padding: Size3(0, 0, 1)),
    PoolCase([2, 4, 9, 31, 33], kernel: .cube(3), stride: Size3(1, 2, 2), padding: .cube(1)),
    // Four to seven interior output columns (the four-lane path): stride 1 with padding,
    // stride 2 without, and the CNN-LSTM stem's 3×3 / 2 pool of a 16-wide map (7 interior).
    PoolCase([1, 2, 3, 4, 9], kernel: .cube(3), stride: .cube(1), padding: .cube(1)),
    PoolCase([1, 1, 2, 5, 10], kernel: Size3(1, 2, 2), stride: Size3(1, 2, 2)),
  ]
}
