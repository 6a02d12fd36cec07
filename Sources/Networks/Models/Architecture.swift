/// The network families of Li et al.'s study and the models of each
/// (Li-v1; torchvision's `models/video/resnet.py`).
public enum ModelFamily: String, Sendable, CaseIterable {
  /// Full 3-D convolutions (R3D, MC3).
  case convolution3D = "3d_cnn"
  /// Spatial 1×3×3 then temporal 3×1×1 convolutions (R(2+1)D).
  case convolution2Plus1D = "2plus1d_cnn"
  /// A 2-D CNN whose residual branches shift channels in time (TSM).
  case temporalShift = "2d_cnn_tsm"
  /// A per-frame 2-D CNN feeding an LSTM (CNN-LSTM, "R50L").
  case recurrent = "cnn_rnn"
  /// A 2-D CNN applied to every frame with the logits averaged (TSN, Wang et al. 2016, without
  /// any temporal modelling): the built-in benchmark's per-frame baseline, which cannot see
  /// motion or order.
  case perFrame2D = "2d_cnn"
}

/// Every architecture the tool knows, by its command-line name.
public enum Architecture: String, Sendable, CaseIterable, CustomStringConvertible {
  case r3d_18, mc3_18, r2plus1d_18
  case tsm_resnet18, tsm_resnet50
  case cnn_lstm_resnet18, cnn_lstm_resnet50
  case r3d_mini, mc3_mini, r2plus1d_mini, tsm_mini, cnn_lstm_mini
  /// The per-frame 2-D baseline of the built-in benchmark (TSM's network with no shift).
  case tsn_mini

  public var description: String { rawValue }

  public var family: ModelFamily {
    switch self {
    case .r3d_18, .mc3_18, .r3d_mini, .mc3_mini: return .convolution3D
    case .r2plus1d_18, .r2plus1d_mini: return .convolution2Plus1D
    case .tsm_resnet18, .tsm_resnet50, .tsm_mini: return .temporalShift
    case .cnn_lstm_resnet18, .cnn_lstm_resnet50, .cnn_lstm_mini: return .recurrent
    case .tsn_mini: return .perFrame2D
    }
  }

  public var isMini: Bool { rawValue.hasSuffix("_mini") }

  /// The module path Grad-CAM and CAM use by default (Li-TCSVT: the last conv stage; layer3 of
  /// the per-frame ResNet for the CNN-LSTM).
  public var defaultCAMLayer: String {
    switch family {
    case .convolution3D, .convolution2Plus1D: return "layer4"
    case .temporalShift, .perFrame2D: return "base_model.layer4"
    case .recurrent: return "backbone.layer3"
    }
  }

  /// Known names, for error messages.
  public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

/// The sizes of one model: widths and depths of the four stages, classes, and the recurrent
/// head. `ModelConfiguration.standard(for:classes:)` gives the published model or the
/// built-in benchmark's mini model.
public struct ModelConfiguration: Sendable, Hashable, Codable {
  /// Output classes (the fc layer's rows).
  public var classes: Int
  /// Channels of stages 1–4 (before a bottleneck's expansion).
  public var widths: [Int]
  /// Residual blocks per stage.
  public var blocks: [Int]
  /// Bottleneck blocks (expansion 4, ResNet-50) instead of basic blocks.
  public var bottleneck: Bool
  /// R(2+1)D stem: channels between its spatial and temporal convolutions (45 in torchvision).
  public var stemMidChannels: Int
  /// TSM: a 1/d fraction of channels is shifted each way (8 in the paper).
  public var shiftDivisor: Int
  /// CNN-LSTM: fc6, fc7 and LSTM hidden sizes (1024, 512, 256 in Li et al.).
  public var recurrentSizes: [Int]
  /// CNN-LSTM cell nonlinearity.
  public var lstmActivation: String

  public init(
    classes: Int, widths: [Int], blocks: [Int], bottleneck: Bool = false, stemMidChannels: Int = 45,
    shiftDivisor: Int = 8, recurrentSizes: [Int] = [1024, 512, 256], lstmActivation: String = "tanh"
  ) {
    self.classes = classes
    self.widths = widths
    self.blocks = blocks
    self.bottleneck = bottleneck
    self.stemMidChannels = stemMidChannels
    self.shiftDivisor = shiftDivisor
    self.recurrentSizes = recurrentSizes
    self.lstmActivation = lstmActivation
  }

  /// The published configuration (torchvision / Li et al.) or the mini one.
  ///
  /// Mini models (the built-in benchmark's zoo): widths 16, 32, 64, 128, one block per stage,
  /// R(2+1)D stem mid-channels 11 (45·16/64), recurrent head 128 → 64 → LSTM 64.
  public static func standard(for architecture: Architecture, classes: Int) -> ModelConfiguration {
    switch architecture {
    case .r3d_18, .mc3_18, .r2plus1d_18, .tsm_resnet18, .cnn_lstm_resnet18:
      return ModelConfiguration(classes: classes, widths: [64, 128, 256, 512], blocks: [2, 2, 2, 2])
    case .tsm_resnet50, .cnn_lstm_resnet50:
      return ModelConfiguration(classes: classes, widths: [64, 128, 256, 512], blocks: [3, 4, 6, 3], bottleneck: true)
    case .r3d_mini, .mc3_mini, .r2plus1d_mini, .tsm_mini, .cnn_lstm_mini, .tsn_mini:
      return ModelConfiguration(
        classes: classes, widths: [16, 32, 64, 128], blocks: [1, 1, 1, 1], stemMidChannels: 11,
        recurrentSizes: [128, 64, 64])
    }
  }

  /// Checks the sizes; the message names the bad field.
  public func validate() throws {
    func fail(_ s: String) -> ModelConfigurationError { ModelConfigurationError(message: s) }
    guard classes >= 1 else { throw fail("classes must be ≥ 1, got \(classes)") }
    guard widths.count == 4, widths.allSatisfy({ $0 >= 1 }) else {
      throw fail("widths must be four positive channel counts, got \(widths)")
    }
    guard blocks.count == 4, blocks.allSatisfy({ $0 >= 1 }) else {
      throw fail("blocks must be four positive block counts, got \(blocks)")
    }
    guard stemMidChannels >= 1 else { throw fail("stemMidChannels must be ≥ 1") }
    guard shiftDivisor >= 2 else { throw fail("shiftDivisor must be ≥ 2 (two folds are shifted)") }
    guard recurrentSizes.count == 3, recurrentSizes.allSatisfy({ $0 >= 1 }) else {
      throw fail("recurrentSizes must be three positive sizes (fc6, fc7, LSTM), got \(recurrentSizes)")
    }
    guard ["tanh", "relu"].contains(lstmActivation) else {
      throw fail("lstmActivation must be tanh or relu, got \(lstmActivation)")
    }
  }
}

/// A configuration that cannot be built.
public struct ModelConfigurationError: Error, CustomStringConvertible, Equatable {
  public var message: String
  public var description: String { message }
}
