import Kernels
import TensorCore

extension PerturbedClips {
  /// Equals `PerturbedClips.literal` exactly (every element is the same copy of x or the base).
  ///
  /// Float; one (step, channel) plane per `parallelFor` item, a branch-free select per voxel
  /// (the first-step table is shared by all planes).
  /// - Complexity: O(K·C·T·H·W), memory-bound.
  public static func fast(
    x: Tensor<Float>, base: Tensor<Float>, firstSteps: [Int32], steps: [Int], mode: Mode
  ) -> Tensor<Float> {
    precondition(x.shape == base.shape && x.rank == 5 && x.shape[0] == 1, "perturbed clips: x and base 1×C×T×H×W")
    let (c, voxels) = (x.shape[1], x.shape[2] * x.shape[3] * x.shape[4])
    precondition(firstSteps.count == voxels, "perturbed clips: \(firstSteps.count) steps for \(voxels) voxels")
    let insertion = mode == .insertion
    var out = [Float](repeating: 0, count: steps.count * x.count)
    x.withUnsafeBufferPointer { xb in
      base.withUnsafeBufferPointer { bb in
        firstSteps.withUnsafeBufferPointer { fb in
          out.withUnsafeMutableBufferPointer { ob in
            let (xp, bp, fp, op) = (
              UncheckedSendable(xb.baseAddress!), UncheckedSendable(bb.baseAddress!),
              UncheckedSendable(fb.baseAddress!), UncheckedSendable(ob.baseAddress!)
            )
            parallelFor(steps.count * c) { item in
              let (j, channel) = (item / c, item % c)
              let k = Int32(clamping: steps[j])
              let src = xp.value + channel * voxels, alt = bp.value + channel * voxels
              let dst = op.value + item * voxels
              for v in 0..<voxels {
                let taken = fp.value[v] <= k
                dst[v] = taken == insertion ? src[v] : alt[v]
              }
            }
          }
        }
      }
    }
    return Tensor(shape: [steps.count] + Array(x.shape.dropFirst()), scalars: out)
  }

  /// `fast` on the fast backend, `literal` on any other: the concrete loop is chosen once, so
  /// the metrics (written for any backend) run the Float loop on the fast path.
  static func make<B: KernelBackend>(
    x: Tensor<B.Scalar>, base: Tensor<B.Scalar>, firstSteps: [Int32], steps: [Int], mode: Mode, backend: B.Type
  ) -> Tensor<B.Scalar> {
    if B.self == FastBackend.self, let xf = x as? Tensor<Float>, let bf = base as? Tensor<Float> {
      return fast(x: xf, base: bf, firstSteps: firstSteps, steps: steps, mode: mode) as! Tensor<B.Scalar>
    }
    return literal(x: x, base: base, firstSteps: firstSteps, steps: steps, mode: mode)
  }
}
