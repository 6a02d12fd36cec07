import Attribution
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

/// Every method the registry knows, run through the registry as the command line runs it: the
/// two properties that every method must have, whatever it computes.
@Suite("Every registered method: batched equals one by one, literal equals fast", .serialized)
struct MethodSweepTests {
  /// Options that keep each method's literal run to a few seconds on the small clip: few
  /// steps and samples; Score-CAM masks the 16 channels of `layer1` instead of the 128 of
  /// `layer4`.
  static func options(_ name: String) -> MethodOptions {
    var o = MethodOptions()
    switch name {
    case "integrated_gradients", "blur_ig": o[.steps] = 3
    case "smoothgrad", "smoothgrad_sq", "vargrad": o[.samples] = 3
    case "score_cam": o[.layer] = "layer1"
    case "ep2d", "ep3d", "step":
      o[.iterations] = 2
      o[.areas] = [0.1, 0.5]
      if name == "step" { (o[.coreFrames], o[.coreSize]) = (3, 5) }
    default: break
    }
    o.seed = 5
    return o
  }

  static let small: Tensor<Float> = Fill.weyl([2, 3, 4, 16, 16])
  static let targets = [2, 7]

  @Test("P-ATTR-1: every method gives a batch of clips the maps it gives each clip alone (fast path, bit for bit)")
  func batchedEqualsOneByOne() throws {
    let net = Fixture.network(.r3d_mini, FastBackend.self)
    for entry in MethodRegistry.entries {
      var together = Self.options(entry.name)
      together.batch = 2
      var apart = together
      apart.batch = 1
      let a = try MethodRegistry.make(entry.name, options: together).attribute(
        Self.small, targets: Self.targets, network: net, score: .logit)
      // One clip per call: clip n alone, with its own target.
      var maps: [Tensor<Float>] = []
      for n in 0..<2 {
        let m = try MethodRegistry.make(entry.name, options: apart)
        maps.append(
          try m.attribute(Self.small.clips(n..<(n + 1)), targets: [Self.targets[n]], network: net, score: .logit).map)
      }
      let b = Tensor.concatenate(maps)
      // Random methods index their noise by the clip's position in the request (documented in
      // SmoothGrad and Baseline), so one clip alone is clip 0: compare those with batch 1 on
      // the whole request instead.
      if entry.name.hasPrefix("smoothgrad") || ["vargrad", "random", "ep2d", "ep3d", "step"].contains(entry.name) {
        let c = try MethodRegistry.make(entry.name, options: apart).attribute(
          Self.small, targets: Self.targets, network: net, score: .logit)
        #expect(a.map == c.map, "\(entry.name): batch 2 differs from batch 1")
      } else {
        #expect(a.map == b, "\(entry.name): the batch differs from the clips one at a time")
      }
    }
  }

  @Test(
    "P-ATTR-2: every method gives the same maps on the literal (Double) and fast (Float) paths, within the rounding model"
  )
  func literalEqualsFast() throws {
    let fastNet = Fixture.network(.r3d_mini, FastBackend.self)
    let literalNet = Fixture.network(.r3d_mini, LiteralBackend<Double>.self)
    let (k, layers) = fastNet.roundingProfile(frames: 4)
    // Extremal perturbation starts at a mask tied across the area loss's step (P-EP-5): Float and
    // Double break those ties by their rounding, so their trajectories part after one step. Its
    // literal/fast agreement is checked from a tie-free start instead (P-EP-4), and on the first
    // iteration here, whose masks come before any step.
    for entry in MethodRegistry.entries {
      var options = Self.options(entry.name)
      if ["ep2d", "ep3d", "step"].contains(entry.name) { options[.iterations] = 1 }
      let m = try MethodRegistry.make(entry.name, options: options)
      let fast = try m.attribute(Self.small, targets: Self.targets, network: fastNet, score: .logit)
      let literal = try m.attribute(Self.small.asDouble, targets: Self.targets, network: literalNet, score: .logit)
      var scale = literal.map.scalars.reduce(0) { max($0, abs($1)) }
      let mapScale = scale
      if entry.name == "contrastive_excitation_backprop" {
        // ReLU(Σ_k (p_c − p_dual)): the two signals nearly cancel and the ReLU may clamp the whole
        // map, so the rounding scales with the signals (each of EB's size), not with the map.
        let eb = try MethodRegistry.make("excitation_backprop", options: Self.options(entry.name))
          .attribute(Self.small.asDouble, targets: Self.targets, network: literalNet, score: .logit)
        scale += 2 * eb.map.scalars.reduce(0) { max($0, abs($1)) }
      }
      // Forward and backward through the network (2 × layers); multi-pass methods average
      // passes whose errors obey the same bound; relevance rules divide by sums that the model
      // treats as one more layer each (accounted for by the 2× on the layer count).
      let bound = NetworkTolerance.bound(maxReduction: k, layers: 4 * layers, scale: scale)
      let c = compare(fast.map, literal.map, bound: Tolerance.uniform(bound, like: literal.map))
      #expect(c.passed, "\(entry.name): \(c)")
      if entry.name != "contrastive_excitation_backprop" {
        #expect(mapScale > 0, "\(entry.name) gave an all-zero map")
      }
    }
  }
}
