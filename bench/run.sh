#!/usr/bin/env bash
# Prints the main job's figures (push wall time split, idle memory, CLI start-up), each next to its baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f cli/target/fuseml-cli.jar && -f functions/target/quarkus-app/quarkus-run.jar ]] || mvn -B -q -ntp install -DskipTests
exec python3 bench/push_bench.py "$@"
