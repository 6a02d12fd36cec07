import RealModule
import TensorCore

extension LiteralBackend {
  @inlinable public static func clamp(_ x: Tensor<Scalar>, lower: Scalar, upper: Scalar) -> Tensor<Scalar> {
    Literal.clamp(x, lower: lower, upper: upper)
  }
}

extension FastBackend {
  @inlinable public static func clamp(_ x: Tensor<Float>, lower: Float, upper: Float) -> Tensor<Float> {
    Fast.clamp(x, lower: lower, upper: upper)
  }
}
