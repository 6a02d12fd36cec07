#!/usr/bin/env python3
"""scikit-image's 3-D SLIC on the benchmark's clips and on small synthetic stacks, for the
cross-check of `Literal.slic` / `Fast.slic` (Tests/KernelsTests/SLICCrossCheckTests.swift).

Inputs
- The 11 clips of the built-in benchmark's test split (16×32×32, one per class), exported by
  `vidattr dataset export --split test --videos 11`. SLIC sees their pixel values: the clip
  file holds the Kinetics-normalised network input x, and the stack is
  float32(μ_c + σ_c·float64(x)) per channel (what `ChannelNormalization.denormalized` computes),
  laid out T×H×W×3 — Li et al. ran `slic` on the RGB frames, not on the normalised input.
- Synthetic stacks drawn here from numpy's seeded generator (stored, C×T×H×W): odd shapes,
  2 channels, frames shorter than the grid step, long Gaussian radii, spacing.
- `weyl56`: a 3×16×56×56 Weyl fill (`Fill.weyl` of the tests, rebuilt there bit for bit, so
  only its first values are stored) on which scikit-image's float32 and float64 paths disagree.

Every case runs `skimage.segmentation.slic(stack, channel_axis=-1, **settings)` on the stack as
float64 (scikit-image computes in float64) and as float32 (it computes in float32), and, for the
synthetic stacks, with `enforce_connectivity=False` on float64 (the k-means labels before the
connectivity step); on the benchmark's clips the float32 run is kept for Li et al.'s settings
only, to keep the file small. The
label maps are stored as F32 (integers below 2^24 are exact; the package's reader takes F32,
F64 and I64, and I64 would double the file). Settings per case are in the metadata (`cases`).

Run (from the repository root, after a release build):
    .build/release/vidattr dataset export --split test --videos 11 --output /tmp/slic-clips.safetensors
    PY=$(Reference/setup-peers.sh) && "$PY" Reference/segmentation/generate_slic.py /tmp/slic-clips.safetensors
"""

import json
import os
import sys

import numpy as np
import scipy
import skimage
from safetensors.numpy import load_file, save_file
from skimage.segmentation import slic

HERE = os.path.dirname(os.path.abspath(__file__))
COMMAND = (
    ".build/release/vidattr dataset export --split test --videos 11 --output /tmp/slic-clips.safetensors && "
    'PY=$(Reference/setup-peers.sh) && "$PY" Reference/segmentation/generate_slic.py /tmp/slic-clips.safetensors'
)
KINETICS_MEAN = [0.43216, 0.394666, 0.37645]
KINETICS_STD = [0.22803, 0.22145, 0.216989]

# Settings on the benchmark's clips: Li et al.'s supervoxel metric, and plain SLIC.
CLIP_CASES = {
    "paper": dict(n_segments=256, sigma=1, slic_zero=True),
    "slic": dict(n_segments=256, compactness=20),
}


WEYL_SETTINGS = dict(n_segments=256, sigma=1, slic_zero=True)


def weyl_fill(shape):
    """Element i = float32(2·frac((i + 1)·φ) − 1), φ = (√5 − 1)/2: `Fill.weyl` of Sources/_TestSupport."""
    n = int(np.prod(shape))
    v = np.fmod((np.arange(n, dtype=np.float64) + 1) * 0.6180339887498949, 1.0)
    return (2 * v - 1 + 0.0).astype(np.float32).reshape(shape)


def synthetic_stacks():
    """(name, C×T×H×W float32 stack, settings) for the synthetic cases."""
    rng = np.random.default_rng(20260)
    cases = []

    def blocks(c, t, h, w, cells, noise):
        """Piecewise-constant colours on a coarse random grid, plus uniform noise."""
        coarse = rng.uniform(0, 1, size=(c,) + cells)
        idx = [np.minimum(np.arange(n) * k // n, k - 1) for n, k in zip((t, h, w), cells)]
        x = coarse[:, idx[0]][:, :, idx[1]][:, :, :, idx[2]]
        return (x + noise * rng.uniform(-1, 1, size=x.shape)).astype(np.float32)

    cases.append(("noise_odd", rng.uniform(0, 1, size=(3, 5, 13, 17)).astype(np.float32),
                  dict(n_segments=40, compactness=200)))
    cases.append(("blocks_slico", blocks(3, 8, 24, 24, (2, 3, 3), 0.05),
                  dict(n_segments=64, sigma=0.7, slic_zero=True)))
    cases.append(("two_channels", blocks(2, 6, 20, 22, (3, 2, 4), 0.1),
                  dict(n_segments=30, compactness=0.5, spacing=[2.0, 1.0, 1.0], sigma=1.0)))
    cases.append(("short_frames", blocks(3, 2, 30, 30, (2, 4, 4), 0.1),
                  dict(n_segments=20, compactness=5)))
    cases.append(("sizes_start0", blocks(3, 6, 16, 16, (2, 3, 3), 0.3),
                  dict(n_segments=24, compactness=20, min_size_factor=0.8, max_size_factor=1.2, start_label=0)))
    cases.append(("axis_sigma", blocks(3, 3, 17, 19, (3, 3, 3), 0.1),
                  dict(n_segments=18, sigma=[1.5, 0.5, 2.5], max_num_iter=4)))
    cases.append(("rgb_as_given", blocks(3, 4, 15, 15, (2, 3, 3), 0.2),
                  dict(n_segments=25, convert2lab=False, compactness=0.2, slic_zero=True)))
    return cases


def run(stack_cthw, settings, dtype, connectivity=True):
    image = np.ascontiguousarray(np.moveaxis(stack_cthw, 0, -1).astype(dtype))
    labels = slic(image, channel_axis=-1, enforce_connectivity=connectivity, **settings)
    return labels.astype(np.float32)


def main():
    clip_path = sys.argv[1]
    clips = load_file(clip_path)["input"]
    assert clips.shape == (11, 3, 16, 32, 32), clips.shape
    mean = np.array(KINETICS_MEAN).reshape(1, 3, 1, 1, 1)
    std = np.array(KINETICS_STD).reshape(1, 3, 1, 1, 1)
    pixels = (mean + std * clips.astype(np.float64)).astype(np.float32)

    tensors, cases = {}, {}
    for name, settings in CLIP_CASES.items():
        cases[f"clip.{name}"] = settings
        for i in range(clips.shape[0]):
            tensors[f"clip{i}.{name}.f64"] = run(pixels[i], settings, np.float64)
            if name == "paper":
                tensors[f"clip{i}.{name}.f32"] = run(pixels[i], settings, np.float32)
    tensors["clip.first_pixels"] = pixels[:, :, 0, 0, :4].copy()  # 11×3×4: ties the file to the export
    # A larger stack where scikit-image's float32 and float64 paths disagree (on 9 voxels): the
    # Weyl fill of _TestSupport's `Fill.weyl`, which the tests rebuild instead of reading it.
    weyl = weyl_fill((3, 16, 56, 56))
    cases["weyl56"] = WEYL_SETTINGS
    tensors["weyl56.first_values"] = weyl.reshape(-1)[:8].copy()
    tensors["weyl56.f64"] = run(weyl, WEYL_SETTINGS, np.float64)
    tensors["weyl56.f32"] = run(weyl, WEYL_SETTINGS, np.float32)
    for name, stack, settings in synthetic_stacks():
        cases[name] = settings
        tensors[f"{name}.input"] = stack
        tensors[f"{name}.f64"] = run(stack, settings, np.float64)
        tensors[f"{name}.f32"] = run(stack, settings, np.float32)
        tensors[f"{name}.raw.f64"] = run(stack, settings, np.float64, connectivity=False)

    with open(clip_path, "rb") as f:
        header = json.loads(f.read(int.from_bytes(f.read(8), "little")))
    generator = header.get("__metadata__", {}).get("generator", "?")
    metadata = {
        "command": COMMAND,
        "skimage": skimage.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "clips": f"{generator}, test split, 11 clips from 0, seed 0, 16 frames of 32×32",
        "cases": json.dumps(cases, sort_keys=True),
    }
    out = os.path.join(HERE, "slic.safetensors")
    save_file(tensors, out, metadata=metadata)
    print(f"wrote {len(tensors)} tensors to {out}")


if __name__ == "__main__":
    main()
