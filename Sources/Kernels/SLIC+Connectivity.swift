import TensorCore

extension Supervoxels {
  /// SLIC's connectivity enforcement, as scikit-image's `_enforce_label_connectivity_cython`
  /// (skimage/segmentation/_slic.pyx) does it: the clustering's labels are replaced by
  /// 6-connected components, numbered in the raster order of their first voxel, and components
  /// that are too small are merged into a neighbour. It is integer work on labels, shared by
  /// `Literal.slic` and `Fast.slic`.
  ///
  /// Voxels are visited in raster (t, h, w) order. Each voxel not yet relabelled starts a
  /// component with the next new label n: a breadth-first search over the six face neighbours,
  /// taken in the order w+1, w−1, h+1, h−1, t+1, t−1, adds neighbours of the same old label
  /// that are not relabelled yet, until the queue is exhausted or the component holds
  /// `maxSize` voxels (the remaining voxels of the region then start components of their own).
  /// Every relabelled neighbour met on the way whose label is not n is remembered; the last one
  /// met is the component's *adjacent* label. A component of fewer than `minSize` voxels takes
  /// its adjacent label (or keeps n, when it met none: only the component of voxel (0, 0, 0)
  /// can, see Proofs/supervoxels.md); otherwise n is used up and the next label is n + 1.
  ///
  /// Result: labels `startLabel ..< startLabel + count`, every one used, each a 6-connected
  /// region (P-SLIC-1, P-SLIC-2); voxels whose old label is `startLabel − 1` (unlabelled)
  /// would be left as they are, but SLIC labels every voxel.
  ///
  /// - Parameters:
  ///   - labels: T·H·W old labels, row-major.
  ///   - minSize, maxSize: component sizes, maxSize ≥ 1.
  /// - Complexity: O(T·H·W) time, O(T·H·W + maxSize) memory.
  package static func enforcingConnectivity(
    _ labels: [Int32], frames: Int, height: Int, width: Int, minSize: Int, maxSize: Int, startLabel: Int
  ) -> Supervoxels {
    precondition(labels.count == frames * height * width && maxSize >= 1, "enforcingConnectivity: bad arguments")
    let unlabelled = Int32(startLabel - 1)
    let plane = height * width
    var out = [Int32](repeating: unlabelled, count: labels.count)
    var queue = [Int](repeating: 0, count: maxSize)
    var next = Int32(startLabel)
    for seed in 0..<labels.count where labels[seed] != unlabelled && out[seed] == unlabelled {
      let old = labels[seed]
      var adjacent = next
      out[seed] = next
      queue[0] = seed
      var size = 1, visited = 0
      search: while visited < size && size < maxSize {
        let v = queue[visited]
        let (t, h, w) = (v / plane, (v % plane) / width, v % width)
        for direction in 0..<6 {
          let u: Int
          switch direction {
          case 0: guard w + 1 < width else { continue }; u = v + 1
          case 1: guard w >= 1 else { continue }; u = v - 1
          case 2: guard h + 1 < height else { continue }; u = v + width
          case 3: guard h >= 1 else { continue }; u = v - width
          case 4: guard t + 1 < frames else { continue }; u = v + plane
          default: guard t >= 1 else { continue }; u = v - plane
          }
          if labels[u] == old && out[u] == unlabelled {
            out[u] = next
            queue[size] = u
            size += 1
            if size >= maxSize { break search }
          } else if out[u] != unlabelled && out[u] != next {
            adjacent = out[u]
          }
        }
        visited += 1
      }
      if size < minSize {
        for i in 0..<size { out[queue[i]] = adjacent }
      } else {
        next += 1
      }
    }
    let count = Int(out.max()!) - startLabel + 1
    return Supervoxels(frames: frames, height: height, width: width, labels: out, startLabel: startLabel, count: count)
  }
}

extension SLICPlan {
  /// The result of a run from the k-means labels (k + startLabel per voxel): connectivity
  /// enforced when the settings ask for it, else the labels as they are.
  package func supervoxels(from labels: [Int32]) -> Supervoxels {
    let start = settings.startLabel
    if settings.enforceConnectivity {
      return Supervoxels.enforcingConnectivity(
        labels, frames: frames, height: height, width: width, minSize: minSize, maxSize: maxSize, startLabel: start)
    }
    return Supervoxels(
      frames: frames, height: height, width: width, labels: labels, startLabel: start,
      count: Int(labels.max()!) - start + 1)
  }
}
