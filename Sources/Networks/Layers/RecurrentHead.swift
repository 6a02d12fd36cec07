import Kernels
import TensorCore

/// The CNN-LSTM head: an LSTM over per-frame features, a classifier on every step's hidden
/// state, and the average of the step logits (Li et al.'s R50L; Donahue et al. 2015).
///
/// x N×F×T×1×1 → for t = 0…T−1: (h_t, c_t) = LSTMCell(x_t, h_{t−1}, c_{t−1}) with h₋₁ = c₋₁ = 0,
/// ℓ_t = W_fc h_t + b_fc → y = (1/T) Σ_t ℓ_t, N×K.
///
/// Parameters (PyTorch `nn.LSTM(F, H, batch_first=True)` and `nn.Linear(H, K)` names):
/// `<lstm>.weight_ih_l0` 4H×F, `<lstm>.weight_hh_l0` 4H×H, `<lstm>.bias_ih_l0`,
/// `<lstm>.bias_hh_l0` (gate order i, f, g, o), `<fc>.weight` K×H, `<fc>.bias` K.
///
/// Backward: back-propagation through time. Under guided backprop and deconvnet the LSTM and
/// the classifier pass the plain gradient (those rules modify ReLUs, and the backbone's ReLUs
/// are below this head). Under excitation backprop the head runs excitation backprop for RNNs
/// (`excitationBackward`, Bargal et al. 2018, with Li et al.'s per-clip normalisation). LRP is
/// not defined for this head; `Network.supports(_:)` reports that.
public final class RecurrentHead<B: KernelBackend>: NetworkModule {
  public typealias Backend = B
  public typealias T = Tensor<B.Scalar>
  public let path: String
  public let lstmPath: String
  public let inputWeight: Parameter<B.Scalar>
  public let hiddenWeight: Parameter<B.Scalar>
  public let inputBias: Parameter<B.Scalar>
  public let hiddenBias: Parameter<B.Scalar>
  public let classifier: Linear<B>
  public let activation: LSTMActivation

  public init(
    path: String, lstmPath: String, inputWeight: Parameter<B.Scalar>, hiddenWeight: Parameter<B.Scalar>,
    inputBias: Parameter<B.Scalar>, hiddenBias: Parameter<B.Scalar>, classifier: Linear<B>, activation: LSTMActivation
  ) {
    self.path = path
    self.lstmPath = lstmPath
    self.inputWeight = inputWeight
    self.hiddenWeight = hiddenWeight
    self.inputBias = inputBias
    self.hiddenBias = hiddenBias
    self.classifier = classifier
    self.activation = activation
  }

  public var ownParameters: [Parameter<B.Scalar>] { [inputWeight, hiddenWeight, inputBias, hiddenBias] }
  public var children: [any NetworkModule<B>] { [classifier] }

  var hiddenSize: Int { hiddenWeight.shape[1] }

  private var weights: LSTMWeights<B.Scalar> {
    LSTMWeights(
      inputWeight: inputWeight.value, hiddenWeight: hiddenWeight.value, inputBias: inputBias.value,
      hiddenBias: hiddenBias.value)
  }

  private struct Step {
    var input: T
    var hidden: T
    var cell: T
    var result: LSTMCellResult<B.Scalar>
    var classifierTape: Tape<B>
  }

  public func forward(_ x: T, tape: Tape<B>) -> T {
    precondition(
      x.rank == 5 && x.shape[1] == inputWeight.shape[1] && x.shape[3] == 1 && x.shape[4] == 1,
      "\(path): input \(Shape.describe(x.shape)) is not N×\(inputWeight.shape[1])×T×1×1")
    let n = x.shape[0], frames = x.shape[2]
    var h = T(shape: [n, hiddenSize], repeating: 0)
    var c = h
    var steps: [Step] = []
    var sum: T? = nil
    for t in 0..<frames {
      let xt = Self.frame(x, t)
      let r = B.lstmCell(input: xt, hidden: h, cell: c, weights: weights, activation: activation)
      // The classifier runs once per step; each step keeps its own tape for its backward.
      let stepTape = Tape<B>(
        mode: tape.mode, rule: .gradient, parameterGradients: tape.wantsParameterGradients,
        recordsForBackward: tape.recordsForBackward)
      let logits = classifier.forward(r.hidden, tape: stepTape)
      sum = sum.map { B.add($0, logits) } ?? logits
      steps.append(Step(input: xt, hidden: h, cell: c, result: r, classifierTape: stepTape))
      h = r.hidden
      c = r.cell
    }
    tape.save(self, (steps, x.shape))
    return B.scale(sum!, by: 1 / B.Scalar(frames))
  }

  public func backward(_ g: T, tape: Tape<B>) -> T {
    if tape.mode == .inference && tape.rule == .excitation { return excitationBackward(g, tape: tape) }
    precondition(
      tape.mode == .training || tape.rule == .gradient || tape.rule == .guidedBackprop || tape.rule == .deconvnet,
      "\(path): the \(tape.rule) rule is not defined for the LSTM head")
    let (steps, shape): ([Step], [Int]) = tape.load(self)
    let frames = steps.count
    let gStep = B.scale(g, by: 1 / B.Scalar(frames))
    var dh = T(shape: [shape[0], hiddenSize], repeating: 0)
    var dc = dh
    var dx = T(shape: shape, repeating: 0)
    var gradIH: T? = nil, gradHH: T? = nil, gradB: T? = nil
    for t in stride(from: frames - 1, through: 0, by: -1) {
      let s = steps[t]
      let dhFromClassifier = classifier.backward(gStep, tape: s.classifierTape)
      let grads = B.lstmCellBackward(
        dHidden: B.add(dh, dhFromClassifier), dCell: dc, input: s.input, hidden: s.hidden, cell: s.cell,
        weights: weights, saved: s.result, activation: activation)
      Self.setFrame(&dx, t, grads.input)
      dh = grads.hidden
      dc = grads.cell
      if tape.wantsParameterGradients {
        gradIH = gradIH.map { B.add($0, grads.inputWeight) } ?? grads.inputWeight
        gradHH = gradHH.map { B.add($0, grads.hiddenWeight) } ?? grads.hiddenWeight
        gradB = gradB.map { B.add($0, grads.bias) } ?? grads.bias
      }
    }
    if tape.wantsParameterGradients, let a = gradIH, let b = gradHH, let c = gradB {
      inputWeight.accumulate(a, backend: B.self)
      hiddenWeight.accumulate(b, backend: B.self)
      inputBias.accumulate(c, backend: B.self)
      hiddenBias.accumulate(c, backend: B.self)
    }
    return dx
  }

  /// Excitation backprop for RNNs (Bargal et al., CVPR 2018, as their public Caffe code runs it;
  /// Proofs/cam-excitation.md, "EB for the CNN-LSTM"), followed by Li et al.'s normalisation.
  ///
  /// With p the signal at the logits (N×K), step by step from t = T−1 down to 0:
  ///
  ///     p_ℓ,t  = p / T                                  (the mean over steps passes its gradient)
  ///     p_h,t  = EB_fc(p_ℓ,t; input h_t) + p_h from step t+1
  ///     (dz_t, dc_{t−1}) = the LSTM cell's plain VJP of (p_h,t, dc_t) through its gates
  ///     s_t    = dz_t ⊘ (W⁺_ih x_t + W⁺_hh h_{t−1})      (0 where the denominator is 0)
  ///     p_x,t  = x_t ⊙ W⁺_ihᵀ s_t,   p_h from step t = h_{t−1} ⊙ W⁺_hhᵀ s_t
  ///
  /// i.e. excitation backprop (w⁺ = max(w, 0), biases dropped) on every linear map — the
  /// classifier on each step's hidden state and the gate pre-activation z = W_ih x + W_hh h,
  /// one linear layer of the concatenated input [x_t; h_{t−1}] — and the plain gradient through
  /// the element-wise gating, which is what Bargal et al.'s `LSTMUnit` excitation backward does.
  /// Finally the signal at the head's input is scaled per clip so that it sums to T over
  /// features and frames: p_x ← T·p_x / Σ_{f,t} p_x (Li et al.'s `T·g/Σg`; 0 when the sum is 0),
  /// and the per-frame CNN below continues with it frame by frame. With the ReLU-LSTM
  /// (h ≥ 0, as in Li et al.'s R50L and Bargal et al.) every linear map sees non-negative
  /// inputs; with tanh, h can be negative and the formulas are evaluated as written.
  /// A classifier path in `tape.negatedWeights` uses −W_fc (the dual, for contrastive EB).
  /// - Complexity: O(T·N·4H·(F + H)), about twice the head's forward pass.
  func excitationBackward(_ g: T, tape: Tape<B>) -> T {
    let (steps, shape): ([Step], [Int]) = tape.load(self)
    let n = shape[0], frames = steps.count
    let pStep = B.scale(g, by: 1 / B.Scalar(frames))
    let negated = tape.negatedWeights.contains(classifier.path)
    let fc = negated ? B.scale(classifier.weight.value, by: -1) : classifier.weight.value
    let wIH = B.positivePart(inputWeight.value), wHH = B.positivePart(hiddenWeight.value)
    let linear: (T, T?) -> T = { B.linear($0, weight: $1!, bias: nil) }
    let linearT: (T, T?) -> T = { B.linearBackwardInput($0, weight: $1!) }
    var pHidden = T(shape: [n, hiddenSize], repeating: 0)
    var dCell = pHidden
    var px = T(shape: shape, repeating: 0)
    for t in stride(from: frames - 1, through: 0, by: -1) {
      let s = steps[t]
      let fromClassifier = RelevanceRules<B>.excitation(
        pStep, input: s.result.hidden, weight: fc, forward: linear, transpose: linearT)
      let gate = Self.gateSignals(
        dHidden: B.add(pHidden, fromClassifier), dCell: dCell, previousCell: s.cell, saved: s.result,
        activation: activation)
      let zPlus = B.add(B.linear(s.input, weight: wIH, bias: nil), B.linear(s.hidden, weight: wHH, bias: nil))
      let share = B.divideOrZero(gate.preactivation, zPlus)
      Self.setFrame(&px, t, B.multiply(s.input, B.linearBackwardInput(share, weight: wIH)))
      pHidden = B.multiply(s.hidden, B.linearBackwardInput(share, weight: wHH))
      dCell = gate.previousCell
    }
    // Li et al.: T·p/Σp per clip.
    let per = px.count / max(n, 1)
    var parts: [T] = []
    for i in 0..<n {
      let clip = T(shape: [1] + Array(shape.dropFirst()), scalars: Array(px.scalars[(i * per)..<((i + 1) * per)]))
      let total = B.sum(clip)
      parts.append(total == 0 ? B.scale(clip, by: 0) : B.scale(clip, by: B.Scalar(frames) / total))
    }
    return T.concatenate(parts)
  }

  /// The plain VJP of one LSTM step's element-wise part (gates and cell update) with respect
  /// to the gate pre-activations z (N×4H, order i, f, g, o) and the previous cell (N×H), from
  /// the saved activated gates and act(c′): with dc̃ = dc + dh ⊙ o ⊙ act′(c′),
  /// dz_i = dc̃ ⊙ g ⊙ i(1−i), dz_f = dc̃ ⊙ c ⊙ f(1−f), dz_g = dc̃ ⊙ i ⊙ act′(z_g),
  /// dz_o = dh ⊙ act(c′) ⊙ o(1−o), dc_prev = dc̃ ⊙ f. (`lstmCellBackward` computes the same dz
  /// internally and returns dz·W; the tests compare.)
  /// - Complexity: O(N·H).
  package static func gateSignals(
    dHidden dh: T, dCell dc: T, previousCell c: T, saved: LSTMCellResult<B.Scalar>, activation: LSTMActivation
  ) -> (preactivation: T, previousCell: T) {
    let hidden = c.shape[1], n = c.shape[0]
    let gates = saved.gates, a = saved.cellActivation
    func derivative(_ v: B.Scalar) -> B.Scalar {
      switch activation {
      case .tanh: return 1 - v * v
      case .relu: return v > 0 ? 1 : 0
      }
    }
    let cellTotal = T(shape: [n, hidden]) { k in
      let row = k / hidden, j = k % hidden
      let o = gates.scalars[row * 4 * hidden + 3 * hidden + j]
      return dc.scalars[k] + dh.scalars[k] * o * derivative(a.scalars[k])
    }
    let dz = T(shape: [n, 4 * hidden]) { k in
      let row = k / (4 * hidden), r = k % (4 * hidden), part = r / hidden, j = r % hidden
      let base = row * 4 * hidden
      let i = gates.scalars[base + j], f = gates.scalars[base + hidden + j]
      let g = gates.scalars[base + 2 * hidden + j], o = gates.scalars[base + 3 * hidden + j]
      let m = row * hidden + j
      switch part {
      case 0: return cellTotal.scalars[m] * g * i * (1 - i)
      case 1: return cellTotal.scalars[m] * c.scalars[m] * f * (1 - f)
      case 2: return cellTotal.scalars[m] * i * derivative(g)
      default: return dh.scalars[m] * a.scalars[m] * o * (1 - o)
      }
    }
    let previous = T(shape: [n, hidden]) { k in
      cellTotal.scalars[k] * gates.scalars[(k / hidden) * 4 * hidden + hidden + k % hidden]
    }
    return (dz, previous)
  }

  /// x[:, :, t, 0, 0] as N×F.
  static func frame(_ x: T, _ t: Int) -> T {
    let n = x.shape[0], f = x.shape[1], frames = x.shape[2]
    return T(shape: [n, f]) { i in x.scalars[(i / f * f + i % f) * frames + t] }
  }

  /// dx[:, :, t, 0, 0] = v (N×F).
  static func setFrame(_ dx: inout T, _ t: Int, _ v: T) {
    let n = dx.shape[0], f = dx.shape[1], frames = dx.shape[2]
    for i in 0..<(n * f) { dx.scalars[i * frames + t] = v.scalars[i] }
  }
}
