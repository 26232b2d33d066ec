# Shared by tools/side_by_side.sh and tools/demo_repeats.sh (sourced, not run): the header of a sitting's log and
# the line before each part. Expects $here (the project root); sets $py (Debian's Python with torch) and makes
# $here the current directory.
py=/usr/bin/python3
cd "$here"

policy() { RETINANET_WAIT_POLICY_ONLY=1 ./retinanet; }

# The launcher lets OpenMP threads sleep (OMP_WAIT_POLICY=PASSIVE) while other processes keep half a core or more
# busy; before each part wait up to 90 s for the machine to be idle, and record the launcher's choice.
part() {
  local waited=0
  while [ -z "${OMP_WAIT_POLICY:-}" ] && policy | grep -q PASSIVE && [ "$waited" -lt 90 ]; do
    sleep 5; waited=$((waited + 5))
  done
  echo
  echo "== $* | $(date -u +%H:%M:%S) UTC | load $(cut -d' ' -f1-3 /proc/loadavg) | waited ${waited}s |" \
       "launcher $(policy)"
}

# sitting_header TITLE DETAILS: what ran where, then builds the launcher's classes before anything is timed
sitting_header() {
  echo "$1, $(date -u '+%Y-%m-%d %H:%M:%S') UTC"
  lscpu | grep 'Model name'
  echo "cores: $(nproc), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $2"
  uptime
  "$py" -c 'import torch, torchvision; print("torch", torch.__version__, "torchvision", torchvision.__version__)'
  ./retinanet --version >/dev/null 2>&1 || true
}
