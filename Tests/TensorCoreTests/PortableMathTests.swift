import Foundation
import PropertyBased
import Testing
import TensorCore
import _TestSupport

@Suite("PortableMath: platform-independent log, exp, sin, cos")
struct PortableMathTests {
  // The platform functions (glibc) are accurate to < 1 ulp; PortableMath is documented to a
  // few ulps. 4e-16 relative is 2 ulps of Double near 1 (ulp = 2.2e-16).
  static let relative = 4e-16

  @Test("log agrees with the C library to a few ulps")
  func logMatches() {
    pinnedPropertyCheck(count: 2000, seed: (11, 12, 13, 14), input: Gen.double(in: 1e-300...1e300)) { x in
      let r = Foundation.log(x)
      #expect(abs(PortableMath.log(x) - r) <= Self.relative * max(abs(r), 1))
    }
    #expect(PortableMath.log(1) == 0)
    #expect(PortableMath.log(0) == -.infinity)
    #expect(PortableMath.log(-1).isNaN)
    #expect(abs(PortableMath.log(Double.leastNonzeroMagnitude) - Foundation.log(Double.leastNonzeroMagnitude)) < 1e-12)
  }

  @Test("exp agrees with the C library to a few ulps")
  func expMatches() {
    pinnedPropertyCheck(count: 2000, seed: (21, 22, 23, 24), input: Gen.double(in: -700...700)) { x in
      let r = Foundation.exp(x)
      #expect(abs(PortableMath.exp(x) - r) <= Self.relative * 2 * r)
    }
    #expect(PortableMath.exp(0) == 1)
  }

  @Test("sin and cos agree with the C library on |x| ≤ 1000")
  func trigMatches() {
    pinnedPropertyCheck(count: 2000, seed: (31, 32, 33, 34), input: Gen.double(in: -1000...1000)) { x in
      // Absolute error: the three-part reduction leaves ≈ |x|·2⁻¹⁰⁰ plus polynomial ulps.
      #expect(abs(PortableMath.sin(x) - Foundation.sin(x)) <= 4e-16)
      #expect(abs(PortableMath.cos(x) - Foundation.cos(x)) <= 4e-16)
    }
  }
}
