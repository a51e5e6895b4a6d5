#!/usr/bin/env bash
# A real local Kubernetes control plane (etcd + kube-apiserver, no nodes, no controllers) for the
# end-to-end tests and the demo. Everything is built from registries (Go module proxy, crates.io),
# never downloaded as a prebuilt binary.
#
#   hack/control-plane.sh up      build what is missing, start etcd + kube-apiserver (or reuse the
#                                 running pair), apply crds/, print the kubeconfig path (last line)
#   hack/control-plane.sh down    stop what `up` started and remove the state folder
#   hack/control-plane.sh bin     build what is missing, print the folder of matching tools:
#                                 PATH="$(hack/control-plane.sh bin):$PATH"
#   hack/control-plane.sh build   build what is missing, nothing else (CI runs this before tests)
#   hack/control-plane.sh stop-apiserver   stop only kube-apiserver (etcd keeps the data)
#   hack/control-plane.sh start-apiserver  start kube-apiserver again on the same port and etcd
#                                 (reliability tests: watches must recover without a restart)
#
# Environment:
#   ACS_PUSH_CACHE          binaries, kept across clones   (default ~/.cache/acs-push-operator)
#   ACS_PUSH_STATE          data, certs, logs, pids        (default <repo>/.cache/control-plane)
#   ACS_PUSH_ETCD_BIN       an etcd 3.7.2 to copy instead of searching the cargo registry
#   ACS_PUSH_WATCH_PID      `up` only: tear the control plane down when this process exits
#   ACS_PUSH_START_TIMEOUT  seconds to wait for /readyz (default 180)
#
# Progress goes to stderr; stdout carries only the one path a command prints.
set -euo pipefail

readonly K8S_VERSION=v1.37.2
readonly HELM_VERSION=v3.22.0
readonly ETCD_VERSION=3.7.2

SCRIPT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
REPO=$(cd "$(dirname "$SCRIPT")/.." && pwd)
CACHE=${ACS_PUSH_CACHE:-$HOME/.cache/acs-push-operator}
BIN=$CACHE/bin/$K8S_VERSION
STATE=${ACS_PUSH_STATE:-$REPO/.cache/control-plane}
# The state path identifies our processes in /proc/<pid>/cmdline, so it must be absolute.
case $STATE in /*) ;; *) STATE=$PWD/$STATE ;; esac
START_TIMEOUT=${ACS_PUSH_START_TIMEOUT:-180}
readonly SCRIPT REPO CACHE BIN STATE START_TIMEOUT

log() { printf '[control-plane] %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# ---------------------------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------------------------

# The version ldflags matter: without them /version says v0.0.0-master and helm's kubeVersion
# checks fail.
k8s_ldflags() {
	local minor=${K8S_VERSION#v1.}
	minor=${minor%%.*}
	local flags="-s -w"
	local pkg
	for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		flags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
		flags+=" -X $pkg.gitTreeState=clean"
	done
	printf '%s' "$flags"
}

# The Kubernetes version a released helm assumes without --kube-version: helm's Makefile takes it
# from the client-go it is built with (v0.37.x -> v1.37.0).
helm_kube_version() {
	local client_go minor
	client_go=$(awk '$1 == "k8s.io/client-go" { print $2; exit }' "$REPO/hack/helm/go.mod")
	[[ $client_go =~ ^v0\.([0-9]+)\. ]] || die "no k8s.io/client-go version in hack/helm/go.mod"
	minor=${BASH_REMATCH[1]}
	printf 'v1.%s.0' "$minor"
}

# helm_ldflags KUBE_VERSION: the -X flags of helm's Makefile (version, and the default kube version
# of `helm template` and `helm lint`), so our helm behaves like a released one.
helm_ldflags() {
	local kube=${1#v} major minor
	major=${kube%%.*}
	minor=${kube#*.}
	minor=${minor%%.*}
	local flags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
	flags+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
	local pkg
	for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
		flags+=" -X $pkg.k8sVersionMajor=$major -X $pkg.k8sVersionMinor=$minor"
	done
	printf '%s' "$flags"
}

# helm_default_kube_version FILE: what `helm template` renders for .Capabilities.KubeVersion when
# no --kube-version is given (empty when FILE is missing or fails). Builds before the Kubernetes
# ldflags said v1.20.0.
helm_default_kube_version() {
	[[ -x $1 ]] || return 0
	local chart
	chart=$(mktemp -d)
	mkdir -p "$chart/templates"
	printf 'apiVersion: v2\nname: probe\nversion: 0.0.1\n' >"$chart/Chart.yaml"
	printf '# {{ .Capabilities.KubeVersion.Version }}\n' >"$chart/templates/probe.yaml"
	"$1" template probe "$chart" 2>/dev/null | sed -n 's/^# \(v[0-9].*\)$/\1/p' || true
	rm -rf "$chart"
}

# has_version FILE EXPECTED ARGS...: FILE exists and `FILE ARGS...` prints EXPECTED somewhere.
has_version() {
	local file=$1 expected=$2
	shift 2
	[[ -x $file ]] || return 1
	local out
	out=$("$file" "$@" 2>/dev/null) || return 1
	[[ $out == *"$expected"* ]]
}

# go_build MODULE_DIR PACKAGE OUTPUT LDFLAGS: build into a temporary file, then rename, so a
# half-written binary never passes the version check.
go_build() {
	local dir=$1 pkg=$2 out=$3 ldflags=$4
	command -v go >/dev/null || die "go is not installed; it is needed to build $pkg"
	log "building $pkg into $out (cold Go cache: kube-apiserver ~10 min and ~2.5 GB on 2 cores)"
	local started=$SECONDS
	(cd "$dir" && CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false" \
		go build -trimpath -ldflags "$ldflags" -o "$out.tmp.$$" "$pkg") >&2 ||
		die "go build $pkg failed (see above)"
	mv -f "$out.tmp.$$" "$out"
	log "built $(basename "$out") in $((SECONDS - started)) s"
}

# The etcd that the etcd-bin-vendored crate (a dev-dependency) ships inside the cargo registry.
find_vendored_etcd() {
	local arch
	case $(uname -m) in
	x86_64) arch=amd64 ;;
	aarch64) arch=arm64 ;;
	*) return 1 ;;
	esac
	local candidate
	for candidate in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"etcd-bin-vendored-linux-$arch-$ETCD_VERSION"/bin/etcd; do
		if [[ -x $candidate ]]; then
			printf '%s' "$candidate"
			return 0
		fi
	done
	return 1
}

ensure_etcd() {
	local out=$BIN/etcd expected="etcd Version: $ETCD_VERSION"
	has_version "$out" "$expected" --version && return 0
	local src=""
	if [[ -n ${ACS_PUSH_ETCD_BIN:-} ]] && has_version "$ACS_PUSH_ETCD_BIN" "$expected" --version; then
		src=$ACS_PUSH_ETCD_BIN
	elif src=$(find_vendored_etcd) && has_version "$src" "$expected" --version; then
		:
	elif command -v cargo >/dev/null; then
		log "etcd $ETCD_VERSION not in the cargo registry; running cargo fetch"
		cargo fetch --manifest-path "$REPO/Cargo.toml" >&2 || log "cargo fetch failed"
		src=$(find_vendored_etcd) || src=""
	fi
	if [[ -n $src ]] && has_version "$src" "$expected" --version; then
		cp -f "$src" "$out.tmp.$$"
		chmod 0755 "$out.tmp.$$"
		mv -f "$out.tmp.$$" "$out"
		log "copied etcd $ETCD_VERSION from $src"
		return 0
	fi
	log "no vendored etcd $ETCD_VERSION found; building it from the Go module proxy"
	go_build "$REPO/hack/etcd" go.etcd.io/etcd/server/v3 "$out" "-s -w"
	has_version "$out" "$expected" --version ||
		die "the etcd built from hack/etcd is not version $ETCD_VERSION; align hack/etcd/go.mod"
}

# The kstatus command of hack/kstatus (the real kstatus library; tests/kstatus.rs). Its version is
# a hash of its sources, so an edit there rebuilds it.
ensure_kstatus() {
	local src=$REPO/hack/kstatus hash
	hash=$(cd "$src" && cat go.mod go.sum ./*.go | sha256sum)
	hash=${hash:0:16}
	has_version "$BIN/kstatus" "kstatus $hash" --version ||
		go_build "$src" . "$BIN/kstatus" "-s -w -X main.version=$hash"
}

ensure_binaries() {
	mkdir -p "$BIN"
	# Parallel test binaries may all call `up` at once; one builds, the others wait.
	exec 8>"$CACHE/build.lock"
	flock 8

	local k8s_flags
	k8s_flags=$(k8s_ldflags)
	has_version "$BIN/kube-apiserver" "Kubernetes $K8S_VERSION" --version ||
		go_build "$REPO/hack/k8s" k8s.io/kubernetes/cmd/kube-apiserver "$BIN/kube-apiserver" "$k8s_flags"
	has_version "$BIN/kubectl" "Client Version: $K8S_VERSION" version --client ||
		go_build "$REPO/hack/k8s" k8s.io/kubernetes/cmd/kubectl "$BIN/kubectl" "$k8s_flags"
	local helm_kube
	helm_kube=$(helm_kube_version)
	if ! has_version "$BIN/helm" "$HELM_VERSION" version --template '{{.Version}}' ||
		[[ $(helm_default_kube_version "$BIN/helm") != "$helm_kube" ]]; then
		go_build "$REPO/hack/helm" helm.sh/helm/v3/cmd/helm "$BIN/helm" "$(helm_ldflags "$helm_kube")"
		[[ $(helm_default_kube_version "$BIN/helm") == "$helm_kube" ]] ||
			die "the helm built from hack/helm does not default to Kubernetes $helm_kube; check helm_ldflags"
	fi
	ensure_etcd
	ensure_kstatus

	exec 8>&-
}

# ---------------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------------

# is_ours PID_FILE: the recorded process is alive and was started for this state folder (guards
# against a recycled pid).
is_ours() {
	local pid
	[[ -f $1 ]] || return 1
	pid=$(<"$1")
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	[[ -r /proc/$pid/cmdline ]] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$STATE"
}

# stop NAME: TERM the recorded process, KILL it after a grace period.
stop() {
	local pid_file=$STATE/$1.pid pid
	is_ours "$pid_file" || return 0
	pid=$(<"$pid_file")
	[[ $pid == "$$" ]] && return 0 # the watcher tearing down must not kill itself
	kill -TERM "$pid" 2>/dev/null || return 0
	local waited=0
	while kill -0 "$pid" 2>/dev/null && ((waited < 100)); do
		sleep 0.1
		waited=$((waited + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "$1 (pid $pid) ignored TERM for 10 s; killing it"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	log "stopped $1 (pid $pid)"
}

# spawn NAME COMMAND...: start COMMAND in its own session, detached from our stdio (a caller that
# reads our stdout to EOF must not wait for it) and from our lock file descriptors 8 and 9 (a
# long-lived child holding them would block every later `up`).
spawn() {
	local name=$1
	shift
	setsid "$@" </dev/null >"$STATE/$name.log" 2>&1 8>&- 9>&- &
	printf '%s\n' "$!" >"$STATE/$name.pid"
}

# A random port below the ephemeral range (so outgoing connections never hold it) that nothing
# listens on yet. A race with another starter is caught by the start loops below.
free_port() {
	local port
	while :; do
		port=$((20000 + RANDOM % 12000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
			printf '%s' "$port"
			return 0
		fi
	done
}

# gen_pki: a CA, a serving cert for 127.0.0.1/localhost, the service-account key pair and an admin
# token in system:masters (which bypasses RBAC).
gen_pki() {
	local pki=$STATE/pki
	mkdir -p "$pki"
	command -v openssl >/dev/null || die "openssl is needed to make the control plane's certificates"
	# One && chain: `set -e` does not apply inside a command whose status is tested.
	(
		cd "$pki" &&
			openssl ecparam -name prime256v1 -genkey -noout -out ca.key &&
			openssl req -x509 -new -key ca.key -sha256 -days 30 -subj "/CN=acs-push-local-ca" -out ca.crt &&
			openssl ecparam -name prime256v1 -genkey -noout -out apiserver.key &&
			openssl req -new -key apiserver.key -subj "/CN=kube-apiserver" -out apiserver.csr &&
			printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "extendedKeyUsage=serverAuth" \
				"keyUsage=critical,digitalSignature,keyEncipherment" >apiserver.ext &&
			openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 30 \
				-sha256 -extfile apiserver.ext -out apiserver.crt &&
			openssl genrsa -out sa.key 2048 &&
			openssl rsa -in sa.key -pubout -out sa.pub &&
			openssl rand -hex 32 >admin.token &&
			printf '%s,admin,admin,"system:masters"\n' "$(<admin.token)" >token.csv &&
			chmod 0600 ./*.key admin.token token.csv
	) >"$STATE/pki.log" 2>&1 || die "making certificates with openssl failed; see $STATE/pki.log"
}

write_kubeconfig() {
	local port=$1 ca_data token
	ca_data=$(base64 -w0 <"$STATE/pki/ca.crt")
	token=$(<"$STATE/pki/admin.token")
	(umask 077 && cat >"$STATE/kubeconfig") <<EOF
apiVersion: v1
kind: Config
clusters:
- name: acs-push-local
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority-data: $ca_data
users:
- name: admin
  user:
    token: $token
contexts:
- name: acs-push-local
  context:
    cluster: acs-push-local
    user: admin
    namespace: default
current-context: acs-push-local
EOF
}

start_etcd() {
	local attempt client peer
	for attempt in 1 2 3; do
		client=$(free_port)
		peer=$(free_port)
		while [[ $peer == "$client" ]]; do peer=$(free_port); done
		rm -rf "$STATE/etcd"
		spawn etcd "$BIN/etcd" --name=default --data-dir="$STATE/etcd" \
			--listen-client-urls="http://127.0.0.1:$client" --advertise-client-urls="http://127.0.0.1:$client" \
			--listen-peer-urls="http://127.0.0.1:$peer" --initial-advertise-peer-urls="http://127.0.0.1:$peer" \
			--initial-cluster="default=http://127.0.0.1:$peer" --unsafe-no-fsync --log-level=warn
		local waited=0
		while ((waited < 300)); do
			if curl -sf "http://127.0.0.1:$client/health" 2>/dev/null | grep -q '"health":"true"'; then
				printf '%s' "$client" >"$STATE/etcd.port"
				log "etcd is up on 127.0.0.1:$client (pid $(<"$STATE/etcd.pid"))"
				return 0
			fi
			is_ours "$STATE/etcd.pid" || break
			sleep 0.1
			waited=$((waited + 1))
		done
		stop etcd
		grep -q 'address already in use' "$STATE/etcd.log" || break
		log "etcd port taken (attempt $attempt); retrying on other ports"
	done
	tail -n 20 "$STATE/etcd.log" >&2 || true
	die "etcd exited or was not healthy within 30 s; log: $STATE/etcd.log"
}

# start_apiserver ETCD_PORT [PORT]: a fixed PORT (a restart) keeps clients' kubeconfigs valid.
start_apiserver() {
	local etcd_port=$1 fixed_port=${2:-} attempt port
	for attempt in 1 2 3; do
		port=${fixed_port:-$(free_port)}
		write_kubeconfig "$port"
		spawn kube-apiserver "$BIN/kube-apiserver" \
			--etcd-servers="http://127.0.0.1:$etcd_port" \
			--bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$port" \
			--cert-dir="$STATE/pki" \
			--tls-cert-file="$STATE/pki/apiserver.crt" --tls-private-key-file="$STATE/pki/apiserver.key" \
			--token-auth-file="$STATE/pki/token.csv" --authorization-mode=RBAC \
			--service-account-issuer=https://kubernetes.default.svc.cluster.local \
			--service-account-key-file="$STATE/pki/sa.pub" \
			--service-account-signing-key-file="$STATE/pki/sa.key" \
			--service-cluster-ip-range=10.0.0.0/24 \
			--disable-admission-plugins=ServiceAccount --allow-privileged=true \
			--endpoint-reconciler-type=none
		local deadline=$((SECONDS + START_TIMEOUT))
		while ((SECONDS < deadline)); do
			if curl -sf --cacert "$STATE/pki/ca.crt" "https://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
				printf '%s' "$port" >"$STATE/kube-apiserver.port"
				log "kube-apiserver is ready on https://127.0.0.1:$port (pid $(<"$STATE/kube-apiserver.pid"))"
				return 0
			fi
			is_ours "$STATE/kube-apiserver.pid" || break
			sleep 0.5
		done
		stop kube-apiserver
		grep -q 'address already in use' "$STATE/kube-apiserver.log" || break
		log "kube-apiserver port taken (attempt $attempt); retrying on another port"
	done
	tail -n 30 "$STATE/kube-apiserver.log" >&2 || true
	stop etcd # leave nothing running after a failed start
	die "kube-apiserver exited or was not ready within ${START_TIMEOUT} s; log: $STATE/kube-apiserver.log"
}

kubectl_() { "$BIN/kubectl" --kubeconfig "$STATE/kubeconfig" "$@"; }

running() {
	is_ours "$STATE/etcd.pid" && is_ours "$STATE/kube-apiserver.pid" && [[ -f $STATE/kube-apiserver.port ]] &&
		curl -sf --cacert "$STATE/pki/ca.crt" \
			"https://127.0.0.1:$(<"$STATE/kube-apiserver.port")/readyz" >/dev/null 2>&1
}

apply_crds() {
	local waited=0
	# The bootstrap controller creates `default` shortly after /readyz.
	until kubectl_ get namespace default >/dev/null 2>&1; do
		((waited < 600)) || die "namespace default did not appear"
		sleep 0.1
		waited=$((waited + 1))
	done
	kubectl_ apply --server-side --force-conflicts --field-manager=control-plane.sh -f "$REPO/crds/" >&2
	kubectl_ wait --for=condition=Established --timeout=60s -f "$REPO/crds/" >&2
	wait_for_discovery
}

# Established is not enough: the aggregated discovery document that kubectl, helm and kube-rs
# read lags a little behind, and a test that starts right after `up` would see "the server
# doesn't have a resource type". Wait until discovery serves every CRD in crds/.
wait_for_discovery() {
	local expected missing served deadline=$((SECONDS + 60))
	expected=$(kubectl_ get -f "$REPO/crds/" \
		-o jsonpath='{range .items[*]}{.spec.names.plural}.{.spec.group}{"\n"}{end}') ||
		die "cannot read back the CRDs of $REPO/crds/"
	while :; do
		served=$(kubectl_ api-resources -o name 2>/dev/null || true)
		missing=$(comm -23 <(sort <<<"$expected") <(sort <<<"$served"))
		[[ -z $missing ]] && return 0
		((SECONDS < deadline)) ||
			die "the API server does not serve $(tr '\n' ' ' <<<"$missing")60 s after the CRDs were established; see $STATE/kube-apiserver.log"
		sleep 0.2
	done
}

# watch PID START_TIME: runs detached; tears the control plane down once PID is gone (or was
# replaced by another process with the same pid, seen by a different start time).
watch_parent() {
	local pid=$1 started=$2
	while [[ $(proc_start_time "$pid") == "$started" ]]; do
		sleep 1
	done
	log "process $pid exited; stopping the control plane in $STATE"
	cmd_down
}

proc_start_time() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	# Field 22 of /proc/PID/stat; skip "pid (comm)" first, since comm may contain spaces.
	stat=${stat##*) }
	# shellcheck disable=SC2086 # split on purpose
	set -- $stat
	printf '%s' "${20}"
}

start_watcher() {
	local pid=$1 started
	started=$(proc_start_time "$pid")
	[[ -n $started ]] || die "ACS_PUSH_WATCH_PID=$pid is not a running process"
	stop watcher
	ACS_PUSH_STATE=$STATE spawn watcher bash "$SCRIPT" __watch "$pid" "$started" "$STATE"
	log "watcher (pid $(<"$STATE/watcher.pid")) stops the control plane when process $pid exits"
}

# ---------------------------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------------------------

cmd_up() {
	ensure_binaries
	mkdir -p "$STATE"
	# Serialises concurrent `up`s on one state folder; held until the CRDs are applied.
	exec 9>"$STATE/up.lock"
	flock 9
	if running; then
		log "reusing the control plane in $STATE"
	else
		stop kube-apiserver
		stop etcd
		rm -rf "$STATE/etcd" "$STATE/pki" "$STATE"/*.port "$STATE"/*.log
		local started=$SECONDS
		gen_pki
		start_etcd
		start_apiserver "$(<"$STATE/etcd.port")"
		log "control plane started in $((SECONDS - started)) s"
	fi
	[[ -n ${ACS_PUSH_WATCH_PID:-} ]] && start_watcher "$ACS_PUSH_WATCH_PID"
	apply_crds
	printf '%s\n' "$STATE/kubeconfig"
}

cmd_down() {
	[[ -d $STATE ]] || return 0
	stop watcher
	stop kube-apiserver
	stop etcd
	rm -rf "$STATE"
	log "removed $STATE"
}

main() {
	case ${1:-} in
	up) cmd_up ;;
	down) cmd_down ;;
	bin)
		ensure_binaries
		printf '%s\n' "$BIN"
		;;
	build) ensure_binaries ;;
	stop-apiserver) stop kube-apiserver ;;
	start-apiserver)
		is_ours "$STATE/etcd.pid" || die "etcd of $STATE is not running; use up"
		start_apiserver "$(<"$STATE/etcd.port")" "$(<"$STATE/kube-apiserver.port")"
		;;
	__watch) watch_parent "$2" "$3" ;;
	*)
		sed -n '2,/^set -euo/p' "$SCRIPT" | sed '$d' >&2
		exit 2
		;;
	esac
}

main "$@"
