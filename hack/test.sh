#!/usr/bin/env bash
# The whole test suite, as CI runs it: format, lints, then every test tier, including the
# end-to-end tests against a real kube-apiserver + etcd built from source (hack/control-plane.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*" >&2; }

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
