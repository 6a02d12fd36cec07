import Foundation
import VideoAttribution

/// Benchmark rows for the Gaussian blur and the resampling kernels at the attribution size
/// 1×3×16×112×112: the blurs of extremal perturbation's pyramid (σ 1, 5, 20) and Blur IG's
/// σ-derivative, the temporal blur, and the upsampling of a layer-4 map (2×7×7 → 16×112×112)
/// that CAM-type methods do. Each row checks the fast kernel against the literal one in Double
/// on the same input, with the bound γ_(n+2)·(literal kernel on |x|), n the taps (or blend
/// weights) per output element, then times the fast kernel.
func resampleBenchmarkRows(frames t: Int) -> [KernelBenchmarkRow] {
  let clip = [1, 3, t, 112, 112]
  var rows: [KernelBenchmarkRow] = []
  func row(
    _ kernel: String, _ name: String, _ shape: String, flops: Double, terms: Int, input: [Int],
    fast: @escaping (Tensor<Float>) -> Tensor<Float>, literal: @escaping (Tensor<Double>) -> Tensor<Double>
  ) {
    rows.append(
      KernelBenchmarkRow(
        kernel: kernel, name: name, shape: shape, direction: "forward", flops: flops, peerKey: "", peerSpec: nil,
        make: {
          var rng = SeededRNG(seed: 31)
          let x = Tensor<Float>.uniform(input, -1, 1, using: &rng)
          return BenchmarkRunners(
            fast: { _ = fast(x) },
            check: {
              let start = Date()
              let reference = literal(Tensor<Double>(converting: x))
              let seconds = Date().timeIntervalSince(start)
              let magnitude = literal(Tensor<Double>(converting: x).map { abs($0) })
              let n = Double(terms + 2) * 0x1p-24
              let gamma = n / (1 - n)
              var worst = 0.0
              let got = fast(x)
              for i in 0..<reference.count {
                let bound = gamma * magnitude.scalars[i] + Double(Float.leastNormalMagnitude)
                worst = max(worst, abs(Double(got.scalars[i]) - reference.scalars[i]) / bound)
              }
              return BenchmarkCheck(
                passed: worst <= 1, worstRatio: worst, literalSeconds: seconds,
                note: "full shape, literal in Double; bound γ_\(terms + 2)·literal(|x|)")
            })
        }))
  }
  let elements = Double(clip.reduce(1, *))
  for sigma in [1.0, 5.0, 20.0] {
    let taps = 2 * Int((4 * sigma).rounded(.up)) + 1
    row(
      "gaussian_blur_spatial", "pyramid σ=\(Int(sigma))", "x1x3x\(t)x112x112 σ\(sigma)",
      flops: 2 * 2 * Double(taps) * elements, terms: 2 * taps, input: clip,
      fast: { Fast.gaussianBlurSpatial($0, sigma: sigma) }, literal: { Literal.gaussianBlurSpatial($0, sigma: sigma) })
  }
  let taps20 = 2 * 80 + 1
  row(
    "gaussian_blur_sigma_derivative", "blur_ig σ=20", "x1x3x\(t)x112x112 σ20",
    flops: 2 * 2 * 2 * Double(taps20) * elements, terms: 4 * taps20, input: clip,
    fast: { Fast.gaussianBlurSpatialSigmaDerivative($0, sigma: 20) },
    literal: { Literal.gaussianBlurSpatialSigmaDerivative($0, sigma: 20) })
  row(
    "gaussian_blur_temporal", "temporal σ=2", "x1x3x\(t)x112x112 σ2",
    flops: 2 * 17 * elements, terms: 17, input: clip,
    fast: { Fast.gaussianBlurTemporal($0, sigma: 2) }, literal: { Literal.gaussianBlurTemporal($0, sigma: 2) })
  let layerMap = [1, 1, max(1, t / 8), 7, 7]
  let up = Size3(t, 112, 112)
  row(
    "resize_trilinear", "layer4 map → clip", "x\(layerMap.map(String.init).joined(separator: "x")) → \(t)x112x112",
    flops: 14 * Double(t * 112 * 112), terms: 8, input: layerMap,
    fast: { Fast.resizeTrilinear($0, size: up) }, literal: { Literal.resizeTrilinear($0, size: up) })
  row(
    "resize_nearest", "layer4 map → clip", "x\(layerMap.map(String.init).joined(separator: "x")) → \(t)x112x112",
    flops: Double(t * 112 * 112), terms: 1, input: layerMap,
    fast: { Fast.resizeNearest($0, size: up) }, literal: { Literal.resizeNearest($0, size: up) })
  return rows
}
