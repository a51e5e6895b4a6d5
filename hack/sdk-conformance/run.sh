#!/usr/bin/env bash
# Microsoft's own Python management SDKs (azure-identity, azure-mgmt-notificationhubs,
# azure-mgmt-communication, azure-mgmt-monitor) against azure-emulator, unchanged, as a user
# with a custom cloud would run them (DESIGN.md §5: the emulator's fidelity measure).
#
# For each requirements set it keeps a venv under ${ACS_PUSH_CACHE:-~/.cache/acs-push-operator}
# (rebuilt only when the requirements file or the Python version changes), builds the emulator,
# starts it with a generated seed (one identity, one subscription), runs the pytest file
# verbosely and stops the emulator. Exit status is non-zero if any set fails.
#
#   SDK_CONFORMANCE_SETS  which sets to run, default "stable preview"
#                         stable:  requirements.txt          -> venv-sdk
#                         preview: requirements-preview.txt  -> venv-sdk-preview
#   PYTHON                interpreter for the venvs, default python3 (3.9 or newer)
#   Extra arguments are passed to pytest (e.g. -k link).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${ACS_PUSH_CACHE:-$HOME/.cache/acs-push-operator}"
python="${PYTHON:-python3}"
sets="${SDK_CONFORMANCE_SETS:-stable preview}"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'sdk-conformance: %s\n' "$*" >&2; exit 1; }

command -v "$python" >/dev/null || die "$python not found; install Python 3.9+ or set PYTHON"
command -v cargo >/dev/null || die "cargo not found"

# Prints the venv directory for a set, creating or refreshing it when needed.
ensure_venv() {
  local set="$1" req venv stamp want
  case "$set" in
    stable) req="$here/requirements.txt" venv="$cache/venv-sdk" ;;
    preview) req="$here/requirements-preview.txt" venv="$cache/venv-sdk-preview" ;;
    *) die "unknown set '$set' in SDK_CONFORMANCE_SETS (use stable and/or preview)" ;;
  esac
  stamp="$venv/.requirements.sha256"
  want="$( { sha256sum "$req" | cut -d' ' -f1; "$python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)"
  if [[ ! -x "$venv/bin/python" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    say "creating $venv from $(basename "$req")"
    rm -rf "$venv"
    mkdir -p "$cache"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$req" >&2
    echo "$want" >"$stamp"
  else
    say "reusing $venv"
  fi
  echo "$venv"
}

venvs=()
for set in $sets; do
  venvs+=("$set=$(ensure_venv "$set")")
done

say "cargo build -p azure-emulator"
(cd "$root" && cargo build -p azure-emulator)
emulator="${CARGO_TARGET_DIR:-$root/target}/debug/azure-emulator"
[[ -x "$emulator" ]] || die "$emulator missing after the build"

work="$(mktemp -d "${TMPDIR:-/tmp}/sdk-conformance.XXXXXX")"
emu_pid=""
cleanup() {
  if [[ -n "$emu_pid" ]] && kill -0 "$emu_pid" 2>/dev/null; then
    kill "$emu_pid" 2>/dev/null || true
    wait "$emu_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

uuid() { "$python" -c 'import uuid; print(uuid.uuid4())'; }
tenant="$(uuid)"
client_id="$(uuid)"
client_secret="$("$python" -c 'import secrets; print(secrets.token_urlsafe(32))')"
subscription="$(uuid)"
# The secret goes into a file only the runner reads, never onto a command line.
umask 077
cat >"$work/seed.json" <<EOF
{
  "settings": {"lroInProgressPolls": 1, "lroRetryAfterSeconds": 1},
  "identities": [{"tenantId": "$tenant", "clientId": "$client_id", "clientSecret": "$client_secret"}],
  "subscriptions": [{"subscriptionId": "$subscription", "tenantId": "$tenant"}]
}
EOF

say "starting azure-emulator"
"$emulator" --listen 127.0.0.1:0 --ca-cert-out "$work/ca.pem" --seed "$work/seed.json" \
  >"$work/stdout" 2>"$work/emulator.log" &
emu_pid=$!
base_url=""
for _ in $(seq 1 300); do
  base_url="$(head -n1 "$work/stdout" 2>/dev/null || true)"
  [[ -n "$base_url" ]] && break
  kill -0 "$emu_pid" 2>/dev/null || { cat "$work/emulator.log" >&2; die "azure-emulator exited during start"; }
  sleep 0.1
done
[[ -n "$base_url" ]] || die "azure-emulator printed no base URL within 30 s"
say "azure-emulator at $base_url"

export SDK_EMU_BASE_URL="$base_url" SDK_EMU_CA="$work/ca.pem" SDK_EMU_TENANT="$tenant"
export SDK_EMU_CLIENT_ID="$client_id" SDK_EMU_CLIENT_SECRET="$client_secret"
export SDK_EMU_SUBSCRIPTION="$subscription"

failed=()
for entry in "${venvs[@]}"; do
  set="${entry%%=*}" venv="${entry#*=}"
  say "[$set] $("$venv/bin/python" -m pip freeze --disable-pip-version-check | grep -E '^azure-(identity|mgmt-)' | tr '\n' ' ')"
  export SDK_EMU_REPORT="$work/report-$set.json"
  if (cd "$here" && "$venv/bin/python" -m pytest -v --tb=short -p no:cacheprovider test_sdk_conformance.py "$@"); then
    say "[$set] passed"
  else
    failed+=("$set")
  fi
  if [[ -f "$SDK_EMU_REPORT" ]]; then
    say "[$set] api-versions used: $("$venv/bin/python" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["apiVersions"]))' "$SDK_EMU_REPORT")"
  fi
done

if ((${#failed[@]})); then
  say "emulator log (last 40 lines):"
  tail -n 40 "$work/emulator.log" >&2
  die "failed sets: ${failed[*]}"
fi
say "sdk-conformance: all sets passed ($sets)"
