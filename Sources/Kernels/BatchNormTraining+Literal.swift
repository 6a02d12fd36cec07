import RealModule
import TensorCore

// Batch normalisation in training form (Ioffe & Szegedy 2015, Algorithm 1;
// `torch.nn.BatchNorm{1,2,3}d` in train mode) and its backward pass.
//
// Shapes: x is N×C×(…) of rank ≥ 2; the statistics of channel c run over the M = N·S elements
// x[n, c, s] (all of the batch and every spatial position). γ, β are vectors of C.

extension Literal {
  /// Training-form batch normalisation with batch statistics, per channel c:
  ///
  ///   μ_c = (1/M) Σ_n Σ_s x[n, c, s]
  ///   σ²_c = (1/M) Σ_n Σ_s (x[n, c, s] − μ_c)²        (biased: used to normalise)
  ///   x̂[n, c, s] = (x[n, c, s] − μ_c) / √(σ²_c + ε)
  ///   y[n, c, s] = γ_c · x̂[n, c, s] + β_c
  ///   unbiased σ²_c = (1/(M − 1)) Σ_n Σ_s (x[n, c, s] − μ_c)²   (for the running-variance update)
  ///
  /// as PyTorch: the output uses the biased variance; the running variance is updated with the
  /// unbiased one (`running_var = (1 − momentum)·running_var + momentum·unbiasedVariance`, done
  /// by the caller). Returns μ and 1/√(σ² + ε) (PyTorch's `save_mean`, `save_invstd`) for backward.
  /// - Precondition: M = N·S > 1 (PyTorch refuses one value per channel in training).
  /// - Parameters:
  ///   - x: N×C×(…), rank ≥ 2.
  ///   - scale: γ, C.
  ///   - shift: β, C.
  ///   - epsilon: ε > 0.
  /// - Complexity: O(|x|).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func batchNormTraining<T: Real & BinaryFloatingPoint & Sendable>(
    _ x: Tensor<T>, scale: Tensor<T>, shift: Tensor<T>, epsilon: T
  ) -> BatchNormTrainingResult<T> {
    let layout = ChannelLayout(
      "batchNormTraining", shape: x.shape, parameters: [("scale", scale.shape), ("shift", shift.shape)])
    let C = layout.channels, S = layout.spatial, M = layout.perChannel
    precondition(M > 1, "batchNormTraining: input \(Shape.describe(x.shape)) has one value per channel (N·S = \(M))")
    var mean = Tensor<T>.zeros([C])
    var inverseStd = Tensor<T>.zeros([C])
    var unbiased = Tensor<T>.zeros([C])
    var y = Tensor<T>.zeros(x.shape)
    for c in 0..<C {
      var sum = T.zero
      for n in 0..<layout.batch {
        for s in 0..<S { sum += x[flat: (n * C + c) * S + s] }
      }
      let mu = sum / T(M)
      var squares = T.zero
      for n in 0..<layout.batch {
        for s in 0..<S {
          let d = x[flat: (n * C + c) * S + s] - mu
          squares += d * d
        }
      }
      let biased = squares / T(M)
      mean[flat: c] = mu
      inverseStd[flat: c] = 1 / T.sqrt(biased + epsilon)
      unbiased[flat: c] = squares / T(M - 1)
      for n in 0..<layout.batch {
        for s in 0..<S {
          let i = (n * C + c) * S + s
          let xHat = (x[flat: i] - mu) * inverseStd[flat: c]
          y[flat: i] = scale[flat: c] * xHat + shift[flat: c]
        }
      }
    }
    return BatchNormTrainingResult(output: y, mean: mean, inverseStd: inverseStd, unbiasedVariance: unbiased)
  }

  /// Vector-Jacobian product of training-form batch norm with respect to x, γ and β, including
  /// the dependence of μ and σ² on x. With x̂ = (x − μ_c)·invstd_c recomputed from `saved`:
  ///
  ///   dβ_c = Σ_n Σ_s dy[n, c, s]
  ///   dγ_c = Σ_n Σ_s dy[n, c, s] · x̂[n, c, s]
  ///   dx[n, c, s] = γ_c · invstd_c · (dy[n, c, s] − dβ_c / M − x̂[n, c, s] · dγ_c / M)
  ///
  /// (PyTorch's `batch_norm_backward` in train mode; derivation: Ioffe & Szegedy 2015, §3.)
  /// - Parameters:
  ///   - dy: N×C×(…), the shape of the forward input.
  ///   - input: the forward input x.
  ///   - scale: γ, C.
  ///   - saved: the forward result (its `mean` and `inverseStd` are used).
  /// - Complexity: O(|x|).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func batchNormTrainingBackward<T: Real & BinaryFloatingPoint & Sendable>(
    _ dy: Tensor<T>, input: Tensor<T>, scale: Tensor<T>, saved: BatchNormTrainingResult<T>
  ) -> BatchNormTrainingGradients<T> {
    let layout = ChannelLayout(
      "batchNormTrainingBackward", shape: input.shape,
      parameters: [
        ("scale", scale.shape), ("saved mean", saved.mean.shape), ("saved inverseStd", saved.inverseStd.shape),
      ])
    precondition(
      dy.shape == input.shape,
      "batchNormTrainingBackward: dy \(Shape.describe(dy.shape)) differs from input \(Shape.describe(input.shape))")
    let C = layout.channels, S = layout.spatial, M = T(layout.perChannel)
    var dScale = Tensor<T>.zeros([C])
    var dShift = Tensor<T>.zeros([C])
    var dx = Tensor<T>.zeros(input.shape)
    for c in 0..<C {
      let mu = saved.mean[flat: c], invstd = saved.inverseStd[flat: c]
      var sumDy = T.zero, sumDyXHat = T.zero
      for n in 0..<layout.batch {
        for s in 0..<S {
          let i = (n * C + c) * S + s
          sumDy += dy[flat: i]
          sumDyXHat += dy[flat: i] * (input[flat: i] - mu) * invstd
        }
      }
      dShift[flat: c] = sumDy
      dScale[flat: c] = sumDyXHat
      for n in 0..<layout.batch {
        for s in 0..<S {
          let i = (n * C + c) * S + s
          let xHat = (input[flat: i] - mu) * invstd
          dx[flat: i] = scale[flat: c] * invstd * (dy[flat: i] - sumDy / M - xHat * sumDyXHat / M)
        }
      }
    }
    return BatchNormTrainingGradients(input: dx, scale: dScale, shift: dShift)
  }
}
