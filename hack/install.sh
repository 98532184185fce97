#!/usr/bin/env bash
# Installs what skiff needs on a Debian 12 machine, skipping whatever is already there:
# Debian packages (nats-server, containerd, runc, iptables, busybox-static, openssl, and Node.js
# when missing) and the npm packages of package-lock.json. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v nats-server >/dev/null || need+=(nats-server)
command -v containerd >/dev/null || need+=(containerd)
command -v runc >/dev/null || need+=(runc)
command -v iptables >/dev/null || need+=(iptables)
command -v openssl >/dev/null || need+=(openssl)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v node >/dev/null || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "skiff needs these Debian packages: ${need[*]}; run as root or: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

# skiff and its test clients need Node.js 20 or newer (Debian 12's own nodejs package is 18).
node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "skiff needs Node.js >= 20, found $(node --version); install a newer Node.js (e.g. from NodeSource) and re-run" >&2
  exit 1
fi

# npm packages: reinstall when the lock file is newer than what node_modules was built from.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
