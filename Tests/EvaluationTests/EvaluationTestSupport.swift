import Attribution
import Evaluation
import Kernels
import Networks
import SyntheticVideo
import TensorCore
import _TestSupport

/// Networks, clips and maps the evaluation tests start from.
enum EvalFixture {
  /// A mini network with the PyTorch cross-check's HashFill weights.
  static func hashFill<B: KernelBackend>(_ a: Architecture, _: B.Type) -> Network<B> {
    try! Network<B>(a, configuration: .standard(for: a, classes: 11), initialization: .hashFill)
  }

  /// A zoo model (Reference/models, trained on the built-in benchmark) on backend B.
  static func zoo<B: KernelBackend>(_ a: Architecture, _: B.Type) throws -> Network<B> {
    try WeightsFile.read(contentsOf: RepositoryPaths.reference("models/\(a.rawValue).safetensors")).network(a)
  }

  /// Seeded uniform clips in [−1.8, 2.2) (about the range of Kinetics-normalised pixels). The
  /// zoo models see noise as noise: their scores hardly move under perturbation; use
  /// `benchmark` where a curve must have shape.
  static func clips(_ shape: [Int], seed: UInt64) -> Tensor<Float> {
    Fill.uniform(shape, -1.8, 2.2, seed: seed)
  }

  /// `count` clips of the built-in benchmark's test split (`frames` × `size`², normalised), from
  /// clip `start` on (clip i has class i mod 11), and their labels. The zoo models classify the
  /// trained size, 16 × 32², at 89–98 %; smaller clips (for the literal path) at 11–30 %.
  static func benchmark(count: Int, start: Int = 0, frames: Int = 16, size: Int = 32) -> (
    clips: Tensor<Float>, labels: [Int]
  ) {
    let b = try! Synthetic.Generator(Synthetic.Configuration(frames: frames, size: size, seed: 0))
      .batch(split: .test, count: count, startIndex: start)
    return (b.input, b.labels)
  }

  /// A prepared N×1×T×H×W map of seeded uniforms in [0, 1) (no ties).
  static func map(_ shape: [Int], seed: UInt64) -> Tensor<Double> {
    Tensor<Double>(converting: Fill.uniform(shape, 0, 1, seed: seed) as Tensor<Float>)
  }

  /// |fast − literal| bound on an explained score: the network's logits obey `NetworkTolerance`
  /// (δ); a probability p_c = softmax(y)_c moves by at most Σ_j |∂p_c/∂y_j|·δ = 2p_c(1 − p_c)·δ ≤
  /// δ/2, plus the Float softmax's own rounding (exp, a K-term sum and a division: ≤ (K + 4)·u
  /// relative, and p ≤ 1).
  static func scoreBound<B: KernelBackend>(
    _ network: Network<B>, frames: Int, logitScale: Double, score: ExplainedScore
  ) -> Double {
    let (k, layers) = network.roundingProfile(frames: frames)
    let delta = NetworkTolerance.bound(maxReduction: k, layers: layers, scale: logitScale)
    switch score {
    case .logit: return delta
    case .probability: return delta / 2 + Double(network.classes + 4) * 0x1p-24
    }
  }
}
