import TensorCore

/// Perturbed copies of one clip for a batch of insertion or deletion steps.
public enum PerturbedClips {
  /// Insertion starts from the base and reveals the clip; deletion starts from the clip and
  /// removes it (the voxels that changed show the base).
  public enum Mode: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case insertion, deletion
    public var description: String { rawValue }
  }

  /// The clips z_k of steps `steps` (K × C×T×H×W from x and base 1×C×T×H×W), the literal
  /// definition: with F(v) the first step of voxel v (`UnitRanking.firstSteps`),
  ///
  ///     insertion:  z_k[c, v] = x[c, v] if F(v) ≤ k, else base[c, v]
  ///     deletion:   z_k[c, v] = base[c, v] if F(v) ≤ k, else x[c, v]
  ///
  /// — Li et al.'s `clip·mask + base·(1 − mask)` with a 0/1 mask, written as the selection it is
  /// (so every element is an exact copy of x or of the base).
  /// - Complexity: O(K·C·T·H·W).
  public static func literal<S: Sendable>(
    x: Tensor<S>, base: Tensor<S>, firstSteps: [Int32], steps: [Int], mode: Mode
  ) -> Tensor<S> {
    precondition(x.shape == base.shape && x.rank == 5 && x.shape[0] == 1, "perturbed clips: x and base 1×C×T×H×W")
    let (c, voxels) = (x.shape[1], x.shape[2] * x.shape[3] * x.shape[4])
    precondition(firstSteps.count == voxels, "perturbed clips: \(firstSteps.count) steps for \(voxels) voxels")
    var out: [S] = []
    out.reserveCapacity(steps.count * x.count)
    for k in steps {
      for channel in 0..<c {
        for v in 0..<voxels {
          let taken = Int(firstSteps[v]) <= k
          let i = channel * voxels + v
          let showsClip = mode == .insertion ? taken : !taken
          out.append(showsClip ? x.scalars[i] : base.scalars[i])
        }
      }
    }
    return Tensor(shape: [steps.count] + Array(x.shape.dropFirst()), scalars: out)
  }
}
