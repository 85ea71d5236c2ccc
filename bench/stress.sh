#!/usr/bin/env bash
# Runs the test classes that start servers or threads (the Kubernetes ones, the broker's, the step runner's, the
# worker pool's, the child processes') N times in a row (default 20) with a CPU-bound process beside them, to show
# that none passes or fails by timing. Build once first: mvn -B -o install -DskipTests
# Usage: bash bench/stress.sh [RUNS] [MODULE:Class,Class ...]
# Prints one line per run and module (passed / FAILED with the failing tests), then the count of failed runs.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
shift || true
if [[ $# -eq 0 ]]; then
  set -- \
    "functions:KubernetesPlatformTest,TrainingJobWatchTest,KnativeBrokersTest,ClusterIdentityTest,OrgNamespacesTest,StepRunnerTest,WorkerPoolTest,LoggedProcessTest,HttpStepLogTest,ProcessTrainerTest" \
    "eventing:BrokerTest,BrokerGuardTest,BrokerHardeningTest,BrokerIngressTest,BrokerCrashTest,DeliverySpecTest,DispatcherTest" \
    "cli:KubernetesInstallerTest"
fi
# busy loops beside the tests, as a noisy neighbour would be (BURNERS, default 1); stopped when this script ends
burners=()
for _ in $(seq "${BURNERS:-1}"); do
  (while :; do :; done) &
  burners+=($!)
done
trap 'kill "${burners[@]}" 2>/dev/null' EXIT
failed=0
for i in $(seq "$runs"); do
  for spec in "$@"; do
    module=${spec%%:*}
    classes=${spec#*:}
    out=$(mvn -B -o -ntp surefire:test -pl "$module" -Dtest="$classes" -Dsurefire.failIfNoSpecifiedTests=false 2>&1)
    if grep -q "BUILD SUCCESS" <<<"$out"; then
      echo "run $i $module: passed ($(grep -E '^\[INFO\] Tests run:' <<<"$out" | tail -1 | sed 's/\[INFO\] //'))"
    else
      failed=$((failed + 1))
      echo "run $i $module: FAILED"
      grep -E '^\[ERROR\] (Tests run|  [A-Za-z]|Failures|Errors)|<<< (FAILURE|ERROR)' <<<"$out" | head -20
    fi
  done
done
echo "failed runs: $failed of $((runs * $#))"
[[ $failed -eq 0 ]]
