import TensorCore

extension Fast {
  /// Equals `Literal.linear` (within γ_(I+1)·(Σ_i|x[n,i]·W[o,i]| + |b[o]|)).
  ///
  /// Each y[n, o] is a dot product of two contiguous rows, x[n, :] and W[o, :], in SIMD16 lanes
  /// (16 partial sums over whole blocks, added by `sum()`, then the scalar tail, then the bias),
  /// four rows of W at a time so that each block of x is loaded once for four outputs. Tasks
  /// are blocks of 64 output features over all n, in parallel when N·O·I exceeds 64 K. The order
  /// of every sum is fixed by I alone, so the result does not depend on the thread count.
  /// (Layers here are at most 2048×1024; a tiled SIMD loop is enough.)
  /// - Complexity: O(N·O·I).
  public static func linear(_ x: Tensor<Float>, weight: Tensor<Float>, bias: Tensor<Float>?) -> Tensor<Float> {
    checkLinearShapes(x.shape, weight: weight.shape, bias: bias?.shape)
    let (N, I, O) = (x.shape[0], x.shape[1], weight.shape[0])
    let blocks = (O + 63) / 64
    let y = FastSlices.makeArray(N * O) { yp in
      x.withUnsafeBufferPointer { xb in
        weight.withUnsafeBufferPointer { wb in
          guard let xp = xb.baseAddress, let wp = wb.baseAddress else {
            // I = 0: every dot product is empty.
            for n in 0..<N {
              for o in 0..<O { yp[n * O + o] = bias?.scalars[o] ?? 0 }
            }
            return
          }
          FastSlices.forEach(blocks, elements: N * O * I) { block in
            let oEnd = min(O, (block + 1) * 64)
            for n in 0..<N {
              let xr = xp + n * I
              var o = block * 64
              while o + 4 <= oEnd {
                let d = FastSlices.dot4(xr, wp + o * I, I)
                for k in 0..<4 { yp[n * O + o + k] = d[k] + (bias?.scalars[o + k] ?? 0) }
                o += 4
              }
              while o < oEnd {
                yp[n * O + o] = FastSlices.dot(xr, wp + o * I, I) + (bias?.scalars[o] ?? 0)
                o += 1
              }
            }
          }
        }
      }
    }
    return Tensor(shape: [N, O], scalars: y)
  }

  /// Equals `Literal.linearBackwardInput` (within γ_O·Σ_o|dy[n,o]·W[o,i]|).
  ///
  /// dx[n, i-block] accumulates dy[n, o]·W[o, i-block] over o ascending in a SIMD16 register
  /// (the literal's order for every element); tasks are (16 rows n, block of 64 columns), in
  /// parallel when N·O·I exceeds 64 K. Each element's sum runs in o order whatever the partition.
  /// - Complexity: O(N·O·I).
  public static func linearBackwardInput(_ dy: Tensor<Float>, weight: Tensor<Float>) -> Tensor<Float> {
    precondition(
      dy.rank == 2 && weight.rank == 2 && dy.shape[1] == weight.shape[0],
      "linearBackwardInput: dy \(Shape.describe(dy.shape)) must be N×O for weight \(Shape.describe(weight.shape)) (O×I)"
    )
    let (N, O, I) = (dy.shape[0], weight.shape[0], weight.shape[1])
    return Tensor(
      shape: [N, I], scalars: FastSlices.weightedRowSums(coefficients: dy.scalars, rows: weight.scalars, N, O, I))
  }

  /// Equals `Literal.linearBackwardWeight` (within γ_N·Σ_n|dy[n,o]·x[n,i]|).
  ///
  /// dW[o, i-block] accumulates dy[n, o]·x[n, i-block] over n ascending in a SIMD16 register
  /// (the literal's order); tasks are (16 rows o, block of 64 columns), in parallel when N·O·I
  /// exceeds 64 K; the order of every sum is independent of the partition.
  /// - Complexity: O(N·O·I).
  public static func linearBackwardWeight(_ dy: Tensor<Float>, input: Tensor<Float>) -> Tensor<Float> {
    precondition(
      dy.rank == 2 && input.rank == 2 && dy.shape[0] == input.shape[0],
      "linearBackwardWeight: dy \(Shape.describe(dy.shape)) and input \(Shape.describe(input.shape)) "
        + "must be N×O and N×I"
    )
    let (N, O, I) = (dy.shape[0], dy.shape[1], input.shape[1])
    // dW = dyᵀ·x: the coefficients of output row o are dy[:, o], a column of dy.
    var dyT = [Float](repeating: 0, count: O * N)
    for n in 0..<N {
      for o in 0..<O { dyT[o * N + n] = dy.scalars[n * O + o] }
    }
    return Tensor(shape: [O, I], scalars: FastSlices.weightedRowSums(coefficients: dyT, rows: input.scalars, O, N, I))
  }

  /// Equals `Literal.linearBackwardBias` (within γ_N·Σ_n|dy[n,o]|): db[o-block] accumulates the
  /// rows dy[n, o-block] over n ascending in SIMD16 registers (the literal's order), scalar
  /// tail; single-threaded (N×O is small).
  /// - Complexity: O(N·O).
  public static func linearBackwardBias(_ dy: Tensor<Float>) -> Tensor<Float> {
    precondition(dy.rank == 2, "linearBackwardBias: dy \(Shape.describe(dy.shape)) must be N×O")
    let (N, O) = (dy.shape[0], dy.shape[1])
    var db = [Float](repeating: 0, count: O)
    dy.withUnsafeBufferPointer { gb in
      db.withUnsafeMutableBufferPointer { out in
        guard let gp = gb.baseAddress, let op = out.baseAddress else { return }
        var o = 0
        while o + 16 <= O {
          var acc = SIMD16<Float>.zero
          for n in 0..<N { acc += FastSlices.load16(gp, n * O + o) }
          FastSlices.store16(acc, op, o)
          o += 16
        }
        while o < O {
          var s: Float = 0
          for n in 0..<N { s += gp[n * O + o] }
          op[o] = s
          o += 1
        }
      }
    }
    return Tensor(shape: [O], scalars: db)
  }
}

extension FastSlices {
  /// x·w_k for the four consecutive rows w_k = w + k·n, each summed exactly as
  /// `FastSlices.dot(x, w_k, n)`.
  @inline(__always)
  static func dot4(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ n: Int) -> SIMD4<Float> {
    var a0 = SIMD16<Float>.zero, a1 = SIMD16<Float>.zero, a2 = SIMD16<Float>.zero, a3 = SIMD16<Float>.zero
    var i = 0
    while i + 16 <= n {
      let xv = FastSlices.load16(x, i)
      a0 += xv * FastSlices.load16(w, i)
      a1 += xv * FastSlices.load16(w, n + i)
      a2 += xv * FastSlices.load16(w, 2 * n + i)
      a3 += xv * FastSlices.load16(w, 3 * n + i)
      i += 16
    }
    var s = SIMD4<Float>(a0.sum(), a1.sum(), a2.sum(), a3.sum())
    while i < n {
      s += x[i] * SIMD4<Float>(w[i], w[n + i], w[2 * n + i], w[3 * n + i])
      i += 1
    }
    return s
  }

  /// out[r, i] = Σ_k coefficients[r, k]·rows[k, i] for r < R, k < K, i < I (all row-major), each
  /// sum in k order, 16 columns per SIMD register. Tasks are (group of 16 r, block of 64
  /// columns): a task streams the K×64 block of `rows` once per r, from cache after the first
  /// (K×256 bytes ≤ 512 KB for K ≤ 2048, within L2).
  static func weightedRowSums(coefficients: [Float], rows: [Float], _ R: Int, _ K: Int, _ I: Int) -> [Float] {
    let columnBlocks = (I + 63) / 64, rowGroups = (R + 15) / 16
    return FastSlices.makeArray(R * I) { out in
      coefficients.withUnsafeBufferPointer { cb in
        rows.withUnsafeBufferPointer { rb in
          guard let cp = cb.baseAddress, let rp = rb.baseAddress else {
            // K = 0: every sum is empty.
            for j in 0..<(R * I) { out[j] = 0 }
            return
          }
          FastSlices.forEach(rowGroups * columnBlocks, elements: R * K * I) { task in
            let iStart = (task % columnBlocks) * 64, iEnd = min(I, iStart + 64)
            let rStart = (task / columnBlocks) * 16
            for r in rStart..<min(R, rStart + 16) {
              var i = iStart
              while i + 16 <= iEnd {
                var acc = SIMD16<Float>.zero
                for k in 0..<K { acc += cp[r * K + k] * FastSlices.load16(rp, k * I + i) }
                FastSlices.store16(acc, out, r * I + i)
                i += 16
              }
              while i < iEnd {
                var s: Float = 0
                for k in 0..<K { s += cp[r * K + k] * rp[k * I + i] }
                out[r * I + i] = s
                i += 1
              }
            }
          }
        }
      }
    }
  }
}
