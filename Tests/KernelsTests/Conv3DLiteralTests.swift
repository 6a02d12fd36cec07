import Kernels
import TensorCore
import Testing
import _TestSupport

/// Σ tᵢ and Σ tᵢ·rᵢ with r = Weyl fill (offset 0.37): two numbers that move with any change
/// of value or position (a permutation keeps the first, not the second).
private func probe(_ t: Tensor<Double>) -> (sum: Double, weighted: Double) {
  let r: Tensor<Double> = Fill.weyl(t.shape, offset: 0.37)
  return (t.scalars.reduce(0, +), zip(t.scalars, r.scalars).reduce(0) { $0 + $1.0 * $1.1 })
}

@Suite("Conv3D literal path: torch.nn.Conv3d semantics")
struct Conv3DLiteralTests {
  @Test("a 2-D convolution is the case T = 1, kt = 1: the hand-computed 3×3 ⋆ 2×2 example")
  func twoDimensionalCase() {
    // torch.nn.functional.conv2d(arange(1, 10).reshape(1,1,3,3), [[1,2],[3,4]]) = [[37,47],[67,77]]
    // (cross-correlation: y[0,0] = 1·1 + 2·2 + 4·3 + 5·4).
    let x = Tensor<Double>(shape: [1, 1, 1, 3, 3], scalars: (1...9).map(Double.init))
    let w = Tensor<Double>(shape: [1, 1, 1, 2, 2], scalars: [1, 2, 3, 4])
    let y = Literal.conv3d(x, weight: w, bias: nil, geometry: Conv3DGeometry())
    #expect(y.shape == [1, 1, 1, 2, 2])
    #expect(y.scalars == [37, 47, 67, 77])
  }

  /// Pinned from PyTorch 2.x in float64 (torch.nn.functional.conv3d and autograd), inputs
  /// filled exactly as `Fill.weyl` (element i = fmod((i+1)·φ, 1)·2 − 1 + offset):
  ///
  ///     x = weyl([2,4,5,6,7]); w = weyl([6,2,2,3,2], 0.01); b = weyl([6], 0.2)
  ///     y = conv3d(x, w, b, stride=(2,1,2), padding=(1,2,0), dilation=(1,2,1), groups=2)
  ///     y.backward(weyl(y.shape, 0.3)); probe each of y, x.grad, w.grad, b.grad
  ///
  /// Agreement to 1e-12 relative (both sides are double; only the summation order differs).
  @Test("stride, padding, dilation, groups and bias agree with PyTorch's conv3d and its gradients")
  func pinnedAgainstPyTorch() {
    let x: Tensor<Double> = Fill.weyl([2, 4, 5, 6, 7])
    let w: Tensor<Double> = Fill.weyl([6, 2, 2, 3, 2], offset: 0.01)
    let b: Tensor<Double> = Fill.weyl([6], offset: 0.2)
    let g = Conv3DGeometry(stride: Size3(2, 1, 2), padding: Size3(1, 2, 0), dilation: Size3(1, 2, 1), groups: 2)
    let y = Literal.conv3d(x, weight: w, bias: b, geometry: g)
    #expect(y.shape == [2, 6, 3, 6, 3])
    let dy: Tensor<Double> = Fill.weyl(y.shape, offset: 0.3)
    let results: [(String, Tensor<Double>, Double, Double)] = [
      ("y", y, 150.97020712414025, 63.77281870114997),
      (
        "dx", Literal.conv3dBackwardInput(dy, weight: w, inputShape: x.shape, geometry: g), 44.13702921662238,
        31.80896207865722
      ),
      (
        "dw", Literal.conv3dBackwardWeight(dy, input: x, weightShape: w.shape, geometry: g), -7.688365449299039,
        12.710449706759288
      ),
      ("db", Literal.conv3dBackwardBias(dy), 193.83003674580118, 70.67774918073944),
    ]
    for (name, t, sum, weighted) in results {
      let p = probe(t)
      #expect(abs(p.sum - sum) <= 1e-12 * max(1, abs(sum)), "\(name): Σ = \(p.sum), PyTorch \(sum)")
      #expect(
        abs(p.weighted - weighted) <= 1e-12 * max(1, abs(weighted)), "\(name): Σ·r = \(p.weighted), PyTorch \(weighted)"
      )
    }
  }

  @Test("a 1×1×1 kernel mixes channels only: y[n, o, τ] = b[o] + Σ_c w[o, c]·x[n, c, τ]")
  func pointwise() {
    let x: Tensor<Double> = Fill.weyl([2, 3, 2, 3, 4])
    let w: Tensor<Double> = Fill.weyl([5, 3, 1, 1, 1], offset: 0.1)
    let b: Tensor<Double> = Fill.weyl([5], offset: 0.5)
    let y = Literal.conv3d(x, weight: w, bias: b, geometry: Conv3DGeometry())
    for n in 0..<2 {
      for o in 0..<5 {
        for p in 0..<24 {
          var expected = b[o]
          for c in 0..<3 { expected += w.scalars[o * 3 + c] * x.scalars[(n * 3 + c) * 24 + p] }
          #expect(y.scalars[(n * 5 + o) * 24 + p] == expected)
        }
      }
    }
  }

  @Test("input elements read by no window (stride larger than the kernel) get a zero gradient")
  func unreadInputsGetZero() {
    let g = Conv3DGeometry(stride: .cube(3))
    let dy: Tensor<Double> = Fill.weyl([1, 2, 2, 2, 2], offset: 0.2)
    let w: Tensor<Double> = Fill.weyl([2, 1, 2, 2, 2], offset: 0.1)
    let dx = Literal.conv3dBackwardInput(dy, weight: w, inputShape: [1, 1, 6, 6, 6], geometry: g)
    for t in 0..<6 {
      for h in 0..<6 {
        for wi in 0..<6 where t % 3 == 2 || h % 3 == 2 || wi % 3 == 2 {
          #expect(dx[0, 0, t, h, wi] == 0)
        }
      }
    }
    #expect(dx[0, 0, 0, 0, 0] == w[0, 0, 0, 0, 0] * dy[0, 0, 0, 0, 0] + w[1, 0, 0, 0, 0] * dy[0, 1, 0, 0, 0])
  }
}
