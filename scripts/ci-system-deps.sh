#!/usr/bin/env bash
# System packages modelpassport needs beyond Python (idempotent; installs only as root).
# bubblewrap (bwrap): the capability stage runs model-written code only inside its sandbox.
# chromium (tests only, skipped with --runtime): the HTML report is rendered in a real
# headless browser to prove it is self-contained and that model output in it cannot execute.
set -euo pipefail
wanted=("bwrap:bubblewrap")
[ "${1:-}" = "--runtime" ] || wanted+=("chromium:chromium")
missing=()
for entry in "${wanted[@]}"; do
  command -v "${entry%%:*}" >/dev/null 2>&1 || missing+=("${entry#*:}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  # Not root (a developer machine): say so; what needs them skips or fails with the same hint.
  echo "ci-system-deps: missing ${missing[*]}; as root: apt-get install -y ${missing[*]}" >&2
  exit 0
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
