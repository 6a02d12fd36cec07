import RealModule
import TensorCore

extension Literal {
  /// Folds an inference-form batch norm that follows a convolution or linear layer into that
  /// layer's parameters, so that layer(x; w′, b′) = batchNorm(layer(x; w, b)).
  ///
  /// Axis 0 of the weight is the output channel o (conv3d: O×I×kt×kh×kw; linear: O×I); with
  /// f_o = γ_o / √(σ²_o + ε):
  ///
  ///   w′[o, …] = w[o, …] · f_o
  ///   b′_o = (b_o − μ_o) · f_o + β_o        (b_o = 0 when the layer has no bias)
  ///
  /// Exact in real arithmetic because the layer is linear in w and b per output channel:
  /// Σ w[o,…]·x·f_o + b_o·f_o = f_o·(layer(x)_o), and batch norm maps z ↦ f_o·(z − μ_o) + β_o.
  /// A parameter transform used by both paths (hence Literal only), as deployment tools fold
  /// BN into convolutions (e.g. `torch.fx` / `torch.nn.utils.fusion.fuse_conv_bn_weights`).
  /// - Parameters:
  ///   - convWeight: O×…, rank ≥ 2.
  ///   - convBias: O, or nil for a layer without bias.
  ///   - scale: γ, O.
  ///   - shift: β, O.
  ///   - mean: μ, O.
  ///   - variance: σ², O.
  ///   - epsilon: ε.
  /// - Returns: the folded weight (shape of `convWeight`) and bias (O).
  /// - Complexity: O(|w|).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func foldBatchNorm<T: Real & BinaryFloatingPoint & Sendable>(
    convWeight: Tensor<T>, convBias: Tensor<T>?, scale: Tensor<T>, shift: Tensor<T>, mean: Tensor<T>,
    variance: Tensor<T>, epsilon: T
  ) -> (weight: Tensor<T>, bias: Tensor<T>) {
    precondition(
      convWeight.rank >= 2, "foldBatchNorm: weight \(Shape.describe(convWeight.shape)) must be O×… (rank ≥ 2)")
    let O = convWeight.shape[0]
    let perOutput = convWeight.count / max(O, 1)
    var parameters = [
      ("scale", scale.shape), ("shift", shift.shape), ("mean", mean.shape), ("variance", variance.shape),
    ]
    if let b = convBias { parameters.append(("bias", b.shape)) }
    for (name, p) in parameters {
      precondition(
        p == [O],
        "foldBatchNorm: \(name) has shape \(Shape.describe(p)); weight \(Shape.describe(convWeight.shape)) needs [\(O)]"
      )
    }
    var weight = Tensor<T>.zeros(convWeight.shape)
    var bias = Tensor<T>.zeros([O])
    for o in 0..<O {
      let f = scale[flat: o] / T.sqrt(variance[flat: o] + epsilon)
      for j in 0..<perOutput {
        weight[flat: o * perOutput + j] = convWeight[flat: o * perOutput + j] * f
      }
      let b = convBias?[flat: o] ?? T.zero
      bias[flat: o] = (b - mean[flat: o]) * f + shift[flat: o]
    }
    return (weight, bias)
  }
}
