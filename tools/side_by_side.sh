#!/usr/bin/env bash
# This project against torchvision 0.14 on this machine, in one sitting, into one log:
#   R50-FPN 512x512 forward (batch 1), training step from scratch (batch 2), fine-tuning step (batch 2, frozen
#   BatchNorm, stem and layer1 frozen), then the demo: `./retinanet demo` and tools/train_torch_demo.py on the
#   dataset the demo generated, with the same training time limit.
#
#   tools/side_by_side.sh [runs=6] [demo-minutes=6] [log=side-by-side-<UTC time>.log]
#
# Each R50 form runs in a fresh process, this project first, then torchvision. Run it on an idle machine (the log
# records `uptime` before every part); figures belong in docs/benchmarks.md with the CPU model and the load.
# Needs Java 17 + Maven (the launcher builds itself) and Debian's torch/torchvision at /usr/bin/python3.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=tools/sitting.sh
source "$here/tools/sitting.sh"   # cd "$here", $py, policy, part, sitting_header
runs="${1:-6}"
minutes="${2:-6}"
log="${3:-$here/side-by-side-$(date -u +%Y%m%dT%H%MZ).log}"
work="$(mktemp -d "${TMPDIR:-/tmp}/side-by-side.XXXXXX")"
trap 'rm -rf "$work"' EXIT

exec > >(tee "$log") 2>&1
sitting_header "side by side: this project against torchvision" "runs $runs, demo $minutes min"
start=$(date +%s)

for form in forward train finetune; do
  part "this project: R50-FPN 512 $form"
  RETINANET_MAIN=org.retinanet4j.bench.RetinaNetBenchmark ./retinanet resnet50 512 "$runs" "$form"
  part "torchvision: R50-FPN 512 $form"
  "$py" tools/bench_torch_retinanet.py 512 "$runs" "$form"
done

part "this project: ./retinanet demo --minutes $minutes"
./retinanet demo --out "$work/ours" --minutes "$minutes" --drawn 0
part "torchvision: tools/train_torch_demo.py --minutes $minutes (same dataset)"
"$py" tools/train_torch_demo.py "$work/ours/shapes" --minutes "$minutes" --out "$work/torch"

echo; echo "== summary"
grep -E '^== (this project|torchvision)|forward batch 1|training iteration batch 2|fine-tuning step:|^trained [0-9]+ iterations|^AP50 on the validation split' "$log" \
  | grep -v '^== summary' || true
took=$(( $(date +%s) - start ))
echo "total $((took / 60)) min $((took % 60)) s; log: $log"
uptime
