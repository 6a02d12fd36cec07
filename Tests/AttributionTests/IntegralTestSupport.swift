import Attribution
import Kernels
import Networks
import TensorCore
import _TestSupport

/// Closed-form scores and small clips for the integrated-gradients and SmoothGrad tests.
enum ClosedForm {
  /// A `BatchScore` on points m×d from f: R^d → (value, gradient), evaluated point by point.
  static func score(_ f: @escaping ([Double]) -> (value: Double, gradient: [Double])) -> BatchScore<Double> {
    BatchScore(valueAndGradient: { points, _ in
      let m = points.shape[0], d = points.count / m
      var values: [Double] = [], gradient: [Double] = []
      for i in 0..<m {
        let (v, g) = f(Array(points.scalars[(i * d)..<((i + 1) * d)]))
        values.append(v)
        gradient += g
      }
      return (values, Tensor(shape: points.shape, scalars: gradient))
    })
  }

  /// ReLU and its derivative with PyTorch's convention at 0 ([z > 0]).
  static func relu(_ z: Double) -> Double { max(z, 0) }
  static func step(_ z: Double) -> Double { z > 0 ? 1 : 0 }

  /// The IG paper's network f(x₁, x₂) = ReLU(ReLU(x₁) − 1 − ReLU(x₂)) (Sundararajan et al.
  /// 2017, §3 and the appendix figure on implementation invariance).
  static var paperF: BatchScore<Double> {
    score { x in
      let h = relu(x[0]) - 1 - relu(x[1])
      return (relu(h), [step(h) * step(x[0]), -step(h) * step(x[1])])
    }
  }

  /// The same function implemented differently: g(x₁, x₂) = ReLU(ReLU(x₁ − 1) − ReLU(x₂)).
  static var paperG: BatchScore<Double> {
    score { x in
      let k = relu(x[0] - 1) - relu(x[1])
      return (relu(k), [step(k) * step(x[0] - 1), -step(k) * step(x[1])])
    }
  }

  /// Points as an m×d tensor.
  static func points(_ rows: [[Double]]) -> Tensor<Double> {
    Tensor(shape: [rows.count, rows[0].count], scalars: rows.flatMap { $0 })
  }
}

enum IntegralFixture {
  /// A small clip every mini model accepts: cheap enough for the literal path (≈ 20 ms per
  /// forward + backward pass of r3d_mini).
  static let tinyShape = [1, 3, 2, 8, 8]
  /// The clip of the literal-vs-fast comparisons.
  static let smallShape = [1, 3, 4, 16, 16]

  static func clip(_ shape: [Int]) -> Tensor<Float> { Fill.weyl(shape) }
}

/// Records, per element, the largest |∂s/∂xᵢ| over every point a score is evaluated at (for
/// error bounds that need the gradients along a path).
final class GradientEnvelope<S: BinaryFloatingPoint & Sendable> {
  var maxAbs: [Double] = []
  var largest: Double { maxAbs.max() ?? 0 }

  func recording(_ s: BatchScore<S>) -> BatchScore<S> {
    BatchScore(
      value: s.value,
      valueAndGradient: { points, owners in
        let r = try s.valueAndGradient(points, owners)
        let per = r.gradient.count / points.shape[0]
        if self.maxAbs.isEmpty { self.maxAbs = Array(repeating: 0, count: per) }
        for (i, g) in r.gradient.scalars.enumerated() {
          self.maxAbs[i % per] = max(self.maxAbs[i % per], abs(Double(g)))
        }
        return r
      })
  }
}
