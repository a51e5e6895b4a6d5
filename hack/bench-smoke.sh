#!/usr/bin/env bash
# CI smoke run of the scale benchmark: hack/bench.sh --links 100, then checks only that
# target/bench/bench-100.json exists, parses, and reports zero ARM writes per link in the resync
# pass. No timing is asserted (CI machines vary); the other figures are printed for reading.
#
#   hack/bench-smoke.sh [extra hack/bench.sh flags, e.g. --no-build]
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/bench/bench-100.json
rm -f "$out"
hack/bench.sh --links 100 "$@"

python3 - "$out" <<'EOF'
import json, sys
path = sys.argv[1]
try:
    with open(path, encoding='utf-8') as f:
        result = json.load(f)
except (OSError, ValueError) as e:
    sys.exit(f'bench-smoke: {path} is missing or not JSON: {e}')
writes = result.get('arm_writes_per_link_resync')
if writes != 0:
    sys.exit(f'bench-smoke: arm_writes_per_link_resync is {writes!r}, expected 0 (a steady-state '
             f'resync must send GETs only; see resync_pass.by_operation_per_link in {path})')
print(f'bench-smoke: ok ({path}: arm_writes_per_link_resync = 0)')
EOF
