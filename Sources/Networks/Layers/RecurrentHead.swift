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
/// are below this head). Excitation backprop for RNNs (Bargal et al. 2018) and LRP are
/// attribution methods of their own and are not rules of this head; `Network.supports(_:)`
/// reports that.
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
