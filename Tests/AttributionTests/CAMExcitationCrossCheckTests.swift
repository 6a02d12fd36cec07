import Attribution
import Foundation
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

/// The CAM family and excitation backprop against the peers and float64 PyTorch
/// (Reference/attribution/cam_excitation, made by generate.py; README.md there lists every
/// vector, setting and documented difference).
///
/// Literal path (Double) vs float64: 1e-10 of the reference's scale (the same sums in other
/// orders; see PyTorchCrossCheckTests). Fast path (Float32): `NetworkTolerance` with the scale
/// each quantity's rounding grows with (CAMSupport.camMagnitude for channel-weighted sums).
/// Vectors stored as float32 add 2⁻²⁴ of their largest value.
@Suite("CAM family and excitation backprop agree with Captum, pytorch-grad-cam, TorchRay", .serialized)
struct CAMExcitationCrossCheckTests {
  static let targets = [0, 3]
  static let storageRounding = 0x1p-24

  static func file(_ name: String) throws -> SafeTensorsFile {
    try SafeTensors.read(contentsOf: RepositoryPaths.reference("attribution/cam_excitation/\(name).safetensors"))
  }
  /// A number the generator recorded in notes.json (README quotes them).
  static func note(_ key: String) -> Double {
    let url = URL(fileURLWithPath: RepositoryPaths.reference("attribution/cam_excitation/notes.json"))
    let notes = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    return (notes[key] as! NSNumber).doubleValue
  }

  static func fast(_ a: Architecture) -> Network<FastBackend> { Fixture.network(a, FastBackend.self) }
  static func literal(_ a: Architecture) -> Network<LiteralBackend<Double>> {
    Fixture.network(a, LiteralBackend<Double>.self)
  }

  /// NetworkTolerance for `passes` traversals of `net` at `scale`.
  static func bound(_ net: Network<FastBackend>, passes: Int, scale: Double) -> Double {
    let (k, layers) = net.roundingProfile(frames: Fixture.clip.shape[2])
    return NetworkTolerance.bound(maxReduction: k, layers: passes * layers, scale: scale)
  }

  static func maxAbs(_ t: Tensor<Double>) -> Double { CAMSupport.maxAbs(t) }

  static func relativeDifference(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Double {
    zip(a.scalars, b.scalars).map { abs($0 - $1) }.max()! / maxAbs(b)
  }

  @Test("the vectors were made for the targets these tests use")
  func targetsMatch() throws {
    #expect(try Self.file("grad_cam").metadata["targets"] == "[0, 3]")
  }

  // MARK: Grad-CAM

  static let gradCAMCases: [(Architecture, String)] = [
    (.r3d_mini, "layer3"), (.r3d_mini, "layer4"), (.mc3_mini, "layer4"), (.r2plus1d_mini, "layer3"),
    (.tsm_mini, "base_model.layer3"), (.cnn_lstm_mini, "backbone.layer3"),
  ]

  @Test("Grad-CAM equals its definition on PyTorch's activations and gradients (fast path, every model)")
  func gradCAMFormulasFast() throws {
    let f = try Self.file("grad_cam")
    for (a, layer) in Self.gradCAMCases {
      let net = Self.fast(a)
      let (act, grad) = CAMSupport.activationAndGradient(net, Fixture.clip, targets: Self.targets, layer: layer)
      let bound = Self.bound(net, passes: 2, scale: CAMSupport.camMagnitude(act, grad))
      for weighting in GradCAM.Weighting.allCases {
        for relu in [true, false] {
          let ref = try f.doubleTensor(named: "formula.\(a).\(layer).\(weighting.rawValue).\(relu ? "relu" : "norelu")")
          let ours = try GradCAM(layer: layer, weighting: weighting, relu: relu).layerMap(
            Fixture.clip, targets: Self.targets, network: net, score: .logit)
          CAMSupport.expectClose(ours.map.asDouble, ref, bound: bound, "\(a) \(layer) \(weighting) relu \(relu)")
        }
      }
    }
  }

  @Test("Grad-CAM equals its definition on PyTorch's float64 pass (literal path, r3d_mini layer3)")
  func gradCAMFormulasLiteral() throws {
    let f = try Self.file("grad_cam")
    let net = Self.literal(.r3d_mini)
    for weighting in GradCAM.Weighting.allCases {
      let ref = try f.doubleTensor(named: "formula.r3d_mini.layer3.\(weighting.rawValue).norelu")
      let ours = try GradCAM(layer: "layer3", weighting: weighting, relu: false).layerMap(
        Fixture.clip.asDouble, targets: Self.targets, network: net, score: .logit)
      CAMSupport.expectClose(ours.map, ref, bound: 1e-10 * Self.maxAbs(ref), "literal \(weighting)")
    }
  }

  @Test(
    "Captum's LayerGradCam is Grad-CAM with clip weights, ReLU off or on; trilinear interpolate matches the upsampling")
  func captumLayerGradCam() throws {
    let f = try Self.file("grad_cam")
    for (a, layer) in [(Architecture.r3d_mini, "layer3"), (.mc3_mini, "layer4")] {
      let net = Self.fast(a)
      let (act, grad) = CAMSupport.activationAndGradient(net, Fixture.clip, targets: Self.targets, layer: layer)
      let bound = Self.bound(net, passes: 2, scale: CAMSupport.camMagnitude(act, grad))
      for relu in [false, true] {
        let ref = try f.doubleTensor(named: "captum.layer_grad_cam.\(a).\(layer).\(relu ? "relu" : "norelu")")
        let ours = try GradCAM(layer: layer, weighting: .clip, relu: relu).layerMap(
          Fixture.clip, targets: Self.targets, network: net, score: .logit)
        CAMSupport.expectClose(ours.map.asDouble, ref, bound: bound, "Captum \(a) \(layer) relu \(relu)")
      }
      if a == .r3d_mini {
        let ref = try f.doubleTensor(named: "captum.layer_grad_cam.r3d_mini.layer3.relu.trilinear")
        let ours = try GradCAM(layer: layer, weighting: .clip).attribute(
          Fixture.clip, targets: Self.targets, network: net, score: .logit)
        CAMSupport.expectClose(ours.map.asDouble, ref, bound: bound, "Captum + LayerAttribution.interpolate trilinear")
      }
    }
    // In TSM's official (N·T)×C×H×W layout Captum's "mean over every dim ≥ 2" is a mean over
    // each frame's h×w: its LayerGradCam is the per-frame Grad-CAM there.
    let net = Self.fast(.tsm_mini)
    let (act, grad) = CAMSupport.activationAndGradient(
      net, Fixture.clip, targets: Self.targets, layer: "base_model.layer3")
    let bound = Self.bound(net, passes: 2, scale: CAMSupport.camMagnitude(act, grad))
    let ref = try f.doubleTensor(named: "captum.layer_grad_cam.tsm_mini.base_model.layer3.norelu")
    let ours = try GradCAM(layer: "base_model.layer3", weighting: .perFrame, relu: false).layerMap(
      Fixture.clip, targets: Self.targets, network: net, score: .logit)
    CAMSupport.expectClose(ours.map.asDouble, ref, bound: bound, "Captum on TSM's 2-D layout = per-frame")
  }

  @Test(
    "pytorch-grad-cam's GradCAM agrees at the layer; its cubic-spline zoom differs from trilinear by the documented amount"
  )
  func pytorchGradCam() throws {
    let f = try Self.file("grad_cam")
    let net = Self.fast(.r3d_mini)
    let (act, grad) = CAMSupport.activationAndGradient(net, Fixture.clip, targets: Self.targets, layer: "layer3")
    let bound = Self.bound(net, passes: 2, scale: CAMSupport.camMagnitude(act, grad))
    let layerRef = try f.doubleTensor(named: "pytorch_grad_cam.grad_cam.r3d_mini.layer3.layer")
    let m = GradCAM(layer: "layer3", weighting: .clip)
    let ours = try m.layerMap(Fixture.clip, targets: Self.targets, network: net, score: .logit)
    CAMSupport.expectClose(ours.map.asDouble, layerRef, bound: bound, "pytorch-grad-cam at the layer")
    // Its output: min–max, scipy.ndimage.zoom (order 3, corner-aligned grid), min–max again.
    let output = try f.doubleTensor(named: "pytorch_grad_cam.grad_cam.r3d_mini.layer3.output")
    let full = try m.attribute(Fixture.clip, targets: Self.targets, network: net, score: .logit)
    let normalised = m.defaultPostProcessing.apply(full.map)
    let gap = zip(output.scalars, normalised.scalars).map { abs($0 - $1) }.max()!
    let documented = Self.note("pytorch_grad_cam_output_vs_minmax_trilinear_max_abs")
    // Ours (Float) is within ~1e-6 of the float64 formula the generator normalised.
    #expect(abs(gap - documented) <= 1e-5, "max |pytorch-grad-cam − minmax(trilinear)| = \(gap), README: \(documented)")
    #expect(gap > 0.1, "the spline zoom is not trilinear")
  }

  @Test(
    "TorchRay's grad_cam averages over (t, h) on video — a different map — and is per-frame Grad-CAM on TSM's 2-D layout"
  )
  func torchRayGradCam() throws {
    let f = try Self.file("grad_cam")
    let net = Self.fast(.r3d_mini)
    let (a, g) = CAMSupport.activationAndGradient(net, Fixture.clip, targets: Self.targets, layer: "layer3")
    // TorchRay's formula on N×K×t×h×w: α[n,k,w] = mean over (t, h) of G; ReLU(Σ_k α·A).
    let (n, k, t, h, w) = (a.shape[0], a.shape[1], a.shape[2], a.shape[3], a.shape[4])
    var expected = Tensor<Double>(shape: [n, 1, t, h, w], repeating: 0)
    for i in 0..<n {
      for c in 0..<k {
        for x in 0..<w {
          var alpha = 0.0
          for s in 0..<t { for y in 0..<h { alpha += g[i, c, s, y, x] } }
          alpha /= Double(t * h)
          for s in 0..<t {
            for y in 0..<h { expected.scalars[(((i * t) + s) * h + y) * w + x] += alpha * a[i, c, s, y, x] }
          }
        }
      }
    }
    expected = expected.map { max($0, 0) }
    let theirs = try f.doubleTensor(named: "torchray.grad_cam.r3d_mini.layer3")
    let bound = Self.bound(net, passes: 2, scale: CAMSupport.camMagnitude(a, g))
    CAMSupport.expectClose(expected, theirs, bound: bound, "TorchRay = mean over (t, h) on 5-D")
    for weighting in GradCAM.Weighting.allCases {
      let ours = try f.doubleTensor(named: "formula.r3d_mini.layer3.\(weighting.rawValue).relu")
      let d = Self.relativeDifference(theirs, ours)
      #expect(d > 0.5, "TorchRay vs \(weighting): relative difference \(d)")
      #expect(abs(d - Self.note("torchray_grad_cam_5d_vs_\(weighting.rawValue)_relative")) < 1e-9)
    }
    let tsm = Self.fast(.tsm_mini)
    let (ta, tg) = CAMSupport.activationAndGradient(
      tsm, Fixture.clip, targets: Self.targets, layer: "base_model.layer3")
    let ours = try GradCAM(layer: "base_model.layer3").layerMap(
      Fixture.clip, targets: Self.targets, network: tsm, score: .logit)
    CAMSupport.expectClose(
      ours.map.asDouble, try f.doubleTensor(named: "torchray.grad_cam.tsm_mini.base_model.layer3"),
      bound: Self.bound(tsm, passes: 2, scale: CAMSupport.camMagnitude(ta, tg)), "TorchRay on TSM (2-D layout)")
  }

  @Test("Captum's GuidedGradCam is guided Grad-CAM with clip weights, ReLU and nearest upsampling")
  func captumGuidedGradCam() throws {
    let f = try Self.file("grad_cam")
    let ref = try f.doubleTensor(named: "captum.guided_grad_cam.r3d_mini.layer3.nearest")
    let net = Self.fast(.r3d_mini)
    let cam = GradCAM(layer: "layer3", weighting: .clip, upsampling: .nearest)
    let ours = try GuidedGradCAM(cam).attribute(Fixture.clip, targets: Self.targets, network: net, score: .logit)
    let (a, g) = CAMSupport.activationAndGradient(net, Fixture.clip, targets: Self.targets, layer: "layer3")
    let gbp = try RuleSaliency(.guidedBackprop).attribute(
      Fixture.clip, targets: Self.targets, network: net, score: .logit)
    let camMap = try cam.attribute(Fixture.clip, targets: Self.targets, network: net, score: .logit)
    // A product of two maps, each within its own bound; the vector is stored as float32.
    let bound =
      Self.bound(net, passes: 2, scale: CAMSupport.camMagnitude(a, g)) * CAMSupport.maxAbs(gbp.map)
      + Self.bound(net, passes: 2, scale: CAMSupport.maxAbs(gbp.map)) * CAMSupport.maxAbs(camMap.map)
      + Self.storageRounding * Self.maxAbs(ref)
    CAMSupport.expectClose(ours.map.asDouble, ref, bound: bound, "Captum GuidedGradCam")
  }

  // MARK: CAM and Score-CAM

  @Test("CAM is Σ_k w_ck A_k on PyTorch's activations (fast path; literal on mc3_mini)")
  func camFormula() throws {
    let f = try Self.file("cam_score_cam")
    for (a, layer) in [(Architecture.mc3_mini, "layer4"), (.r3d_mini, "layer4"), (.tsm_mini, "base_model.layer4")] {
      let ref = try f.doubleTensor(named: "cam.\(a).\(layer)")
      let net = Self.fast(a)
      let (act, _) = CAMSupport.activationAndGradient(net, Fixture.clip, targets: Self.targets, layer: layer)
      let w = try #require(net.parameters.first { $0.name == (a == .tsm_mini ? "new_fc.weight" : "fc.weight") })
      let scale = Double(act.shape[1]) * CAMSupport.maxAbs(w.value) * CAMSupport.maxAbs(act)
      let ours = try CAM().layerMap(Fixture.clip, targets: Self.targets, network: net, score: .logit)
      CAMSupport.expectClose(ours.map.asDouble, ref, bound: Self.bound(net, passes: 1, scale: scale), "CAM \(a)")
      if a == .mc3_mini {
        let lit = try CAM().layerMap(
          Fixture.clip.asDouble, targets: Self.targets, network: Self.literal(a), score: .logit)
        CAMSupport.expectClose(lit.map, ref, bound: 1e-10 * Self.maxAbs(ref), "CAM \(a) literal")
      }
    }
  }

  @Test("Score-CAM equals its definition evaluated in float64 PyTorch (fast path, r3d_mini layer3, 64 masks per clip)")
  func scoreCAMFormula() throws {
    let f = try Self.file("cam_score_cam")
    let ref = try f.doubleTensor(named: "score_cam.r3d_mini.layer3")
    let net = Self.fast(.r3d_mini)
    let ours = try ScoreCAM(layer: "layer3", batch: 16).attribute(
      Fixture.clip, targets: Self.targets, network: net, score: .logit)
    // Bound K·(δs + 16u·max|s|) (see CAMExcitationTests.scoreCAMPaths), with max|s| measured on
    // the masked clips themselves.
    let (act, _) = CAMSupport.activationAndGradient(net, Fixture.clip, targets: Self.targets, layer: "layer3")
    var maxScore = 0.0
    for n in 0..<2 {
      let perChannel = Tensor<Float>(converting: act).clips(n..<(n + 1)).reshaped([64, 1, 2, 4, 4])
      let masks = ScoreCAM.masks(perChannel, clipShape: Fixture.clip.shape, .trilinear, FastBackend.self)
      let clip = Fixture.clip.clips(n..<(n + 1))
      let masked = FastBackend.multiply(
        Tensor.concatenate(Array(repeating: clip, count: 64)),
        FastBackend.conv3d(
          masks, weight: Tensor(shape: [3, 1, 1, 1, 1], repeating: 1), bias: nil, geometry: Conv3DGeometry()))
      let s = ScoreGradient<FastBackend>.scores(
        network: net, input: masked, targets: Array(repeating: Self.targets[n], count: 64), score: .logit)
      maxScore = max(maxScore, s.map(abs).max()!)
    }
    let bound =
      64 * (Self.bound(net, passes: 1, scale: maxScore) + 16 * 0x1p-24 * maxScore) + Self.storageRounding
      * Self.maxAbs(ref)
    CAMSupport.expectClose(ours.map.asDouble, ref, bound: bound, "Score-CAM")
    #expect(Self.maxAbs(ref) > 0)
  }

  // MARK: Excitation backprop

  static func eb(
    _ a: Architecture, _ layer: String, contrastive: Bool = false, contrast: String? = nil
  ) throws -> Tensor<Double> {
    let m = ExcitationBackprop(layer: layer, contrastive: contrastive, contrastLayer: contrast, upsampling: .trilinear)
    let s = try m.signal(Fixture.clip, targets: targets, network: fast(a), score: .logit).map
    return Tensor<Double>(
      converting: FastBackend.conv3d(
        s, weight: Tensor(shape: [1, s.shape[1], 1, 1, 1], repeating: 1), bias: nil, geometry: Conv3DGeometry()))
  }

  @Test(
    "excitation backprop equals TorchRay's above the first residual block and TorchRay-with-our-conventions below it")
  func excitationVersusTorchRay() throws {
    let f = try Self.file("excitation")
    for (a, layers) in [
      (Architecture.r3d_mini, ["layer4", "layer3", "layer2"]), (.tsm_mini, ["base_model.layer4", "base_model.layer3"]),
    ] {
      let net = Self.fast(a)
      for (i, layer) in layers.enumerated() {
        let adapted = try f.doubleTensor(named: "adapted.excitation_backprop.\(a).\(layer)")
        let native = try f.doubleTensor(named: "torchray.excitation_backprop.\(a).\(layer)")
        let ours = try Self.eb(a, layer)
        let bound = Self.bound(net, passes: 2, scale: Self.maxAbs(adapted))
        CAMSupport.expectClose(ours, adapted, bound: bound, "\(a) \(layer) vs TorchRay adapted")
        // Mass per clip: ours 1; TorchRay copies p into both summands of each residual sum.
        for n in 0..<2 {
          let per = native.count / 2
          let nativeMass = native.scalars[(n * per)..<((n + 1) * per)].reduce(0, +)
          let ourMass = ours.scalars[(n * per)..<((n + 1) * per)].reduce(0, +)
          #expect(abs(ourMass - 1) <= 1e-5, "\(a) \(layer) clip \(n): Σp = \(ourMass)")
          let blocks = Double(1 << i)  // one residual block per stage in the mini models
          #expect(
            abs(nativeMass - blocks) <= 1e-12 * blocks, "\(a) \(layer): TorchRay Σp = \(nativeMass), expected \(blocks)"
          )
        }
        if i == 0 {
          CAMSupport.expectClose(ours, native, bound: bound, "\(a) \(layer) vs TorchRay native")
        } else {
          #expect(Self.relativeDifference(native, adapted) > 0.5, "\(a) \(layer): TorchRay's copy rule should differ")
        }
      }
    }
    // Literal path, tight, two blocks below the classifier.
    let lit = try ExcitationBackprop(layer: "layer2").signal(
      Fixture.clip.asDouble, targets: Self.targets, network: Self.literal(.r3d_mini), score: .logit
    ).map
    let summed = LiteralBackend<Double>.conv3d(
      lit, weight: Tensor(shape: [1, lit.shape[1], 1, 1, 1], repeating: 1), bias: nil, geometry: Conv3DGeometry())
    let ref = try f.doubleTensor(named: "adapted.excitation_backprop.r3d_mini.layer2")
    CAMSupport.expectClose(summed, ref, bound: 1e-10 * Self.maxAbs(ref), "literal r3d_mini layer2")
  }

  @Test("contrastive excitation backprop equals TorchRay's procedure with our conventions")
  func contrastiveVersusTorchRay() throws {
    let f = try Self.file("excitation")
    for (a, layer, contrast) in [
      (Architecture.r3d_mini, "layer3", "layer4"), (.tsm_mini, "base_model.layer3", "base_model.layer4"),
    ] {
      let net = Self.fast(a)
      let ref = try f.doubleTensor(named: "adapted.contrastive_excitation_backprop.\(a).\(layer)")
      let ours = try Self.eb(a, layer, contrastive: true, contrast: contrast).map { max($0, 0) }
      let scale =
        2 * Self.maxAbs(try f.doubleTensor(named: "adapted.excitation_backprop.\(a).\(layer)")) + Self.maxAbs(ref)
      CAMSupport.expectClose(ours, ref, bound: Self.bound(net, passes: 3, scale: scale), "contrastive \(a)")
      let native = try f.doubleTensor(named: "torchray.contrastive_excitation_backprop.\(a).\(layer)")
      #expect(Self.relativeDifference(native, ref) > 0.5, "\(a): TorchRay's copy rule changes the contrastive map")
    }
  }

  @Test("excitation backprop for the CNN-LSTM equals its PyTorch mirror; Li et al.'s plain-gradient LSTM differs")
  func recurrentExcitation() throws {
    let f = try Self.file("excitation")
    let ref = try f.doubleTensor(named: "package_rule.excitation_backprop.cnn_lstm_mini.backbone.layer3")
    let li = try f.doubleTensor(named: "li_procedure.excitation_backprop.cnn_lstm_mini.backbone.layer3")
    let ours = try Self.eb(.cnn_lstm_mini, "backbone.layer3")
    // The T·g/Σg normalisation divides by a sum of signed terms: scale by Σ|g|/|Σg| at the head.
    let head = try ExcitationBackprop(layer: "relu7").signal(
      Fixture.clip, targets: Self.targets, network: Self.fast(.cnn_lstm_mini), score: .logit
    ).map
    let amplification = Double(head.scalars.reduce(0) { $0 + abs($1) }) / Double(abs(head.scalars.reduce(0, +)))
    let bound = Self.bound(Self.fast(.cnn_lstm_mini), passes: 2, scale: Self.maxAbs(ref)) * amplification
    CAMSupport.expectClose(ours, ref, bound: bound, "CNN-LSTM vs mirror")
    let d = Self.relativeDifference(li, ref)
    #expect(abs(d - Self.note("cnn_lstm_li_vs_package_relative")) < 1e-12 && d > 0.1, "Li et al. vs ours: \(d)")
  }
}
