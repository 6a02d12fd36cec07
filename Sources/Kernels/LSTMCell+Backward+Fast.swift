import TensorCore

extension Fast {
  /// Equals `Literal.lstmCellBackward`.
  ///
  /// dz (N×4H) is one scalar pass over the saved gates; dx and dh accumulate rows of W_ih and
  /// W_hh scaled by dz[n, r] (`SIMD16<Float>` axpy over contiguous rows, the I or H columns
  /// split across threads); dW_ih and dW_hh accumulate x[n] and h[n] scaled by dz[n, r] into
  /// row r (rows split across threads); db sums dz over n.
  ///
  /// - Complexity: O(N·4H·(I + H)).
  public static func lstmCellBackward(
    dHidden: Tensor<Float>, dCell: Tensor<Float>, input x: Tensor<Float>, hidden h: Tensor<Float>,
    cell c: Tensor<Float>, weights: LSTMWeights<Float>, saved: LSTMCellResult<Float>, activation: LSTMActivation
  ) -> LSTMCellGradients<Float> {
    let (n, inputSize, hiddenSize) = Literal.checkLSTMShapes(input: x, hidden: h, cell: c, weights: weights)
    let gateCount = 4 * hiddenSize
    precondition(
      dHidden.shape == h.shape && dCell.shape == h.shape && saved.gates.shape == [n, gateCount]
        && saved.cellActivation.shape == h.shape,
      "lstmCellBackward: dHidden \(Shape.describe(dHidden.shape)), dCell \(Shape.describe(dCell.shape)), "
        + "saved gates \(Shape.describe(saved.gates.shape)) and act(c′) "
        + "\(Shape.describe(saved.cellActivation.shape)) must be N×H, N×H, N×4H, N×H for hidden "
        + "\(Shape.describe(h.shape))")

    // dz and dc: elementwise over the saved gates.
    var dz = [Float](repeating: 0, count: n * gateCount)
    var dc = [Float](repeating: 0, count: n * hiddenSize)
    let isTanh = activation == .tanh
    for ni in 0..<n {
      let row = ni * gateCount
      for j in 0..<hiddenSize {
        let i = saved.gates.scalars[row + j]
        let f = saved.gates.scalars[row + hiddenSize + j]
        let g = saved.gates.scalars[row + 2 * hiddenSize + j]
        let o = saved.gates.scalars[row + 3 * hiddenSize + j]
        let a = saved.cellActivation.scalars[ni * hiddenSize + j]
        let dhNew = dHidden.scalars[ni * hiddenSize + j]
        let actPrimeA: Float = isTanh ? 1 - a * a : (a > 0 ? 1 : 0)
        let actPrimeG: Float = isTanh ? 1 - g * g : (g > 0 ? 1 : 0)
        let dcTotal = dCell.scalars[ni * hiddenSize + j] + dhNew * o * actPrimeA
        dz[row + j] = dcTotal * g * (i * (1 - i))
        dz[row + hiddenSize + j] = dcTotal * c.scalars[ni * hiddenSize + j] * (f * (1 - f))
        dz[row + 2 * hiddenSize + j] = dcTotal * i * actPrimeG
        dz[row + 3 * hiddenSize + j] = dhNew * a * (o * (1 - o))
        dc[ni * hiddenSize + j] = dcTotal * f
      }
    }

    let dx = rowCombination(dz, weights.inputWeight.scalars, n: n, rows: gateCount, columns: inputSize)
    let dh = rowCombination(dz, weights.hiddenWeight.scalars, n: n, rows: gateCount, columns: hiddenSize)
    let dWih = outerProductSum(dz, x.scalars, n: n, rows: gateCount, columns: inputSize)
    let dWhh = outerProductSum(dz, h.scalars, n: n, rows: gateCount, columns: hiddenSize)
    var db = [Float](repeating: 0, count: gateCount)
    for ni in 0..<n {
      for r in 0..<gateCount { db[r] += dz[ni * gateCount + r] }
    }
    return LSTMCellGradients(
      input: Tensor(shape: [n, inputSize], scalars: dx),
      hidden: Tensor(shape: [n, hiddenSize], scalars: dh),
      cell: Tensor(shape: [n, hiddenSize], scalars: dc),
      inputWeight: Tensor(shape: [gateCount, inputSize], scalars: dWih),
      hiddenWeight: Tensor(shape: [gateCount, hiddenSize], scalars: dWhh),
      bias: Tensor(shape: [gateCount], scalars: db))
  }

  /// out[n, k] = Σ_r dz[n, r]·w[r, k] (dz N×R, w R×K), as axpys of the rows of w; the K
  /// columns are split into per-thread ranges.
  private static func rowCombination(_ dz: [Float], _ w: [Float], n: Int, rows: Int, columns: Int) -> [Float] {
    var out = [Float](repeating: 0, count: n * columns)
    if out.isEmpty || rows == 0 { return out }
    dz.withUnsafeBufferPointer { dzb in
      w.withUnsafeBufferPointer { wb in
        out.withUnsafeMutableBufferPointer { ob in
          let (dzp, wp, op) = (
            UncheckedSendable(dzb.baseAddress!), UncheckedSendable(wb.baseAddress!),
            UncheckedSendable(ob.baseAddress!)
          )
          // Column blocks of 64 keep a block of out in L1 while the rows stream past.
          let blocks = (columns + 63) / 64
          forEachPlaneRange(planes: blocks, workPerPlane: n * rows * 64) { blockRange in
            for block in blockRange {
              let k0 = block * 64, width = min(64, columns - k0)
              for ni in 0..<n {
                for r in 0..<rows {
                  FastVectorLoops.axpy(
                    dzp.value[ni * rows + r], wp.value + r * columns + k0, op.value + ni * columns + k0, width)
                }
              }
            }
          }
        }
      }
    }
    return out
  }

  /// out[r, k] = Σ_n dz[n, r]·v[n, k] (dz N×R, v N×K), as axpys of the rows of v; the R rows
  /// of out are split into per-thread ranges.
  private static func outerProductSum(_ dz: [Float], _ v: [Float], n: Int, rows: Int, columns: Int) -> [Float] {
    var out = [Float](repeating: 0, count: rows * columns)
    if out.isEmpty || n == 0 { return out }
    dz.withUnsafeBufferPointer { dzb in
      v.withUnsafeBufferPointer { vb in
        out.withUnsafeMutableBufferPointer { ob in
          let (dzp, vp, op) = (
            UncheckedSendable(dzb.baseAddress!), UncheckedSendable(vb.baseAddress!),
            UncheckedSendable(ob.baseAddress!)
          )
          forEachPlaneRange(planes: rows, workPerPlane: n * columns) { rowRange in
            for r in rowRange {
              for ni in 0..<n {
                FastVectorLoops.axpy(dzp.value[ni * rows + r], vp.value + ni * columns, op.value + r * columns, columns)
              }
            }
          }
        }
      }
    }
    return out
  }
}
