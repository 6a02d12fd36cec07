import Testing
import TensorCore

import SyntheticVideo

@Suite("Synthetic determinism, balance and disjoint splits")
struct DeterminismTests {
  @Test("the same configuration gives the same bytes; generating in another order changes nothing")
  func sameSeedSameBytes() throws {
    let configuration = Synthetic.Configuration(seed: 2024)
    let a = try Synthetic.Generator(configuration).batch(split: .train, count: 11)
    let b = try Synthetic.Generator(configuration).batch(split: .train, count: 11)
    #expect(fingerprint(a) == fingerprint(b))
    let generator = try Synthetic.Generator(configuration)
    for index in stride(from: 10, through: 0, by: -1) {
      let clip = generator.clip(index: index, split: .train)
      #expect(clip.input.scalars.map(\.bitPattern) == a.input.slice(index).scalars.map(\.bitPattern))
    }
  }

  @Test("pinned fingerprints: the generator's output is the same on every machine and build")
  func pinnedFingerprints() throws {
    // Only + − × ÷ √ and PortableMath are used, so these bytes must not change across
    // platforms. A deliberate change of the generator must bump `Synthetic.generatorVersion`
    // and update these values (print them with the test's failure message).
    #expect(Synthetic.generatorVersion == 2)
    let generator = try Synthetic.Generator(Synthetic.Configuration())
    let prints = (0..<11).map { fingerprint(generator.clip(index: $0, split: .train)) }
    let hex = prints.map { String($0, radix: 16) }
    #expect(hex == Self.pinned, "fingerprints now \(hex)")
  }

  /// Fingerprints (FNV-1a of every byte, see `fingerprint`) of train clips 0…10 of the default
  /// configuration, generator version 2.
  static let pinned = [
    "db7d7cad9f371383", "8f8d381fc36575a2", "d74acf021d0eb5aa", "b0b34f3528d81a3b", "ad5219b8160529d3",
    "63a172ae2f75de3e", "9dd55555f817a5b8", "a879fb91a4e587ab", "941b79d8f123ff13", "523ed15141a9b6e0",
    "900b708193f8d3cf",
  ]

  @Test("different seeds, indices and splits give different clips")
  func differentInputsDiffer() throws {
    var seen = Set<UInt64>()
    var total = 0
    for seed: UInt64 in [0, 1, 2] {
      let generator = try Synthetic.Generator(Synthetic.Configuration(frames: 8, size: 16, seed: seed))
      for split in Synthetic.Split.allCases {
        for index in 0..<22 {
          seen.insert(fingerprint(generator.clip(index: index, split: split)))
          total += 1
        }
      }
    }
    #expect(seen.count == total)
  }

  @Test("splits are disjoint: no clip of one split appears in another")
  func splitsDisjoint() throws {
    let generator = try Synthetic.Generator(Synthetic.Configuration(frames: 8, size: 16, seed: 7))
    var bySplit: [Synthetic.Split: Set<UInt64>] = [:]
    for split in Synthetic.Split.allCases {
      bySplit[split] = Set((0..<66).map { fingerprint(generator.clip(index: $0, split: split)) })
      #expect(bySplit[split]!.count == 66)
    }
    #expect(bySplit[.train]!.isDisjoint(with: bySplit[.validation]!))
    #expect(bySplit[.train]!.isDisjoint(with: bySplit[.test]!))
    #expect(bySplit[.validation]!.isDisjoint(with: bySplit[.test]!))
  }

  @Test("classes are balanced in every split: K consecutive clips hold each class once")
  func balanced() throws {
    let classes: [Synthetic.ActionClass] = [.grow, .flash, .bThenA]
    let generator = try Synthetic.Generator(Synthetic.Configuration(frames: 8, size: 16, classes: classes, seed: 1))
    for split in Synthetic.Split.allCases {
      let batch = try generator.batch(split: split, count: 9, startIndex: 4)
      var counts = [0, 0, 0]
      for label in batch.labels { counts[label] += 1 }
      #expect(counts == [3, 3, 3])
      for n in 0..<9 {
        #expect(generator.clip(index: 4 + n, split: split).actionClass == classes[batch.labels[n]])
      }
    }
    // With all eleven classes, any count is balanced to within one clip.
    let all = try Synthetic.Generator(Synthetic.Configuration(frames: 8, size: 16))
    let labels = try all.batch(split: .test, count: 25).labels
    let counts = (0..<11).map { k in labels.filter { $0 == k }.count }
    #expect(counts.max()! - counts.min()! <= 1)
  }
}
