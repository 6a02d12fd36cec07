import TensorCore

/// Independent uniforms in [a, b) as Float, the same stream as `Fill.uniform` (one
/// `SeededRNG.uniform(a, b)` per element, rounded to Float), written for the concrete type:
/// the generic `Fill.uniform<S>` is not specialised across the module boundary and costs
/// about 100 ns an element, which dominates tests on 10⁵–10⁶ elements.
func uniformFloats(_ shape: [Int], _ a: Double = -1, _ b: Double = 1, seed: UInt64) -> Tensor<Float> {
  var rng = SeededRNG(seed: seed)
  var scalars = [Float]()
  scalars.reserveCapacity(Shape.elementCount(shape))
  for _ in 0..<Shape.elementCount(shape) { scalars.append(Float(rng.uniform(a, b))) }
  return Tensor(shape: shape, scalars: scalars)
}

extension Tensor where Scalar == Float {
  /// Exact conversion to Double, as `asDouble` of _TestSupport, written for the concrete types
  /// (the generic `Tensor.init(converting:)` behind `asDouble` runs unspecialised across the
  /// module boundary, about 100 ns an element).
  var widened: Tensor<Double> { Tensor<Double>(shape: shape, scalars: scalars.map { Double($0) }) }
}
