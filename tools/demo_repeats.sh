#!/usr/bin/env bash
# The demo's accuracy in its time limit, repeated: `./retinanet demo` and tools/train_torch_demo.py (torchvision
# trained with the demo's exact configuration on the dataset the first demo run generated) alternated, in one
# sitting, into one log. One run of each says little: two demo runs of one build have differed by 0.03 in AP50
# (thread timing changes the order of float sums, and training diverges from there).
#
#   tools/demo_repeats.sh [rounds=3] [minutes=6] [log=demo-repeats-<UTC time>.log]
#
# Each round runs this project's demo, then torchvision's. Run it on an idle machine; like tools/side_by_side.sh it
# waits up to 90 s before each part for the launcher to choose spinning waits, and records the load.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${1:-3}"
minutes="${2:-6}"
log="${3:-$here/demo-repeats-$(date -u +%Y%m%dT%H%MZ).log}"
py=/usr/bin/python3
cd "$here"
work="$(mktemp -d "${TMPDIR:-/tmp}/demo-repeats.XXXXXX")"
trap 'rm -rf "$work"' EXIT

exec > >(tee "$log") 2>&1
policy() { RETINANET_WAIT_POLICY_ONLY=1 ./retinanet; }
part() {
  local waited=0
  while [ -z "${OMP_WAIT_POLICY:-}" ] && policy | grep -q PASSIVE && [ "$waited" -lt 90 ]; do
    sleep 5; waited=$((waited + 5))
  done
  echo
  echo "== $* | $(date -u +%H:%M:%S) UTC | load $(cut -d' ' -f1-3 /proc/loadavg) | waited ${waited}s |" \
       "launcher $(policy)"
}
echo "demo repeats: this project against torchvision, $(date -u '+%Y-%m-%d %H:%M:%S') UTC"
lscpu | grep 'Model name'
echo "cores: $(nproc), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), rounds $rounds, demo $minutes min"
"$py" -c 'import torch, torchvision; print("torch", torch.__version__, "torchvision", torchvision.__version__)'
./retinanet --version >/dev/null 2>&1 || true   # builds the launcher's classes before anything is timed

for round in $(seq 1 "$rounds"); do
  part "round $round, this project: ./retinanet demo --minutes $minutes"
  ./retinanet demo --out "$work/ours$round" --minutes "$minutes" --drawn 0
  part "round $round, torchvision: tools/train_torch_demo.py --minutes $minutes (round 1's dataset)"
  "$py" tools/train_torch_demo.py "$work/ours1/shapes" --minutes "$minutes" --out "$work/torch$round"
done

echo; echo "== summary"
grep -E '^== round|^trained [0-9]+ iterations|^AP50 on the validation split' "$log" | grep -v '^== summary' || true
