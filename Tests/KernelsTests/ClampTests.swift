import Kernels
import TensorCore
import Testing
import _TestSupport

@Suite("Clamp: torch.clamp on both paths")
struct ClampTests {
  @Test(
    "fast clamp equals literal clamp bit for bit, NaN and infinities included",
    arguments: RelevanceElementwiseTests.sizes)
  func fastEqualsLiteral(n: Int) {
    let x = RelevanceElementwiseTests.specialFill(n, seed: 3)
    #expect(RelevanceElementwiseTests.sameBits(Fast.clamp(x, lower: 0, upper: 1), Literal.clamp(x, lower: 0, upper: 1)))
    #expect(
      RelevanceElementwiseTests.sameBits(
        Fast.clamp(x, lower: -0.5, upper: -0.5), Literal.clamp(x, lower: -0.5, upper: -0.5)))
  }

  @Test("values inside stay, values outside become the nearer bound, NaN stays NaN")
  func definition() {
    let x = Tensor<Double>(shape: [7], scalars: [-2, -0.0, 0.25, 1, 1.5, .infinity, .nan])
    let y = Literal.clamp(x, lower: 0, upper: 1)
    #expect(Array(y.scalars.prefix(6)) == [0, -0.0, 0.25, 1, 1, 1])
    #expect(y.scalars[1].sign == .minus, "−0 compares equal to 0: inside [0, 1], kept as it is")
    #expect(y.scalars[6].isNaN)
  }
}
