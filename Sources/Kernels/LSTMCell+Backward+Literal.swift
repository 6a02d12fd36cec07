import RealModule
import TensorCore

extension Literal {
  /// Vector-Jacobian product of `lstmCell`: given the cotangents dh′ and dc′ of its outputs
  /// h′ and c′, the gradients with respect to x, h, c, W_ih, W_hh and the bias.
  ///
  /// With the saved gates i, f, g, o and a = act(c′) of the forward step (`saved`), and
  /// act′ expressed through the activated value (tanh: 1 − a²; ReLU: 1 if a > 0 else 0):
  ///
  ///     dc̃   = dc′ + dh′ ⊙ o ⊙ act′(a)                       (total cotangent of c′)
  ///     dz_i = dc̃ ⊙ g ⊙ i(1 − i)
  ///     dz_f = dc̃ ⊙ c ⊙ f(1 − f)
  ///     dz_g = dc̃ ⊙ i ⊙ act′(g)
  ///     dz_o = dh′ ⊙ a ⊙ o(1 − o)
  ///     dc = dc̃ ⊙ f
  ///     dx[n, k] = Σ_r dz[n, r]·W_ih[r, k]      dh[n, k] = Σ_r dz[n, r]·W_hh[r, k]
  ///     dW_ih[r, k] = Σ_n dz[n, r]·x[n, k]      dW_hh[r, k] = Σ_n dz[n, r]·h[n, k]
  ///     db[r] = Σ_n dz[n, r]                    (the gradient of b_ih and of b_hh alike)
  ///
  /// The chain rule applied to the equations of `lstmCell`; ReLU′(0) = 0 as in PyTorch.
  /// The bias gradient is returned whether or not the weights have biases.
  ///
  /// - Complexity: O(N·4H·(I + H)).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func lstmCellBackward<T: Real & BinaryFloatingPoint & Sendable>(
    dHidden: Tensor<T>, dCell: Tensor<T>, input x: Tensor<T>, hidden h: Tensor<T>,
    cell c: Tensor<T>, weights: LSTMWeights<T>, saved: LSTMCellResult<T>, activation: LSTMActivation
  ) -> LSTMCellGradients<T> {
    let (n, inputSize, hiddenSize) = checkLSTMShapes(input: x, hidden: h, cell: c, weights: weights)
    let gateCount = 4 * hiddenSize
    precondition(
      dHidden.shape == h.shape && dCell.shape == h.shape && saved.gates.shape == [n, gateCount]
        && saved.cellActivation.shape == h.shape,
      "lstmCellBackward: dHidden \(Shape.describe(dHidden.shape)), dCell \(Shape.describe(dCell.shape)), "
        + "saved gates \(Shape.describe(saved.gates.shape)) and act(c′) "
        + "\(Shape.describe(saved.cellActivation.shape)) must be N×H, N×H, N×4H, N×H for hidden "
        + "\(Shape.describe(h.shape))")
    let dz = lstmGatePreactivationGradients(
      dHidden: dHidden, dCell: dCell, cell: c, saved: saved, activation: activation)

    var dc = Tensor<T>.zeros([n, hiddenSize])
    for ni in 0..<n {
      for j in 0..<hiddenSize {
        let row = ni * gateCount
        let o = saved.gates.scalars[row + 3 * hiddenSize + j]
        let f = saved.gates.scalars[row + hiddenSize + j]
        let a = saved.cellActivation.scalars[ni * hiddenSize + j]
        let dcTotal =
          dCell.scalars[ni * hiddenSize + j]
          + dHidden.scalars[ni * hiddenSize + j] * o * activation.derivative(activated: a)
        dc.scalars[ni * hiddenSize + j] = dcTotal * f
      }
    }

    var dx = Tensor<T>.zeros([n, inputSize])
    var dh = Tensor<T>.zeros([n, hiddenSize])
    for ni in 0..<n {
      for k in 0..<inputSize {
        var sum: T = 0
        for r in 0..<gateCount {
          sum += dz.scalars[ni * gateCount + r] * weights.inputWeight.scalars[r * inputSize + k]
        }
        dx.scalars[ni * inputSize + k] = sum
      }
      for k in 0..<hiddenSize {
        var sum: T = 0
        for r in 0..<gateCount {
          sum += dz.scalars[ni * gateCount + r] * weights.hiddenWeight.scalars[r * hiddenSize + k]
        }
        dh.scalars[ni * hiddenSize + k] = sum
      }
    }

    var dWih = Tensor<T>.zeros([gateCount, inputSize])
    var dWhh = Tensor<T>.zeros([gateCount, hiddenSize])
    var db = Tensor<T>.zeros([gateCount])
    for r in 0..<gateCount {
      for k in 0..<inputSize {
        var sum: T = 0
        for ni in 0..<n { sum += dz.scalars[ni * gateCount + r] * x.scalars[ni * inputSize + k] }
        dWih.scalars[r * inputSize + k] = sum
      }
      for k in 0..<hiddenSize {
        var sum: T = 0
        for ni in 0..<n { sum += dz.scalars[ni * gateCount + r] * h.scalars[ni * hiddenSize + k] }
        dWhh.scalars[r * hiddenSize + k] = sum
      }
      var sum: T = 0
      for ni in 0..<n { sum += dz.scalars[ni * gateCount + r] }
      db.scalars[r] = sum
    }
    return LSTMCellGradients(input: dx, hidden: dh, cell: dc, inputWeight: dWih, hiddenWeight: dWhh, bias: db)
  }

  /// The cotangents dz (N×4H, gate order i, f, g, o) of the LSTM pre-activations, the first
  /// half of `lstmCellBackward` (its equations for dz_i, dz_f, dz_g, dz_o). Exposed to the
  /// package so that tests can bound the error of the products that follow.
  package static func lstmGatePreactivationGradients<T: Real & BinaryFloatingPoint & Sendable>(
    dHidden: Tensor<T>, dCell: Tensor<T>, cell c: Tensor<T>, saved: LSTMCellResult<T>,
    activation: LSTMActivation
  ) -> Tensor<T> {
    let (n, hiddenSize) = (c.shape[0], c.shape[1])
    let gateCount = 4 * hiddenSize
    var dz = Tensor<T>.zeros([n, gateCount])
    for ni in 0..<n {
      for j in 0..<hiddenSize {
        let row = ni * gateCount
        let i = saved.gates.scalars[row + j]
        let f = saved.gates.scalars[row + hiddenSize + j]
        let g = saved.gates.scalars[row + 2 * hiddenSize + j]
        let o = saved.gates.scalars[row + 3 * hiddenSize + j]
        let a = saved.cellActivation.scalars[ni * hiddenSize + j]
        let dhNew = dHidden.scalars[ni * hiddenSize + j]
        let dcTotal = dCell.scalars[ni * hiddenSize + j] + dhNew * o * activation.derivative(activated: a)
        dz.scalars[row + j] = dcTotal * g * (i * (1 - i))
        dz.scalars[row + hiddenSize + j] = dcTotal * c.scalars[ni * hiddenSize + j] * (f * (1 - f))
        dz.scalars[row + 2 * hiddenSize + j] = dcTotal * i * activation.derivative(activated: g)
        dz.scalars[row + 3 * hiddenSize + j] = dhNew * a * (o * (1 - o))
      }
    }
    return dz
  }
}
