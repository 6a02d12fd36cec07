#!/usr/bin/env python3
"""scikit-image's slic on the T×H×W×3 stack that `vidattr bench supervoxels` hands over, timed.

Reads `pixels` (T×H×W×3 float32) from --input, runs
`slic(stack, channel_axis=-1, n_segments, compactness, sigma, slic_zero)` on the stack as
float64 (scikit-image computes in float64) and as float32 (it computes in float32), each once
untimed and then --repetitions times, and writes the labels of both runs to --labels-out
(`float64`, `float32`: F32 label maps, integers exact). The last line on stdout is one JSON
object: the median wall-clock and process CPU seconds of each run and the versions. scikit-image's slic runs on one
thread (its Cython loops release the GIL but do not split work).
"""

import argparse
import json
import time

import numpy as np
import skimage
from safetensors.numpy import load_file, save_file
from skimage.segmentation import slic


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--input", required=True)
    p.add_argument("--labels-out", required=True)
    p.add_argument("--repetitions", type=int, default=5)
    p.add_argument("--segments", type=int, default=256)
    p.add_argument("--compactness", type=float, default=10)
    p.add_argument("--sigma", type=float, default=1)
    p.add_argument("--slic-zero", action="store_true")
    a = p.parse_args()
    pixels = load_file(a.input)["pixels"]
    kwargs = dict(n_segments=a.segments, compactness=a.compactness, sigma=a.sigma, slic_zero=a.slic_zero)
    out, seconds = {}, {}
    for name, dtype in [("float64", np.float64), ("float32", np.float32)]:
        stack = pixels.astype(dtype)
        labels = slic(stack, channel_axis=-1, **kwargs)
        times, cpu = [], []
        for _ in range(a.repetitions):
            start, cpu_start = time.perf_counter(), time.process_time()
            slic(stack, channel_axis=-1, **kwargs)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - cpu_start)
        seconds[name] = float(np.median(times))
        seconds[name + "_cpu"] = float(np.median(cpu))
        out[name] = labels.astype(np.float32)
    save_file(out, a.labels_out)
    print(json.dumps({
        "float64_seconds": seconds["float64"], "float32_seconds": seconds["float32"],
        "float64_cpu_seconds": seconds["float64_cpu"], "float32_cpu_seconds": seconds["float32_cpu"],
        "skimage_version": skimage.__version__, "numpy_version": np.__version__,
    }))


if __name__ == "__main__":
    main()
