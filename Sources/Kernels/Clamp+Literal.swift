import RealModule
import TensorCore

extension Literal {
  /// y_i = min(max(x_i, lower), upper), as `torch.clamp(x, lower, upper)`: values below `lower`
  /// become `lower`, above `upper` become `upper`; NaN stays NaN. Extremal perturbation clamps its
  /// mask lattice to [0, 1] after every SGD step (TorchRay's `pmask.data.clamp(0, 1)`).
  ///
  /// - Precondition: lower ≤ upper.
  /// - Complexity: O(|x|).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func clamp<T: Real & BinaryFloatingPoint & Sendable>(_ x: Tensor<T>, lower: T, upper: T) -> Tensor<T> {
    precondition(lower <= upper, "clamp: lower \(lower) > upper \(upper)")
    var y = x
    for i in 0..<x.count {
      let v = x.scalars[i]
      if v < lower { y.scalars[i] = lower } else if v > upper { y.scalars[i] = upper }
    }
    return y
  }
}
