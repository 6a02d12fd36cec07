import ArgumentParser
import Foundation
import VideoAttribution

enum OptimizerChoice: String, ExpressibleByArgument, CaseIterable {
  case sgd, adam
}

enum DatasetChoice: String, ExpressibleByArgument, CaseIterable {
  case synthetic
}

extension TrainingConfiguration.Schedule: ExpressibleByArgument {}

/// `vidattr train`: trains a network on the built-in benchmark and writes its weights.
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a network on the built-in synthetic benchmark and write its weights.",
    discussion: """
      Mini-batch training with cross-entropy, deterministic for a seed (--seed fixes the \
      initialisation and the order of clips; --data-seed the clips themselves). Progress goes to \
      stderr; a JSON summary (training time, validation and test accuracy, per class) goes to \
      stdout and into the weights file's metadata.
      """)

  @Option(help: "Architecture (\(Architecture.names)).")
  var model: Architecture

  @Option(help: "Dataset (only the built-in synthetic benchmark).")
  var dataset: DatasetChoice = .synthetic

  @Option(help: "Training clips (clip i has class i mod 11).")
  var videos: Int = 2200

  @Option(help: "Validation clips, evaluated after every epoch.")
  var validationVideos: Int = 220

  @Option(help: "Test clips, evaluated once at the end.")
  var testVideos: Int = 550

  @Option(help: "Epochs.")
  var epochs: Int = 10

  @Option(help: "Clips per mini-batch.")
  var batch: Int = 16

  @Option(help: "Optimiser: sgd (momentum 0.9) or adam (β 0.9, 0.999, ε 1e-8).")
  var optimizer: OptimizerChoice = .adam

  @Option(help: "Peak learning rate.")
  var learningRate: Double = 0.002

  @Option(help: "L2 weight decay.")
  var weightDecay: Double = 0.0001

  @Option(help: "Learning-rate schedule: constant or cosine.")
  var schedule: TrainingConfiguration.Schedule = .cosine

  @Option(help: "Seed of the initialisation and the clip order.")
  var seed: UInt64 = 1

  @Option(help: "Seed of the synthetic clips (the benchmark's clips use 0).")
  var dataSeed: UInt64 = 0

  @Option(help: "Frames per clip.")
  var frames: Int = 16

  @Option(help: "Frame size in pixels.")
  var size: Int = 32

  @Option(
    help: """
      CNN-LSTM cell: tanh (torch.nn.LSTM) or relu (the ReLU-LSTM of Li et al.'s R50L, Li-v1); \
      cnn_lstm_* models only. Default: tanh, the architecture's standard configuration.
      """)
  var lstmActivation: String?

  @Option(
    help: """
      Train on permuted labels: the training clips' labels are shuffled by a permutation drawn \
      from this seed (class counts unchanged), so nothing the clips show predicts them — Adebayo \
      et al.'s data-randomisation test. Validation and test clips keep their true labels.
      """)
  var permuteLabels: UInt64?

  @Option(help: "Output weights file (.safetensors); written atomically.")
  var output: String

  func validate() throws {
    for (name, value) in [("videos", videos), ("epochs", epochs), ("batch", batch), ("test-videos", testVideos)]
    where value < 1 {
      throw ValidationError("--\(name) must be ≥ 1, got \(value)")
    }
    guard validationVideos >= 0 else { throw ValidationError("--validation-videos must be ≥ 0") }
    guard learningRate > 0, learningRate.isFinite else { throw ValidationError("--learning-rate must be > 0") }
    guard weightDecay >= 0, weightDecay.isFinite else { throw ValidationError("--weight-decay must be ≥ 0") }
    if let a = lstmActivation {
      guard model.family == .recurrent else {
        throw ValidationError("--lstm-activation applies to cnn_lstm_* models only, not \(model)")
      }
      guard LSTMActivation(rawValue: a) != nil else {
        throw ValidationError("--lstm-activation must be tanh or relu, got '\(a)'")
      }
    }
  }

  func run() throws {
    let generator = try Synthetic.Generator(Synthetic.Configuration(frames: frames, size: size, seed: dataSeed))
    let classes = generator.configuration.classes.count
    let started = Date()
    note("generating \(videos) training, \(validationVideos) validation and \(testVideos) test clips…")
    let train = try Self.clips(generator, .train, videos, classes, permutingLabelsWith: permuteLabels)
    if let s = permuteLabels { note("training labels permuted with seed \(s)") }
    let validation = validationVideos > 0 ? try Self.clips(generator, .validation, validationVideos, classes) : nil
    let test = try Self.clips(generator, .test, testVideos, classes)
    note(String(format: "clips ready in %.1f s", Date().timeIntervalSince(started)))

    var configuration = ModelConfiguration.standard(for: model, classes: classes)
    if let a = lstmActivation { configuration.lstmActivation = a }
    let network = try Network<FastBackend>(model, configuration: configuration, initialization: .random(seed: seed))
    let optimizerConfiguration: OptimizerConfiguration =
      optimizer == .adam
      ? .adam(learningRate: learningRate, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: weightDecay)
      : .sgd(learningRate: learningRate, momentum: 0.9, weightDecay: weightDecay)
    let trainer = Trainer(
      network: network,
      configuration: TrainingConfiguration(
        epochs: epochs, batchSize: batch, optimizer: optimizerConfiguration, schedule: schedule, seed: seed))
    let trainingStarted = Date()
    var lastNote = Date.distantPast
    _ = trainer.train(
      train, validation: validation,
      batchProgress: { epoch, b, batches, loss in
        if Date().timeIntervalSince(lastNote) > 10 {
          lastNote = Date()
          note(String(format: "epoch %d/%d batch %d/%d loss %.4f", epoch + 1, epochs, b + 1, batches, loss))
        }
      },
      progress: { r in
        let v = r.validationAccuracy.map { String(format: ", validation %.1f %%", 100 * $0) } ?? ""
        note(
          String(
            format: "epoch %d/%d: loss %.4f, training %.1f %%%@ (%.1f s)", r.epoch + 1, epochs, r.meanLoss,
            100 * r.trainingAccuracy, v, r.seconds))
      })
    let trainingSeconds = Date().timeIntervalSince(trainingStarted)
    // Inference-mode accuracy on the training clips with the labels trained on (permuted ones
    // under --permute-labels: how far the network memorised them).
    let trainingReport = AccuracyMeasurement.accuracy(network, train, batchSize: 32)
    let testReport = AccuracyMeasurement.accuracy(network, test, batchSize: 32)
    let validationAccuracy = validation.map { AccuracyMeasurement.accuracy(network, $0, batchSize: 32).accuracy }

    let command = (["vidattr"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
    let perClass = testReport.perClass.map { String(format: "%.4f", $0) }.joined(separator: ",")
    var summary = JSONLine()
    summary["architecture"] = model.rawValue
    summary["training_seconds"] = trainingSeconds
    summary["training_accuracy"] = trainingReport.accuracy
    summary["validation_accuracy"] = validationAccuracy ?? Double.nan
    summary["test_accuracy"] = testReport.accuracy
    summary["test_videos"] = testVideos
    summary["per_class"] = perClass
    summary["classes"] = Synthetic.classNames.joined(separator: ",")
    summary["command"] = command
    var metadata: [String: String] = [
      "training.command": command, "training.training_accuracy": String(format: "%.4f", trainingReport.accuracy),
      "training.seed": "\(seed)", "training.data_seed": "\(dataSeed)",
      "training.seconds": String(format: "%.1f", trainingSeconds),
      "training.test_accuracy": String(format: "%.4f", testReport.accuracy),
      "training.test_videos": "\(testVideos)",
      "training.per_class_accuracy": perClass,
      "training.machine_threads": "\(FastThreads.count)",
      "input.frames": "\(frames)", "input.size": "\(size)",
    ]
    if let s = permuteLabels { metadata["training.permuted_labels_seed"] = "\(s)" }
    try WeightsFile.write(network, to: output, version: videoAttributionVersion, extra: metadata)
    summary.print()
    note(
      String(
        format: "test accuracy %.2f %% on %d clips; weights written to %@", 100 * testReport.accuracy, testVideos,
        output))
  }

  /// The first `count` clips of a split, generated once and held in memory; with a seed, clip
  /// i gets the label of clip π(i), π = `SeededRNG(seed:).permutation(count)`.
  static func clips(
    _ g: Synthetic.Generator, _ split: Synthetic.Split, _ count: Int, _ classes: Int,
    permutingLabelsWith seed: UInt64? = nil
  ) throws -> LabelledClips<Float> {
    let b = try g.batch(split: split, count: count)
    var labels = b.labels
    if let seed {
      var rng = SeededRNG(seed: seed)
      labels = rng.permutation(count).map { b.labels[$0] }
    }
    return LabelledClips(inputs: b.input, labels: labels, classes: classes)
  }
}
