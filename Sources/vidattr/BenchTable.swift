/// One row of the kernel benchmark: a kernel, on one shape, in one direction.
///
/// To benchmark another kernel, write a function returning its rows (see
/// `convBenchmarkRows`) and append them in `BenchKernels.run()`; `make` builds the inputs
/// only when the row runs, so a long table never holds every input at once.
struct KernelBenchmarkRow {
  /// Kernel family, e.g. "conv3d".
  var kernel: String
  /// Where the shape comes from, e.g. "layer2.0.conv1.spatial".
  var name: String
  /// Shapes and parameters, human-readable.
  var shape: String
  /// "forward", "backward_input", "backward_weight", …
  var direction: String
  /// Floating-point operations of one fast run (a multiply-add counts 2).
  var flops: Double
  /// Key of the matching PyTorch timing ("" if none), and the spec handed to the peer script.
  var peerKey: String
  var peerSpec: [String: Any]?
  var make: () -> BenchmarkRunners
}

struct BenchmarkRunners {
  /// One fast run on the full shape (timed).
  var fast: () -> Void
  /// Runs the literal kernel (timed, possibly on a reduced shape) and the fast kernel on the
  /// same inputs, and compares them.
  var check: () -> BenchmarkCheck
}

struct BenchmarkCheck {
  var passed: Bool
  /// Largest |fast − literal| / bound.
  var worstRatio: Double
  /// Literal time for the full shape (extrapolated when it ran on a reduced one).
  var literalSeconds: Double
  /// How literalSeconds was obtained and what the check compared.
  var note: String
}
