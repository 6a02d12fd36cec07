import Foundation
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

@Suite("Weights files: PyTorch's state dicts load; load → save → load is bit-identical")
struct WeightsFileTests {
  static func temporaryPath(_ name: String) -> String {
    NSTemporaryDirectory() + "vidattr-\(ProcessInfo.processInfo.processIdentifier)-\(name)"
  }

  @Test(
    "save → load → save gives identical parameters and identical bytes",
    arguments: [Architecture.tsm_mini, .cnn_lstm_mini, .r2plus1d_mini])
  func roundTrip(_ a: Architecture) throws {
    let net = try Network<FastBackend>(
      a, configuration: .standard(for: a, classes: 11), initialization: .random(seed: 7))
    let p1 = Self.temporaryPath("\(a)-1.safetensors"), p2 = Self.temporaryPath("\(a)-2.safetensors")
    defer {
      try? FileManager.default.removeItem(atPath: p1)
      try? FileManager.default.removeItem(atPath: p2)
    }
    try WeightsFile.write(net, to: p1, version: "test")
    let loaded: Network<FastBackend> = try WeightsFile.read(contentsOf: p1).network(a)
    for (x, y) in zip(net.parameters, loaded.parameters) {
      #expect(x.name == y.name)
      #expect(x.value.scalars.map(\.bitPattern) == y.value.scalars.map(\.bitPattern), "\(x.name)")
    }
    try WeightsFile.write(loaded, to: p2, version: "test")
    #expect(try Data(contentsOf: URL(fileURLWithPath: p1)) == Data(contentsOf: URL(fileURLWithPath: p2)))
  }

  @Test("2-D layers are stored with PyTorch's 4-D shapes (Cout×Cin×k×k)")
  func imageShapes() throws {
    let net = try Network<FastBackend>(
      .tsm_mini, configuration: .standard(for: .tsm_mini, classes: 11), initialization: .hashFill)
    let dict = Dictionary(uniqueKeysWithValues: net.stateDict().map { ($0.name, $0.value.shape) })
    #expect(dict["base_model.conv1.weight"] == [16, 3, 7, 7])
    #expect(dict["base_model.layer1.0.conv1.net.weight"] == [16, 16, 3, 3])
    #expect(dict["new_fc.weight"] == [11, 128])
  }

  @Test("a state dict that does not fit is refused with every missing, unexpected and misshapen key")
  func mismatchListsEverything() throws {
    var dict = Dictionary(
      uniqueKeysWithValues: try Network<FastBackend>(
        .r3d_mini, configuration: .standard(for: .r3d_mini, classes: 11), initialization: .hashFill
      ).stateDict().map { ($0.name, $0.value) })
    dict.removeValue(forKey: "stem.0.weight")
    dict.removeValue(forKey: "fc.bias")
    dict["extra.weight"] = Tensor(shape: [1], repeating: 0)
    dict["layer1.0.conv1.0.weight"] = Tensor(shape: [2, 2], repeating: 0)
    do {
      _ = try Network<FastBackend>(
        .r3d_mini, configuration: .standard(for: .r3d_mini, classes: 11), initialization: .stateDict(dict))
      Issue.record("a broken state dict was accepted")
    } catch let e as WeightLoadingError {
      #expect(Set(e.missing) == ["stem.0.weight", "fc.bias"])
      #expect(e.unexpected == ["extra.weight"])
      #expect(e.wrongShape.map(\.name) == ["layer1.0.conv1.0.weight"])
      #expect(e.description.contains("stem.0.weight") && e.description.contains("extra.weight"))
    }
  }

  /// torchvision's r2plus1d_18 `state_dict()` as `safetensors.torch.save_file` writes it (names,
  /// dtypes — including the I64 `num_batches_tracked` scalars — shapes and offsets from the
  /// recorded header), filled with HashFill, must load unchanged and give PyTorch's logits.
  @Test("a torchvision r2plus1d_18 state dict saved by safetensors.torch loads and reproduces PyTorch's logits")
  func torchvisionStateDict() throws {
    let headerPath = RepositoryPaths.reference("networks/torchvision_r2plus1d_18_header.json")
    let header =
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: headerPath))) as! [String: Any]
    let roles = try Self.roles()
    var entries: [(String, StoredTensor)] = []
    for (name, value) in header where name != "__metadata__" {
      let info = value as! [String: Any]
      let shape = (info["shape"] as! [Int])
      switch info["dtype"] as! String {
      case "I64": entries.append((name, .int64(Tensor(shape: shape, repeating: 0))))
      case "F32":
        entries.append((name, .float32(HashFill.tensor(name: name, shape: shape, role: try #require(roles[name])))))
      default: Issue.record("unexpected dtype for \(name)")
      }
    }
    let path = Self.temporaryPath("torchvision-r2plus1d_18.safetensors")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try SafeTensors.write(try SafeTensorsFile(entries), to: path)
    // The file's layout is the one safetensors.torch produced.
    let written = try SafeTensors.readHeader(contentsOf: path)
    for e in written.entries {
      let info = header[e.name] as! [String: Any]
      #expect((info["data_offsets"] as! [Int]) == [e.dataOffsets.lowerBound, e.dataOffsets.upperBound], "\(e.name)")
    }
    let net: Network<FastBackend> = try WeightsFile.read(contentsOf: path).network(.r2plus1d_18)
    let input = try SafeTensors.read(contentsOf: RepositoryPaths.reference("networks/input.safetensors")).float32(
      named: "input")
    let reference = try SafeTensors.read(contentsOf: RepositoryPaths.reference("networks/r2plus1d_18.safetensors"))
      .doubleTensor(named: "logits")
    let logits = net.logits(input).asDouble
    let (k, layers) = net.roundingProfile(frames: 8)
    let scale = reference.scalars.reduce(0) { max($0, abs($1)) }
    let c = compare(
      logits, reference,
      bound: Tolerance.uniform(NetworkTolerance.bound(maxReduction: k, layers: layers, scale: scale), like: reference))
    #expect(c.passed, "\(c)")
  }

  /// The role of every r2plus1d_18 parameter, from the `state_dict` listing the generator
  /// recorded in the vector file's metadata.
  static func roles() throws -> [String: ParameterRole] {
    let f = try SafeTensors.readHeader(contentsOf: RepositoryPaths.reference("networks/r2plus1d_18.safetensors"))
    let listing = try #require(f.metadata["state_dict"])
    let rows = try JSONSerialization.jsonObject(with: Data(listing.utf8)) as! [[Any]]
    var roles: [String: ParameterRole] = [:]
    for row in rows {
      let name = row[0] as! String, role = row[2] as! String
      roles[name] = ParameterRole(rawValue: role)
    }
    return roles
  }
}

@Suite("Training: PyTorch's batch-norm training step, falling loss, determinism")
struct TrainingTests {
  /// One training step of each mini model in Double against PyTorch float64 (batch statistics,
  /// mean cross-entropy with targets [1, 4], every parameter's gradient, updated running
  /// statistics). Same sums in different orders, in Double: 1e-9 relative to each tensor's
  /// largest value leaves a wide margin over rounding (≤ 1e-13 here) — the training step has
  /// batch-norm variances in denominators, which amplify rounding by at most 1/√(σ²+ε).
  @Test(
    "one training step in Double equals PyTorch float64: logits, loss, gradients, running statistics",
    arguments: [Architecture.r3d_mini, .mc3_mini, .r2plus1d_mini, .tsm_mini, .cnn_lstm_mini])
  func trainingStepMatchesPyTorch(_ a: Architecture) throws {
    let v = try SafeTensors.read(contentsOf: RepositoryPaths.reference("networks/\(a.rawValue).safetensors"))
    let x = try SafeTensors.read(contentsOf: RepositoryPaths.reference("networks/input.safetensors")).float32(
      named: "input")
    let net = try Network<LiteralBackend<Double>>(
      a, configuration: .standard(for: a, classes: 11), initialization: .hashFill)
    let tape = Tape<LiteralBackend<Double>>(mode: .training, rule: .gradient, parameterGradients: true)
    let logits = net.forward(x.asDouble, tape: tape)
    let (loss, g) = CrossEntropy.lossAndGradient(logits: logits, labels: [1, 4], backend: LiteralBackend<Double>.self)
    _ = net.backward(g, tape: tape)
    func close(_ got: [Double], _ ref: [Double], _ what: String) {
      let scale = ref.reduce(0) { max($0, abs($1)) }
      let worst = zip(got, ref).map { abs($0 - $1) }.max() ?? 0
      #expect(
        got.count == ref.count && worst <= 1e-9 * scale + 1e-300, "\(a) \(what): worst |diff| \(worst), scale \(scale)")
    }
    close(logits.scalars, try v.doubleTensor(named: "train.logits").scalars, "train logits")
    close([loss], try v.doubleTensor(named: "train.loss").scalars, "loss")
    for p in net.parameters where p.role.isTrainable {
      let grad = try #require(p.gradient, "\(p.name) has no gradient").scalars
      let stored = try v.doubleTensor(named: "grad." + p.name).scalars
      close(Array(grad.prefix(stored.count)), stored, "∂L/∂\(p.name)")
      if v["gradsummary." + p.name] != nil {
        let summary = try v.doubleTensor(named: "gradsummary." + p.name).scalars
        let probe = (0..<grad.count).map { Double(HashFill.unit(name: "probe", index: $0)) }
        let sums = [
          grad.reduce(0, +), grad.reduce(0) { $0 + $1 * $1 }, zip(grad, probe).reduce(0) { $0 + $1.0 * $1.1 },
        ]
        close(sums, summary, "Σ-summary of ∂L/∂\(p.name)")
      }
    }
    for p in net.parameters where !p.role.isTrainable {
      close(p.value.scalars, try v.doubleTensor(named: "updated." + p.name).scalars, "updated \(p.name)")
    }
  }

  static func tinySet() throws -> LabelledClips<Float> {
    // 22 clips (each class twice) of 8 frames at 16×16: the smallest the generator draws.
    var b: [Tensor<Float>] = []
    var labels: [Int] = []
    for i in 0..<22 {
      var rng = SeededRNG(seed: 99).split(UInt64(i))
      // A learnable toy task for a quick check: class = i % 11, clip = class-dependent mean
      // brightness plus noise (the synthetic benchmark's own learnability is checked by the
      // model-zoo tests).
      let c = i % 11
      b.append(Tensor.normal([1, 3, 8, 16, 16], mean: Double(c) / 5 - 1, std: 0.5, using: &rng))
      labels.append(c)
    }
    return LabelledClips(inputs: Tensor.concatenate(b), labels: labels, classes: 11)
  }

  @Test("training on a tiny set lowers the loss and is deterministic for a seed")
  func lossFallsDeterministically() throws {
    func trainOnce() throws -> ([EpochReport], [Float]) {
      let net = try Network<FastBackend>(
        .r3d_mini, configuration: .standard(for: .r3d_mini, classes: 11), initialization: .random(seed: 3))
      let trainer = Trainer(
        network: net,
        configuration: TrainingConfiguration(
          epochs: 6, batchSize: 11,
          optimizer: .adam(learningRate: 0.003, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0), seed: 5))
      let reports = trainer.train(try Self.tinySet())
      return (reports, net.parameters.flatMap { $0.value.scalars })
    }
    let (r1, p1) = try trainOnce()
    #expect(r1.last!.meanLoss < 0.5 * r1.first!.meanLoss, "loss \(r1.map(\.meanLoss))")
    let (r2, p2) = try trainOnce()
    #expect(r1.map(\.meanLoss) == r2.map(\.meanLoss))
    #expect(p1.map(\.bitPattern) == p2.map(\.bitPattern))
  }

  @Test(
    "a training tape that does not want the input gradient skips the stem's, and every parameter gradient stays bit for bit",
    arguments: [Architecture.r2plus1d_mini, .cnn_lstm_mini])
  func inputGradientSkip(a: Architecture) throws {
    let (x, labels) = try Self.tinySet().batch([0, 5])
    func pass(inputGradient: Bool) throws -> (input: Tensor<Float>, parameters: [[UInt32]]) {
      let net = try Network<FastBackend>(
        a, configuration: .standard(for: a, classes: 11), initialization: .random(seed: 4))
      let tape = Tape<FastBackend>(
        mode: .training, rule: .gradient, parameterGradients: true, inputGradient: inputGradient)
      let logits = net.forward(x, tape: tape)
      let (_, seed) = CrossEntropy.lossAndGradient(logits: logits, labels: labels, backend: FastBackend.self)
      let dx = net.backward(seed, tape: tape)
      return (dx, net.parameters.map { ($0.gradient?.scalars ?? []).map(\.bitPattern) })
    }
    let wanted = try pass(inputGradient: true), skipped = try pass(inputGradient: false)
    #expect(wanted.parameters == skipped.parameters)
    #expect(wanted.input.scalars.contains { $0 != 0 })
    #expect(skipped.input.shape == x.shape && skipped.input.scalars.allSatisfy { $0 == 0 })
  }

  @Test("SGD and Adam steps follow PyTorch's update formulas on a single parameter")
  func optimizerFormulas() {
    // p = 1, g = 0.5, weight decay 0.1 → d = 0.6.
    let sgd = Optimizer<Double>(.sgd(learningRate: 0.1, momentum: 0.9, weightDecay: 0.1))
    let p = Parameter<Double>(name: "w", role: .weight, value: Tensor(shape: [1], scalars: [1]))
    p.gradient = Tensor(shape: [1], scalars: [0.5])
    sgd.step([p], learningRate: 0.1)
    #expect(abs(p.value.scalars[0] - (1 - 0.1 * 0.6)) < 1e-15)  // first step: buffer = d
    p.gradient = Tensor(shape: [1], scalars: [0.5])
    sgd.step([p], learningRate: 0.1)
    let d2 = 0.5 + 0.1 * 0.94
    #expect(abs(p.value.scalars[0] - (0.94 - 0.1 * (0.9 * 0.6 + d2))) < 1e-15)

    let adam = Optimizer<Double>(.adam(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0))
    let q = Parameter<Double>(name: "w", role: .weight, value: Tensor(shape: [1], scalars: [1]))
    q.gradient = Tensor(shape: [1], scalars: [0.5])
    adam.step([q], learningRate: 0.01)
    // First Adam step moves by lr·sign(g) (m̂ = g, v̂ = g²), less ε's effect.
    #expect(abs(q.value.scalars[0] - (1 - 0.01 * 0.5 / (0.5 + 1e-8))) < 1e-15)
  }

  @Test("cascading re-initialisation changes the chosen layers only, reproducibly per layer")
  func reinitialization() throws {
    let net = try Network<FastBackend>(
      .r3d_mini, configuration: .standard(for: .r3d_mini, classes: 11), initialization: .hashFill)
    let layers = net.parameterizedLayers.map(\.path)
    #expect(layers.first == "fc")
    let before = net.parameters.map(\.value)
    try net.reinitialize(layers: Array(layers.prefix(2)), seed: 11)
    let changed = zip(net.parameters, before).filter { $0.0.value != $0.1 }.map { $0.0.name }
    let expected = Set(
      net.parameterizedLayers.prefix(2).flatMap { $0.parameters.filter { $0.role.isTrainable || true }.map(\.name) })
    #expect(Set(changed).isSubset(of: expected) && !changed.isEmpty)
    // The same layer re-initialised alone with the same seed gets the same values.
    let other = try Network<FastBackend>(
      .r3d_mini, configuration: .standard(for: .r3d_mini, classes: 11), initialization: .hashFill)
    try other.reinitialize(layers: [layers[1]], seed: 11)
    let a = net.parameterizedLayers[1].parameters.map(\.value), b = other.parameterizedLayers[1].parameters.map(\.value)
    #expect(a == b)
    #expect(throws: ModelConfigurationError.self) { try net.reinitialize(layers: ["nope"], seed: 1) }
  }
}
