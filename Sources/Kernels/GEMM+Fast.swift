import CMicroKernels
import TensorCore

extension Fast {
  /// General matrix product on row-major Float matrices: C ← α·op(A)·op(B) + β·C, with
  /// op(A) m×k, op(B) k×n, C m×n (op = transpose when the flag is set), as BLAS `sgemm` but
  /// row-major.
  ///
  /// Layout: A is stored m×k with row stride `lda` (k×m when `transposeA`), B k×n with row
  /// stride `ldb` (n×k when `transposeB`), C m×n with row stride `ldc`. When β = 0, C is not
  /// read (NaN in C does not propagate), as in BLAS.
  ///
  /// Organisation: C is cut into tiles of ≤ Mc rows × Nc columns (tiling fixed by m, n, k and
  /// the ISA, never by the thread count), run by `parallelFor`; each tile packs Kc×Nc blocks
  /// of op(B) in NR-column panels and runs the ISA's register-blocked micro-kernel
  /// (`FastISA`), which reads op(A) in place. Every element of C is the same chain of
  /// operations whatever the tiling and thread count: (β·C or 0) + α·block₀ + α·block₁ + …,
  /// each block a multiply-add chain over Kc terms in k order. No BLAS.
  ///
  /// - Complexity: O(m·n·k) time; O(Kc·Nc) memory per tile.
  public static func gemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, isa: FastISA = .selected
  ) {
    precondition(m >= 0 && n >= 0 && k >= 0, "gemm: negative size m \(m), n \(n), k \(k)")
    precondition(
      lda >= max(1, transposeA ? m : k) && ldb >= max(1, transposeB ? k : n) && ldc >= max(1, n),
      "gemm: leading dimensions lda \(lda), ldb \(ldb), ldc \(ldc) too small for m \(m), n \(n), k \(k)")
    if m == 0 || n == 0 { return }
    let cShared = UncheckedSendable(c)
    // β·C first (β = 0 overwrites; β = 1 leaves C as it is).
    if beta != 1 {
      parallelFor(ceilDiv(m, 64)) { block in
        let c = cShared.value
        for i in (block * 64)..<min(m, block * 64 + 64) {
          let row = c + i * ldc
          if beta == 0 {
            row.update(repeating: 0, count: n)
          } else {
            for j in 0..<n { row[j] = beta * row[j] }
          }
        }
      }
    }
    if k == 0 || alpha == 0 { return }
    let bl = isa.blocking
    let (mr, nr, kc, mc, nc) = (Int(bl.mr), Int(bl.nr), Int(bl.kc), Int(bl.mc), Int(bl.nc))
    let panels = ceilDiv(m, mr)
    let (bRow, bCol) = transposeB ? (1, ldb) : (ldb, 1)
    let aShared = UncheckedSendable(a)
    let nTiles = ceilDiv(n, nc)
    let mGroups = evenChunks(panels, parts: max(ceilDiv(panels * mr, mc), min(panels, ceilDiv(8, nTiles))))
    parallelFor(nTiles * mGroups.count) { task in
      let (nt, mg) = (task / mGroups.count, mGroups[task % mGroups.count])
      let j0 = nt * nc, cols = min(nc, n - j0)
      let i0 = mg.lowerBound * mr, rows = min(m - i0, mg.count * mr)
      // op(A) is read in place: rows i0 ..< i0 + rows, reduction columns p0 ..< p0 + depth.
      let aTile = aShared.value + (transposeA ? i0 : i0 * lda)
      withScratch(kc * ceilDiv(cols, nr) * nr) { packedB in
        for p0 in stride(from: 0, to: k, by: kc) {
          let depth = min(kc, k - p0)
          vidattr_pack_b(
            isa.rawValue, b + p0 * bRow + j0 * bCol, bRow, bCol, depth, cols, Int32(nr), packedB)
          vidattr_gemm(
            isa.rawValue, rows, cols, depth, aTile + (transposeA ? p0 * lda : p0), transposeA ? 1 : lda,
            transposeA ? lda : 1,
            packedB, depth * nr, cShared.value + i0 * ldc + j0, ldc, alpha, 1, nil)
        }
      }
    }
  }

  /// Matrix product of 2-D tensors: α·op(a)·op(b) (+ β·c when `c` is given), with
  /// op = transpose when the flag is set. See the pointer form for the organisation.
  ///
  /// - Precondition: a and b are 2-D with matching inner extents; c, if given, is m×n.
  /// - Complexity: O(m·n·k).
  public static func gemm(
    _ a: Tensor<Float>, _ b: Tensor<Float>, transposeA: Bool = false, transposeB: Bool = false,
    alpha: Float = 1, beta: Float = 0, adding c: Tensor<Float>? = nil
  ) -> Tensor<Float> {
    precondition(
      a.rank == 2 && b.rank == 2, "gemm: a \(Shape.describe(a.shape)) and b \(Shape.describe(b.shape)) must be 2-D")
    let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let (kb, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
    precondition(
      k == kb,
      "gemm: inner extents differ: a \(Shape.describe(a.shape))\(transposeA ? "ᵀ" : ""), "
        + "b \(Shape.describe(b.shape))\(transposeB ? "ᵀ" : "")")
    if let c { precondition(c.shape == [m, n], "gemm: c \(Shape.describe(c.shape)) must be [\(m), \(n)]") }
    var out = c ?? Tensor<Float>.zeros([m, n])
    let effectiveBeta: Float = c == nil ? 0 : beta
    if m == 0 || n == 0 { return out }
    if k == 0 { return out.map { effectiveBeta == 0 ? 0 : effectiveBeta * $0 } }
    a.withUnsafeBufferPointer { ap in
      b.withUnsafeBufferPointer { bp in
        out.withUnsafeMutableBufferPointer { cp in
          gemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
            a: ap.baseAddress!, lda: max(1, a.shape[1]), b: bp.baseAddress!, ldb: max(1, b.shape[1]),
            beta: effectiveBeta, c: cp.baseAddress!, ldc: max(1, n))
        }
      }
    }
    return out
  }
}
