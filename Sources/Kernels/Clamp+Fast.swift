import TensorCore

extension Fast {
  /// Equals `Literal.clamp` exactly (selects, no arithmetic), sixteen lanes at a time.
  /// - Complexity: O(|x|).
  public static func clamp(_ x: Tensor<Float>, lower: Float, upper: Float) -> Tensor<Float> {
    precondition(lower <= upper, "clamp: lower \(lower) > upper \(upper)")
    let lo = SIMD16<Float>(repeating: lower), hi = SIMD16<Float>(repeating: upper)
    return mapLanes(x) { v in v.replacing(with: lo, where: v .< lo).replacing(with: hi, where: v .> hi) }
  }
}
