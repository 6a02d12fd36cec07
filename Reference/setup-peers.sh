#!/usr/bin/env bash
# Creates (once) a Python environment with the peer libraries that the Reference/ generators
# run, at the pinned versions the committed vectors were made with, and prints its python.
# Several GB, a few minutes the first time; never needed by the build, the tests or CI.
#   PY=$(Reference/setup-peers.sh) && "$PY" Reference/networks/generate_networks.py
# PEERS_VENV chooses the folder (default ~/.cache/vidattr-peers).
set -eu
venv=${PEERS_VENV:-$HOME/.cache/vidattr-peers}
py=$venv/bin/python
if ! "$py" -c "import torch, torchvision, captum, torchray, zennit, quantus, pytorch_grad_cam, safetensors, skimage, krippendorff" \
  2>/dev/null; then
  python3 -m venv "$venv" >&2
  "$venv/bin/pip" install -q \
    torch==2.15.0 torchvision==0.29.2 captum==0.9.0 torchray==1.0.0.2 zennit==0.5.1 quantus==0.6.0 \
    grad-cam==1.5.7 safetensors==0.8.0 numpy==2.4.6 scipy==1.17.1 scikit-image==0.26.0 krippendorff==0.9.0 >&2
fi
echo "$py"
