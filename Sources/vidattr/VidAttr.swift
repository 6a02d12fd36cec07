import ArgumentParser
import VideoAttribution

@main
struct VidAttr: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "vidattr",
    abstract: "Visual explanations for spatio-temporal networks, with a literal reference path.",
    version: videoAttributionVersion,
    subcommands: [
      ForwardCommand.self, AttributeCommand.self, MethodsCommand.self, TrainCommand.self, EvaluateCommand.self,
      MetricsCommand.self, SanityCommand.self, StudyCommand.self, ExperimentCommand.self, DatasetCommand.self,
      Bench.self,
    ]
  )
}
