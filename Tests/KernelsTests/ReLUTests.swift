import Kernels
import TensorCore
import Testing
import _TestSupport

@Suite("ReLU: forward and backward, literal and fast")
struct ReLUTests {
  static let shapes: [[Int]] = [[1], [7], [8], [9], [15], [16], [17], [31], [2, 3, 5, 7, 9], [70_001]]

  @Test("Fast relu and reluBackward equal the literal bit for bit (selection only)", arguments: shapes)
  func fastEqualsLiteral(shape: [Int]) {
    let x: Tensor<Float> = Fill.weyl(shape), dy: Tensor<Float> = Fill.normal(shape, seed: 5)
    #expect(OpsTesting.roundsTo(Fast.relu(x), Literal.relu(x.asDouble)))
    #expect(OpsTesting.roundsTo(Fast.reluBackward(dy, input: x), Literal.reluBackward(dy.asDouble, input: x.asDouble)))
  }

  @Test("PyTorch's edge cases: relu(NaN) = NaN, relu(−0) = +0, gradient 0 at x = 0 and dy passed at NaN")
  func edgeCases() {
    let x = Tensor<Float>(shape: [6], scalars: [.nan, -0.0, 0, -.infinity, .infinity, 2])
    let dy = Tensor<Float>(shape: [6], scalars: [1, 2, 3, 4, 5, 6])
    for y in [Fast.relu(x), Literal.relu(x)] {
      #expect(y.scalars[0].isNaN)
      #expect(y.scalars[1] == 0 && y.scalars[1].sign == .plus)
      #expect(Array(y.scalars[2...]) == [0, 0, .infinity, 2])
    }
    for dx in [Fast.reluBackward(dy, input: x), Literal.reluBackward(dy, input: x)] {
      #expect(dx.scalars == [1, 0, 0, 0, 5, 6])
    }
  }

  @Test("reluBackward is the VJP of relu (finite differences in Double, inputs ≥ 0.05 from the kink)")
  func vjp() {
    // The kink at 0 must stay outside every finite-difference stencil: the stencil moves x_i
    // by at most 2h·|v_i| ≈ 2e-3·4 ≪ 0.05, so each x_i keeps its sign and relu is linear there.
    var rng = SeededRNG(seed: 21)
    let x = Fill.awayFromZero([2, 3, 4, 5], gap: 0.05, seed: 22)
    let check = checkVJP({ Literal.relu($0) }, vjp: { x, dy in Literal.reluBackward(dy, input: x) }, at: x, rng: &rng)
    #expect(check.passed, "\(check)")
  }
}
