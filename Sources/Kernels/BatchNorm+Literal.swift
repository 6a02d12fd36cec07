import RealModule
import TensorCore

// Batch normalisation in inference form (Ioffe & Szegedy 2015, eq. in Alg. 1 with the
// population statistics; `torch.nn.BatchNorm{1,2,3}d` in eval mode).
//
// Shapes: x is N×C×(…) of rank ≥ 2 (N×C×T×H×W for video, N×C for features); γ (scale),
// β (shift), μ (running mean), σ² (running variance) are vectors of C. The channel is axis 1.

extension Literal {
  /// Inference-form batch normalisation, per channel c:
  ///
  ///   y[n, c, s] = γ_c · (x[n, c, s] − μ_c) / √(σ²_c + ε) + β_c
  ///
  /// with the running statistics μ, σ² given (PyTorch eval semantics; PyTorch's default ε is
  /// 1e-5 and is passed by the caller).
  /// - Parameters:
  ///   - x: N×C×(…), rank ≥ 2.
  ///   - scale: γ, C.
  ///   - shift: β, C.
  ///   - mean: μ, C.
  ///   - variance: σ², C.
  ///   - epsilon: ε > 0.
  /// - Returns: y, the shape of x.
  /// - Complexity: O(|x|).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func batchNorm<T: Real & BinaryFloatingPoint & Sendable>(
    _ x: Tensor<T>, scale: Tensor<T>, shift: Tensor<T>, mean: Tensor<T>, variance: Tensor<T>, epsilon: T
  ) -> Tensor<T> {
    let layout = ChannelLayout(
      "batchNorm", shape: x.shape,
      parameters: [("scale", scale.shape), ("shift", shift.shape), ("mean", mean.shape), ("variance", variance.shape)])
    var y = Tensor<T>.zeros(x.shape)
    for n in 0..<layout.batch {
      for c in 0..<layout.channels {
        for s in 0..<layout.spatial {
          let i = (n * layout.channels + c) * layout.spatial + s
          y[flat: i] =
            scale[flat: c] * (x[flat: i] - mean[flat: c]) / T.sqrt(variance[flat: c] + epsilon) + shift[flat: c]
        }
      }
    }
    return y
  }

  /// Vector-Jacobian product of inference-form batch norm with respect to its input (the
  /// statistics are constants in eval mode):
  ///
  ///   dx[n, c, s] = dy[n, c, s] · γ_c / √(σ²_c + ε)
  ///
  /// - Parameters:
  ///   - dy: N×C×(…), rank ≥ 2.
  ///   - scale: γ, C.
  ///   - variance: σ², C.
  ///   - epsilon: ε.
  /// - Returns: dx, the shape of dy.
  /// - Complexity: O(|dy|).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func batchNormBackwardInput<T: Real & BinaryFloatingPoint & Sendable>(
    _ dy: Tensor<T>, scale: Tensor<T>, variance: Tensor<T>, epsilon: T
  ) -> Tensor<T> {
    let layout = ChannelLayout(
      "batchNormBackwardInput", shape: dy.shape, parameters: [("scale", scale.shape), ("variance", variance.shape)])
    var dx = Tensor<T>.zeros(dy.shape)
    for n in 0..<layout.batch {
      for c in 0..<layout.channels {
        for s in 0..<layout.spatial {
          let i = (n * layout.channels + c) * layout.spatial + s
          dx[flat: i] = dy[flat: i] * scale[flat: c] / T.sqrt(variance[flat: c] + epsilon)
        }
      }
    }
    return dx
  }
}
