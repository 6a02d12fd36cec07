import TensorCore

/// Test inputs that cannot hide indexing mistakes.
///
/// A periodic or constant fill lets a transposed, shifted or mirrored result pass; these
/// fills give every element a different value with no short period.
public enum Fill {
  /// Element i = frac((i + 1)·φ)·2 − 1 + offset, φ = (√5−1)/2 (a Weyl sequence: never
  /// periodic, every value distinct, in [−1, 1)).
  @inlinable
  public static func weyl<S: BinaryFloatingPoint>(_ shape: [Int], offset: Double = 0) -> Tensor<S> {
    let phi = 0.6180339887498949
    return Tensor(shape: shape) { i in
      let v = (Double(i + 1) * phi).truncatingRemainder(dividingBy: 1)
      return S(2 * v - 1 + offset)
    }
  }

  /// Independent uniforms in [a, b) from a seeded generator.
  @inlinable
  public static func uniform<S: BinaryFloatingPoint>(
    _ shape: [Int], _ a: Double = -1, _ b: Double = 1, seed: UInt64
  ) -> Tensor<S> {
    var rng = SeededRNG(seed: seed)
    return Tensor.uniform(shape, a, b, using: &rng)
  }

  /// Independent normals from a seeded generator.
  @inlinable
  public static func normal<S: BinaryFloatingPoint>(_ shape: [Int], std: Double = 1, seed: UInt64) -> Tensor<S> {
    var rng = SeededRNG(seed: seed)
    return Tensor.normal(shape, std: std, using: &rng)
  }

  /// Values whose magnitudes stay at least `gap` from zero (for ReLU-like kinks in
  /// finite-difference checks): sign random, magnitude uniform in [gap, 1 + gap).
  public static func awayFromZero(_ shape: [Int], gap: Double = 0.05, seed: UInt64) -> Tensor<Double> {
    var rng = SeededRNG(seed: seed)
    return Tensor(shape: shape) { _ in
      let m = gap + rng.uniform()
      return rng.uniform() < 0.5 ? -m : m
    }
  }
}

extension Tensor where Scalar == Float {
  /// Exact conversion to Double (every Float is a Double).
  @inlinable public var asDouble: Tensor<Double> { Tensor<Double>(converting: self) }
}

extension Tensor where Scalar == Double {
  /// Elementwise absolute value (for magnitude bounds).
  public var magnitudes: Tensor<Double> { map { abs($0) } }
}
