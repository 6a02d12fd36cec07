import Foundation
import VideoAttribution

/// A convolution of a network, by its place in the network.
struct ConvBenchSpec {
  var name: String
  var input: [Int]
  var weight: [Int]
  var geometry: Conv3DGeometry

  var output: [Int] { geometry.checkedOutputShape(input: input, weight: weight) }
  var text: String {
    func list(_ v: [Int], _ separator: String) -> String { v.map(String.init).joined(separator: separator) }
    let g = geometry
    return "x\(list(input, "x")) w\(list(weight, "x")) s\(list(g.stride.array, ",")) p\(list(g.padding.array, ","))"
      + (g.dilation == .cube(1) ? "" : " d\(list(g.dilation.array, ","))")
      + (g.groups == 1 ? "" : " g\(g.groups)")
  }
}

/// Every distinct convolution of torchvision's r2plus1d_18 on a 1×3×`frames`×112×112 clip,
/// in network order, named after the module that first uses the shape.
///
/// Stem: Conv3d(3→45, k(1,7,7), s(1,2,2), p(0,3,3)), Conv3d(45→64, k(3,1,1), p(1,0,0)).
/// Layers 1–4 (planes 64, 128, 256, 512; stride 2 in the first block of layers 2–4), two
/// BasicBlocks each; a block's conv1 (inplanes→planes, stride s) and conv2 (planes→planes)
/// are each a Conv2Plus1D: Conv3d(in→mid, k(1,3,3), s(1,s,s), p(0,1,1)) then
/// Conv3d(mid→out, k(3,1,1), s(s,1,1), p(1,0,0)), with the block's
/// mid = (inplanes·planes·27) // (inplanes·9 + 3·planes) for both; the first block of layers
/// 2–4 has a downsample Conv3d(inplanes→planes, k 1, stride 2). No biases.
func r2plus1dConvSpecs(frames: Int) -> [ConvBenchSpec] {
  var specs: [ConvBenchSpec] = []
  func add(_ name: String, _ input: [Int], _ weight: [Int], _ g: Conv3DGeometry) -> [Int] {
    let spec = ConvBenchSpec(name: name, input: input, weight: weight, geometry: g)
    if !specs.contains(where: { $0.input == input && $0.weight == weight && $0.geometry == g }) { specs.append(spec) }
    return spec.output
  }
  var x = [1, 3, frames, 112, 112]
  x = add("stem.0", x, [45, 3, 1, 7, 7], Conv3DGeometry(stride: Size3(1, 2, 2), padding: Size3(0, 3, 3)))
  x = add("stem.3", x, [64, 45, 3, 1, 1], Conv3DGeometry(padding: Size3(1, 0, 0)))
  var inplanes = 64
  for (layer, planes, layerStride) in [(1, 64, 1), (2, 128, 2), (3, 256, 2), (4, 512, 2)] {
    for block in 0..<2 {
      let s = block == 0 ? layerStride : 1
      let mid = (inplanes * planes * 27) / (inplanes * 9 + 3 * planes)
      let prefix = "layer\(layer).\(block)"
      let blockInput = x
      func conv2plus1d(_ name: String, _ input: [Int], _ out: Int, _ s: Int) -> [Int] {
        let m = add(
          "\(prefix).\(name).spatial", input, [mid, input[1], 1, 3, 3],
          Conv3DGeometry(stride: Size3(1, s, s), padding: Size3(0, 1, 1)))
        return add(
          "\(prefix).\(name).temporal", m, [out, mid, 3, 1, 1],
          Conv3DGeometry(stride: Size3(s, 1, 1), padding: Size3(1, 0, 0)))
      }
      x = conv2plus1d("conv1", x, planes, s)
      x = conv2plus1d("conv2", x, planes, 1)
      if s != 1 || inplanes != planes {
        _ = add("\(prefix).downsample", blockInput, [planes, inplanes, 1, 1, 1], Conv3DGeometry(stride: .cube(s)))
      }
      inplanes = planes
    }
  }
  return specs
}

/// The three benchmark rows (forward, backward input, backward weight) of every r2plus1d_18
/// convolution. The literal check runs on the first T′ frames (and, if needed, H′ rows) of the
/// input, the largest whose literal run costs at most `literalMACBudget` multiply-adds.
func convBenchmarkRows(frames: Int, literalMACBudget: Double) -> [KernelBenchmarkRow] {
  var rows: [KernelBenchmarkRow] = []
  for spec in r2plus1dConvSpecs(frames: frames) {
    let flops = spec.geometry.flops(input: spec.input, weight: spec.weight)
    for direction in ["forward", "backward_input", "backward_weight"] {
      let g = spec.geometry
      rows.append(
        KernelBenchmarkRow(
          kernel: "conv3d", name: spec.name, shape: spec.text, direction: direction, flops: flops,
          peerKey: "\(spec.text)|\(direction)",
          peerSpec: [
            "key": spec.text, "input": spec.input, "weight": spec.weight, "stride": g.stride.array,
            "padding": g.padding.array, "dilation": g.dilation.array, "groups": g.groups,
          ],
          make: { convRunners(spec, direction: direction, literalMACBudget: literalMACBudget) }))
    }
  }
  return rows
}

private func convRunners(_ spec: ConvBenchSpec, direction: String, literalMACBudget: Double) -> BenchmarkRunners {
  let g = spec.geometry
  var rng = SeededRNG(seed: 2024)
  let x = Tensor<Float>.uniform(spec.input, -1, 1, using: &rng)
  let w = Tensor<Float>.uniform(spec.weight, -0.1, 0.1, using: &rng)
  let dy = Tensor<Float>.uniform(spec.output, -1, 1, using: &rng)
  let fast: () -> Void
  switch direction {
  case "forward": fast = { _ = Fast.conv3d(x, weight: w, bias: nil, geometry: g) }
  case "backward_input":
    fast = { _ = Fast.conv3dBackwardInput(dy, weight: w, inputShape: spec.input, geometry: g) }
  default: fast = { _ = Fast.conv3dBackwardWeight(dy, input: x, weightShape: spec.weight, geometry: g) }
  }
  return BenchmarkRunners(fast: fast, check: { convCheck(spec, direction: direction, budget: literalMACBudget) })
}

/// Literal (Float, timed) and fast runs on the first T′ frames, compared element by element
/// against 2·γₙ·M/(1 − γₙ), M the fast kernel on absolute values and n the terms per element:
/// both results are within γₙ·(exact Σ|terms|) of the exact value, and M ≥ (1 − γₙ)·Σ|terms|.
private func convCheck(_ spec: ConvBenchSpec, direction: String, budget: Double) -> BenchmarkCheck {
  let g = spec.geometry
  let cg = spec.weight[1], og = spec.weight[0] / g.groups, kvol = spec.weight[2] * spec.weight[3] * spec.weight[4]
  func macs(_ input: [Int]) -> Double {
    guard case .success(let out) = g.outputShape(input: input, weight: spec.weight) else { return .infinity }
    return Double(out.reduce(1, *)) * Double(cg * kvol)
  }
  // Fewer frames first, then fewer rows, until the literal run fits the budget.
  var input = spec.input
  while input[2] > 1 && macs(input) > budget { input[2] -= 1 }
  while input[3] > 1 && macs(input) > budget {
    var fewer = input
    fewer[3] -= 1
    if macs(fewer) == .infinity { break }
    input = fewer
  }
  let output = g.checkedOutputShape(input: input, weight: spec.weight)
  var rng = SeededRNG(seed: 7)
  let x = Tensor<Float>.uniform(input, -1, 1, using: &rng)
  let w = Tensor<Float>.uniform(spec.weight, -0.1, 0.1, using: &rng)
  let dy = Tensor<Float>.uniform(output, -1, 1, using: &rng)
  let (xa, wa, dya) = (x.map { abs($0) }, w.map { abs($0) }, dy.map { abs($0) })
  var literal = Tensor<Float>.zeros([0])
  let fastResult: Tensor<Float>, magnitude: Tensor<Float>, terms: Int
  let seconds: Double
  switch direction {
  case "forward":
    seconds = secondsOf { literal = Literal.conv3d(x, weight: w, bias: nil, geometry: g) }
    fastResult = Fast.conv3d(x, weight: w, bias: nil, geometry: g)
    magnitude = Fast.conv3d(xa, weight: wa, bias: nil, geometry: g)
    terms = cg * kvol
  case "backward_input":
    seconds = secondsOf { literal = Literal.conv3dBackwardInput(dy, weight: w, inputShape: input, geometry: g) }
    fastResult = Fast.conv3dBackwardInput(dy, weight: w, inputShape: input, geometry: g)
    magnitude = Fast.conv3dBackwardInput(dya, weight: wa, inputShape: input, geometry: g)
    terms = og * kvol
  default:
    seconds = secondsOf { literal = Literal.conv3dBackwardWeight(dy, input: x, weightShape: spec.weight, geometry: g) }
    fastResult = Fast.conv3dBackwardWeight(dy, input: x, weightShape: spec.weight, geometry: g)
    magnitude = Fast.conv3dBackwardWeight(dya, input: xa, weightShape: spec.weight, geometry: g)
    terms = output[0] * output[2] * output[3] * output[4]
  }
  let nu = Double(terms + 2) * 0x1p-24
  let gamma = nu / (1 - nu)
  var worst = 0.0
  for i in 0..<literal.count {
    let d = abs(Double(fastResult.scalars[i]) - Double(literal.scalars[i]))
    let bound = 2 * gamma * Double(magnitude.scalars[i]) / (1 - gamma) + Double(Float.leastNormalMagnitude)
    worst = max(worst, d.isNaN ? .infinity : d / bound)
  }
  let scale = macs(spec.input) / macs(input)
  let note =
    input == spec.input
    ? "literal run on the full shape; checked on it"
    : "literal run on the first \(input[2]) of \(spec.input[2]) frames"
      + (input[3] == spec.input[3] ? "" : " and \(input[3]) of \(spec.input[3]) rows")
      + " (\(String(format: "%.3g", macs(input))) MACs), time scaled by \(String(format: "%.4g", scale)) "
      + "(MAC ratio); checked on that reduced input"
  return BenchmarkCheck(passed: worst <= 1, worstRatio: worst, literalSeconds: seconds * scale, note: note)
}
