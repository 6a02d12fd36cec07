#!/usr/bin/env python3
"""TorchRay's image extremal perturbation on a network both sides build, for the cross-check of
the `torchray` preset (Tests/AttributionTests/ExtremalTorchRayTests.swift).

The network is the benchmark's r3d_mini with HashFill weights (Reference/networks/
generate_networks.py builds it bit for bit as Sources/Networks does) run on one frame: an image
N×C×H×W is the clip N×C×1×H×W. The image is frame 0 of clip 0 of Reference/networks/input.safetensors.
TorchRay's `extremal_perturbation` runs with its defaults (area 0.1, blur, 8 levels, step 7,
σ 21, preserve, simple reward, SGD lr 0.01 momentum 0.9 dampening 0.9, λ = 300·1.0035^t) in
float64 (TorchRay's own functions, with the float32 tables and constants it builds explicitly made
float64 by `torchray_float64` of generate_components.py),
with jitter on and off, stopped after 1, 10 and 100 iterations; the masks it returns (the last
iteration's, before its step) and its energy history are written to torchray_ep.safetensors.

TorchRay sorts the padded mask with `torch.sort`, which does not promise an order for equal
values. The script runs every case a second time with `torch.sort` replaced by its stable
variant and records whether the masks are identical (`sort_is_stable_here`): if they are, the
package's `ties stable` order is TorchRay's order on this input.

Run (from the repository root):
    PY=$(Reference/setup-peers.sh) && "$PY" Reference/extremal_perturbation/generate_torchray_ep.py
"""

import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "networks"))
import generate_networks as G  # noqa: E402

sys.path.insert(0, HERE)
from generate_components import torchray_float64  # noqa: E402

from safetensors.torch import save_file  # noqa: E402
from torchray.attribution import extremal_perturbation as ep  # noqa: E402

COMMAND = 'PY=$(Reference/setup-peers.sh) && "$PY" Reference/extremal_perturbation/generate_torchray_ep.py'
ITERATIONS = [1, 10, 100]


class OneFrame(torch.nn.Module):
    """An image network from a video network: N×C×H×W → N×C×1×H×W."""

    def __init__(self, video):
        super().__init__()
        self.video = video

    def forward(self, x):
        return self.video(x.unsqueeze(2))


def main():
    torch.set_num_threads(1)
    video = G.build("r3d_mini")
    G.fill_model(video)
    model = OneFrame(video.double().eval())
    model32 = OneFrame(G.build("r3d_mini"))
    G.fill_model(model32.video)
    model32 = model32.float().eval()
    image = G.make_input()[0:1, :, 0].clone()  # 1×3×32×32
    with torch.no_grad():
        logits = model(image)
    target = int(logits.argmax(dim=1).item())
    tensors = {"image": image, "logits": logits, "target": torch.tensor([target], dtype=torch.int64)}
    summary = {"command": COMMAND, "torch": torch.__version__, "target": target, "cases": {}}
    plain_sort = torch.Tensor.sort

    def stable_sort(self, dim=-1, descending=False):
        return plain_sort(self, dim=dim, descending=descending, stable=True)

    for jitter in (False, True):
        for n in ITERATIONS:
            key = f"jitter_{'on' if jitter else 'off'}.iterations_{n}"
            with torchray_float64():
                masks, hist = ep.extremal_perturbation(model, image, target, max_iter=n, jitter=jitter)
                torch.Tensor.sort = stable_sort
                try:
                    stable_masks, _ = ep.extremal_perturbation(model, image, target, max_iter=n, jitter=jitter)
                finally:
                    torch.Tensor.sort = plain_sort
            # TorchRay as shipped: float32 throughout (its tables, the model, the image).
            masks32, _ = ep.extremal_perturbation(model32, image.float(), target, max_iter=n, jitter=jitter)
            tensors[key + ".mask"] = masks.detach().clone()
            tensors[key + ".history"] = hist.detach().clone()
            summary["cases"][key] = {
                "mask_shape": list(masks.shape),
                "mask_min": masks.min().item(),
                "mask_max": masks.max().item(),
                "mask_mean": masks.mean().item(),
                "sort_is_stable_here": bool(torch.equal(masks, stable_masks)),
                "stable_sort_max_abs_difference": (masks - stable_masks).abs().max().item(),
                "torchray_float32_max_abs_difference": (masks32.double() - masks).abs().max().item(),
            }
    save_file({k: v.contiguous() for k, v in tensors.items()}, os.path.join(HERE, "torchray_ep.safetensors"),
              metadata={"command": COMMAND, "torch": torch.__version__})
    with open(os.path.join(HERE, "torchray_ep.json"), "w") as f:
        json.dump(summary, f, indent=2, sort_keys=True)
        f.write("\n")
    print(json.dumps(summary, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
