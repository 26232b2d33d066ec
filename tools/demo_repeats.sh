#!/usr/bin/env bash
# The demo's accuracy in its time limit, repeated: `./retinanet demo` and tools/train_torch_demo.py (torchvision
# trained with the demo's exact configuration on the dataset the first demo run generated) alternated, in one
# sitting, into one log. torchvision's runs differ by a few thousandths in AP50 from run to run and this machine's
# speed drifts within minutes, so one pair says little (this project's demo gave the same AP in each of three runs
# on one machine kind: docs/benchmarks.md, 2026-12-04).
#
#   tools/demo_repeats.sh [rounds=3] [minutes=6] [log=demo-repeats-<UTC time>.log]
#
# Each round runs this project's demo, then torchvision's. Run it on an idle machine; like tools/side_by_side.sh it
# waits up to 90 s before each part for the launcher to choose spinning waits, and records the load.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/sitting.sh
source "$here/tools/sitting.sh"   # cd "$here", $py, policy, part, sitting_header
rounds="${1:-3}"
minutes="${2:-6}"
log="${3:-$here/demo-repeats-$(date -u +%Y%m%dT%H%MZ).log}"
work="$(mktemp -d "${TMPDIR:-/tmp}/demo-repeats.XXXXXX")"
trap 'rm -rf "$work"' EXIT

exec > >(tee "$log") 2>&1
sitting_header "demo repeats: this project against torchvision" "rounds $rounds, demo $minutes min"

for round in $(seq 1 "$rounds"); do
  part "round $round, this project: ./retinanet demo --minutes $minutes"
  ./retinanet demo --out "$work/ours$round" --minutes "$minutes" --drawn 0
  part "round $round, torchvision: tools/train_torch_demo.py --minutes $minutes (round 1's dataset)"
  "$py" tools/train_torch_demo.py "$work/ours1/shapes" --minutes "$minutes" --out "$work/torch$round"
done

echo; echo "== summary"
grep -E '^== round|^trained [0-9]+ iterations|^AP50 on the validation split' "$log" | grep -v '^== summary' || true
