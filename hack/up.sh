#!/usr/bin/env bash
# Quick start: install what is missing, bring up a single-machine cluster (nats-server, control
# plane and a worker node on containerd) in the foreground, build the demo's busybox image and
# apply the demo app. Ctrl-C stops everything cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
bash hack/install.sh

export SKIFF_DATA_DIR="${SKIFF_DATA_DIR:-$HOME/.skiff}"
bin/skiff up "$@" &
skiff_pid=$!
trap 'kill -INT "$skiff_pid" 2>/dev/null || true; wait "$skiff_pid" || true' INT TERM

# The kubeconfig is rewritten at every start; wait until the API answers and the node is registered.
for _ in $(seq 1 300); do
  if bin/skiff get nodes 2>/dev/null | grep -q ' Ready '; then break; fi
  if ! kill -0 "$skiff_pid" 2>/dev/null; then wait "$skiff_pid"; exit 1; fi
  sleep 0.2
done
# No registry is needed: the demo's image is built here from this machine's static busybox.
bin/skiff image build --busybox -t skiff.local/busybox:1.36
bin/skiff apply -f demo/
bin/skiff rollout status deployment/web -n demo --timeout=120s
bin/skiff get pods -n demo -o wide
echo "try: curl http://<a pod's IP above>:8080/   (pods are on this machine's skiff0 bridge)"
echo "  or: npx skiff port-forward -n demo deployment/web 8080:8080 & curl http://127.0.0.1:8080/"
echo "demo running; Ctrl-C stops the cluster"
wait "$skiff_pid"
