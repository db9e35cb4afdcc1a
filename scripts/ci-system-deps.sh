#!/usr/bin/env bash
# System packages the test suite needs beyond Python (idempotent; run as root in CI).
# chromium: the HTML report is rendered in a real headless browser to prove it is
# self-contained and that model output in it cannot execute.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    # Not root (a developer machine): say so; the browser tests skip with the same hint.
    echo "ci-system-deps: chromium missing; as root: apt-get install -y chromium" >&2
    exit 0
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
