#!/usr/bin/env bash
# Quick start: install what is missing, bring up a single-machine cluster (nats-server + control
# plane) in the foreground, and apply the demo app. Ctrl-C stops everything cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
bash hack/install.sh

export SKIFF_DATA_DIR="${SKIFF_DATA_DIR:-$HOME/.skiff}"
# Two hollow (simulated) nodes run the demo pods until real worker nodes land.
bin/skiff up --hollow-nodes 2 "$@" &
skiff_pid=$!
trap 'kill -INT "$skiff_pid" 2>/dev/null || true; wait "$skiff_pid" || true' INT TERM

# The kubeconfig is rewritten at every start; wait for the API to answer with it.
for _ in $(seq 1 150); do
  if bin/skiff get namespaces >/dev/null 2>&1; then break; fi
  if ! kill -0 "$skiff_pid" 2>/dev/null; then wait "$skiff_pid"; exit 1; fi
  sleep 0.2
done
bin/skiff apply -f demo/
bin/skiff get deployments,services,configmaps -n demo
# Give the controllers, the scheduler and the hollow nodes a moment, then show the pods.
sleep 3
bin/skiff get pods -n demo -o wide
echo "demo applied; Ctrl-C stops the cluster"
wait "$skiff_pid"
