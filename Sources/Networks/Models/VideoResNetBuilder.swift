import Kernels
import TensorCore

/// Builds the module trees of torchvision's VideoResNet (`r3d_18`, `mc3_18`, `r2plus1d_18`)
/// and of torchvision's 2-D ResNets run frame by frame (the TSM and CNN-LSTM backbones), with
/// PyTorch's module paths and parameter names.
///
/// 2-D layers run on N×C×T×H×W with kernels of temporal extent 1: a Conv3d with kernel
/// (1, k, k) is the 2-D convolution of every frame, and batch norm over (N, T, H, W) is
/// BatchNorm2d over the N·T frames — so no layout change is needed to run an image network
/// on a clip.
struct ModuleBuilder<B: KernelBackend> {
  typealias M = any NetworkModule<B>
  let source: ParameterSource<B.Scalar>

  // MARK: Primitive layers

  /// Conv3d (no bias) followed by BatchNorm3d, as one module. With `image`, the layer is a
  /// 2-D Conv2d + BatchNorm2d run on every frame: its kernel must have temporal extent 1 and
  /// its weight is stored in `state_dict()` as Cout×Cin×kh×kw.
  func convBN(
    image: Bool = false, conv: String, bn: String, _ cin: Int, _ cout: Int, kernel: Size3, stride: Size3 = .cube(1),
    padding: Size3 = .cube(0)
  ) -> Convolution<B> {
    precondition(
      !image || (kernel.t == 1 && stride.t == 1 && padding.t == 0), "\(conv): a 2-D layer needs a 1×k×k kernel")
    let w = source.make(
      conv + ".weight", [cout, cin, kernel.t, kernel.h, kernel.w], .weight, .kaimingNormalFanOut,
      stateShape: image ? [cout, cin, kernel.h, kernel.w] : nil)
    return Convolution(
      convPath: conv, weight: w, bias: nil, geometry: Conv3DGeometry(stride: stride, padding: padding),
      batchNorm: batchNorm(bn, cout))
  }

  func batchNorm(_ path: String, _ c: Int) -> BatchNormParameters<B.Scalar> {
    BatchNormParameters(
      path: path,
      scale: source.make(path + ".weight", [c], .batchNormScale, .constant(1)),
      shift: source.make(path + ".bias", [c], .batchNormShift, .constant(0)),
      mean: source.make(path + ".running_mean", [c], .runningMean, .constant(0)),
      variance: source.make(path + ".running_var", [c], .runningVariance, .constant(1)))
  }

  func linear(_ path: String, _ cin: Int, _ cout: Int, std: Double = 0.01) -> Linear<B> {
    Linear(
      path: path, weight: source.make(path + ".weight", [cout, cin], .weight, .normal(std)),
      bias: source.make(path + ".bias", [cout], .bias, .constant(0)))
  }

  func frameLinear(_ path: String, _ cin: Int, _ cout: Int, std: Double = 0.01) -> FrameLinear<B> {
    FrameLinear(
      path: path, weight: source.make(path + ".weight", [cout, cin], .weight, .normal(std)),
      bias: source.make(path + ".bias", [cout], .bias, .constant(0)))
  }

  // MARK: VideoResNet

  enum VideoBlockKind { case conv3D, noTemporal, conv2Plus1D }

  /// torchvision's `BasicStem` (R3D, MC3) or `R2Plus1dStem`.
  func videoStem(_ family: ModelFamily, width: Int, mid: Int) -> Sequential<B> {
    if family == .convolution2Plus1D {
      return Sequential(
        path: "stem",
        [
          convBN(
            conv: "stem.0", bn: "stem.1", 3, mid, kernel: Size3(1, 7, 7), stride: Size3(1, 2, 2),
            padding: Size3(0, 3, 3)),
          ReLU(path: "stem.2"),
          convBN(conv: "stem.3", bn: "stem.4", mid, width, kernel: Size3(3, 1, 1), padding: Size3(1, 0, 0)),
          ReLU(path: "stem.5"),
        ])
    }
    return Sequential(
      path: "stem",
      [
        convBN(
          conv: "stem.0", bn: "stem.1", 3, width, kernel: Size3(3, 7, 7), stride: Size3(1, 2, 2),
          padding: Size3(1, 3, 3)),
        ReLU(path: "stem.2"),
      ])
  }

  /// One torchvision `conv_builder` convolution plus the batch norm after it; `seq` is the
  /// path of the enclosing `Sequential` (e.g. `layer1.0.conv1`), whose child 0 is the conv
  /// builder and child 1 the batch norm.
  func videoConv(
    _ kind: VideoBlockKind, seq: String, _ cin: Int, _ cout: Int, mid: Int, stride: Int
  ) -> [M] {
    switch kind {
    case .conv3D:
      return [
        convBN(
          conv: seq + ".0", bn: seq + ".1", cin, cout, kernel: .cube(3), stride: .cube(stride), padding: .cube(1))
      ]
    case .noTemporal:
      return [
        convBN(
          conv: seq + ".0", bn: seq + ".1", cin, cout, kernel: Size3(1, 3, 3), stride: Size3(1, stride, stride),
          padding: Size3(0, 1, 1))
      ]
    case .conv2Plus1D:
      let inner = seq + ".0"
      return [
        Sequential(
          path: inner,
          [
            convBN(
              conv: inner + ".0", bn: inner + ".1", cin, mid, kernel: Size3(1, 3, 3),
              stride: Size3(1, stride, stride), padding: Size3(0, 1, 1)),
            ReLU(path: inner + ".2"),
            convBN(
              conv: inner + ".3", bn: seq + ".1", mid, cout, kernel: Size3(3, 1, 1), stride: Size3(stride, 1, 1),
              padding: Size3(1, 0, 0)),
          ])
      ]
    }
  }

  /// torchvision video `BasicBlock`: conv1 (stride) + BN + ReLU, conv2 + BN, shortcut, ReLU.
  /// R(2+1)D: midplanes = (in·out·27) // (in·9 + 3·out), shared by conv1 and conv2.
  func videoBlock(_ kind: VideoBlockKind, path: String, _ cin: Int, _ cout: Int, stride: Int) -> ResidualBlock<B> {
    let mid = (cin * cout * 27) / (cin * 9 + 3 * cout)
    let conv1 = Sequential(
      path: path + ".conv1",
      videoConv(kind, seq: path + ".conv1", cin, cout, mid: mid, stride: stride) + [ReLU(path: path + ".conv1.2")])
    let conv2 = Sequential(
      path: path + ".conv2", videoConv(kind, seq: path + ".conv2", cout, cout, mid: mid, stride: 1))
    var shortcut: M? = nil
    if stride != 1 || cin != cout {
      let ds: Size3 = kind == .noTemporal ? Size3(1, stride, stride) : .cube(stride)
      shortcut = convBN(
        conv: path + ".downsample.0", bn: path + ".downsample.1", cin, cout, kernel: .cube(1), stride: ds)
    }
    return ResidualBlock(path: path, main: [conv1, conv2], shortcut: shortcut)
  }

  /// The whole VideoResNet: stem, layer1–4, AdaptiveAvgPool3d(1), flatten, fc.
  func videoResNet(_ architecture: Architecture, _ c: ModelConfiguration) -> [M] {
    let family = architecture.family
    var modules: [M] = [videoStem(family, width: c.widths[0], mid: c.stemMidChannels)]
    var inplanes = c.widths[0]
    for stage in 0..<4 {
      let kind: VideoBlockKind
      switch family {
      case .convolution2Plus1D: kind = .conv2Plus1D
      default:
        let mc3 = architecture == .mc3_18 || architecture == .mc3_mini
        kind = (mc3 && stage > 0) ? .noTemporal : .conv3D
      }
      let planes = c.widths[stage]
      var blocks: [M] = []
      for b in 0..<c.blocks[stage] {
        let stride = (stage > 0 && b == 0) ? 2 : 1
        blocks.append(videoBlock(kind, path: "layer\(stage + 1).\(b)", inplanes, planes, stride: stride))
        inplanes = planes
      }
      modules.append(Sequential(path: "layer\(stage + 1)", blocks))
    }
    modules.append(AdaptiveAveragePool(path: "avgpool", outputSize: .cube(1)))
    modules.append(Flatten(path: "flatten"))
    modules.append(linear("fc", inplanes, c.classes))
    return modules
  }

  // MARK: 2-D ResNet, frame by frame

  /// torchvision `BasicBlock` (2-D): conv1 3×3 (stride) + bn1 + relu, conv2 3×3 + bn2,
  /// shortcut, relu. With `shift`, conv1 is wrapped by TSM's temporal shift (`conv1.net`).
  func imageBasicBlock(path: String, _ cin: Int, _ cout: Int, stride: Int, shift: Int?) -> ResidualBlock<B> {
    var conv1: M = convBN(
      image: true, conv: path + (shift == nil ? ".conv1" : ".conv1.net"), bn: path + ".bn1", cin, cout,
      kernel: Size3(1, 3, 3),
      stride: Size3(1, stride, stride), padding: Size3(0, 1, 1))
    if let d = shift { conv1 = TemporalShift(path: path + ".conv1", foldDivisor: d, wrapping: conv1) }
    let main: [M] = [
      conv1, ReLU(path: path + ".relu"),
      convBN(
        image: true, conv: path + ".conv2", bn: path + ".bn2", cout, cout, kernel: Size3(1, 3, 3),
        padding: Size3(0, 1, 1)),
    ]
    return ResidualBlock(path: path, main: main, shortcut: imageShortcut(path, cin, cout, stride))
  }

  /// torchvision `Bottleneck` (ResNet v1.5, stride on the 3×3): 1×1, 3×3 (stride), 1×1 ×4.
  func imageBottleneck(path: String, _ cin: Int, _ width: Int, stride: Int, shift: Int?) -> ResidualBlock<B> {
    let cout = width * 4
    var conv1: M = convBN(
      image: true, conv: path + (shift == nil ? ".conv1" : ".conv1.net"), bn: path + ".bn1", cin, width,
      kernel: .cube(1))
    if let d = shift { conv1 = TemporalShift(path: path + ".conv1", foldDivisor: d, wrapping: conv1) }
    let main: [M] = [
      conv1, ReLU(path: path + ".relu"),
      convBN(
        image: true, conv: path + ".conv2", bn: path + ".bn2", width, width, kernel: Size3(1, 3, 3),
        stride: Size3(1, stride, stride),
        padding: Size3(0, 1, 1)),
      ReLU(path: path + ".relu"),
      convBN(image: true, conv: path + ".conv3", bn: path + ".bn3", width, cout, kernel: .cube(1)),
    ]
    return ResidualBlock(path: path, main: main, shortcut: imageShortcut(path, cin, cout, stride))
  }

  func imageShortcut(_ path: String, _ cin: Int, _ cout: Int, _ stride: Int) -> M? {
    guard stride != 1 || cin != cout else { return nil }
    return convBN(
      image: true, conv: path + ".downsample.0", bn: path + ".downsample.1", cin, cout, kernel: .cube(1),
      stride: Size3(1, stride, stride))
  }

  /// torchvision `resnet18` / `resnet50` without avgpool and fc, every path prefixed by
  /// `prefix` ("base_model." for TSM, "backbone." for the CNN-LSTM); returns the modules and
  /// the output channel count.
  func imageResNet(prefix: String, _ c: ModelConfiguration, shift: Int?) -> (modules: [M], channels: Int) {
    var modules: [M] = [
      convBN(
        image: true, conv: prefix + "conv1", bn: prefix + "bn1", 3, c.widths[0], kernel: Size3(1, 7, 7),
        stride: Size3(1, 2, 2),
        padding: Size3(0, 3, 3)),
      ReLU(path: prefix + "relu"),
      MaxPool(
        path: prefix + "maxpool",
        geometry: Pool3DGeometry(kernel: Size3(1, 3, 3), stride: Size3(1, 2, 2), padding: Size3(0, 1, 1))),
    ]
    var inplanes = c.widths[0]
    for stage in 0..<4 {
      var blocks: [M] = []
      for b in 0..<c.blocks[stage] {
        let stride = (stage > 0 && b == 0) ? 2 : 1
        let path = prefix + "layer\(stage + 1).\(b)"
        if c.bottleneck {
          blocks.append(imageBottleneck(path: path, inplanes, c.widths[stage], stride: stride, shift: shift))
          inplanes = c.widths[stage] * 4
        } else {
          blocks.append(imageBasicBlock(path: path, inplanes, c.widths[stage], stride: stride, shift: shift))
          inplanes = c.widths[stage]
        }
      }
      modules.append(Sequential(path: prefix + "layer\(stage + 1)", blocks))
    }
    return (modules, inplanes)
  }

  /// TSM (Lin et al.; the official `TSN` wrapper): ResNet with blockres shift → per-frame
  /// average pool → `new_fc` per frame → average consensus over frames.
  /// With `shift: false`, the same network without any shift: TSN's per-frame 2-D CNN with
  /// average consensus.
  func temporalShiftNetwork(_ c: ModelConfiguration, shift: Bool = true) -> [M] {
    let (backbone, channels) = imageResNet(prefix: "base_model.", c, shift: shift ? c.shiftDivisor : nil)
    return backbone + [
      AdaptiveAveragePool(path: "base_model.avgpool", outputSize: .cube(1), keepTime: true),
      frameLinear("new_fc", channels, c.classes, std: 0.001),
      AdaptiveAveragePool(path: "consensus", outputSize: .cube(1)),
      Flatten(path: "flatten"),
    ]
  }

  /// CNN-LSTM: ResNet per frame → average pool → fc6 + ReLU → fc7 + ReLU → LSTM → fc per step
  /// → average over steps.
  func recurrentNetwork(_ c: ModelConfiguration) -> [M] {
    let (backbone, channels) = imageResNet(prefix: "backbone.", c, shift: nil)
    let fc6 = c.recurrentSizes[0], fc7 = c.recurrentSizes[1], hidden = c.recurrentSizes[2]
    let bound = 1 / Double(hidden).squareRoot()
    let head = RecurrentHead<B>(
      path: "lstm", lstmPath: "lstm",
      inputWeight: source.make("lstm.weight_ih_l0", [4 * hidden, fc7], .weight, .uniform(bound)),
      hiddenWeight: source.make("lstm.weight_hh_l0", [4 * hidden, hidden], .weight, .uniform(bound)),
      inputBias: source.make("lstm.bias_ih_l0", [4 * hidden], .bias, .uniform(bound)),
      hiddenBias: source.make("lstm.bias_hh_l0", [4 * hidden], .bias, .uniform(bound)),
      classifier: linear("fc", hidden, c.classes),
      activation: LSTMActivation(rawValue: c.lstmActivation) ?? .tanh)
    return backbone + [
      AdaptiveAveragePool(path: "backbone.avgpool", outputSize: .cube(1), keepTime: true),
      frameLinear("fc6", channels, fc6), ReLU(path: "relu6"),
      frameLinear("fc7", fc6, fc7), ReLU(path: "relu7"),
      head,
    ]
  }
}
