#!/usr/bin/env bash
# The main job until `vidattr study` exists: explain the built-in benchmark's zoo model on one
# test clip of every class with a few methods, and draw each explanation.
# Writes out/clips.safetensors, out/<method>.safetensors (raw maps) and out/<method>.png
# (one row per clip: its frames with the post-processed map laid over them, evidence boxes
# in green). Usage: scripts/demo.sh [model] (default r2plus1d_mini).
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-r2plus1d_mini}
V=.build/release/vidattr
[ -x "$V" ] || swift build -c release
mkdir -p out
"$V" dataset export --split test --videos 11 --output out/clips.safetensors
for method in gradient integrated_gradients smoothgrad grad_cam excitation_backprop; do
  "$V" attribute --model "$model" --weights "Reference/models/$model.safetensors" \
    --input out/clips.safetensors --method "$method" --output "out/$method.safetensors" --picture "out/$method.png"
done
"$V" forward --model "$model" --weights "Reference/models/$model.safetensors" --input out/clips.safetensors
echo "pictures in out/: $(ls out/*.png | tr '\n' ' ')"
