#!/usr/bin/env bash
# System packages the test suite needs beyond Python (idempotent; run as root in CI).
# chromium: the HTML report is rendered in a real headless browser to prove it is
# self-contained and that model output in it cannot execute.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "ci-system-deps: chromium missing; run as root: apt-get install -y chromium" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi
