#!/usr/bin/env bash
# The whole test suite, as CI runs it: format, lints, then every test tier, including the
# end-to-end tests against a real kube-apiserver + etcd built from source (hack/control-plane.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# Each step prints how long the previous one took; the total comes at the end, on failure too
# (CI must stay under 45 minutes on a fresh machine: a cold Go build of kube-apiserver is ~10).
STARTED=$SECONDS
STEP_STARTED=$SECONDS
STEP_NAME=""
end_step() {
	[[ -n $STEP_NAME ]] && printf '<== %s: %d s\n' "$STEP_NAME" "$((SECONDS - STEP_STARTED))" >&2
	STEP_NAME=""
}
step() {
	end_step
	STEP_NAME=$*
	STEP_STARTED=$SECONDS
	printf '\n==> %s\n' "$*" >&2
}
finish() {
	local rc=$?
	local failed=${STEP_NAME:+ (failed in: $STEP_NAME)}
	end_step
	local total=$((SECONDS - STARTED))
	if ((total > ${ACS_PUSH_CI_BUDGET_MIN:-45} * 60)); then
		printf '\n==> warning: over the CI budget of %d min; see the step times above\n' "${ACS_PUSH_CI_BUDGET_MIN:-45}" >&2
	fi
	if ((rc == 0)); then
		printf '\n==> all steps passed in %d min %02d s\n' "$((total / 60))" "$((total % 60))" >&2
	else
		printf '\n==> FAILED (exit %d) after %d min %02d s%s\n' "$rc" "$((total / 60))" "$((total % 60))" "$failed" >&2
	fi
}
trap finish EXIT

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (all targets, -D warnings)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "building the local control plane (kube-apiserver, kubectl, helm, etcd)"
hack/control-plane.sh build

step "cargo test (unit, emulator, client and end-to-end tiers)"
# End-to-end tests are #[ignore]d so that a plain `cargo test` needs no control plane.
cargo test --workspace --locked --no-fail-fast -- --include-ignored

step "Microsoft's Python SDKs against azure-emulator (fidelity of the emulator)"
hack/sdk-conformance/run.sh

step "scale benchmark smoke run (N=100; checks the JSON and zero writes per resync, no timings)"
# The debug binaries the tests just built: the smoke run asserts no timing, and a release build
# would add minutes to CI for nothing it checks. Figures come from hack/bench.sh (release).
hack/bench-smoke.sh --debug
