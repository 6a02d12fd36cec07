import RealModule
import TensorCore

extension Fast {
  /// Equals `Literal.lstmCell` (same equations, gate order i, f, g, o).
  ///
  /// Each pre-activation z[n, r] is two contiguous dot products (row r of W_ih with x[n],
  /// row r of W_hh with h[n]) in `SIMD16<Float>`, the 4H rows split across threads when
  /// N·4H·(I+H) is large; the gates and the cell update are a scalar loop over N·H (expf and
  /// tanhf of the C library).
  ///
  /// - Complexity: O(N·4H·(I + H)).
  public static func lstmCell(
    input x: Tensor<Float>, hidden h: Tensor<Float>, cell c: Tensor<Float>, weights: LSTMWeights<Float>,
    activation: LSTMActivation
  ) -> LSTMCellResult<Float> {
    let (n, inputSize, hiddenSize) = Literal.checkLSTMShapes(input: x, hidden: h, cell: c, weights: weights)
    let gateCount = 4 * hiddenSize
    var bias = [Float](repeating: 0, count: gateCount)
    if let b = weights.inputBias { for r in 0..<gateCount { bias[r] += b.scalars[r] } }
    if let b = weights.hiddenBias { for r in 0..<gateCount { bias[r] += b.scalars[r] } }
    // PyTorch adds b_ih and b_hh separately; the sum is one rounding, covered by the bound.

    var z = [Float](repeating: 0, count: n * gateCount)
    x.withUnsafeBufferPointer { xb in
      h.withUnsafeBufferPointer { hb in
        weights.inputWeight.withUnsafeBufferPointer { wih in
          weights.hiddenWeight.withUnsafeBufferPointer { whh in
            z.withUnsafeMutableBufferPointer { zb in
              let (xp, hp) = (UncheckedSendable(xb.baseAddress), UncheckedSendable(hb.baseAddress))
              let (wi, wh) = (UncheckedSendable(wih.baseAddress), UncheckedSendable(whh.baseAddress))
              let zp = UncheckedSendable(zb.baseAddress!)
              forEachPlaneRange(planes: gateCount, workPerPlane: n * (inputSize + hiddenSize)) { rows in
                for r in rows {
                  for ni in 0..<n {
                    var sum = bias[r]
                    if inputSize > 0 {
                      sum += FastVectorLoops.dot(wi.value! + r * inputSize, xp.value! + ni * inputSize, inputSize)
                    }
                    if hiddenSize > 0 {
                      sum += FastVectorLoops.dot(wh.value! + r * hiddenSize, hp.value! + ni * hiddenSize, hiddenSize)
                    }
                    zp.value[ni * gateCount + r] = sum
                  }
                }
              }
            }
          }
        }
      }
    }

    var gates = [Float](repeating: 0, count: n * gateCount)
    var newCell = [Float](repeating: 0, count: n * hiddenSize)
    var cellActivation = [Float](repeating: 0, count: n * hiddenSize)
    var newHidden = [Float](repeating: 0, count: n * hiddenSize)
    @inline(__always) func sigmoid(_ v: Float) -> Float { 1 / (1 + Float.exp(-v)) }
    @inline(__always) func act(_ v: Float) -> Float {
      activation == .tanh ? Float.tanh(v) : (v > 0 ? v : 0)
    }
    for ni in 0..<n {
      let row = ni * gateCount
      for j in 0..<hiddenSize {
        let i = sigmoid(z[row + j])
        let f = sigmoid(z[row + hiddenSize + j])
        let g = act(z[row + 2 * hiddenSize + j])
        let o = sigmoid(z[row + 3 * hiddenSize + j])
        let cNew = f * c.scalars[ni * hiddenSize + j] + i * g
        let a = act(cNew)
        gates[row + j] = i
        gates[row + hiddenSize + j] = f
        gates[row + 2 * hiddenSize + j] = g
        gates[row + 3 * hiddenSize + j] = o
        newCell[ni * hiddenSize + j] = cNew
        cellActivation[ni * hiddenSize + j] = a
        newHidden[ni * hiddenSize + j] = o * a
      }
    }
    return LSTMCellResult(
      hidden: Tensor(shape: [n, hiddenSize], scalars: newHidden),
      cell: Tensor(shape: [n, hiddenSize], scalars: newCell),
      gates: Tensor(shape: [n, gateCount], scalars: gates),
      cellActivation: Tensor(shape: [n, hiddenSize], scalars: cellActivation))
  }
}
