#!/usr/bin/env bash
# Scale benchmark (issue 7): N PushNotificationLinks in one subscription against azure-emulator
# with ARM's throttle on (reads 250 burst / 25 per s, writes 200 / 10 per s) and latency L.
#
#   hack/bench.sh --links N [--hubs K] [--latency-ms L] [--concurrency C] [--subscriptions S]
#                 [--resync 20s] [--propagation-window 1s] [--ready-timeout SECONDS]
#                 [--skip-resync] [--out FILE] [--label TEXT] [--operator-env K=V]...
#                 [--no-build] [--debug]
#
# Defaults: K = N/10, L = 50, C = 8 (the operator's default), S = 1. It builds the release
# binaries (--debug: the debug ones, e.g. for a CI smoke run that already built them), starts its
# own control plane (state in .cache/bench, apart from the tests'), runs hack/bench/bench.py,
# prints a table and writes target/bench/bench-N.json. Figures are printed, never asserted.
# Everything it starts is stopped on exit, Ctrl-C included.
#
# Environment: ACS_PUSH_BENCH_STATE (default <repo>/.cache/bench) holds the control plane and one
# folder of logs per run (operator-*.log, azure-emulator.log, seed.json, links-*.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

build=true
profile=release
args=()
for arg in "$@"; do
	case $arg in
	--no-build) build=false ;;
	--debug) profile=debug ;;
	-h | --help)
		sed -n '2,17p' "$0"
		exit 0
		;;
	*) args+=("$arg") ;;
	esac
done

state=${ACS_PUSH_BENCH_STATE:-$repo/.cache/bench}
export ACS_PUSH_STATE=$state/control-plane
mkdir -p "$state"
# One run per state folder. The control plane's processes inherit this descriptor, so a run that
# starts while the previous one is still tearing down waits for it instead of racing its cleanup.
exec 7>"$state/bench.lock"
if ! flock -n 7; then
	echo "[bench] waiting for another hack/bench.sh using $state to finish" >&2
	flock 7
fi
driver=""
# shellcheck disable=SC2329 # invoked by the EXIT trap
cleanup() {
	if [[ -n $driver ]]; then
		kill -TERM "$driver" 2>/dev/null || true
		wait "$driver" 2>/dev/null || true
	fi
	hack/control-plane.sh down >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if $build; then
	flags=(--quiet -p acs-push-operator -p azure-emulator)
	[[ $profile == release ]] && flags+=(--release)
	echo "[bench] cargo build ${flags[*]}" >&2
	cargo build "${flags[@]}"
fi
for bin in target/$profile/acs-push-operator target/$profile/azure-emulator; do
	[[ -x $bin ]] || {
		echo "[bench] $bin is missing; run without --no-build" >&2
		exit 1
	}
done

# Our own state folder only: a leftover from an interrupted run is stopped and removed.
hack/control-plane.sh down >/dev/null 2>&1 || true
kubeconfig=$(ACS_PUSH_WATCH_PID=$$ hack/control-plane.sh up | tail -n 1)
tools=$(hack/control-plane.sh bin)

run_dir=$state/run-$(date +%Y%m%d-%H%M%S)
mkdir -p "$run_dir" target/bench
echo "[bench] logs in $run_dir" >&2
python3 hack/bench/bench.py "${args[@]}" --kubeconfig "$kubeconfig" --kubectl "$tools/kubectl" \
	--operator-bin "target/$profile/acs-push-operator" --emulator-bin "target/$profile/azure-emulator" \
	--state "$run_dir" &
driver=$!
status=0
wait "$driver" || status=$?
driver=""
exit "$status"
