#!/usr/bin/env bash
# Runs the whole test suite (installing what is missing first). The tests start their own
# nats-server instances on free loopback ports and stop them. Prints `N passed, N failed` last.
set -uo pipefail
cd "$(dirname "$0")/.."
bash hack/install.sh || exit 1

report=$(mktemp)
npx tsc --noEmit -p . || { echo "typecheck failed"; echo "0 passed, 1 failed"; exit 1; }
npx jest --ci --runInBand --json --outputFile="$report" "$@"
status=$?
node -e '
  const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests + r.numRuntimeErrorTestSuites} failed`);
' "$report" || { echo "0 passed, 1 failed"; status=1; }
rm -f "$report"
exit $status
