#!/usr/bin/env python3
"""Cross-check vectors for extremal perturbation's mask generator and perturbations
(Sources/Kernels: ExtremalMaskGeometry, extremalMask(+Backward), extremalMaskCrop, blurPyramid,
pyramidPerturbation(+Backward), fadePerturbation).

Runs TorchRay 1.0.0.2's own code — `MaskGenerator.generate` and `Perturbation` / `apply`
(torchray/attribution/extremal_perturbation.py) and `imsmooth` (torchray/utils.py) — with
gradients from PyTorch's autograd through it, on small inputs, and writes
Reference/extremal_perturbation/{mask,perturbation,notes}.safetensors/json. README.md lists
every tensor, the settings and the differences found.

Float64: TorchRay builds its weight table, Gaussian taps and constants explicitly in float32
(`dtype=torch.float32`, `SQRT_TWO_SINGLE`, `EPSILON_SINGLE`). The float64 vectors come from
TorchRay's unmodified functions with the name `torch` inside its two modules bound to a proxy
whose `float32` is `torch.float64` (everything else is torch itself), the two constants
rebound to float64 tensors of the same values (√2 exact, 2⁻²³), and torch's default dtype set
to float64. The script also runs TorchRay as shipped (float32) and records how far that is from
the float64 run (notes.json), the scale a float32 implementation should expect.

The extension along time (a lattice step and σ along T) exists in no peer. `reference_mask`
below is an independent float64 implementation of its definition written the TorchRay way
(all neighbours gathered at once from a zero-padded lattice by index arithmetic on tensors,
weights for the whole output, `softmax`, autograd); on per-frame settings it must equal
TorchRay's `generate` (checked here), and its 3-D vectors check the package's loops.

Run (from the repository root):
    PY=$(Reference/setup-peers.sh) && "$PY" Reference/extremal_perturbation/generate_components.py

Written for this project; TorchRay's code was read to learn its exact procedure, not copied.
"""

import contextlib
import json
import math
import os

import numpy as np
import torch
from safetensors.torch import save_file

import torchray
import torchray.attribution.extremal_perturbation as ep
import torchray.utils as tru

HERE = os.path.dirname(os.path.abspath(__file__))
COMMAND = ('PY=$(Reference/setup-peers.sh) && '
           '"$PY" Reference/extremal_perturbation/generate_components.py')
PHI = 0.6180339887498949
NOTES = {}


def weyl(shape, offset=0.0, scale=1.0):
    """Fill.weyl of _TestSupport: element i = (frac((i + 1)·φ)·2 − 1 + offset)·scale, float64."""
    n = int(np.prod(shape))
    v = np.array([((i + 1) * PHI) % 1.0 for i in range(n)], dtype=np.float64)
    return torch.from_numpy(((2 * v - 1 + offset) * scale).reshape(shape))


def uniform(shape, low, high, seed):
    g = torch.Generator().manual_seed(seed)
    return low + (high - low) * torch.rand(shape, generator=g, dtype=torch.float64)


class _Float64Torch:
    """`torch`, except that `float32` names float64."""
    float32 = torch.float64

    def __getattr__(self, name):
        return getattr(torch, name)


@contextlib.contextmanager
def torchray_float64():
    saved = (ep.torch, tru.torch, tru.SQRT_TWO_SINGLE, tru.EPSILON_SINGLE, torch.get_default_dtype())
    ep.torch = tru.torch = _Float64Torch()
    tru.SQRT_TWO_SINGLE = torch.tensor(math.sqrt(2), dtype=torch.float64)
    tru.EPSILON_SINGLE = torch.tensor(2.0 ** -23, dtype=torch.float64)
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        ep.torch, tru.torch, tru.SQRT_TWO_SINGLE, tru.EPSILON_SINGLE, dtype = saved
        torch.set_default_dtype(dtype)


# ---------------------------------------------------------------------------------------------
# Mask generator


def torchray_generate(lattice, frame, step, sigma, dpadded=None, float64=True):
    """TorchRay's MaskGenerator on an A×1×T×h×w lattice, frame by frame (its input is K×1×h×w:
    the A·T frames are its K). Returns (padded A×1×T×Hp×Wp, cropped, d lattice or None)."""
    a, _, t, h, w = lattice.shape
    ctx = torchray_float64() if float64 else contextlib.nullcontext()
    dtype = torch.float64 if float64 else torch.float32
    with ctx:
        gen = ep.MaskGenerator(frame, step, sigma)
        assert list(gen.shape_in) == [h, w], (gen.shape_in, h, w)
        p = lattice.to(dtype).permute(0, 2, 1, 3, 4).reshape(a * t, 1, h, w).clone().requires_grad_(True)
        cropped, padded = gen.generate(p)
        hp, wp = padded.shape[2:]
        back = lambda x: x.reshape(a, t, 1, *x.shape[2:]).permute(0, 2, 1, 3, 4)
        grad = None
        if dpadded is not None:
            (padded * back_inv(dpadded.to(dtype))).sum().backward()
            grad = back(p.grad).detach()
        return back(padded).detach(), back(cropped).detach(), grad, gen


def back_inv(x):
    a, _, t = x.shape[:3]
    return x.permute(0, 2, 1, 3, 4).reshape(a * t, 1, *x.shape[3:])


def reference_mask(lattice, frames, frame, step, sigma, step_t=None, sigma_t=None, coldness=20.0):
    """The package's definition (ExtremalMaskGeometry), independently in float64 torch:
    returns the padded mask A×1×T×Hp×Wp (differentiable in `lattice`)."""
    H, W = frame
    pad = 1 + math.ceil((sigma + sigma) / step)
    rad = 1 + math.ceil(sigma / step)
    h, w = math.ceil(H / step), math.ceil(W / step)
    hp = step * (h + 2 * pad - 2 * rad) - step + 1
    wp = step * (w + 2 * pad - 2 * rad) - step + 1
    if step_t is None:
        rad_t, st = 0, 1
    else:
        rad_t, st = 1 + math.ceil(sigma_t / step_t), step_t
    a, _, tl, lh, lw = lattice.shape
    assert (lh, lw) == (h, w)
    t = torch.arange(frames).view(-1, 1, 1, 1, 1, 1)
    y = torch.arange(hp).view(1, -1, 1, 1, 1, 1)
    x = torch.arange(wp).view(1, 1, -1, 1, 1, 1)
    kt = torch.arange(2 * rad_t + 1).view(1, 1, 1, -1, 1, 1)
    ky = torch.arange(2 * rad + 1).view(1, 1, 1, 1, -1, 1)
    kx = torch.arange(2 * rad + 1).view(1, 1, 1, 1, 1, -1)
    it = (t if step_t is None else torch.div(t, st, rounding_mode='floor') + kt - rad_t) + 0 * kt
    iy = torch.div(y, step, rounding_mode='floor') + ky - pad
    ix = torch.div(x, step, rounding_mode='floor') + kx - pad
    dy = y.double() - (sigma + step * iy.double())
    dx = x.double() - (sigma + step * ix.double())
    if step_t is None:
        d = torch.sqrt(dy ** 2 + dx ** 2) / sigma
    else:
        dt = (t.double() - st * it.double()) * sigma / sigma_t
        d = torch.sqrt(dt ** 2 + dy ** 2 + dx ** 2) / sigma
    kappa = torch.exp(-2 * (d - 0.5).clamp(min=0) ** 2)
    # Zero-pad the lattice by rad_t frames and pad nodes, then gather.
    padded_lattice = torch.nn.functional.pad(lattice[:, 0], (pad, pad, pad, pad, rad_t, rad_t))
    it_, iy_, ix_ = torch.broadcast_tensors(it + rad_t, iy + pad, ix + pad)
    values = padded_lattice[:, it_, iy_, ix_]  # A × T × Hp × Wp × Kt × K × K
    z = (kappa * values).reshape(a, frames, hp, wp, -1)
    m = (z * torch.softmax(coldness * z, dim=-1)).sum(dim=-1).clamp(0, 1)
    return m.unsqueeze(1)


def mask_cases():
    out, notes = {}, {}
    cases = [
        # name, A, T, (H, W), step, sigma, lattice fill, backward?
        ("small", 2, 2, (13, 18), 4, 5.0, "mixed", True),
        ("paper", 1, 1, (28, 28), 7, 11.0, "unit", False),
        ("half", 1, 1, (21, 16), 6, 10.5, "unit", False),
    ]
    for name, a, t, frame, step, sigma, fill, backward in cases:
        h, w = (math.ceil(frame[0] / step), math.ceil(frame[1] / step))
        lattice = uniform((a, 1, t, h, w), 0.0, 1.0, seed=len(name))
        if fill == "mixed":
            # The second mask's nodes lie in [−0.6, 1.8]: the clamp to [0, 1] is active there.
            lattice[1] = uniform((1, t, h, w), -0.6, 1.8, seed=7)
        gen = ep.MaskGenerator(frame, step, sigma)
        hp, wp = gen.shape_out
        dpadded = weyl((a, 1, t, hp, wp), scale=1.0) if backward else None
        padded, cropped, grad, gen = torchray_generate(lattice, frame, step, sigma, dpadded)
        out[f"{name}.lattice"] = lattice
        out[f"{name}.padded"] = padded
        if name == "half":  # crop offset round(10.5) = 10 (half to even)
            out[f"{name}.cropped"] = cropped
        if backward:  # d_padded = weyl(padded shape), not stored
            out[f"{name}.d_lattice"] = grad
        ref = reference_mask(lattice, t, frame, step, sigma)
        assert (ref - padded).abs().max() < 1e-13, (name, (ref - padded).abs().max())
        p32, _, g32, _ = torchray_generate(lattice, frame, step, sigma, dpadded, float64=False)
        notes[f"mask.{name}"] = {
            "frames": t, "masks": a, "height": frame[0], "width": frame[1], "step": step, "sigma": sigma,
            "padded": [hp, wp], "crop_offset": round(sigma), "padding": gen.padding, "radius": gen.radius,
            "float32_max_abs_diff_padded": float((p32.double() - padded).abs().max()),
            "float32_max_abs_diff_d_lattice": float((g32.double() - grad).abs().max()) if backward else None,
            "max_abs_d_lattice": float(grad.abs().max()) if backward else None,
        }
    return out, notes


def mask_3d_cases():
    """The extension along time, from reference_mask (no peer has it)."""
    out, notes = {}, {}
    cases = [
        # name, A, T, (H, W), step, sigma, step_t, sigma_t
        ("time", 1, 5, (10, 11), 3, 2.5, 2, 1.5),
        ("time_step1", 1, 3, (9, 8), 3, 3.0, 1, 0.7),
    ]
    for name, a, t, frame, step, sigma, step_t, sigma_t in cases:
        h, w = (math.ceil(frame[0] / step), math.ceil(frame[1] / step))
        tl = math.ceil(t / step_t)
        lattice = uniform((a, 1, tl, h, w), 0.0, 1.0, seed=11 + len(name)).requires_grad_(True)
        padded = reference_mask(lattice, t, frame, step, sigma, step_t, sigma_t)
        dpadded = weyl(padded.shape)
        (padded * dpadded).sum().backward()
        out[f"{name}.lattice"] = lattice.detach()
        out[f"{name}.padded"] = padded.detach()
        out[f"{name}.d_lattice"] = lattice.grad.detach()  # d_padded = weyl(padded shape)
        notes[f"mask.{name}"] = {"frames": t, "masks": a, "height": frame[0], "width": frame[1], "step": step,
                                 "sigma": sigma, "stepT": step_t, "sigmaT": sigma_t,
                                 "padded": list(padded.shape[3:])}
    return out, notes


def step41_quirk():
    """TorchRay's index ⌊u·fl(mid/up)⌋ at step 41 (an 82×41 frame, σ 41, a 2×1 lattice).

    In float32 both the weight table (`torch.floor(step_inv * uy)` on float32 tensors) and
    `F.interpolate` (nearest, float32 scale for float32 input) compute u/41 − 1 at u = 41 and
    82: consistent with each other, but those rows and columns read the window of the cell
    before theirs. With a float64 input, `F.interpolate` indexes exactly while the weight table
    (always float32) does not: those rows and columns weight each value by the distance to the
    node before the one it came from. The float64 proxy run indexes exactly at step 41 (its
    float64 floor fails at step 49 instead)."""
    frame, step, sigma = (82, 41), 41, 41.0
    lattice = uniform((1, 1, 1, 2, 1), 0.2, 1.0, seed=41)
    p64, _, _, gen = torchray_generate(lattice, frame, step, sigma)
    p32, _, _, _ = torchray_generate(lattice, frame, step, sigma, float64=False)
    mixed = ep.MaskGenerator(frame, step, sigma).generate(lattice[:, :, 0])[1]  # float32 table, float64 input
    wrong = {}
    for axis, n in (("rows", gen.shape_out[0]), ("columns", gen.shape_out[1])):
        mid, up = gen.shape_mid[axis == "columns"], gen.shape_up[axis == "columns"]
        inv32 = np.float32(mid) / np.float32(up)
        u = np.arange(n, dtype=np.float32)
        wrong[axis] = [int(i) for i in np.nonzero(np.floor(inv32 * u) != np.arange(n) // step)[0]]
    affected = torch.zeros(gen.shape_out, dtype=torch.bool)
    affected[wrong["rows"], :] = True
    affected[:, wrong["columns"]] = True
    d32 = (p32.double() - p64).abs()[0, 0, 0]
    dmixed = (mixed.detach() - p64[:, :, 0]).abs()[0, 0]
    bad_steps = {}
    for s in range(2, 65):
        for mid in range(1, 65):
            up = s * mid
            for dt in (np.float32, np.float64):
                inv = dt(mid) / dt(up)
                f = np.floor(inv * np.arange(up, dtype=dt)).astype(int)
                if (f != np.arange(up) // s).any():
                    bad_steps.setdefault(dt.__name__, set()).add(s)
    note = {
        "frame": list(frame), "step": step, "sigma": sigma, "padded": list(gen.shape_out),
        "rows_with_wrong_index": wrong["rows"], "columns_with_wrong_index": wrong["columns"],
        "float32_max_abs_diff_there": float(d32[affected].max()),
        "float32_max_abs_diff_elsewhere": float(d32[~affected].max()),
        "float64_input_max_abs_diff_there": float(dmixed[affected].max()),
        "float64_input_max_abs_diff_elsewhere": float(dmixed[~affected].max()),
        "steps_2_to_64_affected_float32": sorted(bad_steps.get("float32", [])),
        "steps_2_to_64_affected_float64": sorted(bad_steps.get("float64", [])),
    }
    return {"step41.lattice": lattice, "step41.padded_float64_input": mixed.detach().unsqueeze(2).float()}, note


# ---------------------------------------------------------------------------------------------
# Perturbations


def perturbation_cases():
    """Blur pyramid (8 levels, max_blur 20) and fade, per frame of a 1×C×T×H×W clip (TorchRay's
    Perturbation takes 1×C×H×W: one object per frame), masks A×1×T×H×W, gradient of ⟨dz, z⟩
    with respect to the masks by autograd."""
    out, notes = {}, {}
    c, t, h, w, a = 2, 2, 7, 9, 3
    x = weyl((1, c, t, h, w), offset=0.1)
    masks = uniform((a, 1, t, h, w), 0.0, 1.0, seed=5)
    # Exact level boundaries and both ends: l/7 for l = 0…7 (m = 1 has zero gradient).
    masks[0, 0, 0, 0, :8] = torch.arange(8, dtype=torch.float64) / 7
    masks[0, 0, 0, 1, 0] = 1.0
    dz = weyl((a, c, t, h, w), offset=-0.2)
    out["x"], out["masks"] = x, masks  # dz = weyl((A, C, T, H, W), offset=−0.2), not stored
    results32, all64 = {}, {}
    for precision in ("float64", "float32"):
        ctx = torchray_float64() if precision == "float64" else contextlib.nullcontext()
        dtype = torch.float64 if precision == "float64" else torch.float32
        with ctx:
            for kind in ("blur", "fade"):
                per = [ep.Perturbation(x[:, :, i].to(dtype), num_levels=8, max_blur=20, type=kind) for i in range(t)]
                pyramid = torch.stack([p.pyramid for p in per], dim=2).unsqueeze(0)  # 1×L×C×T×H×W
                m = masks.to(dtype).clone().requires_grad_(True)
                z = torch.stack([per[i].apply(m[:, :, i]) for i in range(t)], dim=2)
                (z * dz.to(dtype)).sum().backward()
                res = {"pyramid": pyramid.detach(), "z": z.detach(), "d_masks": m.grad.detach()}
                if precision == "float64":
                    for key, value in res.items():
                        if not (kind == "fade" and key == "pyramid"):  # x·l/7, not stored
                            out[f"{kind}.{key}"] = value
                    all64[kind] = res
                else:
                    results32[kind] = res
    for kind, res in results32.items():
        for key, value in res.items():
            notes[f"perturbation.{kind}.float32_max_abs_diff_{key}"] = float((value.double() - all64[kind][key]).abs().max())
    sig = (1 - torch.linspace(0, 1, 8, dtype=torch.float32)) * 20
    notes["perturbation.torchray_float32_sigmas"] = [float(s) for s in sig]
    notes["perturbation.shape"] = {"channels": c, "frames": t, "height": h, "width": w, "masks": a,
                                   "levels": 8, "max_blur": 20}
    return out, notes


def main():
    torch.set_grad_enabled(True)
    mask, notes_mask = mask_cases()
    mask3, notes_3d = mask_3d_cases()
    quirk, note_quirk = step41_quirk()
    pert, notes_pert = perturbation_cases()
    metadata = {
        "command": COMMAND,
        "torch": torch.__version__,
        "torchray": getattr(torchray, "__version__", "1.0.0.2"),
        "fill": "weyl(shape, offset, scale)[i] = (frac((i + 1)·0.6180339887498949)·2 − 1 + offset)·scale",
    }
    save_file({k: v.contiguous() for k, v in {**mask, **mask3, **quirk}.items()},
              os.path.join(HERE, "mask.safetensors"), metadata=metadata)
    save_file({k: v.contiguous() for k, v in pert.items()},
              os.path.join(HERE, "perturbation.safetensors"), metadata=metadata)
    notes = {**notes_mask, **notes_3d, "step41": note_quirk, **notes_pert, **metadata}
    with open(os.path.join(HERE, "notes.json"), "w") as f:
        json.dump(notes, f, indent=1, sort_keys=True)
        f.write("\n")
    print(json.dumps(notes, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
