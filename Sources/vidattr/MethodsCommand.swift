import ArgumentParser
import VideoAttribution

/// `vidattr methods`: the attribution methods and the options each takes.
struct MethodsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "methods",
    abstract: "List the attribution methods, or one method's options with their defaults.")

  @Argument(help: "Method names (default: all).")
  var names: [String] = []

  func run() throws {
    let entries = try names.isEmpty ? MethodRegistry.entries : names.map { try MethodRegistry.entry($0) }
    print(entries.map(MethodRegistry.help(for:)).joined(separator: "\n\n"))
  }
}
