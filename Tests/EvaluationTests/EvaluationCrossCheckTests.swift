import Attribution
import Evaluation
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

/// The peers where their definitions coincide with the package's (Reference/evaluation: the
/// vectors, the script that made them, and every difference explained in its README).
@Suite("Cross-checks: Quantus and TorchRay")
struct EvaluationCrossCheckTests {
  static let file: SafeTensorsFile = try! SafeTensors.read(
    contentsOf: RepositoryPaths.reference("evaluation/peers.safetensors"))

  /// The pointing-game frames of one size as K one-frame clips: maps K×1×1×S×S, boxes K×1×4, labels.
  static func frames(_ size: Int) throws -> (maps: Tensor<Double>, boxes: Tensor<Float>, labels: [Int]) {
    let maps = try file.float32(named: "s\(size)_maps")
    let k = maps.shape[0]
    let boxes = try file.float32(named: "s\(size)_boxes").reshaped([k, 1, 4])
    let labels = try file.int64(named: "s\(size)_labels").scalars.map { Int($0) }
    return (Tensor<Double>(converting: maps).reshaped([k, 1, 1, size, size]), boxes, labels)
  }

  /// Per-frame hits (1, 0, or nil for a frame whose box misses the frame).
  static func hits(_ game: PointingGame, size: Int) throws -> [Double?] {
    let (maps, boxes, labels) = try frames(size)
    return try game.evaluate(maps: maps, boxes: boxes, labels: labels).clips.map { $0.score }
  }

  @Test("pointing game at τ = 0 equals Quantus' PointingGame frame by frame (maxima are unique)")
  func quantusPointingGame() throws {
    for size in [32, 112] {
      let ours = try Self.hits(PointingGame(tolerance: 0), size: size)
      let quantus = try Self.file.float64(named: "s\(size)_quantus_hit").scalars
      #expect(ours.count == quantus.count)
      var empty = 0
      for (i, (o, q)) in zip(ours, quantus).enumerated() {
        if let o {
          #expect(o == q, "\(size)², frame \(i): ours \(o), Quantus \(q)")
        } else {
          // A box outside the frame: no annotated frame here. Quantus means to return NaN for an
          // empty mask but writes it into a Boolean array, where NaN becomes True: a hit.
          #expect(q == 1, "\(size)², frame \(i): Quantus \(q) for an empty mask")
          empty += 1
        }
      }
      #expect(quantus.contains(1) && quantus.contains(0))
      if size == 32 { #expect(empty > 0, "no empty mask in the fixture") }
    }
  }

  @Test("disc acceptance equals TorchRay's pointing game at τ = 0, 2, 7, 15; its accuracy averages over all 11 classes")
  func torchrayPointingGame() throws {
    for size in [32, 112] {
      let labels = try Self.frames(size).labels
      for tau in [0, 2, 7, 15] {
        let ours = try Self.hits(PointingGame(tolerance: Double(tau), acceptance: .disc), size: size)
        let torchray = try Self.file.float64(named: "s\(size)_torchray_hit_t\(tau)").scalars
        for (i, (o, t)) in zip(ours, torchray).enumerated() {
          // TorchRay plays every frame (−1 for an empty mask); ours leaves it out.
          #expect(o.map { $0 == 1 ? 1.0 : -1.0 } ?? -1 == t, "\(size)², τ \(tau), frame \(i)")
        }
        // TorchRay's accuracy: hits/max(frames, 1) per class over all 11 classes, class 10 (no
        // frame) counting 0. Ours leaves class 10 out (P-EVAL-10).
        var hits = [Double](repeating: 0, count: 11), trials = [Double](repeating: 0, count: 11)
        for (label, t) in zip(labels, torchray) {
          trials[label] += 1
          if t == 1 { hits[label] += 1 }
        }
        let torchrayAccuracy = zip(hits, trials).map { $0 / max($1, 1) }.reduce(0, +) / 11
        let recorded = try Self.file.float64(named: "s\(size)_torchray_accuracy_t\(tau)").scalars[0]
        #expect(abs(torchrayAccuracy - recorded) < 1e-15)
        if tau == 0 { #expect(recorded == 0) }  // strict < 0 never holds
      }
    }
  }

  @Test("box acceptance (Li et al.) against TorchRay's disc: they differ only on the ring at τ and beyond the corners")
  func boxAgainstDisc() throws {
    var differing = 0
    for size in [32, 112] {
      let (maps, boxes, _) = try Self.frames(size)
      for tau in [2, 7, 15] {
        let box = try Self.hits(PointingGame(tolerance: Double(tau), acceptance: .box), size: size)
        let torchray = try Self.file.float64(named: "s\(size)_torchray_hit_t\(tau)").scalars
        for i in box.indices where box[i] == 1 && torchray[i] != 1 {
          differing += 1
          // Recompute the offsets: Chebyshev ≤ τ but Euclidean ≥ τ.
          let frame = maps.scalars[(i * size * size)..<((i + 1) * size * size)]
          let best = frame.indices.max { frame[$0] < frame[$1] }! - i * size * size
          let (u, v) = (best % size, best / size)
          let region = PointingGame.pixels(
            ofBox: (0..<4).map { Double(boxes.scalars[4 * i + $0]) }, height: size, width: size)!
          let du = max(region.columns.lowerBound - u, 0, u - region.columns.upperBound)
          let dv = max(region.rows.lowerBound - v, 0, v - region.rows.upperBound)
          #expect(max(du, dv) <= tau && du * du + dv * dv >= tau * tau, "\(size)², τ \(tau), frame \(i)")
        }
        #expect(zip(box, torchray).allSatisfy { !($0.0 != 1 && $0.1 == 1) }, "a disc hit outside the grown box")
      }
    }
    #expect(differing > 0, "the fixture has no point in the band where the two tests differ")
  }

  /// Our deletion-MoRF curves (fade base, probability) of the reference clips and voxel map.
  static func deletionCurves(unit: PerturbationUnit, steps: Int) throws -> [InsertionDeletionCurve] {
    let net: Network<FastBackend> = try EvalFixture.zoo(.r3d_mini, FastBackend.self)
    let clips = try file.float32(named: "clips")
    let targets = try file.int64(named: "clip_labels").scalars.map { Int($0) }
    let maps = Tensor<Double>(converting: try file.float32(named: "voxel_map"))
    return try InsertionDeletion(.deletion, unit: unit, steps: steps, batch: 32)
      .curves(network: net, clips: clips, targets: targets, maps: maps)
  }

  /// Both sides are Float32 networks, each within the rounding model of the exact scores.
  static func bound() throws -> Double {
    let net: Network<FastBackend> = try EvalFixture.zoo(.r3d_mini, FastBackend.self)
    let scale = Double(net.logits(try file.float32(named: "clips")).scalars.map(abs).max()!)
    return 2 * EvalFixture.scoreBound(net, frames: 16, logitScale: scale, score: .probability)
  }

  @Test("voxel deletion-MoRF equals Quantus' PixelFlipping (128 whole voxels a step, baseline 0, softmax)")
  func quantusPixelFlipping() throws {
    let ours = try Self.deletionCurves(unit: .voxel, steps: 128)
    let quantus = try Self.file.float64(named: "quantus_pixel_flipping")
    let bound = try Self.bound()
    for (n, c) in ours.enumerated() {
      #expect(c.unitsPerStep == 128 && c.curve.count == 129)
      // Quantus records the points after each step, p_1 … p_128 (no p_0).
      let theirs = Array(quantus.scalars[(n * 128)..<((n + 1) * 128)])
      let worst = zip(c.curve.dropFirst(), theirs).map { abs($0 - $1) }.max()!
      #expect(worst <= bound, "clip \(n): \(worst) > \(bound)")
      #expect(c.curve.max()! - c.curve.min()! > 0.5, "clip \(n): a flat curve")
    }
  }

  @Test("8×8-block deletion-MoRF equals Quantus' RegionPerturbation (patch 8 on frames stacked vertically, drops)")
  func quantusRegionPerturbation() throws {
    let ours = try Self.deletionCurves(unit: .block(8), steps: 256)
    let quantus = try Self.file.float64(named: "quantus_region_perturbation")
    let bound = try Self.bound()
    for (n, c) in ours.enumerated() {
      #expect(c.units == 256 && c.unitsPerStep == 1 && c.curve.count == 257)
      let drops = c.curve.dropFirst().map { c.curve[0] - $0 }
      let theirs = Array(quantus.scalars[(n * 256)..<((n + 1) * 256)])
      let worst = zip(drops, theirs).map { abs($0 - $1) }.max()!
      #expect(worst <= 2 * bound, "clip \(n): \(worst) > \(2 * bound)")
    }
  }

  @Test("RISE's blur taps equal SciPy's gaussian_filter of an 11-pixel delta")
  func riseTaps() throws {
    let scipy = try Self.file.float64(named: "rise_taps").scalars
    let ours = PerturbationBase.blurTaps()
    #expect(zip(ours, scipy).allSatisfy { abs($0 - $1) <= 4 * 0x1p-53 }, "\(ours) vs \(scipy)")
    let kernel = try Self.file.float64(named: "rise_kernel").scalars
    for i in 0..<11 { for j in 0..<11 { #expect(abs(kernel[i * 11 + j] - ours[i] * ours[j]) <= 8 * 0x1p-53) } }
  }
}
