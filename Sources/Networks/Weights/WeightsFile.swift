import Foundation
import Kernels
import TensorCore

/// Network weights on disk: a safetensors file with `state_dict()` names (Reference/FORMATS.md).
///
/// Reads files written by `safetensors.torch.save_file(model.state_dict())` unchanged
/// (`num_batches_tracked` buffers are skipped; F32 parameters are read as they are, F64 and
/// F16/BF16 converted to Float32). Files written here add header metadata:
/// `vidattr.architecture`, `vidattr.configuration` (JSON of `ModelConfiguration`),
/// `vidattr.version`, plus whatever the caller adds (training command, seed, accuracy).
public struct WeightsFile: Sendable {
  public var stateDict: [String: Tensor<Float>]
  public var metadata: [String: String]

  public init(stateDict: [String: Tensor<Float>], metadata: [String: String] = [:]) {
    self.stateDict = stateDict
    self.metadata = metadata
  }

  /// Metadata keys written by this package.
  public enum Key {
    public static let architecture = "vidattr.architecture"
    public static let configuration = "vidattr.configuration"
    public static let version = "vidattr.version"
  }

  /// Reads a weights file; errors name the file and what is wrong with it.
  public static func read(contentsOf path: String) throws -> WeightsFile {
    let file: SafeTensorsFile
    do {
      file = try SafeTensors.read(contentsOf: path)
    } catch .io(let p, let reason) {
      throw WeightsFileError(path: p, reason: reason)
    } catch {
      throw WeightsFileError(path: path, reason: "\(error)")
    }
    var dict: [String: Tensor<Float>] = [:]
    for name in file.names where !name.hasSuffix("num_batches_tracked") {
      do {
        dict[name] = try file.floatTensor(named: name, roundingFloat64: true)
      } catch {
        throw WeightsFileError(path: path, reason: "tensor \(name): \(error)")
      }
    }
    return WeightsFile(stateDict: dict, metadata: file.metadata)
  }

  /// The configuration recorded in the file, or the standard one of `architecture` with the
  /// class count read off the classifier's weight.
  public func configuration(for architecture: Architecture) throws -> ModelConfiguration {
    if let json = metadata[Key.configuration] {
      do {
        return try JSONDecoder().decode(ModelConfiguration.self, from: Data(json.utf8))
      } catch {
        throw WeightsFileError(path: "", reason: "metadata \(Key.configuration) is not a valid configuration: \(error)")
      }
    }
    let classifier = [.temporalShift, .perFrame2D].contains(architecture.family) ? "new_fc.weight" : "fc.weight"
    guard let w = stateDict[classifier], w.rank == 2 else {
      throw WeightsFileError(
        path: "", reason: "no \(Key.configuration) metadata and no 2-D \(classifier) to read the class count from")
    }
    return ModelConfiguration.standard(for: architecture, classes: w.shape[0])
  }

  /// Builds a network of `architecture` from these weights on backend `B`.
  public func network<B: KernelBackend>(_ architecture: Architecture, backend: B.Type = B.self) throws -> Network<B> {
    if let recorded = metadata[Key.architecture], recorded != architecture.rawValue {
      throw WeightsFileError(path: "", reason: "weights are for \(recorded), not \(architecture)")
    }
    return try Network<B>(
      architecture, configuration: configuration(for: architecture), initialization: .stateDict(stateDict))
  }

  /// Writes a network's parameters (Float32) atomically, with architecture, configuration and
  /// version metadata plus `extra`.
  public static func write<B: KernelBackend>(
    _ network: Network<B>, to path: String, version: String, extra: [String: String] = [:]
  ) throws {
    var metadata = extra
    metadata[Key.architecture] = network.architecture.rawValue
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    metadata[Key.configuration] = String(decoding: try encoder.encode(network.configuration), as: UTF8.self)
    metadata[Key.version] = version
    do {
      let file = try SafeTensorsFile(
        network.stateDict().map { ($0.name, StoredTensor.float32($0.value)) }, metadata: metadata)
      try SafeTensors.write(file, to: path)
    } catch {
      throw WeightsFileError(path: path, reason: "\(error)")
    }
  }
}

/// A weights file that cannot be read or does not fit.
public struct WeightsFileError: Error, CustomStringConvertible {
  public var path: String
  public var reason: String
  public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}
