import RealModule
import TensorCore

extension LSTMActivation {
  /// act(z): tanh(z), or max(z, 0) for the ReLU-LSTM.
  func apply<T: Real & BinaryFloatingPoint>(_ z: T) -> T {
    switch self {
    case .tanh: return T.tanh(z)
    case .relu: return z > 0 ? z : 0
    }
  }

  /// act′(z) written through a = act(z): 1 − a² for tanh; for ReLU 1 where a > 0 (z > 0),
  /// else 0 (PyTorch's convention at z = 0).
  func derivative<T: Real & BinaryFloatingPoint>(activated a: T) -> T {
    switch self {
    case .tanh: return 1 - a * a
    case .relu: return a > 0 ? 1 : 0
    }
  }
}

extension Literal {
  /// One step of an LSTM cell, `torch.nn.LSTMCell` (and one time step of `torch.nn.LSTM`),
  /// with the activation of g and of the cell output selectable.
  ///
  /// Shapes: x N×I, h and c N×H, W_ih 4H×I, W_hh 4H×H, b_ih and b_hh 4H (each optional),
  /// gate order i, f, g, o along the 4H rows (PyTorch's layout, `LSTMWeights`). With
  /// σ(z) = 1/(1 + e⁻ᶻ) and act = tanh (standard) or ReLU (the "ReLU-LSTM"):
  ///
  ///     z[n, r] = Σ_k W_ih[r, k]·x[n, k] + b_ih[r] + Σ_k W_hh[r, k]·h[n, k] + b_hh[r]
  ///     i = σ(z[:, 0..<H]),  f = σ(z[:, H..<2H]),  g = act(z[:, 2H..<3H]),  o = σ(z[:, 3H..<4H])
  ///     c′ = f ⊙ c + i ⊙ g
  ///     h′ = o ⊙ act(c′)
  ///
  /// Source: the equations of `torch.nn.LSTMCell`'s documentation (Hochreiter & Schmidhuber
  /// 1997 with a forget gate, Gers et al. 2000); the ReLU variant replaces tanh in both places
  /// (Li et al., R50L). Returns h′, c′, the activated gates (i, f, g, o) N×4H and act(c′),
  /// which `lstmCellBackward` needs.
  ///
  /// - Complexity: O(N·4H·(I + H)).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func lstmCell<T: Real & BinaryFloatingPoint & Sendable>(
    input x: Tensor<T>, hidden h: Tensor<T>, cell c: Tensor<T>, weights: LSTMWeights<T>,
    activation: LSTMActivation
  ) -> LSTMCellResult<T> {
    let (n, inputSize, hiddenSize) = checkLSTMShapes(input: x, hidden: h, cell: c, weights: weights)
    let wIH = weights.inputWeight, wHH = weights.hiddenWeight
    let gateCount = 4 * hiddenSize

    // Pre-activations z = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh.
    var z = Tensor<T>.zeros([n, gateCount])
    for ni in 0..<n {
      for r in 0..<gateCount {
        var sum: T = 0
        for k in 0..<inputSize { sum += wIH.scalars[r * inputSize + k] * x.scalars[ni * inputSize + k] }
        if let b = weights.inputBias { sum += b.scalars[r] }
        for k in 0..<hiddenSize { sum += wHH.scalars[r * hiddenSize + k] * h.scalars[ni * hiddenSize + k] }
        if let b = weights.hiddenBias { sum += b.scalars[r] }
        z.scalars[ni * gateCount + r] = sum
      }
    }

    // Gates, new cell and new hidden state.
    var gates = Tensor<T>.zeros([n, gateCount])
    var newCell = Tensor<T>.zeros([n, hiddenSize])
    var cellActivation = Tensor<T>.zeros([n, hiddenSize])
    var newHidden = Tensor<T>.zeros([n, hiddenSize])
    func sigmoid(_ v: T) -> T { 1 / (1 + T.exp(-v)) }
    for ni in 0..<n {
      for j in 0..<hiddenSize {
        let row = ni * gateCount
        let i = sigmoid(z.scalars[row + j])
        let f = sigmoid(z.scalars[row + hiddenSize + j])
        let g = activation.apply(z.scalars[row + 2 * hiddenSize + j])
        let o = sigmoid(z.scalars[row + 3 * hiddenSize + j])
        let cNew = f * c.scalars[ni * hiddenSize + j] + i * g
        let a = activation.apply(cNew)
        gates.scalars[row + j] = i
        gates.scalars[row + hiddenSize + j] = f
        gates.scalars[row + 2 * hiddenSize + j] = g
        gates.scalars[row + 3 * hiddenSize + j] = o
        newCell.scalars[ni * hiddenSize + j] = cNew
        cellActivation.scalars[ni * hiddenSize + j] = a
        newHidden.scalars[ni * hiddenSize + j] = o * a
      }
    }
    return LSTMCellResult(hidden: newHidden, cell: newCell, gates: gates, cellActivation: cellActivation)
  }

  /// Checks the shapes of one LSTM step; returns (N, I, H).
  static func checkLSTMShapes<T>(
    input x: Tensor<T>, hidden h: Tensor<T>, cell c: Tensor<T>, weights: LSTMWeights<T>
  ) -> (Int, Int, Int) {
    let describe =
      "input \(Shape.describe(x.shape)), hidden \(Shape.describe(h.shape)), cell \(Shape.describe(c.shape)), "
      + "W_ih \(Shape.describe(weights.inputWeight.shape)), W_hh \(Shape.describe(weights.hiddenWeight.shape)), "
      + "b_ih \(weights.inputBias.map { Shape.describe($0.shape) } ?? "none"), "
      + "b_hh \(weights.hiddenBias.map { Shape.describe($0.shape) } ?? "none")"
    precondition(x.rank == 2 && h.rank == 2, "lstmCell: input must be N×I and hidden N×H (\(describe))")
    let (n, inputSize, hiddenSize) = (x.shape[0], x.shape[1], h.shape[1])
    precondition(
      h.shape[0] == n && c.shape == h.shape, "lstmCell: hidden and cell must both be N×H (\(describe))")
    precondition(
      weights.inputWeight.shape == [4 * hiddenSize, inputSize]
        && weights.hiddenWeight.shape == [4 * hiddenSize, hiddenSize],
      "lstmCell: W_ih must be 4H×I and W_hh 4H×H (\(describe))")
    precondition(
      (weights.inputBias?.shape ?? [4 * hiddenSize]) == [4 * hiddenSize]
        && (weights.hiddenBias?.shape ?? [4 * hiddenSize]) == [4 * hiddenSize],
      "lstmCell: biases must have 4H elements (\(describe))")
    return (n, inputSize, hiddenSize)
  }
}
