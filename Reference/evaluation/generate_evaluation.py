#!/usr/bin/env python3
"""Cross-check vectors for VideoAttribution's evaluation metrics (Sources/Evaluation).

Runs the peers where their definitions coincide with the package's, and writes
Reference/evaluation/peers.safetensors (see README.md next to this file):

1. Pointing game, 300 frames of 32x32 and 40 of 112x112: random boxes (x0, y0, x1, y1,
   inclusive-exclusive pixels, some reaching past the frame) and random maps (uniform float32 in
   [0, 1)) whose maximum (1.5, unique) sits at a random pixel within 18 px of the box, so that
   many points fall in the band where the tolerances differ:
   - Quantus 0.6 `PointingGame(abs=False, normalise=False)` on the box masks: a hit when a
     maximal pixel lies in the mask (no tolerance);
   - TorchRay 1.0 `PointingGame(num_classes=11, tolerance=t).evaluate(mask, point)` for t in
     {0, 2, 7, 15}, the point (column, row) of the map's first maximum, and `.accuracy` after
     aggregating the hits per label (labels 0..9: class 10 has no frame).
2. Quantus `PixelFlipping` and `RegionPerturbation` on r3d_mini (the zoo weights
   Reference/models/r3d_mini.safetensors, built by Reference/networks/generate_networks.py) and
   two clips of the built-in benchmark (`vidattr dataset export --videos 2 --start 20`, 16x32x32),
   with a random voxel map (uniform float32, no ties), softmax on, baseline 0 (the fade base):
   - PixelFlipping with the clip given as an N x 1 x (3*T*H) x W "image" (a wrapper model
     reshapes it back to N x 3 x T x H x W) and the map repeated over the three channels, so that
     the three channels of a voxel tie, sit next to each other in the descending order, and
     `features_in_step = 3 * 128` takes 128 whole voxels per step: deletion, MoRF, voxel unit,
     128 steps (the points after each step, p_1 .. p_128);
   - RegionPerturbation with the clip as an N x 3 x (T*H) x W image (frames stacked vertically)
     and `patch_size = 8`, which divides H and W, so that a patch is one 8x8 block of one frame:
     deletion, MoRF, block unit k = 8, one block per step for all 256 blocks (Quantus records
     the drops p_0 - p_k).
3. RISE's blur taps: SciPy's `gaussian_filter` of an 11x11 delta with sigma 5 (RISE's and Li et
   al.'s `gkern(11, 5)`), its row sums.

Run (from the repository root, after `swift build -c release`):
    PY=$(Reference/setup-peers.sh) && "$PY" Reference/evaluation/generate_evaluation.py

Everything here is written for this project; the peers' sources were read to learn their
semantics.
"""

import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Reference", "networks"))
import generate_networks as gn  # noqa: E402  (the mini network builders)

import quantus  # noqa: E402
import scipy  # noqa: E402
import torchray  # noqa: E402
from safetensors.numpy import save_file  # noqa: E402
from safetensors.torch import load_file  # noqa: E402
from scipy.ndimage import gaussian_filter  # noqa: E402
from torchray.benchmark.pointing_game import PointingGame as TorchRayPointingGame  # noqa: E402

TOLERANCES = [0, 2, 7, 15]
CLASSES = 11


def pointing_vectors(rng):
    """Maps, boxes, labels and the peers' hits for 400 frames (200 of 32x32, 200 of 112x112)."""
    out = {}
    for size, count in [(32, 300), (112, 40)]:
        maps = rng.random((count, size, size), dtype=np.float32)
        boxes = np.zeros((count, 4), dtype=np.float32)
        for i in range(count):
            w, h = rng.integers(1, size // 2, size=2)
            x0, y0 = rng.integers(-size // 8, size - 1, size=2)
            boxes[i] = [x0, y0, x0 + w, y0 + h]
            u = np.clip(rng.integers(x0 - 18, x0 + w + 18), 0, size - 1)
            v = np.clip(rng.integers(y0 - 18, y0 + h + 18), 0, size - 1)
            maps[i, v, u] = 1.5
        labels = rng.integers(0, CLASSES - 1, size=count)  # class 10 never occurs
        masks = np.zeros((count, size, size), dtype=bool)
        for i, (x0, y0, x1, y1) in enumerate(boxes.astype(int)):
            masks[i, max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)] = True
        quantus_hits = quantus.PointingGame(abs=False, normalise=False, disable_warnings=True)(
            model=None, x_batch=maps[:, None], y_batch=labels, a_batch=maps[:, None], s_batch=masks[:, None]
        )
        out[f"s{size}_maps"] = maps
        out[f"s{size}_boxes"] = boxes
        out[f"s{size}_labels"] = labels.astype(np.int64)
        out[f"s{size}_quantus_hit"] = np.array(quantus_hits, dtype=np.float64)
        rows, cols = np.unravel_index(maps.reshape(count, -1).argmax(axis=1), (size, size))
        for t in TOLERANCES:
            game = TorchRayPointingGame(CLASSES, tolerance=t)
            hits = []
            for i in range(count):
                hit = game.evaluate(torch.from_numpy(masks[i]), (int(cols[i]), int(rows[i])))
                game.aggregate(hit, int(labels[i]))
                hits.append(hit)
            out[f"s{size}_torchray_hit_t{t}"] = np.array(hits, dtype=np.float64)
            out[f"s{size}_torchray_accuracy_t{t}"] = np.array([float(game.accuracy)], dtype=np.float64)
    return out


class FromImage(torch.nn.Module):
    """A video network fed an image-shaped tensor, reshaped back to N x 3 x T x H x W."""

    def __init__(self, net, t, h, w):
        super().__init__()
        self.net, self.t, self.h, self.w = net, t, h, w

    def forward(self, x):
        return self.net(x.reshape(x.shape[0], 3, self.t, self.h, self.w))


def export_clips(vidattr, path):
    subprocess.run(
        [vidattr, "dataset", "export", "--videos", "2", "--start", "20", "--output", path],
        check=True, capture_output=True)
    loaded = load_file(path)
    return loaded["input"].numpy(), loaded["label"].numpy()


def perturbation_vectors(rng):
    vidattr = os.path.join(ROOT, ".build", "release", "vidattr")
    with tempfile.TemporaryDirectory() as d:
        clips, labels = export_clips(vidattr, os.path.join(d, "clips.safetensors"))
    n, c, t, h, w = clips.shape
    net = gn.build("r3d_mini")
    state = load_file(os.path.join(ROOT, "Reference", "models", "r3d_mini.safetensors"))
    missing, unexpected = net.load_state_dict(state, strict=False)
    assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), (missing, unexpected)
    net = net.eval().float()
    saliency = rng.random((n, 1, t, h, w), dtype=np.float32)
    targets = labels.astype(np.int64)

    flipping = quantus.PixelFlipping(
        features_in_step=3 * 128, perturb_baseline=0.0, normalise=False, abs=False, disable_warnings=True)
    pf = flipping(
        model=FromImage(net, t, h, w).eval(), x_batch=clips.reshape(n, 1, c * t * h, w), y_batch=targets,
        a_batch=np.repeat(saliency, 3, axis=1).reshape(n, 1, c * t * h, w), softmax=True, channel_first=True,
        device="cpu")

    region = quantus.RegionPerturbation(
        patch_size=8, order="morf", regions_evaluation=t * (h // 8) * (w // 8), perturb_baseline=0.0,
        normalise=False, abs=False, disable_warnings=True)
    stacked = clips.transpose(0, 1, 2, 3, 4).reshape(n, c, t * h, w)
    rp = region(
        model=FromImage(net, t, h, w).eval(), x_batch=stacked, y_batch=targets,
        a_batch=np.repeat(saliency, 3, axis=1).reshape(n, c, t * h, w), softmax=True, channel_first=True,
        device="cpu")
    return {
        "clips": clips.astype(np.float32), "clip_labels": targets, "voxel_map": saliency,
        "quantus_pixel_flipping": np.array(pf, dtype=np.float64),
        "quantus_region_perturbation": np.array(rp, dtype=np.float64),
    }


def rise_taps():
    delta = np.zeros((11, 11))
    delta[5, 5] = 1
    k = gaussian_filter(delta, 5)
    return {"rise_kernel": k, "rise_taps": k.sum(axis=1)}


def main():
    rng = np.random.default_rng(20261130)
    tensors = {}
    tensors.update(pointing_vectors(rng))
    tensors.update(perturbation_vectors(rng))
    tensors.update(rise_taps())
    metadata = {
        "generator": "Reference/evaluation/generate_evaluation.py",
        "versions": json.dumps({"quantus": quantus.__version__, "torchray": getattr(torchray, "__version__", "1.0"),
                                "torch": torch.__version__, "numpy": np.__version__, "scipy": scipy.__version__}),
        "tolerances": json.dumps(TOLERANCES),
    }
    save_file(tensors, os.path.join(HERE, "peers.safetensors"), metadata=metadata)
    print(json.dumps({k: list(v.shape) for k, v in tensors.items()}))


if __name__ == "__main__":
    main()
