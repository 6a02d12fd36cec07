import Kernels
import TensorCore
import Testing
import _TestSupport

@Suite("Fast.gemm equals the defining sum within the reduction bound")
struct GEMMFastTests {
  struct Case: CustomStringConvertible, Sendable {
    var m, n, k: Int
    var transposeA, transposeB: Bool
    var alpha, beta: Float
    var description: String {
      "m \(m) n \(n) k \(k)\(transposeA ? " Aᵀ" : "")\(transposeB ? " Bᵀ" : "") α \(alpha) β \(beta)"
    }
  }

  /// Sizes around the micro-tiles (MR 4/6/12, NR 16/32) and blocks (Kc 256, Mc 240, Nc 512)
  /// of every level, each transposition, α ≠ 1 and β ∈ {0, 1, other}.
  static let cases: [Case] = [
    Case(m: 1, n: 1, k: 1, transposeA: false, transposeB: false, alpha: 1, beta: 0),
    Case(m: 7, n: 9, k: 15, transposeA: false, transposeB: false, alpha: 1, beta: 0),
    Case(m: 13, n: 33, k: 17, transposeA: true, transposeB: false, alpha: 0.5, beta: 1),
    Case(m: 31, n: 17, k: 257, transposeA: false, transposeB: true, alpha: -2, beta: 0.25),
    Case(m: 241, n: 515, k: 9, transposeA: true, transposeB: true, alpha: 1, beta: 0),
    Case(m: 25, n: 16, k: 600, transposeA: false, transposeB: false, alpha: 1, beta: -1),
  ]

  @Test("every transposition, α and β, on sizes around the blocking, every ISA level", arguments: cases)
  func againstDefinition(c: Case) {
    let aShape = c.transposeA ? [c.k, c.m] : [c.m, c.k]
    let bShape = c.transposeB ? [c.n, c.k] : [c.k, c.n]
    let a: Tensor<Float> = Fill.uniform(aShape, seed: UInt64(c.m * 1000 + c.k))
    let b: Tensor<Float> = Fill.weyl(bShape)
    let c0: Tensor<Float> = Fill.uniform([c.m, c.n], seed: 99)
    func at(_ t: Tensor<Float>, _ transposed: Bool, _ i: Int, _ j: Int) -> Double {
      Double(transposed ? t.scalars[j * t.shape[1] + i] : t.scalars[i * t.shape[1] + j])
    }
    var expected = Tensor<Double>.zeros([c.m, c.n])
    var magnitude = Tensor<Double>.zeros([c.m, c.n])
    for i in 0..<c.m {
      for j in 0..<c.n {
        var sum = 0.0, abssum = 0.0
        for p in 0..<c.k {
          let term = at(a, c.transposeA, i, p) * at(b, c.transposeB, p, j)
          sum += term
          abssum += abs(term)
        }
        let old = Double(c0.scalars[i * c.n + j])
        expected[i, j] = Double(c.alpha) * sum + Double(c.beta) * old
        magnitude[i, j] = abs(Double(c.alpha)) * abssum + abs(Double(c.beta) * old)
      }
    }
    // k products, plus the scaling by α, the scaling by β and the final addition.
    let bound = Tolerance.reduction(magnitude: magnitude, terms: c.k, extraOperations: 3)
    for isa in FastISA.supported {
      var out = c0
      a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
          out.withUnsafeMutableBufferPointer { cp in
            Fast.gemm(
              transposeA: c.transposeA, transposeB: c.transposeB, m: c.m, n: c.n, k: c.k, alpha: c.alpha,
              a: ap.baseAddress!, lda: aShape[1], b: bp.baseAddress!, ldb: bShape[1], beta: c.beta,
              c: cp.baseAddress!, ldc: c.n, isa: isa)
          }
        }
      }
      let comparison = compare(out, expected, bound: bound)
      #expect(comparison.passed, "\(c) [\(isa)]: \(comparison)")
    }
  }

  @Test("β = 0 ignores NaN already in C, as BLAS does; the tensor form matches the pointer form")
  func betaZeroAndTensorForm() {
    let a: Tensor<Float> = Fill.weyl([5, 3])
    let b: Tensor<Float> = Fill.weyl([3, 4], offset: 0.2)
    var c = Tensor<Float>(shape: [5, 4], repeating: .nan)
    a.withUnsafeBufferPointer { ap in
      b.withUnsafeBufferPointer { bp in
        c.withUnsafeMutableBufferPointer { cp in
          Fast.gemm(
            transposeA: false, transposeB: false, m: 5, n: 4, k: 3, alpha: 1, a: ap.baseAddress!, lda: 3,
            b: bp.baseAddress!, ldb: 4, beta: 0, c: cp.baseAddress!, ldc: 4)
        }
      }
    }
    #expect(c.isFinite)
    #expect(Fast.gemm(a, b) == c)
  }
}
