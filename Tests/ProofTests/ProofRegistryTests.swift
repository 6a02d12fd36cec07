import Foundation
import Testing
import _TestSupport

/// Proofs/ states claims, each under a heading `### P-<TOPIC>-<n> — title`; every claim is
/// checked by at least one test whose display name starts with its ID (`@Test("P-IG-1: …")`),
/// in any test target. These tests keep the two in step.
@Suite("Proofs: every claim has a test, every test names a claim")
struct ProofRegistryTests {
  static let idPattern = #"P-[A-Z0-9]+-[0-9]+"#

  /// Claim IDs defined by headings in Proofs/*.md.
  static func definedClaims() throws -> [String: String] {
    let dir = RepositoryPaths.root + "/Proofs"
    var claims: [String: String] = [:]
    for file in try FileManager.default.contentsOfDirectory(atPath: dir).sorted() where file.hasSuffix(".md") {
      let text = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
      for line in text.split(separator: "\n") where line.hasPrefix("### ") {
        if let r = line.range(of: "^### (" + idPattern + ")", options: .regularExpression) {
          let id = String(line[r].dropFirst(4))
          #expect(claims[id] == nil, "claim \(id) is defined twice (\(claims[id] ?? "") and \(file))")
          claims[id] = file
        }
      }
    }
    return claims
  }

  /// Claim IDs that test display names start with, found in the test sources.
  static func testedClaims() throws -> [String: String] {
    let dir = RepositoryPaths.root + "/Tests"
    var found: [String: String] = [:]
    let enumerator = FileManager.default.enumerator(atPath: dir)
    while let path = enumerator?.nextObject() as? String {
      guard path.hasSuffix(".swift"), !path.hasSuffix("ProofRegistryTests.swift") else { continue }
      let text = try String(contentsOfFile: dir + "/" + path, encoding: .utf8)
      let regex = try NSRegularExpression(pattern: #"@Test\(\s*"("# + idPattern + ")")
      for m in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
        if let r = Range(m.range(at: 1), in: text) { found[String(text[r])] = path }
      }
    }
    return found
  }

  @Test("every claim in Proofs/ is checked by a test named after it")
  func everyClaimHasATest() throws {
    let claims = try Self.definedClaims(), tested = try Self.testedClaims()
    #expect(!claims.isEmpty, "no claims found in Proofs/")
    for (id, file) in claims.sorted(by: { $0.key < $1.key }) {
      #expect(tested[id] != nil, "claim \(id) (Proofs/\(file)) has no test whose name starts with \(id)")
    }
  }

  @Test("every test named after a claim names one that Proofs/ defines")
  func everyTestNamesAClaim() throws {
    let claims = try Self.definedClaims(), tested = try Self.testedClaims()
    for (id, path) in tested.sorted(by: { $0.key < $1.key }) {
      #expect(claims[id] != nil, "test in Tests/\(path) names \(id), which no heading in Proofs/ defines")
    }
  }
}
