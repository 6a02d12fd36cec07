import Evaluation
import Testing

@Suite("The Evaluation module")
struct EvaluationModuleTests {
  @Test("the module's namespace exists")
  func namespace() {
    #expect("\(Evaluation.self)" == "Evaluation")
  }
}
