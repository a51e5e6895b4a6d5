#!/usr/bin/env bash
# The demo on the embedded default: a real kube-apiserver + etcd (built from source on first use),
# azure-emulator seeded with a demo subscription, the operator, and the links in deploy/examples/.
# Prints `kubectl get pnl -A` and `kubectl describe` of each link, then keeps everything running
# until Ctrl-C.
#
#   hack/quickstart.sh            # run until Ctrl-C
#   hack/quickstart.sh --once     # print and exit
#
# Environment: ACS_PUSH_DEMO_PROPAGATION (default 30s) shortens ACS's 10-minute propagation
# window so the healthy link turns Ready while you watch.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

once=false
for arg in "$@"; do
  case "$arg" in
    --once) once=true ;;
    -h | --help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

say() { printf '\n\033[1m==> %s\033[0m\n' "$*" >&2; }

state="$repo/.cache/quickstart"
mkdir -p "$state"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  hack/control-plane.sh down >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "building the operator and azure-emulator"
cargo build --quiet -p acs-push-operator -p azure-emulator

say "starting the local control plane (kube-apiserver + etcd; first run builds them, ~10 min)"
export ACS_PUSH_STATE="$state/control-plane"
kubeconfig=$(hack/control-plane.sh up | tail -n 1)
export KUBECONFIG="$kubeconfig"
PATH="$(hack/control-plane.sh bin):$PATH"
export PATH

say "starting azure-emulator with the demo subscription (hack/demo/seed.json)"
tenant=00000000-0000-0000-0000-0000000000d0
client=00000000-0000-0000-0000-0000000000c1
secret=demo-operator-secret
target/debug/azure-emulator --listen 127.0.0.1:0 --ca-cert-out "$state/emulator-ca.pem" \
  --seed hack/demo/seed.json >"$state/emulator.out" 2>"$state/emulator.log" &
pids+=($!)
for _ in $(seq 1 100); do
  [ -s "$state/emulator.out" ] && break
  sleep 0.1
done
emulator=$(head -n 1 "$state/emulator.out")
[ -n "$emulator" ] || { echo "azure-emulator did not start; see $state/emulator.log" >&2; exit 1; }
echo "azure-emulator at $emulator" >&2

say "creating the Secret for the bring-your-own connection string example"
token=$(curl -sf --cacert "$state/emulator-ca.pem" "$emulator/$tenant/oauth2/v2.0/token" \
  -d grant_type=client_credentials -d "client_id=$client" --data-urlencode "client_secret=$secret" \
  --data-urlencode "scope=$emulator/.default" | sed -n 's/.*"access_token":"\([^"]*\)".*/\1/p')
rule=/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/demo/providers/Microsoft.NotificationHubs/namespaces/demo-ns/notificationHubs/healthy-hub/authorizationRules/byo-send
connection_string=$(curl -sf --cacert "$state/emulator-ca.pem" -X POST -H "Authorization: Bearer $token" \
  -H 'Content-Length: 0' "$emulator$rule/listKeys?api-version=2023-09-01" |
  sed -n 's/.*"primaryConnectionString":"\([^"]*\)".*/\1/p')
kubectl create namespace acs-push-demo --dry-run=client -o yaml | kubectl apply -f - >/dev/null
kubectl -n acs-push-demo create secret generic healthy-hub-connection-string \
  --from-literal=connectionString="$connection_string" --dry-run=client -o yaml |
  kubectl apply -f - >/dev/null

say "starting acs-push-operator"
AZURE_TENANT_ID=$tenant AZURE_CLIENT_ID=$client AZURE_CLIENT_SECRET=$secret \
  target/debug/acs-push-operator run \
  --arm-endpoint "$emulator" --authority-host "$emulator" --extra-ca-file "$state/emulator-ca.pem" \
  --metrics-addr 127.0.0.1:0 --log-format text \
  --propagation-window "${ACS_PUSH_DEMO_PROPAGATION:-30s}" --resync 1m \
  2>"$state/operator.log" &
pids+=($!)

say "applying deploy/examples/ to namespace acs-push-demo"
kubectl -n acs-push-demo apply -f deploy/examples/ >&2

say "waiting for every link to report (and the healthy one to finish propagating)"
deadline=$((SECONDS + 180))
while [ $SECONDS -lt $deadline ]; do
  reported=$(kubectl -n acs-push-demo get pnl -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].reason}{"\n"}{end}')
  total=$(kubectl -n acs-push-demo get pnl --no-headers | wc -l)
  done_count=$(grep -cv '^$' <<<"$reported" || true)
  healthy=$(kubectl -n acs-push-demo get pnl healthy-link -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')
  if [ "$done_count" -eq "$total" ] && [ "$healthy" = True ]; then break; fi
  sleep 2
done

say "kubectl get pnl -A"
kubectl get pnl -A -o wide
for link in $(kubectl -n acs-push-demo get pnl -o name); do
  say "kubectl describe $link"
  kubectl -n acs-push-demo describe "$link"
done

if $once; then
  exit 0
fi
say "running; try:  export KUBECONFIG=$kubeconfig PATH=$(hack/control-plane.sh bin):\$PATH"
echo "  kubectl get pnl -A -w        (operator log: $state/operator.log; Ctrl-C stops everything)" >&2
wait
