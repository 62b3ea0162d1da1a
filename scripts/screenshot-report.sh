#!/usr/bin/env bash
# Render a Faultline HTML report in headless Chromium (Debian's `chromium`) and save a PNG, to check
# by eye that the timeline renders: scripts/screenshot-report.sh faultline-out/report.html out.png
set -euo pipefail
report=$(realpath "${1:-faultline-out/report.html}")
png=${2:-faultline-out/report.png}
command -v chromium >/dev/null || { echo "needs Debian's chromium: apt-get install chromium" >&2; exit 2; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" --window-size="${FAULTLINE_WINDOW:-1200,1600}" \
  --screenshot="$png" "file://$report" >/dev/null 2>&1
test -s "$png" && echo "screenshot: $png"
